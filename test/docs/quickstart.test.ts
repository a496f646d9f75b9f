/**
 * The README's "Quick start against the emulator", run as a newcomer would: its ```sh blocks and
 * its ```ts program, taken from README.md (a change to the README changes what this test runs),
 * each line run with bash in order, in a temporary folder outside the repository. Only these
 * substitutions are made, each also stated where it is made:
 *
 * - `npm install pulumi-azure-certs ...` installs the locally packed tarball (the package is not
 *   published yet), and every `npm install` gets `--prefer-offline --no-audit --no-fund`;
 * - the emulator line runs in the background (its process group is killed in afterAll), with its
 *   `--port` moved to free ports (the README's fixed one lies in the ephemeral range, which other
 *   tests running at the same time use), and the `export NODE_EXTRA_CA_CERTS=...` placeholder line
 *   takes the path the emulator printed;
 * - `pulumi login --local` logs in with a temporary HOME, PULUMI_HOME and PULUMI_BACKEND_URL, so
 *   nothing touches the user's home (npm keeps the user's cache, through npm_config_cache);
 * - PATH has the repository's Pulumi CLI (scripts/ensure-pulumi.sh), Node 22, the stand-in language
 *   host where no official one is installed, and the project's `pulumi-resource-pulumi-nodejs`
 *   (which the Pulumi CLI's own installation ships next to `pulumi`).
 *
 * Needs `npm run build` (npm test builds first): the tarball and the stand-in host are built files.
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import {
  adminGet,
  BackgroundProcess,
  consecutiveFreePorts,
  packTarball,
  standInHost,
  systemPath,
  withoutParentNpm,
} from "../harness/installed-package";
import { pulumiBinDir, repoRoot } from "../harness/pulumi-cli";

const exec = promisify(execFile);

/** The section's code blocks, in order: `sh` lines and the `ts` program. */
function quickStart(): { sh: string[][]; program: string } {
  const readme = fs.readFileSync(path.join(repoRoot, "README.md"), "utf8");
  const section = /^## Quick start against the emulator$([\s\S]*?)^## /m.exec(readme)?.[1];
  if (!section) throw new Error("README.md has no section 'Quick start against the emulator'");
  const blocks = [...section.matchAll(/^```(\w+)\n([\s\S]*?)^```$/gm)].map((m) => ({
    lang: m[1],
    body: m[2],
  }));
  const programs = blocks.filter((b) => b.lang === "ts");
  if (programs.length !== 1)
    throw new Error(`expected one ts block in the quick start, found ${programs.length}`);
  const sh = blocks
    .filter((b) => b.lang === "sh")
    .map((b) => b.body.split("\n").filter((l) => l.trim() !== "" && !l.trim().startsWith("#")));
  return { sh, program: programs[0].body };
}

let work: string; // everything of this test
let home: string; // the temporary HOME the README's commands run with
let tarball: string;
let cwd: string; // where the last step left the shell
let envFile: string; // the exports the steps made so far, as `export -p` prints them
let baseEnv: NodeJS.ProcessEnv;
let emulator: BackgroundProcess | undefined;
let printed = "";
const log: string[] = []; // every step and what it printed, for a failure's message

function cleanEnv(): NodeJS.ProcessEnv {
  const e = withoutParentNpm();
  for (const k of Object.keys(e)) if (/^(ARM|AZURE|PULUMI)_/.test(k)) delete e[k]; // the newcomer's shell has none of these
  return e;
}

/** Runs one README line with bash where the previous one left off (cwd and exports carry over). */
async function step(line: string): Promise<string> {
  const project = path.join(cwd, "node_modules", "@pulumi", "pulumi");
  const script = [
    `cd ${JSON.stringify(cwd)}`,
    `. ${JSON.stringify(envFile)}`,
    // The project's dynamic-provider plugin, as the Pulumi CLI's installation would have it on PATH.
    `export PATH=${JSON.stringify(project)}:"$PATH"`,
    line,
    "rc=$?",
    `pwd > ${JSON.stringify(path.join(work, "cwd"))}`,
    `export -p | grep -v '^declare -x PATH=' > ${JSON.stringify(envFile)}.next`,
    "exit $rc",
  ].join("\n");
  let out: string;
  try {
    const r = await exec("bash", ["-c", script], { env: baseEnv, maxBuffer: 16 * 1024 * 1024 });
    out = r.stdout + r.stderr;
  } catch (e) {
    const err = e as Error & { stdout?: string; stderr?: string };
    log.push(`$ ${line}\n${err.stdout ?? ""}${err.stderr ?? ""}`);
    throw new Error(`README step failed: ${line}\n${err.stdout ?? ""}\n${err.stderr ?? ""}`);
  }
  log.push(`$ ${line}\n${out}`);
  cwd = fs.readFileSync(path.join(work, "cwd"), "utf8").trim();
  fs.renameSync(`${envFile}.next`, envFile);
  return out;
}

/** The README's `npm install` lines, with the substitutions stated in the header. */
function npmInstall(line: string): string {
  if (!/^npm install\b/.test(line)) return line;
  // pulumi-azure-certs is not published yet: the tarball packed from this repository instead.
  const words = line.split(/\s+/).map((w) => (w === "pulumi-azure-certs" ? JSON.stringify(tarball) : w));
  return [...words, "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"].join(" ");
}

/** Starts the README's emulator line in the background and waits for "Ready.". */
async function startEmulator(line: string): Promise<void> {
  const script = `cd ${JSON.stringify(cwd)}\n. ${JSON.stringify(envFile)}\nexec ${line.replace(/\s+#.*$/, "")}`;
  emulator = await BackgroundProcess.start("bash", ["-c", script], { env: baseEnv });
  printed = emulator.printed;
}

/** What openssl reads from the PFX the README made: uppercase SHA-1 of the DER, expiry in ISO. */
async function opensslFacts(pfx: string): Promise<{ thumbprint: string; expires: string }> {
  const { stdout } = await exec("bash", [
    "-c",
    `openssl pkcs12 -in ${JSON.stringify(pfx)} -nokeys -clcerts -passin pass:quickstart-pfx | ` +
      "openssl x509 -noout -fingerprint -sha1 -enddate",
  ]);
  const fingerprint = /Fingerprint=([0-9A-F:]+)/i.exec(stdout)![1];
  const notAfter = /notAfter=(.+)/.exec(stdout)![1].trim();
  return {
    thumbprint: fingerprint.replace(/:/g, "").toUpperCase(),
    expires: new Date(notAfter).toISOString().replace(/\.\d{3}Z$/, "Z"),
  };
}

const { sh, program } = quickStart();
const [setup, emulatorBlock, deploy] = sh;
const emulatorLine = emulatorBlock.find((l) => /\bemulator\b/.test(l))!;
const findStep = (re: RegExp): string => {
  const line = deploy.find((l) => re.test(l));
  if (!line) throw new Error(`the quick start's last block has no line matching ${re}`);
  return line;
};

beforeAll(async () => {
  const dist = path.join(repoRoot, "dist", "scripts", "language-host.js");
  if (!fs.existsSync(dist)) throw new Error(`${dist} is missing: run npm run build first`);
  work = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "pac-quickstart-")));
  home = path.join(work, "home");
  fs.mkdirSync(home);
  cwd = path.join(work, "empty-folder"); // "In an empty folder:"
  fs.mkdirSync(cwd);
  envFile = path.join(work, "env.sh");
  fs.writeFileSync(envFile, "");

  const npmCache = (await exec("npm", ["config", "get", "cache"], { env: cleanEnv() })).stdout.trim();
  tarball = await packTarball(work, cleanEnv());

  const system = systemPath();
  baseEnv = {
    ...cleanEnv(),
    PATH: [
      ...standInHost(system), // the stand-in language host, where no official one is installed
      pulumiBinDir(), // the Pulumi CLI (scripts/ensure-pulumi.sh)
      path.dirname(process.execPath), // Node 22
      ...system,
    ].join(path.delimiter),
    // `pulumi login --local` and everything after it: a temporary home, Pulumi home and backend.
    HOME: home,
    PULUMI_HOME: path.join(work, "pulumi-home"),
    PULUMI_BACKEND_URL: `file://${path.join(work, "backend")}`,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    npm_config_cache: npmCache, // the user's (warm) npm cache despite the temporary HOME
  };
  fs.mkdirSync(path.join(work, "backend"));
}, 120_000);

afterAll(async () => {
  await emulator?.stop();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe("README: Quick start against the emulator", () => {
  let adminEndpoint: string;
  let caFile: string;

  it("the first block sets up the project, the stack and a PFX", async () => {
    expect(setup.length).toBeGreaterThan(5);
    for (const line of setup) await step(npmInstall(line));
    expect(path.basename(cwd)).toBe("certs-quickstart");
    expect(fs.existsSync(path.join(cwd, "client.pfx"))).toBe(true);
    expect(fs.readFileSync(path.join(cwd, "Pulumi.yaml"), "utf8")).toMatch(/^main: index\.ts$/m);
    fs.writeFileSync(path.join(cwd, "index.ts"), program); // "Save this program as index.ts"
  }, 120_000);

  it("the emulator starts with --stack and prints the NODE_EXTRA_CA_CERTS line", async () => {
    for (const line of emulatorBlock) {
      // The emulator line runs in the background (killed in afterAll); the others as written.
      if (line === emulatorLine) {
        const port = await consecutiveFreePorts(3);
        await startEmulator(line.replace(/--port \d+/, `--port ${port}`));
      } else await step(line);
    }
    const exported = /^export NODE_EXTRA_CA_CERTS=(\S+)$/m.exec(printed)?.[1];
    expect(exported).toBeDefined();
    caFile = exported!;
    adminEndpoint = /\(admin API (https:\/\/\S+)\)/.exec(printed)![1];
  }, 60_000);

  it("pulumi up --yes creates the certificate: thumbprint and expires as openssl reads client.pfx", async () => {
    for (const line of deploy.slice(0, deploy.indexOf(findStep(/^pulumi up\b/)))) {
      // The placeholder export takes the path the emulator printed.
      await step(/^export NODE_EXTRA_CA_CERTS=/.test(line) ? `export NODE_EXTRA_CA_CERTS=${caFile}` : line);
    }
    expect(await step(findStep(/^pulumi up\b/))).toMatch(/\+ 2 created/);
    const outputs = JSON.parse(await step("pulumi stack output --json --show-secrets"));
    expect(outputs).toEqual(await opensslFacts(path.join(cwd, "client.pfx")));
  }, 60_000);

  it("pulumi preview: no changes, and no request to the emulator", async () => {
    const before = ((await adminGet(`${adminEndpoint}/requests`, caFile)).body.value as unknown[]).length;
    const out = await step(findStep(/^pulumi preview\b/));
    expect(out).toMatch(/\b2 unchanged\b/);
    expect(out).not.toMatch(/to (create|update|delete|replace)/);
    expect(out).not.toContain("no Azure credentials"); // the emulator wrote them into the stack
    const after = (await adminGet(`${adminEndpoint}/requests`, caFile)).body.value as unknown[];
    expect(after.slice(before)).toEqual([]);
  }, 60_000);

  it("pulumi destroy --yes deletes it", async () => {
    expect(await step(findStep(/^pulumi destroy\b/))).toMatch(/- 2 deleted/);
  }, 60_000);
});
