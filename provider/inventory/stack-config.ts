// `--stack <name> [--cwd <dir>]`: the stack configuration a program of that stack would see, read
// with the user's own Pulumi CLI (`pulumi config --json --show-secrets`), so that the inventory
// uses exactly the login, cloud, endpoints and trusted hosts the resources use. Secret values
// stay in this process's memory: they are handed to the transport, never printed.
import { execFile } from "node:child_process";

/** Stack configuration as `namespace:key` → value (what `configFromRecord` takes). */
export type StackConfig = Record<string, string>;

/** What `pulumi config --json` prints for one key. */
interface ConfigEntry {
  value?: string;
  objectValue?: unknown;
  secret?: boolean;
}

/** Parses `pulumi config --json` output: keys with a value (a structured value as its JSON). */
export function parseConfigJson(text: string): StackConfig {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error("pulumi config --json printed something that is not JSON");
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed))
    throw new Error("pulumi config --json printed something that is not an object");
  const out: StackConfig = {};
  for (const [key, entry] of Object.entries(parsed as Record<string, ConfigEntry>)) {
    if (entry && typeof entry.value === "string") out[key] = entry.value;
    else if (entry && entry.objectValue !== undefined) out[key] = JSON.stringify(entry.objectValue);
  }
  return out;
}

/**
 * Reads a stack's configuration with `pulumi config --json --show-secrets --stack <stack>`, in
 * `cwd` (the Pulumi project folder; default the current one). `pulumi` needs what it always needs
 * for that stack: a login to its backend and, for a passphrase-encrypted stack, its passphrase.
 */
export function readStackConfig(
  target: { stack: string; cwd?: string },
  env: NodeJS.ProcessEnv = process.env,
): Promise<StackConfig> {
  const args = [
    "config",
    "--json",
    "--show-secrets",
    "--stack",
    target.stack,
    ...(target.cwd ? ["--cwd", target.cwd] : []),
  ];
  return new Promise((resolve, reject) =>
    execFile("pulumi", args, { env, maxBuffer: 16 * 1024 * 1024 }, (e, stdout, stderr) => {
      if (e) {
        const missing = (e as NodeJS.ErrnoException).code === "ENOENT";
        // pulumi's own message (a missing stack, backend or passphrase) holds no configuration value.
        return reject(
          new Error(
            missing
              ? "pulumi is not on PATH: --stack reads the stack's configuration with the Pulumi CLI; install it, or leave out --stack and use environment variables and --config"
              : `pulumi config --stack ${target.stack} failed: ${stderr.trim() || e.message}`,
          ),
        );
      }
      try {
        resolve(parseConfigJson(stdout));
      } catch (err) {
        reject(err);
      }
    }),
  );
}
