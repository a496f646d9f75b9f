/**
 * `npm run demo`: the main job, told as a story with the real `pulumi` CLI against the bundled
 * Azure emulator (started in this process):
 *
 *   1. `pulumi preview`: the uploaded certificate's thumbprint and expiry are known before anything
 *      is deployed, and the emulator saw no request (its request count is printed);
 *   2. `pulumi up`: both certificates are in API Management;
 *   3. Key Vault renews the gateway certificate (the emulator's `admin.rotateCertificate`);
 *   4. one `pulumi up --refresh`: API Management follows the renewal (old and new thumbprint);
 *   5. `pulumi destroy`, and what to try next.
 *
 * The project (Pulumi.yaml at the repository root, program in examples/demo) runs from a copy in a
 * temporary folder, which also holds the file backend, PULUMI_HOME and the stack's configuration
 * file: nothing is written into the repository. The language host and the dynamic-provider plugin
 * are installed into that PULUMI_HOME's plugin folder and PULUMI_IGNORE_AMBIENT_PLUGINS is set, so
 * the engine takes them from there instead of $PATH (and prints no "using ... from $PATH" warning).
 * scripts/demo.sh puts Node 22 and the Pulumi CLI on PATH first.
 */
import { execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import axios from "axios";
import { startEmulator, trustEmulatorCa } from "../emulator";

const repoRoot = path.resolve(__dirname, "..", "..");
const subscriptionId = "00000000-0000-0000-0000-000000000000";
const serviceId = `/subscriptions/${subscriptionId}/resourceGroups/demo-rg/providers/Microsoft.ApiManagement/service/demo-apim`;
const STACK = "demo";
const PLUGIN_VERSION = "v3.259.0";

const step = (title: string) => console.log(`\n== ${title}`);

/**
 * Runs `pulumi <args> --non-interactive` in the project without blocking (the emulator serves the
 * CLI's provider from this same process). What it prints goes to the terminal as it comes
 * (progress), unless `quiet`; it is returned as well.
 */
function pulumi(cwd: string, env: NodeJS.ProcessEnv, args: string[], quiet = false): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn("pulumi", [...args, "--non-interactive"], {
      cwd,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (b: Buffer) => {
      out += b.toString();
      if (!quiet) process.stdout.write(b);
    });
    child.stderr.on("data", (b: Buffer) => {
      out += b.toString();
      process.stderr.write(b);
    });
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve(out) : reject(new Error(`pulumi ${args.join(" ")} failed (exit ${code})`)),
    );
  });
}

/** The first executable `name` on PATH, if any. */
function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    const file = dir && path.join(dir, name);
    if (file && fs.existsSync(file)) return file;
  }
  return undefined;
}

/**
 * Installs the Node.js language host (the official one on PATH, else the repository's stand-in)
 * and the dynamic-provider plugin (@pulumi/pulumi's) into `<home>/plugins`, where the engine
 * finds them once ambient ($PATH) plugins are ignored. Each is a small script that runs the real
 * one, so that the stand-in still finds its files next to itself.
 */
function installPlugins(home: string): void {
  const plugins: [string, string][] = [
    [
      `language-nodejs-${PLUGIN_VERSION}/pulumi-language-nodejs`,
      onPath("pulumi-language-nodejs") ?? path.join(repoRoot, "scripts", "bin", "pulumi-language-nodejs"),
    ],
    [
      `resource-pulumi-nodejs-${PLUGIN_VERSION}/pulumi-resource-pulumi-nodejs`,
      path.join(repoRoot, "node_modules", "@pulumi", "pulumi", "pulumi-resource-pulumi-nodejs"),
    ],
  ];
  for (const [file, target] of plugins) {
    const dest = path.join(home, "plugins", file);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.writeFileSync(dest, `#!/bin/sh\nexec '${target.replace(/'/g, `'\\''`)}' "$@"\n`, { mode: 0o755 });
  }
}

/** A self-signed certificate and key in a PFX, made with openssl (independent of this package). */
function makePfx(dir: string, password: string): string {
  const key = path.join(dir, "backend-client.key");
  const crt = path.join(dir, "backend-client.crt");
  const pfx = path.join(dir, "backend-client.pfx");
  const quiet = { stdio: "ignore" as const };
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", crt,
    "-days", "365", "-subj", "/CN=backend-client.contoso.com"], quiet); // prettier-ignore
  execFileSync("openssl", ["pkcs12", "-export", "-inkey", key, "-in", crt, "-out", pfx,
    "-passout", `pass:${password}`], quiet); // prettier-ignore
  fs.rmSync(key);
  return pfx;
}

/** The `Outputs:` block of a preview or update as key/value pairs (strings unquoted). */
function printedOutputs(out: string): Record<string, string> {
  const block = out.slice(out.lastIndexOf("\nOutputs:\n"));
  const found: Record<string, string> = {};
  for (const m of block.matchAll(/^ {4}[+~-]? *([A-Za-z]\w*)\s*: (.+)$/gm)) {
    found[m[1]] = m[2].trim().replace(/^"(.*)"$/, "$1");
  }
  return found;
}

type Emulator = Awaited<ReturnType<typeof startEmulator>>;
/** Runs `pulumi <args> --stack demo` in the demo's project. */
type Run = (args: string[], quiet?: boolean) => Promise<string>;

async function main(): Promise<void> {
  const work = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "azure-certs-demo-")));
  step("Starting the Azure emulator (Entra ID, ARM API Management, Key Vault) in this process");
  const emu = await startEmulator({ stateDir: path.join(work, "emulator") });
  const untrust = trustEmulatorCa(emu.caCertPem);
  try {
    console.log(`ARM ${emu.armEndpoint}, Entra ID ${emu.authorityHost}, vault ${emu.vaults.demo}`);
    await createGatewayCertificate(emu);
    const pfxPassword = `demo-${Math.random().toString(36).slice(2)}`;
    const pfxPath = makePfx(work, pfxPassword);
    console.log(`PFX file: ${pfxPath} (CN=backend-client.contoso.com, password in secret config)`);
    const run = await createStack(work, emu, pfxPath, pfxPassword);
    const { planned } = await previewStep(emu, run);
    const { first, sameAsPreview } = await upStep(run, planned);
    const { followed } = await renewalSteps(emu, run, first);
    step("5. pulumi destroy --remove: the demo deletes its resources and its stack");
    await run(["destroy", "--yes", "--skip-preview", "--remove"]);
    if (!sameAsPreview || !followed) throw new Error("the demo did not go as told (see above)");
  } finally {
    untrust();
    await emu.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
  console.log(WHAT_NEXT);
}

/**
 * The Key Vault certificate the policy and APIM refer to (what a team would already have, with
 * Key Vault's default lifetime action: the demo program takes its policy over, importExisting: true).
 */
async function createGatewayCertificate(emu: Emulator): Promise<void> {
  const token = emu.admin.issueToken({ audience: "https://vault.azure.net" });
  await axios.post(
    `${emu.vaults.demo}/certificates/gateway/create?api-version=7.4`,
    {
      policy: {
        x509_props: { subject: "CN=gateway.contoso.com", validity_months: 12 },
        issuer: { name: "Self" },
      },
    },
    { headers: { Authorization: `Bearer ${token}` } },
  );
  console.log('Key Vault: certificate "gateway" created (as a team would have it before the program)');
}

/**
 * The project, from a copy (its stack file, Pulumi.demo.yaml, is written next to it), with its own
 * PULUMI_HOME and file backend, and the stack configured for the emulator.
 */
async function createStack(work: string, emu: Emulator, pfxPath: string, pfxPassword: string): Promise<Run> {
  const project = path.join(work, "project");
  const home = path.join(work, "pulumi-home");
  for (const d of [project, home, path.join(work, "backend")]) fs.mkdirSync(d);
  const yaml = fs
    .readFileSync(path.join(repoRoot, "Pulumi.yaml"), "utf8")
    .replace(/^main: (.+)$/m, (_m, main: string) => `main: ${path.resolve(repoRoot, main.trim())}`);
  fs.writeFileSync(path.join(project, "Pulumi.yaml"), yaml);
  fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(project, "node_modules"), "dir");
  installPlugins(home);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PULUMI_BACKEND_URL: `file://${path.join(work, "backend")}`,
    PULUMI_HOME: home,
    PULUMI_IGNORE_AMBIENT_PLUGINS: "true",
    PULUMI_CONFIG_PASSPHRASE: "demo-passphrase",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    NODE_EXTRA_CA_CERTS: emu.caCertPath,
  };
  const run: Run = (args, quiet = false) => pulumi(project, env, [...args, "--stack", STACK], quiet);

  step(`A stack "${STACK}" on a file backend in ${work}, configured for the emulator`);
  await pulumi(project, env, ["stack", "init", STACK], true);
  const settings: [string, string, boolean?][] = [
    ["azure-native:clientId", emu.clientId],
    ["azure-native:clientSecret", emu.clientSecret, true],
    ["azure-native:tenantId", emu.tenantId],
    ["azure-native:subscriptionId", subscriptionId],
    ["azure-certs:armEndpoint", emu.armEndpoint],
    ["azure-certs:authorityHost", emu.authorityHost],
    ["azure-certs:trustedVaultHosts", "localhost"],
    ["demo:serviceId", serviceId],
    ["demo:vaultBaseUrl", emu.vaults.demo],
    ["demo:pfxPath", pfxPath],
    ["demo:pfxPassword", pfxPassword, true],
  ];
  await run(
    ["config", "set-all", ...settings.flatMap(([k, v, s]) => [s ? "--secret" : "--plaintext", `${k}=${v}`])],
    true,
  );
  console.log(settings.map(([k, v, s]) => `  ${k} = ${s ? "[secret]" : v}`).join("\n"));
  return run;
}

/** Step 1: what the preview knows before anything is deployed, and that it called no one. */
async function previewStep(emu: Emulator, run: Run): Promise<{ planned: Record<string, string> }> {
  step("1. pulumi preview: what would be created, before anything is deployed");
  emu.admin.clearRequests();
  const planned = printedOutputs(await run(["preview"]));
  const seen = emu.admin.requests().length;
  console.log("\n== What the preview already knows");
  console.log("backend-client (from a PFX file): read locally from the file, no call to Azure");
  console.log(`  thumbprint ${planned.backendClientThumbprint}`);
  console.log(`  expires    ${planned.backendClientExpiry}`);
  console.log("gateway (from Key Vault): known after up (Key Vault issues it)");
  console.log(`Requests the emulator received during the preview: ${seen}`);
  return { planned };
}

/** Step 2: the certificates deployed, the PFX one as the preview said. */
async function upStep(
  run: Run,
  planned: Record<string, string>,
): Promise<{ first: Record<string, string>; sameAsPreview: boolean }> {
  step("2. pulumi up: the certificates go into API Management");
  await run(["up", "--yes", "--skip-preview"]);
  const first = JSON.parse(await run(["stack", "output", "--json"], true));
  console.log("\n== Certificates in API Management (emulated)");
  console.log(`gateway (from Key Vault, version ${first.gatewayKeyVaultVersion})`);
  console.log(`  thumbprint ${first.gatewayThumbprint}`);
  console.log(`  expires    ${first.gatewayExpiry}`);
  console.log("backend-client (from a PFX file)");
  console.log(`  thumbprint ${first.backendClientThumbprint}`);
  console.log(`  expires    ${first.backendClientExpiry}`);
  const sameAsPreview =
    first.backendClientThumbprint === planned.backendClientThumbprint &&
    first.backendClientExpiry === planned.backendClientExpiry;
  console.log(`backend-client as the preview said: ${sameAsPreview ? "yes" : "NO"}`);
  return { first, sameAsPreview };
}

/** Steps 3 and 4: Key Vault renews the gateway certificate, and one `up --refresh` follows it. */
async function renewalSteps(
  emu: Emulator,
  run: Run,
  first: Record<string, string>,
): Promise<{ followed: boolean }> {
  step("3. Key Vault renews the gateway certificate (auto-renew, simulated by the emulator)");
  const renewed = await emu.admin.rotateCertificate("demo", "gateway");
  console.log(`Key Vault: new version ${renewed.latestVersion}, thumbprint ${renewed.thumbprint}`);
  console.log(`API Management still serves ${first.gatewayThumbprint} until it is told to re-read.`);

  step("4. pulumi up --refresh: the policy sees the new version, API Management follows it");
  await run(["up", "--yes", "--skip-preview", "--refresh"]);
  const second = JSON.parse(await run(["stack", "output", "--json"], true));
  console.log("\n== API Management followed the renewal");
  console.log(`gateway (version ${first.gatewayKeyVaultVersion} -> ${second.gatewayKeyVaultVersion})`);
  console.log(`  old thumbprint ${first.gatewayThumbprint}`);
  console.log(`  new thumbprint ${second.gatewayThumbprint}`);
  console.log(`  expires        ${second.gatewayExpiry}`);
  const followed = second.gatewayThumbprint === renewed.thumbprint;
  console.log(`  the same as Key Vault's new version: ${followed ? "yes" : "NO"}`);
  return { followed };
}

const WHAT_NEXT = `
The demo's stack, its backend, the emulator and the temporary folder have been removed: there is
nothing to clean up and no stack to come back to.

== What to try next
The same story on a stack you keep, with examples/keyvault-follow (its README.md has every command):
  cp -r examples/keyvault-follow ~/keyvault-follow && cd ~/keyvault-follow && npm install
  pulumi stack init dev
  npx pulumi-azure-certs emulator --stack dev     # in a second terminal; it keeps running
  # create the "gateway" certificate in the emulator's Key Vault (README.md), then:
  pulumi config set vaultBaseUrl <the emulator's Key Vault address>
  pulumi config set serviceId /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.ApiManagement/service/apim
  pulumi up
  curl --cacert "$NODE_EXTRA_CA_CERTS" -X POST "<admin API>/vaults/demo/certificates/gateway/rotate"
  pulumi up --refresh                             # API Management follows the renewal
  pulumi destroy --remove                         # when you are done
Other examples (examples/README.md): pfx-upload (a PFX from secret config), policy-autorenew (a Key
Vault auto-renew policy), with-azure-native (a complete Azure deployment with managed identity and RBAC).`;

main().catch((e: Error) => {
  console.error(e.message);
  process.exit(1);
});
