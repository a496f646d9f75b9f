/**
 * Managed identity, IMDS style: `useMsi` (ARM_USE_MSI) with `msiEndpoint` (ARM_MSI_ENDPOINT)
 * pointing @azure/identity's ManagedIdentityCredential at the emulator's IMDS endpoint, for the
 * host's system-assigned identity and a user-assigned one (`clientId`).
 *
 * A file of its own: MSAL Node picks the managed identity source once per process (a static
 * `ManagedIdentityClient.identitySource`), from the environment it finds at the first request.
 * App Service style is in login-app-service.emulator.test.ts.
 */
import { configFromRecord, resolveSettings } from "../../provider/transport/settings";
import {
  APIM_API,
  CERTIFICATES_PATH,
  failureOf,
  KV_API,
  startFixture,
  type Fixture,
} from "./emulator-fixture";

let fx: Fixture;
const saved = { ...process.env };

beforeAll(async () => {
  fx = await startFixture();
});
afterAll(async () => {
  await fx.stop();
  for (const k of ["AZURE_POD_IDENTITY_AUTHORITY_HOST", "IDENTITY_ENDPOINT"])
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
});
beforeEach(() => fx.resetLog());

const NO_IDENTITY = {
  "azure-native:clientId": undefined,
  "azure-native:clientSecret": undefined,
  "azure-native:tenantId": undefined,
};

const imds = () => fx.requests("identity").filter((r) => r.route === "identity.imds");

test("ARM_USE_MSI + ARM_MSI_ENDPOINT: the system-assigned identity's tokens from IMDS reach ARM and Key Vault", async () => {
  const mi = fx.emu.managedIdentity;
  const transport = fx.transport(NO_IDENTITY, {
    env: { ARM_USE_MSI: "true", ARM_MSI_ENDPOINT: mi.imdsEndpoint },
  });
  expect(transport.describeIdentity()).toBe(
    `ManagedIdentityCredential (system-assigned, endpoint ${mi.imdsEndpoint})`,
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

  expect(imds().map((r) => [r.status, r.credential, r.clientId, r.audience, r.query.resource])).toEqual([
    [
      200,
      "managedIdentity",
      mi.systemAssignedClientId,
      "https://management.azure.com",
      "https://management.azure.com",
    ],
    [200, "managedIdentity", mi.systemAssignedClientId, "https://vault.azure.net", "https://vault.azure.net"],
  ]);
  expect(imds()[0].query["api-version"]).toBe("2018-02-01");
  // No Entra ID request: the host's endpoint hands out the tokens.
  expect(fx.requests("token")).toHaveLength(0);
  expect(fx.requests("arm")[0].clientId).toBe(mi.systemAssignedClientId);
  expect(process.env.AZURE_POD_IDENTITY_AUTHORITY_HOST).toBe(mi.imdsEndpoint);
});

test("azure-native:useMsi with azure-native:clientId: a user-assigned identity (the full IMDS token URL as msiEndpoint)", async () => {
  const mi = fx.emu.managedIdentity;
  const userAssigned = mi.userAssignedClientIds[0];
  const transport = fx.transport(
    {
      ...NO_IDENTITY,
      "azure-native:useMsi": true,
      "azure-native:clientId": userAssigned,
      "azure-native:msiEndpoint": `${mi.imdsEndpoint}/metadata/identity/oauth2/token`,
    },
    { env: {} },
  );
  expect(transport.describeIdentity()).toBe(
    `ManagedIdentityCredential (user-assigned, client id ${userAssigned}, endpoint ${mi.imdsEndpoint})`,
  );
  expect((await transport.arm({ method: "GET", path: CERTIFICATES_PATH, apiVersion: APIM_API })).status).toBe(
    200,
  );
  expect(imds().map((r) => [r.status, r.clientId, r.query.client_id])).toEqual([
    [200, userAssigned, userAssigned],
  ]);
  expect(fx.requests("arm")[0].clientId).toBe(userAssigned);
});

test("a client id the host does not have: the endpoint's answer, and advice naming the settings", async () => {
  const e = await failureOf(() =>
    fx
      .transport(NO_IDENTITY, {
        env: {
          ARM_USE_MSI: "true",
          ARM_CLIENT_ID: "12121212-1212-1212-1212-121212121212",
          ARM_MSI_ENDPOINT: fx.emu.managedIdentity.imdsEndpoint,
        },
      })
      .arm({ method: "GET", path: CERTIFICATES_PATH, apiVersion: APIM_API }),
  );
  expect(e.kind).toBe("authentication");
  expect(e.message).toContain(
    "ManagedIdentityCredential (user-assigned, client id 12121212-1212-1212-1212-121212121212",
  );
  expect(e.message).toMatch(/Identity not found/);
  expect(e.message).toContain("Check that this machine has the managed identity");
  expect(fx.requests("arm")).toHaveLength(0);
});

test("msiEndpoint next to App Service's variables is refused (MSAL would use those instead)", async () => {
  process.env.IDENTITY_ENDPOINT = "http://127.0.0.1:41741/msi/token";
  try {
    const e = await failureOf(() =>
      fx
        .transport(NO_IDENTITY, {
          env: { ARM_USE_MSI: "true", ARM_MSI_ENDPOINT: fx.emu.managedIdentity.imdsEndpoint },
        })
        .arm({ method: "GET", path: CERTIFICATES_PATH, apiVersion: APIM_API }),
    );
    expect(e.message).toContain(
      "azure-native:msiEndpoint (ARM_MSI_ENDPOINT) is set, but so is IDENTITY_ENDPOINT, which makes @azure/identity use another managed identity source than IMDS",
    );
  } finally {
    delete process.env.IDENTITY_ENDPOINT;
  }
});

test("settings: msiEndpoint needs useMsi, https (or IMDS' own http address), and the IMDS path or none", () => {
  const resolve = (env: Record<string, string>, config: Record<string, unknown> = {}) =>
    resolveSettings(configFromRecord(config), env).credential;
  expect(() => resolve({ ARM_MSI_ENDPOINT: "https://imds.example" })).toThrow(
    "azure-native:msiEndpoint (or ARM_MSI_ENDPOINT) is configured, but azure-native:useMsi (or ARM_USE_MSI) is not true.",
  );
  expect(resolve({ ARM_USE_MSI: "true" })).toEqual({
    kind: "managedIdentity",
    tenantId: undefined,
    clientId: undefined,
  });
  expect(
    resolve({
      ARM_USE_MSI: "true",
      ARM_MSI_ENDPOINT: "http://169.254.169.254/metadata/identity/oauth2/token",
    }),
  ).toMatchObject({
    msiEndpoint: "http://169.254.169.254",
  });
  expect(() => resolve({ ARM_USE_MSI: "true", ARM_MSI_ENDPOINT: "http://imds.example" })).toThrow(
    /ARM_MSI_ENDPOINT \(azure-native:msiEndpoint \(or ARM_MSI_ENDPOINT\)\) must use https/,
  );
  expect(
    resolve(
      { ARM_USE_MSI: "true", ARM_MSI_ENDPOINT: "http://localhost:8080" },
      { "azure-certs:allowHttp": "true" },
    ),
  ).toMatchObject({
    msiEndpoint: "http://localhost:8080",
  });
  expect(() => resolve({ ARM_USE_MSI: "true", ARM_MSI_ENDPOINT: "https://imds.example/other/path" })).toThrow(
    /must be the IMDS address \(https:\/\/host:port\) or its token URL/,
  );
  expect(() => resolve({ ARM_USE_MSI: "yes please" })).toThrow(
    'azure-native:useMsi (ARM_USE_MSI) must be true or false; got "yes please".',
  );
  // An explicit useMsi wins over an ambient secret and an ambient token file, not over ARM_CLIENT_SECRET.
  expect(
    resolve({
      ARM_USE_MSI: "true",
      AZURE_CLIENT_SECRET: "s-1234",
      AZURE_FEDERATED_TOKEN_FILE: "/t",
      ARM_CLIENT_ID: "c",
      ARM_TENANT_ID: "t",
    }).kind,
  ).toBe("managedIdentity");
  expect(
    resolve({ ARM_USE_MSI: "true", ARM_CLIENT_SECRET: "s-1234", ARM_CLIENT_ID: "c", ARM_TENANT_ID: "t" })
      .kind,
  ).toBe("clientSecret");
});
