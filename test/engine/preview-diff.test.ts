/**
 * A `pulumi preview --diff` a reviewer can trust: what it says will change is what `up` changes,
 * and a member set back after drift is marked.
 */
import { ApimCertificate, KeyVaultCertificatePolicy } from "../../provider";
import { EngineStack } from "../harness/engine";
import { startEmulatedAzure, SUBSCRIPTION, type EmulatedAzure } from "../harness/emulated-azure";
import { mutatingCalls } from "../harness/keyvault";

const serviceId = `/subscriptions/${SUBSCRIPTION}/resourceGroups/pr/providers/Microsoft.ApiManagement/service/pr`;
let azure: EmulatedAzure;
let stack: EngineStack;
let daysBeforeExpiry = 30;
const validityInMonths = 12;

beforeAll(async () => {
  azure = await startEmulatedAzure();
  await azure.createKeyVaultCertificate("gateway");
  stack = await EngineStack.create({
    config: azure.config,
    env: azure.env,
    program: async () => {
      const vaultBaseUrl = azure.emu.vaults.demo;
      const policy = new KeyVaultCertificatePolicy("gateway-policy", {
        vaultBaseUrl,
        certificateName: "gateway",
        importExisting: true, // created above with Key Vault's default lifetime action
        x509Properties: { validityInMonths },
        lifetimeActions: [{ action: "AutoRenew", daysBeforeExpiry }],
      });
      const cert = new ApimCertificate("gateway", {
        serviceId,
        certificateId: "gateway",
        keyVault: { secretIdentifier: `${vaultBaseUrl}/secrets/gateway` },
        refreshTrigger: policy.version,
      });
      return { version: policy.version, thumbprint: cert.thumbprint };
    },
  });
  await stack.up();
});
afterAll(async () => {
  await stack?.dispose();
  await azure?.stop();
});

it("shows a policy change as one update: the certificate fed by policy.version stays unchanged", async () => {
  daysBeforeExpiry = 20;
  azure.clearLog();
  const pre = await stack.preview();
  expect(pre.changeSummary).toEqual({ same: 2, update: 1 });
  // Read-only: the preview reads the certificate's current version, and changes nothing.
  expect(mutatingCalls(azure)).toEqual([]);

  const up = await stack.up();
  expect(up.summary.resourceChanges).toEqual({ same: 2, update: 1 });
  expect(mutatingCalls(azure)).toEqual(["PATCH /certificates/gateway/policy"]);
});

it("marks the member a refresh found changed in Key Vault, which the next up sets back", async () => {
  azure.emu.admin.setCertificatePolicy("demo", "gateway", { x509_props: { validity_months: 6 } });
  await stack.refresh();
  const pre = await stack.stack.preview({ diff: true });
  expect(pre.changeSummary).toEqual({ same: 2, update: 1 });
  expect(pre.stdout).toMatch(/~ x509Properties\s*: \{\s*~ validityInMonths\s*: 6 => 12/);
  expect(pre.stdout).not.toMatch(/refreshTrigger/);

  azure.clearLog();
  await stack.up();
  expect(mutatingCalls(azure)).toEqual(["PATCH /certificates/gateway/policy"]);
  expect((await stack.preview()).changeSummary).toEqual({ same: 3 });
});
