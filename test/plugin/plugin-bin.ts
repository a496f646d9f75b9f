/**
 * The `pulumi-resource-azure-certs` plugin for engine tests: a folder holding an executable of
 * that name that runs the installed package's plugin (node_modules/pulumi-azure-certs, as
 * `npm run build` installs it), to put first on the engine's PATH. The engine finds a plugin on
 * PATH before its plugin cache, as it would the one `pulumi plugin install` puts there.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { repoRoot } from "../harness/pulumi-cli";

export const INSTALLED_PLUGIN_MAIN = path.join(
  repoRoot,
  "node_modules",
  "pulumi-azure-certs",
  "dist",
  "provider",
  "plugin",
  "main.js",
);

/** A temporary folder with the plugin executable; remove it with `fs.rmSync(dir, { recursive: true })`. */
export function pluginBinDir(): string {
  if (!fs.existsSync(INSTALLED_PLUGIN_MAIN)) {
    throw new Error(`${INSTALLED_PLUGIN_MAIN} is missing: run npm run build first`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pac-plugin-"));
  const bin = path.join(dir, "pulumi-resource-azure-certs");
  fs.writeFileSync(bin, `#!/bin/sh\nexec node ${JSON.stringify(INSTALLED_PLUGIN_MAIN)} "$@"\n`);
  fs.chmodSync(bin, 0o755);
  return dir;
}
