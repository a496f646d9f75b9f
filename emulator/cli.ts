#!/usr/bin/env node
/**
 * `node dist/emulator/cli.js [flags]`: starts the emulator and prints one JSON line on stdout with
 * its addresses, credentials and the CA file to trust. Logs go to stderr. Stops on SIGINT/SIGTERM.
 *
 * The package's command (`pulumi-azure-certs emulator`, provider/cli/) parses the same flags with
 * {@link parseArgs} and prints the Pulumi configuration instead.
 */
import { startEmulator } from "./server";
import type { EmulatorOptions } from "./server";

/** The emulator's flags, one per line, as both command lines list them. */
export const EMULATOR_FLAGS = `  --port N               first of consecutive ports: Entra ID N, ARM N+1, vaults N+2, N+3, ...
                         (explicit ports below win; default: free ports)
  --authority-port N     Entra ID (token) listener port (default: a free port)
  --arm-port N           ARM listener port; also serves the admin API under /_emulator/KEY (default: free)
  --vault NAME[:PORT]    a Key Vault listener; repeatable (default: one vault "demo" on a free port)
  --state-dir DIR        where ca.pem is written (default: a temporary directory)
  --bind ADDRESS         address to bind (default 127.0.0.1; others need --allow-non-loopback)
  --allow-non-loopback   bind a non-loopback address all the same
  --admin-key KEY        the admin API's key (default: random for each run, printed at start)
  --tenant-id ID --client-id ID --client-secret SECRET   the default service principal
  --token-lifetime SECONDS                               lifetime of issued tokens (default 3600)
  --reuse-keys           generate each Key Vault key kind once (faster, less realistic)
  --no-soft-delete       Key Vault deletes purge at once`;

const USAGE = `Usage: azure-emulator [flags]
${EMULATOR_FLAGS}
  --help`;

function port(flag: string, v: string | undefined, min = 0): number {
  const n = Number(v);
  if (!v || !Number.isInteger(n) || n < min || n > 65535) throw new Error(`${flag} needs a port number`);
  return n;
}

/** Parses the command line into emulator options. */
export function parseArgs(argv: string[]): EmulatorOptions | "help" {
  const o: EmulatorOptions = {};
  const vaults: Array<{ name: string; port?: number }> = [];
  let basePort: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case "--help":
      case "-h":
        return "help";
      case "--port":
        basePort = port(flag, next(), 1);
        break;
      case "--authority-port":
        o.authorityPort = port(flag, next());
        break;
      case "--arm-port":
        o.armPort = port(flag, next());
        break;
      case "--vault": {
        const [name, p] = next().split(":");
        vaults.push({ name, port: p === undefined ? undefined : port(flag, p) });
        break;
      }
      case "--state-dir":
        o.stateDir = next();
        break;
      case "--bind":
        o.bindAddress = next();
        break;
      case "--allow-non-loopback":
        o.allowNonLoopback = true;
        break;
      case "--admin-key":
        o.adminKey = next();
        break;
      case "--tenant-id":
        o.tenantId = next();
        break;
      case "--client-id":
        o.clientId = next();
        break;
      case "--client-secret":
        o.clientSecret = next();
        break;
      case "--token-lifetime":
        o.tokenLifetimeSeconds = Number(next());
        break;
      case "--reuse-keys":
        o.reuseKeys = true;
        break;
      case "--no-soft-delete":
        o.softDelete = false;
        break;
      default:
        throw new Error(`unknown flag ${flag}`);
    }
  }
  if (basePort !== undefined) {
    // Consecutive ports, so that a firewall rule or a port forward can name one range.
    const base = basePort;
    if (vaults.length === 0) vaults.push({ name: "demo" });
    const last = base + 1 + vaults.length;
    if (last > 65535) throw new Error(`--port ${base}: the range ends at ${last}, above 65535`);
    o.authorityPort ??= base;
    o.armPort ??= base + 1;
    vaults.forEach((v, i) => (v.port ??= base + 2 + i));
  }
  if (vaults.length > 0) o.vaults = vaults;
  return o;
}

async function main(): Promise<void> {
  let options: EmulatorOptions | "help";
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
  if (options === "help") {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const emu = await startEmulator(options);
  const info = emu.info();
  process.stdout.write(
    `${JSON.stringify({
      ...info,
      env: {
        AZURE_AUTHORITY_HOST: info.authorityHost,
        AZURE_TENANT_ID: info.tenantId,
        AZURE_CLIENT_ID: info.clientId,
        AZURE_CLIENT_SECRET: info.clientSecret,
        NODE_EXTRA_CA_CERTS: info.caCertPath,
      },
    })}\n`,
  );
  process.stderr.write(
    `Azure emulator ready: ARM ${info.armEndpoint}, Entra ${info.authorityHost}, vaults ${Object.entries(
      info.vaults,
    )
      .map(([n, u]) => `${n}=${u}`)
      .join(" ")}, admin ${info.adminEndpoint}\n`,
  );
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`Azure emulator: ${signal}, stopping\n`);
    emu.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
}

if (require.main === module) {
  main().catch((e: Error) => {
    process.stderr.write(`Azure emulator failed to start: ${e.message}\n`);
    process.exit(1);
  });
}
