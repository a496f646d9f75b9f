/**
 * The examples that need only the emulator (pfx-upload, keyvault-follow, policy-autorenew) deploy
 * there as a user runs them: each example folder is copied to a temporary folder, its index.ts is
 * compiled with its own tsconfig.json against the built package (node_modules/pulumi-azure-certs,
 * from `npm run build`), and `pulumi up` then `destroy` run through the real CLI
 * (test/harness/cli-project.ts) with the stack configuration its README describes.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as ts from "typescript";
import { CliProject } from "../harness/cli-project";
import { startEmulatedAzure, SUBSCRIPTION, type EmulatedAzure } from "../harness/emulated-azure";
import { repoRoot } from "../harness/pulumi-cli";

const serviceId = `/subscriptions/${SUBSCRIPTION}/resourceGroups/examples-rg/providers/Microsoft.ApiManagement/service/examples-apim`;
let azure: EmulatedAzure;
let work: string;

beforeAll(async () => {
  if (
    !fs.existsSync(
      path.join(repoRoot, "node_modules", "pulumi-azure-certs", "dist", "provider", "index.d.ts"),
    )
  ) {
    throw new Error("node_modules/pulumi-azure-certs is missing: run npm run build first");
  }
  work = fs.mkdtempSync(path.join(os.tmpdir(), "pac-examples-"));
  azure = await startEmulatedAzure();
});
afterAll(async () => {
  await azure?.stop();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

/** A copy of examples/<name>, compiled to bin/index.js, run from there with the CLI. */
async function deployable(name: string, config: Record<string, { value: string; secret?: boolean }>) {
  const copy = path.join(work, name);
  fs.cpSync(path.join(repoRoot, "examples", name), copy, { recursive: true });
  fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(copy, "node_modules"), "dir");
  const read = ts.readConfigFile(path.join(copy, "tsconfig.json"), ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, copy);
  const program = ts.createProgram(parsed.fileNames, parsed.options);
  const emitted = program.emit();
  const diagnostics = [...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics];
  expect(diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"))).toEqual([]);
  expect(fs.existsSync(path.join(copy, "bin", "index.js"))).toBe(true);
  // The official language host would run index.ts itself; the stand-in runs the compiled file.
  fs.appendFileSync(path.join(copy, "Pulumi.yaml"), "main: bin/index.js\n");
  const project = await CliProject.create(copy, azure.env);
  await project.setConfig({ ...azure.config, ...config });
  return project;
}

/** A self-signed certificate in a PFX made with openssl, and its SHA-1 thumbprint. */
function makePfx(dir: string, password: string): { base64: string; thumbprint: string } {
  const key = path.join(dir, "client.key");
  const crt = path.join(dir, "client.crt");
  const pfx = path.join(dir, "client.pfx");
  const quiet = { stdio: "ignore" as const };
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", crt,
    "-days", "90", "-subj", "/CN=examples.contoso.com"], quiet); // prettier-ignore
  execFileSync("openssl", ["pkcs12", "-export", "-inkey", key, "-in", crt, "-out", pfx,
    "-passout", `pass:${password}`], quiet); // prettier-ignore
  const fingerprint = execFileSync("openssl", ["x509", "-in", crt, "-noout", "-fingerprint", "-sha1"], {
    encoding: "utf8",
  });
  return {
    base64: fs.readFileSync(pfx).toString("base64"),
    thumbprint: /=([0-9A-F:]+)/i.exec(fingerprint)![1].replace(/:/g, "").toUpperCase(),
  };
}

it("pfx-upload: preview shows the PFX's thumbprint, up uploads it, destroy deletes it", async () => {
  const password = `pfx-${Math.random().toString(36).slice(2)}`;
  const pfx = makePfx(work, password);
  const project = await deployable("pfx-upload", {
    serviceId: { value: serviceId },
    pfxData: { value: pfx.base64, secret: true },
    pfxPassword: { value: password, secret: true },
  });
  try {
    const preview = await project.pulumi("preview");
    expect(preview.stdout).toContain(pfx.thumbprint);
    expect((await project.pulumi("up", "--yes", "--skip-preview")).stdout).toMatch(/\+ 2 created/);
    const out = await project.outputs();
    expect(out.thumbprint).toBe(pfx.thumbprint);
    expect(out.subject).toBe("CN=examples.contoso.com");
    const ref = { subscriptionId: SUBSCRIPTION, resourceGroup: "examples-rg", serviceName: "examples-apim" };
    expect(azure.emu.admin.getApimCertificate({ ...ref, certificateId: "backend-client" })).toBeDefined();
    // The PFX and its password are secrets in the state file.
    const state = fs.readFileSync(
      path.join(project.dir, "..", "backend", ".pulumi", "stacks", "pfx-upload", "test.json"),
      "utf8",
    );
    expect(state).not.toContain(password);
    expect(state).not.toContain(pfx.base64.slice(0, 64));
    expect((await project.pulumi("destroy", "--yes", "--skip-preview")).stdout).toMatch(/- 2 deleted/);
    expect(azure.emu.admin.getApimCertificate({ ...ref, certificateId: "backend-client" })).toBeUndefined();
  } finally {
    await project.dispose();
  }
});

it("keyvault-follow: up, a renewal in Key Vault, and one up --refresh moves API Management to it", async () => {
  await azure.createKeyVaultCertificate("gateway");
  const project = await deployable("keyvault-follow", {
    serviceId: { value: serviceId },
    vaultBaseUrl: { value: azure.emu.vaults.demo },
  });
  try {
    expect((await project.pulumi("up", "--yes", "--skip-preview")).stdout).toMatch(/\+ 3 created/);
    const first = await project.outputs();
    expect(first.apimThumbprint).toBe(first.keyVaultThumbprint);

    const renewed = await azure.emu.admin.rotateCertificate("demo", "gateway");
    expect(renewed.thumbprint).not.toBe(first.apimThumbprint);
    await project.pulumi("up", "--yes", "--skip-preview", "--refresh");
    const second = await project.outputs();
    expect(second.keyVaultVersion).toBe(renewed.latestVersion);
    expect(second.apimThumbprint).toBe(renewed.thumbprint);
    expect((await project.pulumi("destroy", "--yes", "--skip-preview")).stdout).toMatch(/- 3 deleted/);
  } finally {
    await project.dispose();
  }
});

it("policy-autorenew: up sets auto-renew 30 days before expiry, destroy puts Key Vault's policy back", async () => {
  await azure.createKeyVaultCertificate("autorenew-cert", {
    lifetime_actions: [{ trigger: { lifetime_percentage: 80 }, action: { action_type: "AutoRenew" } }],
  });
  const project = await deployable("policy-autorenew", {
    vaultBaseUrl: { value: azure.emu.vaults.demo },
    certificateName: { value: "autorenew-cert" },
  });
  try {
    expect((await project.pulumi("up", "--yes", "--skip-preview")).stdout).toMatch(/\+ 2 created/);
    const out = await project.outputs();
    expect(out.lifetimeActions).toEqual([{ action: "AutoRenew", daysBeforeExpiry: 30 }]);
    expect(out.version).toBe(azure.emu.admin.getKeyVaultCertificate("demo", "autorenew-cert")!.latestVersion);
    expect(
      JSON.stringify(azure.emu.admin.getKeyVaultCertificate("demo", "autorenew-cert")!.policy),
    ).toContain('"days_before_expiry":30');
    expect((await project.pulumi("destroy", "--yes", "--skip-preview")).stdout).toMatch(/- 2 deleted/);
    expect(
      JSON.stringify(azure.emu.admin.getKeyVaultCertificate("demo", "autorenew-cert")!.policy),
    ).toContain('"lifetime_percentage":80');
  } finally {
    await project.dispose();
  }
});
