/**
 * `pulumi-azure-certs inventory [flags]`: every certificate of the API Management services and Key
 * Vaults named, soonest expiry first (a table, or `--json`), with an expiry gate for scheduled
 * pipelines (`--fail-within`) and a program that adopts them (`--emit-program`). It uses the
 * resources' transport and settings (provider/transport/): the same logins, clouds, endpoints,
 * trusted hosts, retries and messages. It only reads (GET), and never reads a PFX or a secret value.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import {
  applyGate,
  emitProgram,
  inventoryDocument,
  parseApimTarget,
  parseVaultTarget,
  readStackConfig,
  renderTable,
  serviceId,
  shouldColour,
  takeInventory,
  type ApimServiceTarget,
  type Inventory,
} from "../inventory";
import { configFromRecord, createTransport, type AzureTransport } from "../transport";

export const USAGE = `Usage: pulumi-azure-certs inventory (--apim SERVICE | --vault VAULT)... [flags]

Lists every certificate of the API Management services and Key Vaults given: thumbprint, subject,
expiry and days left, where an API Management certificate comes from (a PFX upload, or a Key Vault
secret with API Management's last fetch status), and each Key Vault certificate's policy in brief
(auto-renewal and when, issuer). Soonest expiry first. It only reads (GET), and never reads a PFX
or a secret value. Progress goes to stderr.

What to list (repeatable; at least one):
  --apim SERVICE         an API Management service: its ARM id
                         (/subscriptions/{id}/resourceGroups/{group}/providers/Microsoft.ApiManagement/service/{name}),
                         {subscription}/{group}/{name}, or {group}/{name} in the configured subscription
  --vault VAULT          a Key Vault: its URL (https://{name}.vault.azure.net) or its name

Output:
  --json                 print one JSON document instead of the table (the table is coloured only
                         on a terminal, never with NO_COLOR set or in CI)
  --fail-within DAYS     exit 1 when a certificate expires within DAYS days (an expired one included)
                         or API Management's last fetch of one from Key Vault failed; those are
                         printed first
  --emit-program FILE    write a TypeScript module declaring an ApimCertificate or
                         KeyVaultCertificatePolicy per certificate, which the next \`pulumi up\`
                         adopts with GETs only; the config secrets it needs are printed
  --read-only-pfx        in that module, declare certificates uploaded as PFX files with
                         ApimCertificate.get instead of asking for their PFX and password

Settings (the resources' own: login, cloud, endpoints, trusted hosts, retries):
  --stack NAME           use that Pulumi stack's configuration (read with
                         \`pulumi config --json --show-secrets\`; needs the stack's backend login
                         and passphrase, as any pulumi command)
  --cwd DIR              the Pulumi project folder for --stack (default: the current folder)
  --config KEY=VALUE     one configuration value, as \`pulumi up --config\` takes it (repeatable;
                         wins over --stack), e.g. --config azure-certs:armEndpoint=https://localhost:41002.
                         Give secrets through the environment (ARM_CLIENT_SECRET...), not here.
  The environment variables the resources read apply too (ARM_*, AZURE_*: see "Authentication"
  in the package's README).

  --help

Exit codes:
  0  everything listed; nothing trips --fail-within
  1  --fail-within: a certificate expires within the window or failed its Key Vault fetch
  2  usage error: a flag, a target or the configuration cannot be used (the message says which)
  3  a service or vault could not be listed (what could be listed is still printed)`;

/** The flags, parsed. */
export interface InventoryFlags {
  apim: string[];
  vaults: string[];
  json: boolean;
  failWithin?: number;
  emitProgram?: string;
  readOnlyPfx: boolean;
  stack?: string;
  cwd?: string;
  config: Record<string, string>;
  help: boolean;
}

/** A command line that cannot be used (exit code 2). */
class UsageError extends Error {
  override readonly name = "UsageError";
}

/** Parses the command line; throws {@link UsageError}. */
function parseFlags(argv: string[]): InventoryFlags {
  const f: InventoryFlags = {
    apim: [],
    vaults: [],
    json: false,
    readOnlyPfx: false,
    config: {},
    help: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const value = (): string => {
      if (eq > 0) return arg.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case "--help":
      case "-h":
        f.help = true;
        break;
      case "--apim":
        f.apim.push(value());
        break;
      case "--vault":
        f.vaults.push(value());
        break;
      case "--json":
        f.json = true;
        break;
      case "--fail-within": {
        const v = value();
        if (!/^\d+$/.test(v))
          throw new UsageError(`--fail-within needs a whole number of days (0 or more); got "${v}"`);
        f.failWithin = Number(v);
        break;
      }
      case "--emit-program":
        f.emitProgram = value();
        if (!/\.ts$/.test(f.emitProgram))
          throw new UsageError(`--emit-program writes TypeScript: name a .ts file; got "${f.emitProgram}"`);
        break;
      case "--read-only-pfx":
        f.readOnlyPfx = true;
        break;
      case "--stack":
        f.stack = value();
        break;
      case "--cwd":
        f.cwd = value();
        break;
      case "--config":
      case "-c": {
        const v = value();
        const at = v.indexOf("=");
        if (at <= 0)
          throw new UsageError(
            `--config needs KEY=VALUE, such as azure-certs:armEndpoint=https://localhost:41002`,
          );
        f.config[v.slice(0, at)] = v.slice(at + 1);
        break;
      }
      default:
        throw new UsageError(`unknown flag "${arg}"`);
    }
  }
  if (f.help) return f;
  if (f.apim.length === 0 && f.vaults.length === 0)
    throw new UsageError("give at least one --apim SERVICE or --vault VAULT");
  if (f.cwd && !f.stack) throw new UsageError("--cwd is the project folder for --stack: give --stack too");
  if (f.readOnlyPfx && !f.emitProgram)
    throw new UsageError("--read-only-pfx changes what --emit-program writes: give --emit-program too");
  return f;
}

/** The command line as the emitted program's header names it: targets and output, never a configuration value. */
function describeCommand(f: InventoryFlags, apim: ApimServiceTarget[], vaults: string[]): string {
  return [
    "pulumi-azure-certs inventory",
    ...apim.map((t) => `--apim ${serviceId(t)}`),
    ...vaults.map((v) => `--vault ${v}`),
    ...(f.stack ? [`--stack ${f.stack}`] : []),
    `--emit-program ${path.basename(f.emitProgram ?? "")}`,
    ...(f.readOnlyPfx ? ["--read-only-pfx"] : []),
  ].join(" ");
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** Writes the emitted program and says what it holds; false when it could not be written. */
function writeProgram(
  flags: InventoryFlags,
  inventory: Inventory,
  command: string,
  err: (line: string) => void,
): boolean {
  const file = flags.emitProgram!;
  const emitted = emitProgram(inventory.records, {
    readOnlyPfx: flags.readOnlyPfx,
    command,
    now: inventory.now,
  });
  try {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    fs.writeFileSync(file, emitted.source);
  } catch (e) {
    err(`pulumi-azure-certs inventory: could not write ${file}: ${(e as Error).message}`);
    return false;
  }
  const c = emitted.counts;
  err(
    `Wrote ${file}: ${c.apimManaged} ApimCertificate and ${c.policies} KeyVaultCertificatePolicy ` +
      `resources to adopt, ${c.apimReadOnly} certificate${c.apimReadOnly === 1 ? "" : "s"} read only (ApimCertificate.get).` +
      (inventory.errors.length > 0 ? " Incomplete: some targets could not be listed (above)." : ""),
  );
  if (emitted.pfxSecrets.length > 0) {
    err(
      `Before \`pulumi up\`, give the PFX of each certificate uploaded as a file, and its password (Azure never returns them):`,
    );
    for (const p of emitted.pfxSecrets) err(`  ${p.certificate}: ${p.dataKey}, ${p.passwordKey}`);
    err(
      "  e.g. base64 < file.pfx | tr -d '\\n' | pulumi config set --secret <data key>; pulumi config set --secret <password key> '...'",
    );
  }
  return true;
}

export async function run(argv: string[]): Promise<number> {
  const err = (line: string) => process.stderr.write(`${line}\n`);
  let flags: InventoryFlags;
  try {
    flags = parseFlags(argv);
  } catch (e) {
    err(`${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (flags.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }

  // The settings exactly as the resources resolve them (provider/transport/settings.ts).
  let transport: AzureTransport;
  let apim: ApimServiceTarget[];
  let vaults: string[];
  try {
    const stackConfig = flags.stack ? await readStackConfig({ stack: flags.stack, cwd: flags.cwd }) : {};
    transport = createTransport(configFromRecord({ ...stackConfig, ...flags.config }), { env: process.env });
    const rules = transport.keyVaultHosts;
    apim = flags.apim.map((a) => parseApimTarget(a, transport.subscriptionId));
    vaults = [...new Set(flags.vaults.map((v) => parseVaultTarget(v, rules)))];
  } catch (e) {
    err(`pulumi-azure-certs inventory: ${(e as Error).message}`);
    return 2;
  }

  err(
    `Listing ${[apim.length ? plural(apim.length, "API Management service") : "", vaults.length ? plural(vaults.length, "Key Vault") : ""].filter(Boolean).join(" and ")}...`,
  );
  const inventory = await takeInventory(
    transport,
    { apim, vaults },
    {
      progress: (m) => err(`  ${m}`),
      vaultDnsSuffix: transport.cloud.keyVaultDnsSuffix,
    },
  );
  const gate =
    flags.failWithin === undefined
      ? undefined
      : applyGate(inventory.records, flags.failWithin, inventory.now);

  if (flags.json) process.stdout.write(`${JSON.stringify(inventoryDocument(inventory, gate), null, 2)}\n`);
  else
    process.stdout.write(renderTable(inventory, { gate, colour: shouldColour(process.stdout, process.env) }));
  for (const e of inventory.errors) err(`Could not list ${e.target}: ${e.message}`);

  if (flags.emitProgram && !writeProgram(flags, inventory, describeCommand(flags, apim, vaults), err))
    return 2;

  if (gate && gate.hits.length > 0) return 1;
  return inventory.errors.length > 0 ? 3 : 0;
}
