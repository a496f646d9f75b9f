/**
 * The native resources (`pulumi-azure-certs/native`, served by the pulumi-resource-azure-certs
 * plugin) from a TypeScript program through the real CLI against the emulator: up, refresh with
 * no change, destroy, through the default provider and an explicit one; the PFX, its password and
 * the client secret never in the state file in plain text.
 */
import * as path from "path";
import { makePfx } from "../harness/certs";
import { startEmulatedAzure, SUBSCRIPTION, type EmulatedAzure } from "../harness/emulated-azure";
import { repoRoot } from "../harness/pulumi-cli";
import { createNativeProject, type NativeProject } from "../plugin/native-project";

const SERVICE = { subscriptionId: SUBSCRIPTION, resourceGroup: "rg1", serviceName: "apim1" };
const serviceId = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apim1`;

let azure: EmulatedAzure;
let native: NativeProject;
// Expiring within expiryWarningDays (30 by default): the program warns, from the resource's outputs.
const pfx = makePfx({ cn: "native.contoso.com", password: "native-pfx-password", daysValid: 20 });
const EXPIRY_WARNING =
  /the certificate CN=native\.contoso\.com \(thumbprint [0-9A-F]{40}\) expires on .*in 20 days: renew it soon/;

beforeAll(async () => {
  azure = await startEmulatedAzure();
  await azure.createKeyVaultCertificate("native-policy");
  native = await createNativeProject(path.join(repoRoot, "test", "plugin", "fixtures", "native-ts"), azure);
  await native.project.setConfig({
    serviceId: { value: serviceId },
    vaultBaseUrl: { value: azure.emu.vaults.demo },
    validityInMonths: { value: "18" },
    pfx: { value: pfx.data, secret: true },
    pfxPassword: { value: pfx.password, secret: true },
    explicitProvider: {
      value: JSON.stringify({
        clientId: azure.emu.clientId,
        tenantId: azure.emu.tenantId,
        armEndpoint: azure.emu.armEndpoint,
        authorityHost: azure.emu.authorityHost,
        trustedVaultHosts: "localhost",
      }),
    },
    explicitClientSecret: { value: azure.emu.clientSecret, secret: true },
  });
}, 300_000);
afterAll(async () => {
  await native?.dispose();
  await azure?.stop();
});

describe("native resources from a TypeScript program", () => {
  it("creates both resources through the plugin", async () => {
    const up = await native.project.pulumi("up", "--yes", "--skip-preview");
    expect(up.stdout).toMatch(/azure-certs:index:ApimCertificate/);
    expect(up.stdout).toMatch(EXPIRY_WARNING);
    const outs = await native.project.outputs();
    const held = azure.emu.admin.getApimCertificate({ ...SERVICE, certificateId: "native-tls" });
    expect(held?.subject).toBe("CN=native.contoso.com");
    expect(outs.thumbprint).toBe(held?.thumbprint);
    expect(outs.certificateId).toBe(`${serviceId}/certificates/native-tls`);
    expect(outs.policyId).toBe(`${azure.emu.vaults.demo}/certificates/native-policy/policy`);
    expect(outs.validity).toBe(18);
    const policy = azure.emu.admin.getKeyVaultCertificate("demo", "native-policy")?.policy as {
      x509_props?: { validity_months?: number };
      lifetime_actions?: unknown[];
    };
    expect(policy.x509_props?.validity_months).toBe(18);
    expect(policy.lifetime_actions).toEqual([
      { trigger: { days_before_expiry: 30 }, action: { action_type: "AutoRenew" } },
    ]);
  });

  it("keeps the PFX, its password and the client secret out of the state file", () => {
    const raw = native.rawState();
    expect(raw).toContain("azure-certs:index:ApimCertificate");
    for (const secret of [pfx.data.slice(0, 40), pfx.password, azure.emu.clientSecret]) {
      expect(raw).not.toContain(secret);
    }
    // The PFX is in the inputs, encrypted.
    const state = JSON.parse(raw) as {
      checkpoint: { latest: { resources: { type: string; inputs?: Record<string, unknown> }[] } };
    };
    const cert = state.checkpoint.latest.resources.find(
      (r) => r.type === "azure-certs:index:ApimCertificate",
    );
    expect(cert?.inputs?.data).toEqual(expect.objectContaining({ ciphertext: expect.any(String) }));
    expect(cert?.inputs?.password).toEqual(expect.objectContaining({ ciphertext: expect.any(String) }));
    // The explicit provider's client secret too (the policy, created through it, proves its
    // arguments reached the plugin: the stack's azure-certs:* keys are not passed to it).
    const explicit = state.checkpoint.latest.resources.find(
      (r) => r.type === "pulumi:providers:azure-certs" && (r as { urn?: string }).urn?.endsWith("::explicit"),
    );
    expect(explicit?.inputs?.clientSecret).toEqual(
      expect.objectContaining({ ciphertext: expect.any(String) }),
    );
    expect(explicit?.inputs?.armEndpoint).toBe(azure.emu.armEndpoint);
  });

  it("refreshes with no change, and a preview then shows none (and warns of the expiry again)", async () => {
    const refresh = await native.project.pulumi("refresh", "--yes", "--skip-preview");
    expect(refresh.stdout).not.toMatch(/~ \d+ updated/);
    const preview = await native.project.pulumi("preview", "--expect-no-changes");
    expect(preview.stdout).toMatch(EXPIRY_WARNING);
  });

  it("destroys both: the certificate is deleted, the policy kept as Key Vault has it", async () => {
    const destroy = await native.project.pulumi("destroy", "--yes", "--skip-preview");
    expect(destroy.stdout).toMatch(/- \d+ deleted/);
    expect(azure.emu.admin.getApimCertificate({ ...SERVICE, certificateId: "native-tls" })).toBeUndefined();
    expect(azure.emu.admin.getKeyVaultCertificate("demo", "native-policy")).toBeDefined();
  });
});
