/**
 * The story both resources exist for: Key Vault renews a certificate, and one
 * `pulumi up --refresh` moves API Management to it (the policy's `version` output feeds the APIM
 * certificate's `refreshTrigger`).
 */
import { ApimCertificate, KeyVaultCertificatePolicy } from "../../provider";
import { EngineStack } from "../harness/engine";
import { startEmulatedAzure, SUBSCRIPTION, type EmulatedAzure } from "../harness/emulated-azure";

const serviceId = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rot/providers/Microsoft.ApiManagement/service/rot`;
let azure: EmulatedAzure;
let stack: EngineStack;

beforeAll(async () => {
  azure = await startEmulatedAzure();
  await azure.createKeyVaultCertificate("edge");
  stack = await EngineStack.create({
    config: azure.config,
    env: azure.env,
    program: async () => {
      const vaultBaseUrl = azure.emu.vaults.demo;
      const policy = new KeyVaultCertificatePolicy("edge-policy", {
        vaultBaseUrl,
        certificateName: "edge",
        importExisting: true, // created above with Key Vault's default lifetime action
        lifetimeActions: [{ action: "AutoRenew", daysBeforeExpiry: 30 }],
      });
      const cert = new ApimCertificate("edge", {
        serviceId,
        certificateId: "edge",
        keyVault: { secretIdentifier: `${vaultBaseUrl}/secrets/edge` },
        refreshTrigger: policy.version,
      });
      return { apimThumbprint: cert.thumbprint, kvThumbprint: policy.thumbprint, version: policy.version };
    },
  });
});
afterAll(async () => {
  await stack?.dispose();
  await azure?.stop();
});

it("follows a Key Vault renewal into API Management in one pulumi up --refresh", async () => {
  const first = await stack.up();
  expect(first.outputs.apimThumbprint.value).toBe(first.outputs.kvThumbprint.value);

  const renewed = await azure.emu.admin.rotateCertificate("demo", "edge");
  expect(renewed.thumbprint).not.toBe(first.outputs.apimThumbprint.value);
  azure.clearLog();
  const up = await stack.stack.up({ refresh: true });
  expect(up.outputs.version.value).toBe(renewed.latestVersion);
  expect(up.outputs.apimThumbprint.value).toBe(renewed.thumbprint);
  const mutations = azure.requests().filter((r) => r.listener !== "token" && r.method !== "GET");
  expect(mutations.map((r) => `${r.method} ${r.path.split("/").pop()}`)).toEqual(["POST refreshSecret"]);

  const after = await stack.preview();
  expect(after.changeSummary.update ?? 0).toBe(0);
});
