/**
 * Each way of configuring an identity gets real tokens from the emulator's Entra ID token endpoint
 * (through @azure/identity, with instance discovery off for the local authority) and reaches ARM and
 * Key Vault with them.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { createSelfSignedPfx } from "../../emulator";
import { AzureRequestError } from "../../provider/transport";
import {
  APIM_API,
  CERTIFICATES_PATH,
  failureOf,
  KV_API,
  startFixture,
  type Fixture,
} from "./emulator-fixture";

let fx: Fixture;
let dir: string;

beforeAll(async () => {
  fx = await startFixture();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "transport-cred-"));
});
afterAll(async () => {
  await fx.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => fx.resetLog());

/**
 * A federated token as a CI system would write it: a JWT for the token exchange, signed by the
 * emulator's GitHub Actions issuer (Entra checks the signature against the issuer's keys).
 */
function federatedToken(subject: string): string {
  return fx.emu.admin.issueGitHubIdToken({ subject });
}

async function armAndVaultWork(transport: ReturnType<Fixture["transport"]>): Promise<void> {
  const list = await transport.arm({ method: "GET", path: CERTIFICATES_PATH, apiVersion: APIM_API });
  expect(list.status).toBe(200);
  const vault = await transport.keyVault(fx.emu.vaults.demo, {
    method: "GET",
    path: "/certificates",
    apiVersion: KV_API,
  });
  expect(vault.status).toBe(200);
}

test("azure-native:clientId/clientSecret/tenantId give a ClientSecretCredential that gets real tokens", async () => {
  const transport = fx.transport();
  await armAndVaultWork(transport);
  const tokenRequests = fx.requests("token").filter((r) => r.route === "entra.token");
  expect(tokenRequests.map((r) => [r.clientId, r.status])).toEqual([
    [fx.emu.clientId, 200],
    [fx.emu.clientId, 200],
  ]);
  expect(fx.requests("arm")[0].audience).toBe("https://management.azure.com");
  expect(fx.requests("demo").filter((r) => r.status === 200)[0].audience).toBe("https://vault.azure.net");
  expect(transport.describeIdentity()).toMatch(
    new RegExp(
      `^ClientSecretCredential \\(client id ${fx.emu.clientId}, tenant ${fx.emu.tenantId}\\) \\[app id ${fx.emu.clientId}, object id [0-9a-f-]+\\]$`,
    ),
  );
  expect(transport.subscriptionId).toBe("00000000-0000-0000-0000-000000000000");
});

test("ARM_* environment variables work the same when the stack config has no azure-native keys", async () => {
  const transport = fx.transport(
    {
      "azure-native:clientId": undefined,
      "azure-native:clientSecret": undefined,
      "azure-native:tenantId": undefined,
      "azure-certs:authorityHost": undefined,
    },
    {
      env: {
        ARM_CLIENT_ID: fx.emu.clientId,
        ARM_CLIENT_SECRET: fx.emu.clientSecret,
        ARM_TENANT_ID: fx.emu.tenantId,
        AZURE_AUTHORITY_HOST: fx.emu.authorityHost,
      },
    },
  );
  await armAndVaultWork(transport);
  expect(
    fx
      .requests("token")
      .filter((r) => r.route === "entra.token")
      .every((r) => r.status === 200),
  ).toBe(true);
});

test("workload identity: AZURE_FEDERATED_TOKEN_FILE + AZURE_CLIENT_ID + AZURE_TENANT_ID + AZURE_AUTHORITY_HOST", async () => {
  const clientId = "33333333-3333-3333-3333-333333333333";
  fx.emu.admin.addClient({
    clientId,
    federatedCredentials: [{ issuer: fx.emu.githubActions.issuer, subject: "repo:org/app:ref:main" }],
  });
  const tokenFile = path.join(dir, "federated-token");
  fs.writeFileSync(tokenFile, federatedToken("repo:org/app:ref:main"));
  const transport = fx.transport(
    {
      "azure-native:clientId": undefined,
      "azure-native:clientSecret": undefined,
      "azure-native:tenantId": undefined,
      "azure-certs:authorityHost": undefined,
    },
    {
      env: {
        AZURE_FEDERATED_TOKEN_FILE: tokenFile,
        AZURE_CLIENT_ID: clientId,
        AZURE_TENANT_ID: fx.emu.tenantId,
        AZURE_AUTHORITY_HOST: fx.emu.authorityHost,
      },
    },
  );
  await armAndVaultWork(transport);
  expect(transport.describeIdentity()).toMatch(/^WorkloadIdentityCredential \(client id 3333/);
  const tokens = fx.requests("token").filter((r) => r.route === "entra.token");
  expect(tokens.map((r) => [r.clientId, r.status])).toEqual([
    [clientId, 200],
    [clientId, 200],
  ]);
  expect(fx.requests("arm")[0].clientId).toBe(clientId);
});

test("workload identity from the stack config (azure-native:oidcTokenFilePath); a wrong subject is refused", async () => {
  const clientId = "44444444-4444-4444-4444-444444444444";
  fx.emu.admin.addClient({
    clientId,
    federatedCredentials: [{ issuer: fx.emu.githubActions.issuer, subject: "repo:org/app:env:prod" }],
  });
  const good = path.join(dir, "good-token");
  const bad = path.join(dir, "bad-token");
  fs.writeFileSync(good, federatedToken("repo:org/app:env:prod"));
  fs.writeFileSync(bad, federatedToken("repo:someone/else:ref:main"));
  const config = (file: string) => ({
    "azure-native:clientId": clientId,
    "azure-native:clientSecret": undefined,
    "azure-native:oidcTokenFilePath": file,
  });
  await armAndVaultWork(fx.transport(config(good)));

  const e = await failureOf(() =>
    fx.transport(config(bad)).arm({ method: "GET", path: CERTIFICATES_PATH, apiVersion: APIM_API }),
  );
  expect(AzureRequestError.isInstance(e)).toBe(true);
  expect(e.kind).toBe("authentication");
  expect(e.message).toMatch(
    new RegExp(
      `^Could not get an access token for https://management.azure.com/.default in tenant ${fx.emu.tenantId} ` +
        `with WorkloadIdentityCredential \\(client id ${clientId}, tenant ${fx.emu.tenantId}\\).*AADSTS70021: No matching federated identity record`,
    ),
  );
  // Only the first transport reached ARM: no request goes out without a token.
  expect(fx.requests("arm").length).toBe(1);
});

test("DefaultAzureCredential is used when only the client id and tenant are known (here: its environment credential with a certificate)", async () => {
  const pfx = await createSelfSignedPfx({ subject: "CN=transport-test-client" });
  const certFile = path.join(dir, "client.pem");
  const certPem = `-----BEGIN CERTIFICATE-----\n${pfx.certificateDer.toString("base64").replace(/.{64}/g, "$&\n")}\n-----END CERTIFICATE-----\n`;
  fs.writeFileSync(certFile, certPem + pfx.privateKey.export({ type: "pkcs8", format: "pem" }).toString());
  const clientId = "55555555-5555-5555-5555-555555555555";
  // The certificate is registered for the app, as Entra needs to verify the assertion's signature.
  fx.emu.admin.addClient({ clientId, certificates: [certPem] });
  // DefaultAzureCredential reads its environment credential's variables from process.env itself.
  const saved = { ...process.env };
  Object.assign(process.env, {
    AZURE_TENANT_ID: fx.emu.tenantId,
    AZURE_CLIENT_ID: clientId,
    AZURE_CLIENT_CERTIFICATE_PATH: certFile,
    AZURE_AUTHORITY_HOST: fx.emu.authorityHost,
  });
  try {
    const transport = fx.transport(
      { "azure-native:clientId": clientId, "azure-native:clientSecret": undefined },
      { env: process.env },
    );
    expect(transport.describeIdentity()).toMatch(/^DefaultAzureCredential \(environment, workload identity/);
    await armAndVaultWork(transport);
    expect(fx.requests("arm")[0].clientId).toBe(clientId);
  } finally {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
  expect(crypto.createHash("sha1").update(pfx.certificateDer).digest("hex").toUpperCase()).toBe(
    pfx.thumbprint,
  );
});

test("endpoint overrides keep the chosen cloud's audiences: a China-cloud stack asks for China scopes", async () => {
  const transport = fx.transport({ "azure-native:environment": "china" });
  const e = await failureOf(() =>
    transport.arm({ method: "GET", path: CERTIFICATES_PATH, apiVersion: APIM_API }),
  );
  // The emulator knows only public-cloud resources, so Entra refuses the China ARM audience.
  expect(fx.emu.admin.tokenRequestCounts()).toEqual({ "https://management.chinacloudapi.cn/.default": 1 });
  expect(e).toMatchObject({ kind: "authentication", code: "invalid_resource" });
  expect(e.message).toContain(
    "Could not get an access token for https://management.chinacloudapi.cn/.default",
  );
  expect(e.message).toContain(
    "AADSTS500011: The resource principal named https://management.chinacloudapi.cn was not found",
  );
  // A trusted vault host may only receive the China Key Vault audience; the emulator's challenge names the public one.
  const v = await failureOf(() =>
    transport.keyVault(fx.emu.vaults.demo, { method: "GET", path: "/certificates", apiVersion: KV_API }),
  );
  expect(v.kind).toBe("refused");
  expect(v.message).toContain(
    'may only receive tokens for this cloud\'s Key Vault audience "https://vault.azure.cn"',
  );
  expect(fx.requests("arm")).toHaveLength(0);
});
