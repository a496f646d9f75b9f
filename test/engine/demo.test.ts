/**
 * The README's main command runs and tells the story: `npm run demo` is `scripts/demo.sh`, which
 * builds and runs `dist/scripts/demo.js` with the CLI on PATH; this runs the same script the same
 * way (the stand-in language host on PATH where no official one is installed, as use_pulumi does).
 */
import { execFile, execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { promisify } from "util";
import { enginePath, repoRoot } from "../harness/pulumi-cli";

const THUMBPRINT = "[0-9A-F]{40}";
const DATE = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ";
let stdout: string;
let stderr: string;
let filesBefore: string[];
let statusBefore: string;

/** New files (untracked or ignored) at the repository root: what a run could leave there. */
const gitStatus = () =>
  execFileSync("git", ["status", "--porcelain", "--ignored"], { cwd: repoRoot, encoding: "utf8" });

beforeAll(async () => {
  filesBefore = fs.readdirSync(repoRoot).sort();
  statusBefore = gitStatus();
  const standIn = (process.env.PATH ?? "")
    .split(path.delimiter)
    .some((d) => d && fs.existsSync(path.join(d, "pulumi-language-nodejs")))
    ? []
    : [path.join(repoRoot, "scripts", "bin")];
  ({ stdout, stderr } = await promisify(execFile)(
    process.execPath,
    [path.join(repoRoot, "dist/scripts/demo.js")],
    {
      cwd: repoRoot,
      env: { ...process.env, PATH: enginePath(standIn) },
      maxBuffer: 16 * 1024 * 1024,
    },
  ));
}, 120_000);

it("previews first: the PFX certificate's thumbprint and expiry are known, and the emulator saw no request", () => {
  const known = stdout.slice(stdout.indexOf("== What the preview already knows"));
  const m = new RegExp(
    `backend-client \\(from a PFX file\\)[^\\n]*\\n {2}thumbprint (${THUMBPRINT})\\n {2}expires {4}(${DATE})`,
  ).exec(known);
  expect(m).not.toBeNull();
  expect(known).toMatch(/Requests the emulator received during the preview: 0\n/);
  // Printed before `pulumi up` ran, and the same values after it.
  expect(stdout.indexOf("== What the preview already knows")).toBeLessThan(stdout.indexOf("Updating (demo)"));
  const deployed = stdout.slice(stdout.indexOf("== Certificates in API Management"));
  expect(deployed).toMatch(
    new RegExp(
      `gateway \\(from Key Vault, version [0-9a-f]{32}\\)\\n {2}thumbprint ${THUMBPRINT}\\n {2}expires {4}${DATE}`,
    ),
  );
  expect(deployed).toContain(
    `backend-client (from a PFX file)\n  thumbprint ${m![1]}\n  expires    ${m![2]}`,
  );
  expect(deployed).toContain("backend-client as the preview said: yes");
});

it("renews the certificate in Key Vault, and one pulumi up --refresh moves API Management to it", () => {
  const first = new RegExp(
    `gateway \\(from Key Vault, version [0-9a-f]{32}\\)\\n {2}thumbprint (${THUMBPRINT})`,
  ).exec(stdout)![1];
  const renewed = new RegExp(`Key Vault: new version [0-9a-f]{32}, thumbprint (${THUMBPRINT})`).exec(
    stdout,
  )![1];
  expect(renewed).not.toBe(first);
  const followed = stdout.slice(stdout.indexOf("== API Management followed the renewal"));
  expect(followed).toContain(`  old thumbprint ${first}\n  new thumbprint ${renewed}\n`);
  expect(followed).toContain("the same as Key Vault's new version: yes");
  expect(stdout).toMatch(/~ 1 updated/);
});

it("cleans up, says so plainly, and tells what to try next", () => {
  expect(stdout).toMatch(/- 4 deleted/);
  expect(stdout).toContain("no stack to come back to");
  expect(stdout).not.toContain("pulumi stack rm demo");
  expect(stdout).toMatch(/== What to try next\n[^]*pulumi up --refresh/);
});

it("prints no warning about plugins taken from $PATH", () => {
  expect(`${stdout}\n${stderr}`).not.toMatch(/from \$PATH/);
  expect(`${stdout}\n${stderr}`).not.toMatch(/warning:/i);
});

it("leaves no file in the repository", () => {
  expect(fs.readdirSync(repoRoot).sort()).toEqual(filesBefore);
  expect(fs.existsSync(path.join(repoRoot, "Pulumi.demo.yaml"))).toBe(false);
  // Other work may add folders meanwhile: compare the files at the root, untracked or ignored.
  const added = (s: string) => s.split("\n").filter((l) => /^(\?\?|!!) [^/]+$/.test(l));
  expect(added(gitStatus())).toEqual(added(statusBefore));
});
