/**
 * Managed identity, App Service style: with `useMsi` (ARM_USE_MSI) on a host that sets
 * IDENTITY_ENDPOINT and IDENTITY_HEADER (App Service, Functions, Container Apps), MSAL sends
 * `GET {IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=...` with `X-IDENTITY-HEADER`; here the
 * emulator plays the host. A file of its own: MSAL picks the source once per process.
 */
import { APIM_API, CERTIFICATES_PATH, KV_API, startFixture, type Fixture } from "./emulator-fixture";

let fx: Fixture;
const VARIABLES = ["IDENTITY_ENDPOINT", "IDENTITY_HEADER", "AZURE_POD_IDENTITY_AUTHORITY_HOST"];
const saved = Object.fromEntries(VARIABLES.map((k) => [k, process.env[k]]));

beforeAll(async () => {
  fx = await startFixture();
  // What the platform sets for the process: MSAL reads these from process.env itself.
  process.env.IDENTITY_ENDPOINT = fx.emu.managedIdentity.appServiceEndpoint;
  process.env.IDENTITY_HEADER = fx.emu.managedIdentity.identityHeader;
  delete process.env.AZURE_POD_IDENTITY_AUTHORITY_HOST;
});
afterAll(async () => {
  await fx.stop();
  for (const k of VARIABLES)
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
});
beforeEach(() => fx.resetLog());

const NO_IDENTITY = {
  "azure-native:clientId": undefined,
  "azure-native:clientSecret": undefined,
  "azure-native:tenantId": undefined,
};
const appService = () => fx.requests("identity").filter((r) => r.route === "identity.appService");

test("ARM_USE_MSI + ARM_CLIENT_ID on App Service: the user-assigned identity's tokens, X-IDENTITY-HEADER sent", async () => {
  const mi = fx.emu.managedIdentity;
  const userAssigned = mi.userAssignedClientIds[0];
  const transport = fx.transport(NO_IDENTITY, { env: { ARM_USE_MSI: "true", ARM_CLIENT_ID: userAssigned } });
  expect(transport.describeIdentity()).toBe(
    `ManagedIdentityCredential (user-assigned, client id ${userAssigned})`,
  );
  expect((await transport.arm({ method: "GET", path: CERTIFICATES_PATH, apiVersion: APIM_API })).status).toBe(
    200,
  );
  const vault = await transport.keyVault(fx.emu.vaults.demo, {
    method: "GET",
    path: "/certificates",
    apiVersion: KV_API,
  });
  expect(vault.status).toBe(200);
  // The emulator answers only with the right X-IDENTITY-HEADER (a wrong one is a 401: test/emulator/identity.test.ts).
  expect(
    appService().map((r) => [r.status, r.credential, r.clientId, r.audience, r.query["api-version"]]),
  ).toEqual([
    [200, "managedIdentity", userAssigned, "https://management.azure.com", "2019-08-01"],
    [200, "managedIdentity", userAssigned, "https://vault.azure.net", "2019-08-01"],
  ]);
  expect(fx.requests("arm")[0].clientId).toBe(userAssigned);
  expect(fx.requests("token")).toHaveLength(0);
  // IDENTITY_HEADER is a secret of the host: it never shows in a log line.
  for (const line of fx.logs) expect(line).not.toContain(mi.identityHeader);
});

test("without a client id, the system-assigned identity", async () => {
  const transport = fx.transport({ ...NO_IDENTITY, "azure-native:useMsi": "true" }, { env: {} });
  expect((await transport.arm({ method: "GET", path: CERTIFICATES_PATH, apiVersion: APIM_API })).status).toBe(
    200,
  );
  expect(appService().map((r) => [r.status, r.clientId])).toEqual([
    [200, fx.emu.managedIdentity.systemAssignedClientId],
  ]);
});
