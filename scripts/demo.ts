/**
 * `npm run demo`: the main job. Starts the bundled Azure emulator, creates the Key Vault
 * certificate and a PFX file the demo program needs, then runs the demo project (Pulumi.yaml at the
 * repository root, program in examples/demo) with the real `pulumi` CLI on a fresh local file
 * backend: `pulumi up`, prints thumbprints and expiry dates, `pulumi destroy`, stops the emulator.
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

/**
 * Runs the CLI without blocking: the emulator serves the CLI's provider from this same process.
 * Output goes to the terminal unless captured.
 */
function pulumi(args: string[], env: NodeJS.ProcessEnv, capture = false): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn("pulumi", [...args, "--non-interactive"], {
      cwd: repoRoot,
      env,
      stdio: capture ? ["ignore", "pipe", "inherit"] : "inherit",
    });
    let out = "";
    child.stdout?.on("data", (b: Buffer) => (out += b.toString()));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve(out) : reject(new Error(`pulumi ${args.join(" ")} failed (exit ${code})`)),
    );
  });
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
  return pfx;
}

async function main(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "azure-certs-demo-"));
  const emu = await startEmulator({ stateDir: work });
  const untrust = trustEmulatorCa(emu.caCertPem);
  try {
    console.log(
      `Azure emulator: ARM ${emu.armEndpoint}, Entra ID ${emu.authorityHost}, vault ${emu.vaults.demo}`,
    );

    // The Key Vault certificate the policy and APIM refer to (what a team would already have, with
    // Key Vault's default lifetime action: the demo program takes its policy over, importExisting: true).
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
    const pfxPassword = `demo-${Math.random().toString(36).slice(2)}`;
    const pfxPath = makePfx(work, pfxPassword);

    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PULUMI_BACKEND_URL: `file://${path.join(work, "backend")}`,
      PULUMI_HOME: path.join(work, "pulumi-home"),
      PULUMI_CONFIG_PASSPHRASE: "demo-passphrase",
      NODE_EXTRA_CA_CERTS: emu.caCertPath,
    };
    fs.mkdirSync(path.join(work, "backend"));
    await pulumi(["stack", "init", "demo"], env);
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
    for (const [key, value, secret] of settings) {
      await pulumi(["config", "set", key, value, ...(secret ? ["--secret"] : []), "--stack", "demo"], env);
    }

    await pulumi(["up", "--yes", "--skip-preview", "--stack", "demo"], env);
    const out = JSON.parse(await pulumi(["stack", "output", "--json", "--stack", "demo"], env, true));
    console.log("\n== Certificates in API Management (emulated)");
    console.log(`gateway (from Key Vault, version ${out.gatewayKeyVaultVersion})`);
    console.log(`  thumbprint ${out.gatewayThumbprint}`);
    console.log(`  expires    ${out.gatewayExpiry}`);
    console.log("backend-client (from a PFX file)");
    console.log(`  thumbprint ${out.backendClientThumbprint}`);
    console.log(`  expires    ${out.backendClientExpiry}\n`);

    await pulumi(["destroy", "--yes", "--skip-preview", "--stack", "demo"], env);
  } finally {
    untrust();
    await emu.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e: Error) => {
  console.error(e.message);
  process.exit(1);
});
