/**
 * A token endpoint that keeps answering 5xx: @azure/identity's pipeline retries inside one token
 * request, the transport does not retry an answered token request. The message says how many
 * requests were made, by whom, and over what time, like any other persistent failure.
 */
import { APIM_API, CERTIFICATES_PATH, failureOf, startFixture, type Fixture } from "./emulator-fixture";

let fx: Fixture;
beforeAll(async () => {
  fx = await startFixture();
});
afterAll(() => fx.stop());
beforeEach(() => fx.resetLog());

test("Entra ID answering 500 every time: the message counts the token requests and the time", async () => {
  fx.emu.admin.addFault({ listener: "token", route: "entra.token", kind: "status", status: 500, times: 50 });
  const started = Date.now();
  const e = await failureOf(() =>
    fx.transport().arm({ method: "GET", path: CERTIFICATES_PATH, apiVersion: APIM_API }),
  );
  const elapsed = Date.now() - started;
  const tokenRequests = fx.requests("token").filter((r) => r.route === "entra.token");
  expect(tokenRequests.length).toBeGreaterThan(1);
  expect(tokenRequests.every((r) => r.status === 500)).toBe(true);
  expect(e).toMatchObject({ kind: "authentication", status: 500, attempts: tokenRequests.length });
  expect(e.elapsedMs as number).toBeGreaterThan(0);
  expect(e.elapsedMs as number).toBeLessThanOrEqual(elapsed);
  expect(e.message).toMatch(
    new RegExp(
      `^Could not get an access token for https://management\\.azure\\.com/\\.default in tenant ${fx.emu.tenantId} ` +
        `with ClientSecretCredential \\(client id ${fx.emu.clientId}, tenant ${fx.emu.tenantId}\\) \\(Entra ID ` +
        `answered 500 after ${tokenRequests.length} attempts over \\d+\\.\\d s: 1 token request by the ` +
        `transport, retried ${tokenRequests.length - 1} times by @azure/identity\\): `,
    ),
  );
  expect(e.message).toMatch(/Entra ID is failing or unavailable: run the command again later\./);
  expect(fx.requests("arm")).toHaveLength(0);
});

test("500s retried by @azure/identity past azure-certs:requestTimeoutMs: reported as answers, not as silence", async () => {
  fx.emu.admin.addFault({ listener: "token", route: "entra.token", kind: "status", status: 500, times: 100 });
  const e = await failureOf(() =>
    fx
      .transport({ "azure-certs:requestTimeoutMs": "1200", "azure-certs:maxRetries": "1" })
      .arm({ method: "GET", path: CERTIFICATES_PATH, apiVersion: APIM_API }),
  );
  const tokenRequests = fx.requests("token").filter((r) => r.route === "entra.token");
  expect(e).toMatchObject({ kind: "timeout", attempts: 2 });
  expect(e.message).toMatch(
    new RegExp(
      "^Could not get an access token for https://management\\.azure\\.com/\\.default to call GET \\S+: the token " +
        `endpoint https://\\S+/oauth2/v2\\.0/token answered 500 \\(the last of ${tokenRequests.length} HTTP requests, ` +
        "@azure/identity's own retries included\\) and gave no token within 1\\.2 s \\(azure-certs:requestTimeoutMs\\) " +
        "per attempt, 2 attempts over \\d+\\.\\d s, with ClientSecretCredential .*Entra ID is failing or unavailable",
    ),
  );
  expect(fx.requests("arm")).toHaveLength(0);
});
