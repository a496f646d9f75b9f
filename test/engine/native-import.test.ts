/**
 * `pulumi import` of the native resources, through the real CLI against the emulator: an API
 * Management certificate and a Key Vault certificate policy made out of band are imported by
 * their ids, the CLI prints their code, and a preview of the program with that code shows no
 * change. The one thing the code lacks is a PFX certificate's `data` and `password`, which Azure
 * never returns: the user adds them (README, "Native provider (import and YAML)").
 */
import axios from "axios";
import * as fs from "fs";
import * as path from "path";
import { makePfx } from "../harness/certs";
import { startEmulatedAzure, SUBSCRIPTION, type EmulatedAzure } from "../harness/emulated-azure";
import { repoRoot } from "../harness/pulumi-cli";
import { createNativeProject, type NativeProject } from "../plugin/native-project";
import { yamlHostDir } from "../plugin/yaml-host";

const serviceId = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apim1`;
const certificateArmId = `${serviceId}/certificates/imported-tls`;

let azure: EmulatedAzure;
let native: NativeProject;
const pfx = makePfx({ cn: "imported.contoso.com", password: "imported-pfx-password" });
let policyId: string;

/** The `resources:` entries of a YAML program `pulumi import` printed, without that first line. */
function resourceEntries(code: string): string {
  const at = code.indexOf("resources:\n");
  if (at < 0) throw new Error(`no resources in the imported code:\n${code}`);
  return code.slice(at + "resources:\n".length).replace(/\n+$/, "\n");
}

beforeAll(async () => {
  azure = await startEmulatedAzure();
  // Made out of band: a certificate uploaded to API Management, a certificate in Key Vault.
  const token = azure.emu.admin.issueToken({ audience: "https://management.azure.com" });
  await axios.put(
    `${azure.emu.armEndpoint}${certificateArmId}?api-version=2024-05-01`,
    { properties: { data: pfx.data, password: pfx.password } },
    { headers: { Authorization: `Bearer ${token}` } },
  );
  await azure.createKeyVaultCertificate("imported-policy");
  policyId = `${azure.emu.vaults.demo}/certificates/imported-policy/policy`;
  native = await createNativeProject(
    path.join(repoRoot, "test", "plugin", "fixtures", "native-import"),
    azure,
    { extraPath: [yamlHostDir()] },
  );
  await native.project.setConfig({
    pfx: { value: pfx.data, secret: true },
    pfxPassword: { value: pfx.password, secret: true },
  });
}, 300_000);
afterAll(async () => {
  await native?.dispose();
  await azure?.stop();
});

describe("pulumi import of the native resources", () => {
  const codeFile = (name: string) => path.join(native.project.dir, `${name}.imported.yaml`);
  let code: Record<string, string> = {};

  it("imports an API Management certificate by its ARM id and prints its code", async () => {
    const { stdout } = await native.project.pulumi(
      "import",
      "azure-certs:index:ApimCertificate",
      "tls",
      certificateArmId,
      "--yes",
      "--protect=false",
      "--out",
      codeFile("tls"),
    );
    expect(stdout).toMatch(/= 1 imported/);
    code = { ...code, tls: fs.readFileSync(codeFile("tls"), "utf8") };
    expect(code.tls).toMatch(/type: azure-certs:(index:)?ApimCertificate\n/);
    expect(code.tls).toMatch(/certificateId: imported-tls/);
    expect(code.tls).toMatch(/serviceName: apim1/);
    expect(code.tls).not.toMatch(/data:|password:/);
    const outs = JSON.parse(native.rawState()).checkpoint.latest.resources.find(
      (r: { type: string }) => r.type === "azure-certs:index:ApimCertificate",
    ).outputs;
    expect(outs.subject).toBe("CN=imported.contoso.com");
  });

  it("imports a Key Vault certificate policy by its id and prints its code", async () => {
    const { stdout } = await native.project.pulumi(
      "import",
      "azure-certs:index:KeyVaultCertificatePolicy",
      "policy",
      policyId,
      "--yes",
      "--protect=false",
      "--out",
      codeFile("policy"),
    );
    expect(stdout).toMatch(/= 1 imported/);
    code = { ...code, policy: fs.readFileSync(codeFile("policy"), "utf8") };
    expect(code.policy).toMatch(/type: azure-certs:(index:)?KeyVaultCertificatePolicy\n/);
    expect(code.policy).toMatch(/certificateName: imported-policy/);
  });

  it("shows no change in a preview of the program with that code (the PFX added, as Azure never returns it)", async () => {
    const withPfx = resourceEntries(code.tls).replace(
      /^(\s+)properties:\n/m,
      (line, indent: string) => `${line}${indent}  data: \${pfx}\n${indent}  password: \${pfxPassword}\n`,
    );
    const program = path.join(native.project.dir, "Pulumi.yaml");
    fs.appendFileSync(program, `resources:\n${withPfx}${resourceEntries(code.policy)}`);
    await native.project.pulumi("preview", "--expect-no-changes");
    // And an up with it is a no-op that leaves the PFX in state encrypted only.
    const up = await native.project.pulumi("up", "--yes", "--skip-preview");
    expect(up.stdout).not.toMatch(/[~+-] \d+ (updated|created|deleted)/);
    const raw = native.rawState();
    for (const secret of [pfx.data.slice(0, 40), pfx.password, azure.emu.clientSecret])
      expect(raw).not.toContain(secret);
  });
});
