/**
 * An authority host nothing listens on (connection refused on the token endpoint): reported as an
 * unreachable authority host, naming the setting that chose it, not as a credential problem.
 */
import { APIM_API, CERTIFICATES_PATH, failureOf, startFixture, type Fixture } from "./emulator-fixture";

let fx: Fixture;
beforeAll(async () => {
  fx = await startFixture();
});
afterAll(() => fx.stop());
beforeEach(() => fx.resetLog());

test("azure-certs:authorityHost on a closed port: the message names the host and the setting", async () => {
  const e = await failureOf(() =>
    fx
      .transport({ "azure-certs:authorityHost": "https://localhost:1" })
      .arm({ method: "GET", path: CERTIFICATES_PATH, apiVersion: APIM_API }),
  );
  // Entra ID never answered, so no code of its own: the transport's.
  expect(e).toMatchObject({ kind: "authentication", code: "AuthenticationFailed" });
  expect(e.message).toMatch(
    /^Could not get an access token for https:\/\/management\.azure\.com\/\.default in tenant \S+ with ClientSecretCredential .*: the Entra ID authority host https:\/\/localhost:1 could not be reached \(/,
  );
  expect(e.message).toContain("chosen by azure-certs:authorityHost (or AZURE_AUTHORITY_HOST)");
  expect(e.message).not.toMatch(/secret may have expired|Check azure-native:clientId/);
  expect(fx.requests("arm")).toHaveLength(0);
});
