/**
 * What users install is what the tests use (style habit 13): the built package is packed with
 * `npm pack`, installed with npm into a fresh Pulumi project under os.tmpdir() (outside the
 * repository, so nothing resolves from it), and run the way a user runs it: the emulator through the
 * installed `pulumi-azure-certs` bin, the configuration it wrote, and `pulumi preview`, `up`,
 * `refresh` and `destroy` through the real CLI on a plain JavaScript program.
 *
 * From the repository come only the Pulumi CLI (scripts/ensure-pulumi.sh), the Node 22 binary the
 * tests run on, and, where no official `pulumi-language-nodejs` is installed, the stand-in language
 * host (scripts/bin); the test checks that the stand-in loaded the program, `@pulumi/pulumi` and
 * this package from the temporary project. The dynamic-provider plugin is the temporary project's.
 * Needs `npm run build` (npm test builds first).
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
  portsFree,
  packTarball,
  standInHost,
  systemPath,
  withoutParentNpm,
} from "../harness/installed-package";
import { pulumiBinDir, repoRoot } from "../harness/pulumi-cli";

const exec = promisify(execFile);
const PULUMI_SDK = "@pulumi/pulumi@3.259.0";
const STACK = "test";
const CERTIFICATE_ID = "tarball-client";

let work: string; // everything of this test: tarball, project, backend, Pulumi home, emulator state
let project: string;
let installed: string; // <project>/node_modules/pulumi-azure-certs
let env: NodeJS.ProcessEnv; // for npm, node, pulumi and the bin: nothing of the repository but Node 22
let emulator: BackgroundProcess | undefined;
let printed = ""; // what the bin printed on stdout
let expected: { thumbprint: string; expirationDate: string };
let basePort: number;

/** The environment minus anything pointing into the repository or left by a parent npm. */
function cleanEnv(): NodeJS.ProcessEnv {
  const e = withoutParentNpm();
  const system = systemPath();
  e.PATH = [
    // The stand-in language host only where no official one is installed (it runs `node` from PATH).
    ...standInHost(system),
    pulumiBinDir(),
    // The dynamic-provider plugin `pulumi-resource-pulumi-nodejs`, from the user's own SDK.
    path.join(project, "node_modules", "@pulumi", "pulumi"),
    // Node 22 (@pulumi/pulumi needs it; the machine's may be older): the folder holds only `node`.
    path.dirname(process.execPath),
    ...system,
  ].join(path.delimiter);
  return {
    ...e,
    PULUMI_BACKEND_URL: `file://${path.join(work, "backend")}`,
    PULUMI_HOME: path.join(work, "pulumi-home"),
    PULUMI_CONFIG_PASSPHRASE: "tarball-test-passphrase",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
  };
}

async function sh(file: string, args: string[], cwd = project): Promise<string> {
  try {
    const { stdout } = await exec(file, args, { cwd, env, maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  } catch (e) {
    const err = e as Error & { stdout?: string; stderr?: string };
    throw new Error(
      `${file} ${args.join(" ")} failed: ${err.message}\n${err.stdout ?? ""}\n${err.stderr ?? ""}`,
    );
  }
}

const pulumi = (...args: string[]) => sh("pulumi", [...args, "--stack", STACK, "--non-interactive"]);

/** Splits a line the way a POSIX shell would for the quoting the bin uses ('...' and plain words). */
function shellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      word = (word ?? "") + line.slice(i + 1, end);
      i = end;
    } else if (c === "\\") {
      word = (word ?? "") + line[++i];
    } else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else {
      word = (word ?? "") + c;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

/** A self-signed certificate and key in a PFX made with openssl, and what openssl says of it. */
async function makePfx(dir: string, password: string) {
  const key = path.join(dir, "client.key");
  const crt = path.join(dir, "client.crt");
  await exec("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", crt,
    "-days", "90", "-subj", "/CN=tarball.example.com"]); // prettier-ignore
  await exec("openssl", ["pkcs12", "-export", "-inkey", key, "-in", crt, "-out", path.join(dir, "client.pfx"),
    "-passout", `pass:${password}`]); // prettier-ignore
  const { stdout } = await exec("openssl", [
    "x509",
    "-in",
    crt,
    "-noout",
    "-fingerprint",
    "-sha1",
    "-enddate",
  ]);
  const fingerprint = /Fingerprint=([0-9A-F:]+)/i.exec(stdout)![1];
  const notAfter = /notAfter=(.+)/.exec(stdout)![1].trim(); // e.g. "Mar  1 09:00:00 2027 GMT"
  fs.rmSync(key);
  return {
    thumbprint: fingerprint.replace(/:/g, "").toUpperCase(),
    expirationDate: new Date(notAfter).toISOString().replace(/\.\d{3}Z$/, "Z"),
  };
}

/** Starts `<project>/node_modules/.bin/pulumi-azure-certs emulator ...` and waits for "Ready.". */
async function startEmulator(args: string[]): Promise<void> {
  const bin = path.join(project, "node_modules", ".bin", "pulumi-azure-certs");
  emulator = await BackgroundProcess.start(bin, ["emulator", ...args], { cwd: work, env });
  printed = emulator.printed;
}

const PROGRAM = `"use strict";
// A user's program, plain JavaScript: one API Management certificate uploaded from a PFX file.
const fs = require("fs");
const path = require("path");
const pulumi = require("@pulumi/pulumi");
const { ApimCertificate } = require("pulumi-azure-certs");

const config = new pulumi.Config();
const certificate = new ApimCertificate("client", {
  // The subscription comes from azure-native:subscriptionId.
  resourceGroupName: "tarball-rg",
  serviceName: "tarball-apim",
  certificateId: "${CERTIFICATE_ID}",
  data: fs.readFileSync(path.join(__dirname, "client.pfx")).toString("base64"),
  password: config.requireSecret("pfxPassword"),
});

exports.thumbprint = certificate.thumbprint;
exports.expirationDate = certificate.expirationDate;
// Where the modules of this process were loaded from (the language host's and the program's).
exports.moduleRoots = [...new Set(Object.keys(require.cache)
  .filter((f) => f.includes("node_modules"))
  .map((f) => f.slice(0, f.indexOf("node_modules"))))];
`;

beforeAll(async () => {
  const dist = path.join(repoRoot, "dist", "provider", "cli", "index.js");
  if (!fs.existsSync(dist)) throw new Error(`${dist} is missing: run npm run build first`);
  work = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "pac-tarball-")));
  project = path.join(work, "project");
  installed = path.join(project, "node_modules", "pulumi-azure-certs");
  for (const d of [project, path.join(work, "backend"), path.join(work, "pulumi-home")]) fs.mkdirSync(d);
  env = cleanEnv();

  const tarball = await packTarball(work, env);

  fs.writeFileSync(
    path.join(project, "package.json"),
    JSON.stringify({ name: "tarball-user", version: "1.0.0", private: true, main: "index.js" }, null, 2),
  );
  await sh("npm", [
    "install",
    "--prefer-offline",
    "--no-audit",
    "--no-fund",
    "--loglevel=error",
    tarball,
    PULUMI_SDK,
  ]);
  fs.writeFileSync(
    path.join(project, "Pulumi.yaml"),
    "name: tarball-user\nruntime: nodejs\nmain: index.js\n",
  );
  fs.writeFileSync(path.join(project, "index.js"), PROGRAM);
  const password = `pfx-${Math.random().toString(36).slice(2)}`;
  expected = await makePfx(project, password);

  await pulumi("stack", "init");
  await pulumi("config", "set", "--secret", "pfxPassword", password);
  basePort = await consecutiveFreePorts(3);
  await startEmulator(["--port", String(basePort), "--state-dir", path.join(work, "emulator"), "--stack", STACK,
    "--cwd", project]); // prettier-ignore
  // What the user does with the printed export line.
  env.NODE_EXTRA_CA_CERTS = /^export NODE_EXTRA_CA_CERTS=(.+)$/m.exec(printed)?.[1];
}, 300_000);

afterAll(async () => {
  await emulator?.stop();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe("the npm tarball, installed into a fresh project outside the repository", () => {
  it("holds what users need and nothing of the build", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(installed, "package.json"), "utf8"));
    expect(pkg.dependencies).not.toHaveProperty("jose");
    for (const absent of ["scripts", "test", "dist/scripts", "dist/test", "dist/examples", "tsconfig.json"]) {
      expect(fs.existsSync(path.join(installed, absent))).toBe(false);
    }
    const files = fs.readdirSync(installed, { recursive: true }).map(String);
    expect(files.filter((f) => /\.(map|tsbuildinfo)$/.test(f))).toEqual([]);
    expect(fs.readFileSync(path.join(installed, "LICENSE"), "utf8")).toMatch(/Apache License\s+Version 2\.0/);
    // Every relative link of every Markdown file shipped resolves inside the installed package.
    const dangling = files
      .filter((f) => f.endsWith(".md"))
      .flatMap((f) =>
        [...fs.readFileSync(path.join(installed, f), "utf8").matchAll(/\]\(([^)\s]+)\)/g)]
          .map((m) => m[1])
          .filter((link) => !/^[a-z]+:|^#/i.test(link))
          .filter((link) => !fs.existsSync(path.join(installed, path.dirname(f), link.split("#")[0])))
          .map((link) => `${f}: ${link}`),
      );
    expect(dangling).toEqual([]);
  });

  it("resolves require('pulumi-azure-certs') into the project's own node_modules", async () => {
    const resolved = await sh("node", ["-p", "require.resolve('pulumi-azure-certs')"]);
    expect(resolved.trim()).toBe(path.join(installed, "dist", "provider", "index.js"));
    await sh("node", ["-e", "require('pulumi-azure-certs')"]);
    const plugin = await sh("sh", ["-c", "command -v pulumi-resource-pulumi-nodejs"]);
    expect(plugin.trim()).toBe(
      path.join(project, "node_modules", "@pulumi", "pulumi", "pulumi-resource-pulumi-nodejs"),
    );
  });

  it("has a bin: npx pulumi-azure-certs --help lists the commands", async () => {
    const help = await sh("npx", ["pulumi-azure-certs", "--help"]);
    expect(help).toMatch(/Usage: pulumi-azure-certs <command>/);
    expect(help).toMatch(/^ {2}emulator /m);
  });

  it("the emulator printed the environment and the pulumi config set lines it wrote into the stack", async () => {
    expect(env.NODE_EXTRA_CA_CERTS).toBe(path.join(work, "emulator", "ca.pem"));
    expect(fs.readFileSync(env.NODE_EXTRA_CA_CERTS!, "utf8")).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(printed).toContain(`https://localhost:${basePort}  (tenant`); // --port N: Entra ID on N
    expect(printed).toMatch(/runs until it receives SIGINT \(Ctrl\+C\) or SIGTERM/);

    const lines = printed.split("\n").filter((l) => l.startsWith("pulumi config set "));
    const config = JSON.parse(await pulumi("config", "--json", "--show-secrets"));
    const printedConfig = Object.fromEntries(
      lines.map((line) => {
        const words = shellWords(line);
        expect(words.slice(0, 7)).toEqual(["pulumi", "config", "set", "--cwd", project, "--stack", STACK]);
        const secret = words[7] === "--secret";
        const [key, value] = words.slice(secret ? 8 : 7);
        expect(config[key]).toEqual({ value, secret });
        return [key, value];
      }),
    );
    expect(printedConfig).toEqual({
      "azure-certs:authorityHost": `https://localhost:${basePort}`,
      "azure-certs:armEndpoint": `https://localhost:${basePort + 1}`,
      "azure-certs:trustedVaultHosts": "localhost",
      "azure-native:tenantId": expect.stringMatching(/^[0-9a-f-]{36}$/),
      "azure-native:clientId": expect.stringMatching(/^[0-9a-f-]{36}$/),
      "azure-native:subscriptionId": "00000000-0000-0000-0000-000000000000",
      "azure-native:clientSecret": expect.any(String),
    });
    expect(printed).toContain(`https://localhost:${basePort + 2}  (vault "demo")`);
  });

  it("pulumi preview plans the certificate", async () => {
    expect(await pulumi("preview")).toMatch(/\+ 2 to create/);
  });

  it("pulumi up uploads it: thumbprint and expiry as openssl reads the PFX", async () => {
    expect(await pulumi("up", "--yes", "--skip-preview")).toMatch(/\+ 2 created/);
    const out = JSON.parse(await pulumi("stack", "output", "--json"));
    expect({ thumbprint: out.thumbprint, expirationDate: out.expirationDate }).toEqual(expected);
    // The stand-in (or official) language host ran the project's SDK and program, not the repository's.
    expect(out.moduleRoots).toEqual([project + path.sep]);

    const certificateUrl = `${printedAdminEndpoint()}/apim/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/tarball-rg/providers/Microsoft.ApiManagement/service/tarball-apim/certificates/${CERTIFICATE_ID}`;
    const inAzure = await adminGet(certificateUrl, env.NODE_EXTRA_CA_CERTS!);
    expect(inAzure.status).toBe(200);
    expect(JSON.stringify(inAzure.body)).toContain(expected.thumbprint);

    // The provider is stored as a require() of the installed package, with no path of this machine.
    const state = JSON.parse(await pulumi("stack", "export"));
    const [stored] = state.deployment.resources.filter((r: { urn: string }) => r.urn.endsWith("::client"));
    const provider: string = stored.inputs.__provider;
    expect(provider).toMatch(
      /require\("pulumi-azure-certs\/dist\/provider\/apim-certificate\/[a-z-]+\.js"\)/,
    );
    expect(provider).not.toContain(work);
    expect(provider).not.toContain(repoRoot);
    // Nor anywhere else, except the stack frame of the stand-in language host (not part of the package).
    const standInFrame = /"sourcePosition":"project:\/\/\/[^"]*\/dist\/scripts\/language-host\.js[^"]*"/g;
    expect(JSON.stringify(state).replace(standInFrame, "")).not.toContain(repoRoot);
  });

  it("pulumi refresh finds nothing changed", async () => {
    expect(await pulumi("refresh", "--yes", "--skip-preview")).toMatch(/2 unchanged/);
  });

  it("pulumi destroy deletes the certificate", async () => {
    expect(await pulumi("destroy", "--yes", "--skip-preview")).toMatch(/- 2 deleted/);
    const certificateUrl = `${printedAdminEndpoint()}/apim/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/tarball-rg/providers/Microsoft.ApiManagement/service/tarball-apim/certificates/${CERTIFICATE_ID}`;
    expect((await adminGet(certificateUrl, env.NODE_EXTRA_CA_CERTS!)).status).toBe(404);
  });

  it("the emulator stops on SIGTERM to its process group", async () => {
    expect(await emulator!.stop("SIGTERM")).toBe(0);
    expect(await portsFree(basePort, 3)).toBe(true);
  });
});

/** The admin API's address (with the run's key) from the bin's "ARM ... (admin API ...)" line. */
function printedAdminEndpoint(): string {
  const m = /\(admin API (https:\/\/\S+)\)/.exec(printed);
  if (!m) throw new Error(`the bin printed no admin API address:\n${printed}`);
  return m[1];
}
