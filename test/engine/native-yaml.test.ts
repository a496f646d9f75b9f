/**
 * Both native resources from a Pulumi YAML program, with the plugin as users install it, through
 * the real CLI against the emulator:
 * - scripts/build-plugin.sh builds this platform's tarball (the packed package, its dependencies
 *   and Node) and `pulumi plugin install resource azure-certs <version> --file` puts it in the
 *   plugin cache;
 * - the program (run by pulumi-language-yaml, from scripts/ensure-pulumi-yaml.sh) deploys, a
 *   change made in Key Vault is found by refresh and set back by the next up, and destroy removes
 *   the certificate, with no plugin and no Node.js on PATH;
 * - the state file holds no secret in plain text.
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { makePfx } from "../harness/certs";
import { startEmulatedAzure, SUBSCRIPTION, type EmulatedAzure } from "../harness/emulated-azure";
import { pulumiBinDir, repoRoot } from "../harness/pulumi-cli";
import { createNativeProject, type NativeProject } from "../plugin/native-project";
import { yamlHostDir } from "../plugin/yaml-host";

const run = promisify(execFile);
const SERVICE = { subscriptionId: SUBSCRIPTION, resourceGroup: "rg1", serviceName: "apim1" };
const serviceId = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apim1`;
const version = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")).version as string;

let azure: EmulatedAzure;
let native: NativeProject;
let out: string;
let tarball: string;
const pfx = makePfx({ cn: "yaml.contoso.com", password: "yaml-pfx-password" });
const validity = () =>
  (
    azure.emu.admin.getKeyVaultCertificate("demo", "yaml-policy")?.policy as {
      x509_props?: { validity_months?: number };
    }
  ).x509_props?.validity_months;

beforeAll(async () => {
  out = fs.mkdtempSync(path.join(os.tmpdir(), "pac-plugin-tarball-"));
  // npm test has built the package; the script packs and installs that build.
  const built = await run(
    "bash",
    [path.join(repoRoot, "scripts", "build-plugin.sh"), "--skip-build", "--out", out],
    {
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  tarball = built.stdout.trim().split("\n").pop()!;
  azure = await startEmulatedAzure();
  await azure.createKeyVaultCertificate("yaml-policy");
  // Only the CLI and the YAML host on PATH (no node: /usr/bin may hold an older one).
  native = await createNativeProject(
    path.join(repoRoot, "test", "plugin", "fixtures", "native-yaml"),
    azure,
    {
      path: [pulumiBinDir(), yamlHostDir()],
    },
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
  if (out) fs.rmSync(out, { recursive: true, force: true });
});

describe("native resources from a YAML program, the plugin installed from its tarball", () => {
  it("the tarball is named for this platform and installs with pulumi plugin install", async () => {
    const arch = { x64: "amd64", arm64: "arm64" }[process.arch as string];
    expect(path.basename(tarball)).toBe(
      `pulumi-resource-azure-certs-v${version}-${process.platform}-${arch}.tar.gz`,
    );
    await native.project.pulumi("plugin", "install", "resource", "azure-certs", version, "--file", tarball);
    const { stdout } = await native.project.pulumi("plugin", "ls", "--json");
    const plugins = JSON.parse(stdout) as { name: string; kind: string; version: string }[];
    expect(plugins).toContainEqual(
      expect.objectContaining({ name: "azure-certs", kind: "resource", version }),
    );
  });

  it("deploys both", async () => {
    const up = await native.project.pulumi("up", "--yes", "--skip-preview");
    expect(`${up.stdout}${up.stderr}`).not.toMatch(/pulumi-resource-azure-certs from \$PATH/);
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
