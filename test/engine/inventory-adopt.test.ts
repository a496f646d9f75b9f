/**
 * Issue #16, adoption through the real CLI: the packed package is installed into a fresh project
 * outside the repository (as a user installs it), its `pulumi-azure-certs inventory` bin lists the
 * scenario (test/inventory/scenario.ts: 25 API Management certificates over three pages, 12 Key
 * Vault certificates over three) with the stack's own configuration (`--stack`) and emits a
 * program; the program compiles with the project's `tsc`; `pulumi up` adopts everything with GETs
 * only (the emulator's request log), and the `pulumi preview` after it shows no change.
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { packTarball, standInHost, systemPath, withoutParentNpm } from "../harness/installed-package";
import { pulumiBinDir, repoRoot } from "../harness/pulumi-cli";
import { SERVICE_ID, SUBSCRIPTION, startScenario, type Scenario } from "../inventory/scenario";

const exec = promisify(execFile);
const STACK = "adopt";
/** The version of a package the repository has installed (so that npm finds it in its cache). */
const installed = (name: string): string =>
  `${name}@${JSON.parse(fs.readFileSync(path.join(repoRoot, "node_modules", name, "package.json"), "utf8")).version}`;
// What a user installs: the package, the SDK, and TypeScript to compile the emitted module.
const INSTALL = ["@pulumi/pulumi", "typescript", "@types/node"].map(installed);

let scenario: Scenario;
let work: string;
let project: string;
let env: NodeJS.ProcessEnv;

async function sh(
  file: string,
  args: string[],
  opts: { cwd?: string; input?: string } = {},
): Promise<string> {
  try {
    const { stdout } = await exec(file, args, { cwd: opts.cwd ?? project, env, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (e) {
    const err = e as Error & { stdout?: string; stderr?: string };
    throw new Error(
      `${file} ${args.join(" ")} failed: ${err.message}\n${err.stdout ?? ""}\n${err.stderr ?? ""}`,
    );
  }
}

const pulumi = (...args: string[]) => sh("pulumi", [...args, "--stack", STACK, "--non-interactive"]);

/** Runs the installed bin; resolves with its exit code and output whatever the code. */
function inventory(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const bin = path.join(project, "node_modules", ".bin", "pulumi-azure-certs");
  return new Promise((resolve) =>
    execFile(
      bin,
      ["inventory", ...args],
      { cwd: project, env, maxBuffer: 16 * 1024 * 1024 },
      (e, stdout, stderr) =>
        resolve({ code: e ? Number((e as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

beforeAll(async () => {
  const dist = path.join(repoRoot, "dist", "provider", "cli", "inventory.js");
  if (!fs.existsSync(dist)) throw new Error(`${dist} is missing: run npm run build first`);
  scenario = await startScenario();
  work = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "pac-inventory-")));
  project = path.join(work, "project");
  for (const d of [project, path.join(work, "backend"), path.join(work, "pulumi-home")]) fs.mkdirSync(d);
  const system = systemPath();
  env = {
    ...withoutParentNpm(),
    PATH: [
      ...standInHost(system),
      pulumiBinDir(),
      path.join(project, "node_modules", "@pulumi", "pulumi"),
      path.dirname(process.execPath),
      ...system,
    ].join(path.delimiter),
    PULUMI_BACKEND_URL: `file://${path.join(work, "backend")}`,
    PULUMI_HOME: path.join(work, "pulumi-home"),
    PULUMI_CONFIG_PASSPHRASE: "inventory-test-passphrase",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
  };
  const tarball = await packTarball(work, env);
  fs.writeFileSync(
    path.join(project, "package.json"),
    JSON.stringify({ name: "inventory-user", version: "1.0.0", private: true }, null, 2),
  );
  await sh("npm", [
    "install",
    "--prefer-offline",
    "--no-audit",
    "--no-fund",
    "--loglevel=error",
    tarball,
    ...INSTALL,
  ]);
  // From here on, as a user of the emulator does: its CA for the bin, pulumi and the provider.
  env.NODE_EXTRA_CA_CERTS = scenario.emu.caCertPath;
  fs.writeFileSync(
    path.join(project, "Pulumi.yaml"),
    "name: inventory-user\nruntime: nodejs\nmain: index.js\n",
  );
  await pulumi("stack", "init");
  // The stack configuration `pulumi-azure-certs emulator --stack` writes, in one command.
  const emu = scenario.emu;
  await pulumi(
    "config",
    "set-all",
    "--plaintext", `azure-certs:armEndpoint=${emu.armEndpoint}`,
    "--plaintext", `azure-certs:authorityHost=${emu.authorityHost}`,
    "--plaintext", "azure-certs:trustedVaultHosts=localhost",
    "--plaintext", `azure-native:tenantId=${emu.tenantId}`,
    "--plaintext", `azure-native:clientId=${emu.clientId}`,
    "--plaintext", `azure-native:subscriptionId=${SUBSCRIPTION}`,
    "--secret", `azure-native:clientSecret=${emu.clientSecret}`,
  ); // prettier-ignore
}, 300_000);

afterAll(async () => {
  await scenario?.stop();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe("inventory --emit-program, adopted through the real CLI", () => {
  let emitted: string;
  let printed: string;

  it("the installed bin lists the stack's services and vaults with its configuration and writes the program", async () => {
    const r = await inventory([
      "--stack", STACK, "--cwd", project,
      "--apim", SERVICE_ID, "--vault", scenario.vaultUrl,
      "--emit-program", "adopt.ts",
    ]); // prettier-ignore
    expect(r.stderr).not.toMatch(/Could not list/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^37 certificates: 25 in API Management \(1 service\), 12 in Key Vault \(1 vault\)/m,
    );
    printed = r.stderr;
    // Three pages each way.
    expect(printed).toMatch(/inventory-apim: page 3, 25 certificates so far/);
    expect(printed).toMatch(/page 3, 12 certificates so far/);
    emitted = fs.readFileSync(path.join(project, "adopt.ts"), "utf8");
    // Nothing secret reaches the program, the output or the messages.
    for (const text of [emitted, r.stdout, r.stderr]) {
      expect(text).not.toContain(emu().clientSecret);
      for (const p of Object.values(scenario.pfx)) {
        expect(text).not.toContain(p.password);
        expect(text).not.toContain(p.data.slice(0, 64));
      }
    }
  });

  it("declares a resource per certificate: PFX uploads as config secrets, a failed fetch read only", () => {
    expect(emitted.match(/= new KeyVaultCertificatePolicy\(/g)).toHaveLength(12);
    expect(emitted.match(/^export const \w+ = new ApimCertificate\(/gm)).toHaveLength(24);
    expect(emitted.match(/^export const \w+ = ApimCertificate\.get\(/gm)).toHaveLength(1);
    expect(emitted).toContain(
      `ApimCertificate.get("inventory-apim-broken", "${SERVICE_ID}/certificates/broken")`,
    );
    expect(emitted.match(/importExisting: true/g)!.length).toBeGreaterThanOrEqual(24);
    expect(emitted).toContain(
      `secretIdentifier: "${scenario.vaultUrl}/secrets/kv-pinned/${scenario.pinnedVersion}"`,
    );
    for (const id of Object.keys(scenario.pfx)) {
      const key = `inventoryApim${id.replace(/-(\w)/g, (_m, c: string) => c.toUpperCase()).replace(/^./, (c) => c.toUpperCase())}Pfx`;
      expect(emitted).toContain(`config.requireSecret("${key}")`);
      expect(printed).toContain(`inventory-apim/${id}: ${key}, ${key}Password`);
    }
  });

  it("compiles with the project's tsc", async () => {
    fs.writeFileSync(path.join(project, "index.ts"), 'import "./adopt";\n');
    await sh(process.execPath, [
      path.join(project, "node_modules", "typescript", "bin", "tsc"),
      "--strict", "--target", "ES2022", "--module", "commonjs", "--moduleResolution", "node",
      "--esModuleInterop", "--skipLibCheck", "index.ts",
    ]); // prettier-ignore
    expect(fs.existsSync(path.join(project, "adopt.js"))).toBe(true);
  });

  it("pulumi up adopts all 37 with GETs only, and the preview after it shows no change", async () => {
    // The user gives each PFX and its password, as the bin said.
    const secrets = [...printed.matchAll(/^ {2}inventory-apim\/(pfx-\d+): (\w+), (\w+)$/gm)];
    expect(secrets).toHaveLength(17);
    await pulumi(
      "config",
      "set-all",
      ...secrets.flatMap(([, id, dataKey, passwordKey]) => [
        "--secret", `${dataKey}=${scenario.pfx[id].data}`,
        "--secret", `${passwordKey}=${scenario.pfx[id].password}`,
      ]),
    ); // prettier-ignore
    scenario.emu.admin.clearRequests();
    const up = await pulumi("up", "--yes", "--skip-preview");
    // 36 resources adopted and the stack itself created; the 37th certificate is read (.get).
    expect(up).toMatch(/\+ 37 created/);
    const calls = scenario.emu.admin.requests().filter((r) => r.listener !== "token");
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.filter((r) => r.method !== "GET").map((r) => `${r.method} ${r.path}`)).toEqual([]);
    // Nothing changed in Azure: the certificates are those the scenario made.
    const held = scenario.emu.admin.getApimCertificate({
      subscriptionId: SUBSCRIPTION,
      resourceGroup: "inventory-rg",
      serviceName: "inventory-apim",
      certificateId: "pfx-01",
    });
    expect(held?.thumbprint).toBeDefined();

    scenario.emu.admin.clearRequests();
    await pulumi("preview", "--expect-no-changes");
  });
});

function emu() {
  return scenario.emu;
}
