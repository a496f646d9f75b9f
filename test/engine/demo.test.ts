/**
 * The README's main command runs: `npm run demo` is `scripts/demo.sh`, which builds and runs
 * `dist/scripts/demo.js` with the CLI on PATH; this runs the same script the same way.
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { promisify } from "util";
import { enginePath, repoRoot } from "../harness/pulumi-cli";

it("deploys the demo against the emulator and prints thumbprints and expiry dates", async () => {
  const standIn = (process.env.PATH ?? "")
    .split(path.delimiter)
    .some((d) => d && fs.existsSync(path.join(d, "pulumi-language-nodejs")))
    ? []
    : [path.join(repoRoot, "scripts", "bin")];
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [path.join(repoRoot, "dist/scripts/demo.js")],
    {
      cwd: repoRoot,
      env: { ...process.env, PATH: enginePath(standIn) },
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  const summary = stdout.slice(stdout.indexOf("== Certificates"));
  expect(summary).toMatch(
    /gateway \(from Key Vault, version [0-9a-f]{32}\)\n {2}thumbprint [0-9A-F]{40}\n {2}expires {4}\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/,
  );
  expect(summary).toMatch(
    /backend-client \(from a PFX file\)\n {2}thumbprint [0-9A-F]{40}\n {2}expires {4}\d{4}-/,
  );
  expect(stdout).toMatch(/- 4 deleted/);
});
