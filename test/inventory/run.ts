/**
 * Runs the built `pulumi-azure-certs inventory` (dist/, `npm run build`) as its own process against
 * a scenario's emulator: credentials in the environment, endpoints with `--config`, as a CI job
 * without a Pulumi stack would run it. Asynchronous, so that the emulator in this process answers.
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { repoRoot } from "../harness/pulumi-cli";
import type { Scenario } from "./scenario";

export const BIN = path.join(repoRoot, "dist", "provider", "cli", "index.js");

export function requireBuild(): void {
  if (!fs.existsSync(path.join(repoRoot, "dist", "provider", "cli", "inventory.js")))
    throw new Error(`${BIN} has no inventory command: run npm run build first`);
}

export interface BinResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** This process's environment without Azure settings or colour and CI hints of its own. */
function baseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(ARM|AZURE)_/.test(k) || ["NO_COLOR", "CI", "FORCE_COLOR", "TERM"].includes(k)) continue;
    env[k] = v;
  }
  return env;
}

/** `inventory <args>` with the scenario's settings; resolves with the exit code whatever it is. */
export function runInventory(
  scenario: Scenario,
  args: string[],
  opts: { env?: Record<string, string>; settings?: boolean } = {},
): Promise<BinResult> {
  const argv = [BIN, "inventory", ...args, ...(opts.settings === false ? [] : scenario.configFlags)];
  const env = { ...baseEnv(), ...scenario.env, ...(opts.env ?? {}) };
  return new Promise((resolve) =>
    execFile(process.execPath, argv, { env, maxBuffer: 16 * 1024 * 1024 }, (e, stdout, stderr) =>
      resolve({ code: e ? Number((e as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

const quote = (w: string) => `'${w.replace(/'/g, `'\\''`)}'`;

/**
 * As {@link runInventory}, with stdout on a terminal: util-linux `script` runs the command in a
 * pseudo-terminal. Its output has `\r\n` line ends.
 */
export function runInventoryOnTerminal(
  scenario: Scenario,
  args: string[],
  opts: { env?: Record<string, string> } = {},
): Promise<BinResult> {
  const command = [process.execPath, BIN, "inventory", ...args, ...scenario.configFlags].map(quote).join(" ");
  const env = { ...baseEnv(), ...scenario.env, TERM: "xterm", ...(opts.env ?? {}) };
  return new Promise((resolve) =>
    execFile(
      "script",
      ["-qec", command, "/dev/null"],
      { env, maxBuffer: 16 * 1024 * 1024 },
      (e, stdout, stderr) =>
        resolve({ code: e ? Number((e as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );
}
