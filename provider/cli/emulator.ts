/**
 * `pulumi-azure-certs emulator [flags]`: starts the bundled Azure emulator (emulator/) from the
 * installed package and tells a Pulumi program how to use it: the environment of the `pulumi`
 * process (the emulator's CA) and the stack configuration (endpoint overrides `azure-certs:*`, the
 * emulator's service principal as `azure-native:*`). With `--stack NAME` it writes that
 * configuration into the stack itself (`pulumi config set-all`). It runs until SIGINT or SIGTERM.
 *
 * The configuration keys are this package's (provider/transport/settings.ts); the emulator itself
 * knows nothing of them.
 */
import { execFile } from "node:child_process";
import { startEmulator, type Emulator } from "../../emulator";
import type { EmulatorInfo } from "../../emulator";
import { EMULATOR_FLAGS, parseArgs } from "../../emulator/cli";
import { CONFIG_NAMESPACE } from "../transport/settings";

/** The emulator does not model subscriptions: any UUID works; this one is the documented default. */
const EMULATOR_SUBSCRIPTION_ID = "00000000-0000-0000-0000-000000000000";

export const USAGE = `Usage: pulumi-azure-certs emulator [flags]

Starts the local Azure emulator (Entra ID tokens, ARM API Management certificates, Key Vault)
and prints the environment and the \`pulumi config set\` lines a Pulumi program needs to use it.
Runs until SIGINT (Ctrl+C) or SIGTERM; its state is in memory and lost when it stops.

Pulumi configuration:
  --stack NAME           write the configuration into this stack (runs \`pulumi config set-all\`)
  --cwd DIR              the Pulumi project folder for --stack (default: the current folder)
  --subscription-id ID   the azure-native:subscriptionId to set (default ${EMULATOR_SUBSCRIPTION_ID})
  --json                 print one JSON line (addresses, env, config as a ConfigMap) instead of text

Emulator:
${EMULATOR_FLAGS}
  --help`;

/** One stack configuration value. */
export interface ConfigSetting {
  key: string;
  value: string;
  secret?: boolean;
}

/** The stack configuration that points this package's resources at a running emulator. */
function emulatorConfig(info: EmulatorInfo, subscriptionId: string): ConfigSetting[] {
  const vaultHosts = [...new Set(Object.values(info.vaults).map((u) => new URL(u).hostname))];
  return [
    { key: `${CONFIG_NAMESPACE}:armEndpoint`, value: info.armEndpoint },
    { key: `${CONFIG_NAMESPACE}:authorityHost`, value: info.authorityHost },
    // Key Vault tokens go only to *.vault.azure.net unless a host is trusted (any port of it here).
    { key: `${CONFIG_NAMESPACE}:trustedVaultHosts`, value: vaultHosts.join(",") },
    { key: "azure-native:tenantId", value: info.tenantId },
    { key: "azure-native:clientId", value: info.clientId },
    { key: "azure-native:subscriptionId", value: subscriptionId },
    { key: "azure-native:clientSecret", value: info.clientSecret, secret: true },
  ];
}

/** The environment of the `pulumi` process and the provider it starts. */
function emulatorEnv(info: EmulatorInfo): Record<string, string> {
  return { NODE_EXTRA_CA_CERTS: info.caCertPath };
}

/** Quotes a word for a POSIX shell when it needs it. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Where `--stack` writes: the `pulumi` arguments that select the stack (and project folder). */
function stackArgs(target: { stack?: string; cwd?: string }): string[] {
  return [...(target.cwd ? ["--cwd", target.cwd] : []), ...(target.stack ? ["--stack", target.stack] : [])];
}

/** The `pulumi config set` command lines, as a user would type them. */
export function configSetLines(settings: ConfigSetting[], target: { stack?: string; cwd?: string } = {}) {
  return settings.map((s) =>
    ["pulumi", "config", "set", ...stackArgs(target), ...(s.secret ? ["--secret"] : []), s.key, s.value]
      .map(shellQuote)
      .join(" "),
  );
}

interface Parsed {
  stack?: string;
  cwd?: string;
  subscriptionId: string;
  json: boolean;
  emulatorArgs: string[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Separates this command's own flags from the emulator's (which {@link parseArgs} reads). */
function splitArgs(argv: string[]): Parsed {
  const p: Parsed = { subscriptionId: EMULATOR_SUBSCRIPTION_ID, json: false, emulatorArgs: [] };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case "--stack":
        p.stack = value();
        break;
      case "--cwd":
        p.cwd = value();
        break;
      case "--subscription-id":
        p.subscriptionId = value();
        if (!UUID.test(p.subscriptionId)) throw new Error("--subscription-id needs a UUID");
        break;
      case "--json":
        p.json = true;
        break;
      default:
        p.emulatorArgs.push(flag);
    }
  }
  if (p.cwd && !p.stack) throw new Error("--cwd is the project folder for --stack: give --stack too");
  return p;
}

/** Writes the settings into a stack with one `pulumi config set-all`; rejects with pulumi's output. */
function writeStackConfig(settings: ConfigSetting[], target: { stack: string; cwd?: string }): Promise<void> {
  const args = [
    "config",
    "set-all",
    ...stackArgs(target),
    ...settings.flatMap((s) => [s.secret ? "--secret" : "--plaintext", `${s.key}=${s.value}`]),
  ];
  return new Promise((resolve, reject) =>
    execFile("pulumi", args, (e, _stdout, stderr) => {
      if (!e) return resolve();
      const missing = (e as NodeJS.ErrnoException).code === "ENOENT";
      reject(
        new Error(
          missing
            ? "pulumi is not on PATH: install the Pulumi CLI, or leave out --stack and run the printed lines"
            : `pulumi config set-all for stack "${target.stack}" failed: ${stderr.trim() || e.message}`,
        ),
      );
    }),
  );
}

function describe(info: EmulatorInfo, settings: ConfigSetting[], parsed: Parsed): string {
  const env = emulatorEnv(info);
  const vaults = Object.entries(info.vaults);
  const target = { stack: parsed.stack, cwd: parsed.cwd };
  return [
    "Azure emulator started (state in memory: it is lost when the emulator stops).",
    `  Entra ID   ${info.authorityHost}  (tenant ${info.tenantId}, client ${info.clientId})`,
    `  ARM        ${info.armEndpoint}  (admin API ${info.adminEndpoint})`,
    ...vaults.map(([name, url], i) => `  ${i === 0 ? "Key Vault" : "         "}  ${url}  (vault "${name}")`),
    `  CA         ${info.caCertPath}`,
    "",
    "# Environment of every pulumi command (the emulator's TLS certificates come from its own CA):",
    ...Object.entries(env).map(([k, v]) => `export ${k}=${shellQuote(v)}`),
    "",
    parsed.stack
      ? `# Stack configuration, written into stack "${parsed.stack}" (the same as running):`
      : "# Stack configuration (add --stack NAME to write it into a stack for you):",
    ...configSetLines(settings, target),
    "",
    "Ready. The emulator runs until it receives SIGINT (Ctrl+C) or SIGTERM.",
  ].join("\n");
}

/** Stops the emulator on the first SIGINT/SIGTERM; resolves with the exit code. */
function untilSignal(emu: Emulator): Promise<number> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      process.stderr.write(`Azure emulator: ${signal}, stopping\n`);
      emu.stop().then(
        () => resolve(0),
        (e: Error) => {
          process.stderr.write(`Azure emulator: stopping failed: ${e.message}\n`);
          resolve(1);
        },
      );
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}

export async function run(argv: string[]): Promise<number> {
  let parsed: Parsed;
  let options: ReturnType<typeof parseArgs>;
  try {
    parsed = splitArgs(argv);
    options = parseArgs(parsed.emulatorArgs);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (options === "help") {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }

  const emu = await startEmulator(options);
  const stopped = untilSignal(emu);
  const info = emu.info();
  const settings = emulatorConfig(info, parsed.subscriptionId);
  if (parsed.stack) {
    try {
      await writeStackConfig(settings, { stack: parsed.stack, cwd: parsed.cwd });
    } catch (e) {
      process.stderr.write(`${(e as Error).message}\n`);
      await emu.stop();
      return 1;
    }
  }
  if (parsed.json) {
    const config = Object.fromEntries(settings.map((s) => [s.key, { value: s.value, secret: !!s.secret }]));
    process.stdout.write(`${JSON.stringify({ ...info, env: emulatorEnv(info), config })}\n`);
  } else {
    process.stdout.write(`${describe(info, settings, parsed)}\n`);
  }
  return stopped;
}
