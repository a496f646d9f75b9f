/**
 * Both native resources from a Pulumi YAML program (pulumi-language-yaml, built by
 * scripts/ensure-pulumi-yaml.sh) through the real CLI against the emulator: up, a change made in
 * Key Vault found by refresh and set back by the next up, destroy.
 */
import * as path from "path";
import { makePfx } from "../harness/certs";
import { startEmulatedAzure, SUBSCRIPTION, type EmulatedAzure } from "../harness/emulated-azure";
import { repoRoot } from "../harness/pulumi-cli";
import { createNativeProject, type NativeProject } from "../plugin/native-project";
import { yamlHostDir } from "../plugin/yaml-host";

const SERVICE = { subscriptionId: SUBSCRIPTION, resourceGroup: "rg1", serviceName: "apim1" };
const serviceId = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apim1`;

let azure: EmulatedAzure;
let native: NativeProject;
const pfx = makePfx({ cn: "yaml.contoso.com", password: "yaml-pfx-password" });
const validity = () =>
  (
    azure.emu.admin.getKeyVaultCertificate("demo", "yaml-policy")?.policy as {
      x509_props?: { validity_months?: number };
    }
  ).x509_props?.validity_months;

beforeAll(async () => {
  azure = await startEmulatedAzure();
  await azure.createKeyVaultCertificate("yaml-policy");
  native = await createNativeProject(
    path.join(repoRoot, "test", "plugin", "fixtures", "native-yaml"),
    azure,
    [yamlHostDir()],
  );
  await native.project.setConfig({
    serviceId: { value: serviceId },
    vaultBaseUrl: { value: azure.emu.vaults.demo },
    validityInMonths: { value: "15" },
    pfx: { value: pfx.data, secret: true },
    pfxPassword: { value: pfx.password, secret: true },
  });
}, 300_000);
afterAll(async () => {
  await native?.dispose();
  await azure?.stop();
});

describe("native resources from a YAML program", () => {
  it("deploys both", async () => {
    await native.project.pulumi("up", "--yes", "--skip-preview");
    const outs = await native.project.outputs();
    const held = azure.emu.admin.getApimCertificate({ ...SERVICE, certificateId: "yaml-tls" });
    expect(held?.subject).toBe("CN=yaml.contoso.com");
    expect(outs.thumbprint).toBe(held?.thumbprint);
    expect(outs.validity).toBe(15);
    expect(validity()).toBe(15);
    expect(outs.policyVersion).toEqual(expect.any(String));
    const raw = native.rawState();
    for (const secret of [pfx.data.slice(0, 40), pfx.password, azure.emu.clientSecret])
      expect(raw).not.toContain(secret);
  });

  it("refreshes: a member changed in Key Vault shows, and the next up sets it back", async () => {
    await native.project.pulumi("refresh", "--yes", "--skip-preview");
    await native.project.pulumi("preview", "--expect-no-changes");
    const token = azure.emu.admin.issueToken({ audience: "https://vault.azure.net" });
    const res = await fetch(`${azure.emu.vaults.demo}/certificates/yaml-policy/policy?api-version=7.4`, {
      method: "PATCH",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ x509_props: { validity_months: 24 } }),
    });
    expect(res.status).toBe(200);
    await native.project.pulumi("refresh", "--yes", "--skip-preview");
    const preview = await native.project.pulumi("preview", "--diff");
    expect(preview.stdout).toMatch(/validityInMonths\s*:\s*24\s*=>\s*15/);
    await native.project.pulumi("up", "--yes", "--skip-preview");
    expect(validity()).toBe(15);
  });

  it("destroys both", async () => {
    await native.project.pulumi("destroy", "--yes", "--skip-preview");
    expect(azure.emu.admin.getApimCertificate({ ...SERVICE, certificateId: "yaml-tls" })).toBeUndefined();
  });
});
