/**
 * A token endpoint that does not answer (a hung Entra ID) costs one `requestTimeoutMs` per attempt,
 * not the whole deadline: the transport abandons the token request, retries it like any request,
 * and, when no attempt gets an answer, says which token endpoint did not answer and what to check.
 * The emulator's delay faults on its token route hold answers back.
 */
import { spawn } from "child_process";
import * as path from "path";
import type { RequestLogEntry } from "../../emulator";
import {
  APIM_API,
  CERTIFICATES_PATH,
  failureOf,
  KV_API,
  selfSignedPolicy,
  startFixture,
  type Fixture,
} from "./emulator-fixture";

let fx: Fixture;
beforeAll(async () => {
  fx = await startFixture();
  // A cold start (loading @azure/identity, the first TLS connections) is paid here, once, so
  // that the tests' one-second limits are spent on token requests only, however busy the machine.
  await fx.transport().arm({ method: "GET", path: CERTIFICATES_PATH, apiVersion: APIM_API });
});
afterAll(() => fx.stop());
beforeEach(() => fx.resetLog());

const ARM_SCOPE = "https://management.azure.com/.default";
const VAULT_SCOPE = "https://vault.azure.net/.default";
const tokenRequests = (): RequestLogEntry[] => fx.requests("token").filter((r) => r.route === "entra.token");
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

test("a token request that does not answer within requestTimeoutMs is abandoned and retried; the call succeeds", async () => {
  const delayMs = 8000;
  fx.emu.admin.addFault({ route: "entra.token", kind: "delay", delayMs, times: 1 });
  const transport = fx.transport({ "azure-certs:requestTimeoutMs": "1000" });
  const logged = fx.logs.length;
  const res = await transport.arm({ method: "GET", path: CERTIFICATES_PATH, apiVersion: APIM_API });
  expect(res.status).toBe(200);

  const tokens = tokenRequests();
  expect(tokens).toHaveLength(2);
  expect(tokens[0].faultKind).toBe("delay");
  expect(tokens[1].faultKind).toBeUndefined();
  expect(tokens[1].status).toBe(200);
  // The call went out with the second token, before the first request would have been answered.
  const arm = fx.requests("arm");
  expect(arm).toHaveLength(1);
  expect(arm[0]).toMatchObject({ status: 200, audience: "https://management.azure.com" });
  expect(Date.parse(arm[0].startedAt)).toBeLessThan(Date.parse(tokens[0].startedAt) + delayMs);
  expect(fx.logs.slice(logged)).toContainEqual(
    expect.stringMatching(
      new RegExp(
        `^info: GET .*/certificates\\?api-version=${APIM_API}: the token request to ` +
          `${escape(fx.emu.authorityHost)}/${fx.emu.tenantId}/oauth2/v2\\.0/token did not answer within 1000 ms; ` +
          "retrying in \\d+ ms \\(back-off, attempt 2 of 6\\)$",
      ),
    ),
  );

  // The fresh token is cached: the next call asks for none.
  await transport.arm({ method: "GET", path: CERTIFICATES_PATH, apiVersion: APIM_API });
  expect(tokenRequests()).toHaveLength(2);
});

test("concurrent calls waiting for the abandoned request share one fresh token request", async () => {
  fx.emu.admin.addFault({ route: "entra.token", kind: "delay", delayMs: 8000, times: 1 });
  const transport = fx.transport({ "azure-certs:requestTimeoutMs": "1000" });
  const results = await Promise.all(
    Array.from({ length: 8 }, () =>
      transport.arm({ method: "GET", path: CERTIFICATES_PATH, apiVersion: APIM_API }),
    ),
  );
  expect(results.map((r) => r.status)).toEqual(Array(8).fill(200));
  // One abandoned request, then one fresh request for all eight callers (not one each, and not
  // the abandoned one handed out again).
  expect(tokenRequests()).toHaveLength(2);
  expect(tokenRequests()[0].faultKind).toBe("delay");
});

test("a Key Vault POST whose token did not come in time is sent once, after the token retry", async () => {
  fx.emu.admin.addFault({ route: "entra.token", kind: "delay", delayMs: 8000, times: 1 });
  const transport = fx.transport({ "azure-certs:requestTimeoutMs": "1000" });
  const res = await transport.keyVault(fx.emu.vaults.demo, {
    method: "POST",
    path: "/certificates/token-retry/create",
    apiVersion: KV_API,
    body: selfSignedPolicy("CN=token-retry"),
  });
  expect(res.status).toBe(202);
  // The challenge probe (no token, no body), then the request itself exactly once.
  expect(fx.requests("demo").map((r) => r.status)).toEqual([401, 202]);
  const tokens = tokenRequests();
  expect(tokens).toHaveLength(2);
  expect(tokens[1]).toMatchObject({ status: 200, scope: VAULT_SCOPE });
});

test("when no token request answers, the call fails within the deadline, naming the token endpoint and what to check", async () => {
  fx.emu.admin.addFault({ route: "entra.token", kind: "delay", delayMs: 30_000, times: 1000 });
  const deadlineMs = 3500;
  const transport = fx.transport({
    "azure-certs:requestTimeoutMs": "1000",
    "azure-certs:deadlineMs": String(deadlineMs),
  });
  const began = Date.now();
  const e = await failureOf(() =>
    transport.arm({ method: "GET", path: CERTIFICATES_PATH, apiVersion: APIM_API }),
  );
  const elapsed = Date.now() - began;
  // Generous: the point is that the 30 s answers (or a 300 s default deadline) were not waited out.
  expect(elapsed).toBeLessThan(deadlineMs + 5000);

  const attempts = e.attempts as number;
  expect(attempts).toBeGreaterThanOrEqual(2);
  // One fresh token request per attempt (the last may not have reached the emulator by the deadline).
  expect(tokenRequests().length).toBeGreaterThanOrEqual(attempts - 1);
  expect(tokenRequests().length).toBeLessThanOrEqual(attempts);
  expect(e).toMatchObject({
    name: "AzureRequestError",
    kind: "deadline",
    method: "POST",
    url: `${fx.emu.authorityHost}/${fx.emu.tenantId}/oauth2/v2.0/token`,
    networkCode: "ETIMEDOUT",
    status: undefined,
    attempts,
  });
  expect(e.message).toMatch(
    new RegExp(
      `^Could not get an access token for ${escape(ARM_SCOPE)} to call GET ${escape(fx.emu.armEndpoint)}` +
        `${escape(CERTIFICATES_PATH)}\\?api-version=${APIM_API} within the deadline of 3\\.5 s ` +
        `\\(azure-certs:deadlineMs\\): the token endpoint ${escape(fx.emu.authorityHost)}/${fx.emu.tenantId}` +
        `/oauth2/v2\\.0/token did not answer, ${attempts} attempts over \\d\\.\\d s \\(each may take 1\\.0 s ` +
        `\\(azure-certs:requestTimeoutMs\\)\\), with ClientSecretCredential \\(client id ${fx.emu.clientId}, ` +
        `tenant ${fx.emu.tenantId}\\)\\. Check the network path from this machine to ` +
        `${escape(new URL(fx.emu.authorityHost).host)} \\(proxy, firewall, DNS\\) and that azure-certs:authorityHost ` +
        "\\(or AZURE_AUTHORITY_HOST\\) names the Entra ID authority host",
    ),
  );
  expect(e.message).not.toContain(fx.emu.clientSecret);
  // Nothing reached ARM without a token.
  expect(fx.requests("arm")).toHaveLength(0);
});

test("when retries run out first, the failure is a timeout after maxRetries + 1 token requests", async () => {
  fx.emu.admin.addFault({ route: "entra.token", kind: "delay", delayMs: 30_000, times: 1000 });
  const transport = fx.transport({
    "azure-certs:requestTimeoutMs": "800",
    "azure-certs:maxRetries": "2",
  });
  const logged = fx.logs.length;
  const e = await failureOf(() =>
    transport.arm({ method: "POST", path: `${CERTIFICATES_PATH}/web/refreshSecret`, apiVersion: APIM_API }),
  );
  expect(e).toMatchObject({ kind: "timeout", attempts: 3, networkCode: "ETIMEDOUT" });
  expect(tokenRequests()).toHaveLength(3);
  expect(e.message).toMatch(
    /^Could not get an access token for https:\/\/management\.azure\.com\/\.default to call POST .*\/certificates\/web\/refreshSecret\?api-version=2024-05-01: the token endpoint https:\/\/localhost:\d+\/[0-9a-f-]+\/oauth2\/v2\.0\/token did not answer within 0\.8 s \(azure-certs:requestTimeoutMs\), 3 attempts over \d\.\d s, with ClientSecretCredential .* Check the network path from this machine to localhost:\d+ .*azure-certs:authorityHost/,
  );
  expect(fx.logs.slice(logged)).toContainEqual(
    expect.stringMatching(/^warn: Could not get an access token .* did not answer within 0\.8 s/),
  );
  expect(fx.requests("arm")).toHaveLength(0);
});

test("after such a failure, a process using the process-wide transport exits by itself", async () => {
  // Answers held back for a minute: anything still waiting for them would keep the process alive.
  fx.emu.admin.addFault({ route: "entra.token", kind: "delay", delayMs: 60_000, times: 1000 });
  const report = await runChild({ "azure-certs:requestTimeoutMs": "1000", "azure-certs:maxRetries": "1" });
  expect(report).toMatchObject({ outcome: "failed", kind: "timeout", attempts: 2 });
  expect(report.message).toMatch(/^Could not get an access token .* did not answer within 1\.0 s/);
  // Generous, and far below the minute the emulator holds its answers: nothing waited for them.
  expect(report.lingeredMs).toBeLessThan(15_000);
  expect(tokenRequests()).toHaveLength(2);
});

test("after a successful call, no token time limit keeps the process alive", async () => {
  // The default requestTimeoutMs (60 s): a timer left running after the token came would show.
  const report = await runChild({});
  expect(report).toMatchObject({ outcome: "succeeded" });
  expect(report.lingeredMs).toBeLessThan(15_000);
  expect(tokenRequests()).toHaveLength(1);
});

/** Runs token-timeout-child.ts against the emulator with `overrides`; resolves with its report. */
async function runChild(
  overrides: Record<string, unknown>,
): Promise<{ outcome: string; kind?: string; attempts?: number; message?: string; lingeredMs: number }> {
  const child = spawn(process.execPath, ["-e", childScript(path.join(__dirname, "token-timeout-child.ts"))], {
    env: {
      ...process.env,
      NODE_EXTRA_CA_CERTS: fx.emu.caCertPath,
      CHILD_PATH: CERTIFICATES_PATH,
      CHILD_CONFIG: JSON.stringify(fx.config({ "azure-certs:logLevel": "off", ...overrides })),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (err += d));
  const exit = await new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  expect({ exit, err }).toEqual({ exit: 0, err: "" });
  return JSON.parse(out.trim());
}

/** Loads `file` (TypeScript) in a plain Node process: a require hook that transpiles `.ts` files. */
function childScript(file: string): string {
  return `
    const ts = require(${JSON.stringify(require.resolve("typescript"))});
    const fs = require("fs");
    require.extensions[".ts"] = (module, filename) => {
      const { outputText } = ts.transpileModule(fs.readFileSync(filename, "utf8"), {
        fileName: filename,
        compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
      });
      module._compile(outputText, filename);
    };
    require(${JSON.stringify(file)});
  `;
}
