/**
 * Moving a stack from the dynamic resources to the native ones as the README says, through the
 * real CLI against the emulator: `pulumi state delete` of each dynamic resource, then the native
 * resources with the `import` option and their ids. Nothing in Azure is written or deleted on the
 * way, and the moved stack then previews with no change.
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
const pfx = makePfx({ cn: "migrated.contoso.com" });

interface StateResource {
  urn: string;
  type: string;
  id?: string;
}
const resources = (): StateResource[] => JSON.parse(native.rawState()).checkpoint.latest.resources;
const writes = () =>
  azure
    .requests()
    .filter((r) => r.listener !== "token" && !["GET", "HEAD"].includes(r.method))
    .map((r) => `${r.method} ${r.path}`);

beforeAll(async () => {
  azure = await startEmulatedAzure();
  await azure.createKeyVaultCertificate("migrated-policy");
  native = await createNativeProject(
    path.join(repoRoot, "test", "plugin", "fixtures", "native-migrate"),
    azure,
  );
  // The dynamic resources read their credentials from azure-native:*, the native ones from azure-certs:*.
  await native.project.setConfig({
    ...Object.fromEntries(Object.entries(azure.config).filter(([k]) => k.startsWith("azure-native:"))),
    mode: { value: "dynamic" },
    serviceId: { value: serviceId },
    vaultBaseUrl: { value: azure.emu.vaults.demo },
    pfx: { value: pfx.data, secret: true },
    pfxPassword: { value: pfx.password, secret: true },
  });
}, 300_000);
afterAll(async () => {
  await native?.dispose();
  await azure?.stop();
});

describe("moving a stack from the dynamic resources to the native ones", () => {
  let ids: Record<string, string>;

  it("starts with the dynamic resources deployed", async () => {
    await native.project.pulumi("up", "--yes", "--skip-preview");
    const outs = await native.project.outputs();
    ids = { tls: outs.certificateId as string, policy: outs.policyId as string };
    expect(resources().filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/")).length).toBe(2);
  });

  it("forgets them with pulumi state delete, imports them natively by id, and writes nothing to Azure", async () => {
    const before = azure.emu.admin.getApimCertificate({ ...SERVICE, certificateId: "migrated-tls" });
    for (const r of resources().filter((x) => x.type.startsWith("pulumi-nodejs:dynamic/"))) {
      await native.project.pulumi("state", "delete", r.urn, "--yes");
    }
    await native.project.setConfig({ mode: { value: "native" }, importIds: { value: JSON.stringify(ids) } });
    azure.clearLog();
    const up = await native.project.pulumi("up", "--yes", "--skip-preview");
    expect(up.stdout).toMatch(/= 2 imported/);
    expect(writes()).toEqual([]);
    const after = azure.emu.admin.getApimCertificate({ ...SERVICE, certificateId: "migrated-tls" });
    expect(after?.thumbprint).toBe(before?.thumbprint);
    const types = resources().map((r) => r.type);
    expect(types).toEqual(
      expect.arrayContaining([
        "azure-certs:index:ApimCertificate",
        "azure-certs:index:KeyVaultCertificatePolicy",
      ]),
    );
    expect(types.filter((t) => t.startsWith("pulumi-nodejs:dynamic/"))).toEqual([]);
  });

  it("previews with no change once the import options are gone", async () => {
    await native.project.pulumi("config", "rm", "importIds");
    await native.project.pulumi("preview", "--expect-no-changes");
    const raw = native.rawState();
    for (const secret of [pfx.data.slice(0, 40), pfx.password, azure.emu.clientSecret])
      expect(raw).not.toContain(secret);
  });
});
