/**
 * The command line: the compiled CLI (`npm run build`), started as its own process,
 * used by a separate client process that trusts the CA through NODE_EXTRA_CA_CERTS, then stopped
 * with SIGTERM.
 */
import { type ChildProcess, execFile, execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "../../emulator/cli";

const root = path.resolve(__dirname, "../..");
// The compiled emulator CLI (`npm test` builds first); `pulumi-azure-certs emulator` (test/package/)
// parses the same flags.
const cli = path.join(root, "dist", "emulator", "cli.js");
let stateDir: string;

beforeAll(() => {
  if (!fs.existsSync(cli)) throw new Error(`${cli} is missing: run npm run build first`);
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "emulator-cli-state-"));
});

afterAll(() => {
  fs.rmSync(stateDir, { recursive: true, force: true });
});

const env = { ...process.env, NODE_PATH: path.join(root, "node_modules") };

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    child.stderr!.on("data", (d) => (err += d));
    child.stdout!.on("data", (d) => {
      out += d;
      const nl = out.indexOf("\n");
      if (nl >= 0) resolve(out.slice(0, nl));
    });
    child.on("exit", (code) => reject(new Error(`exited with ${code} before printing: ${err}`)));
  });
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.on("exit", (code) => resolve(code)));
}

test("prints one JSON line, serves a real client trusting NODE_EXTRA_CA_CERTS, stops on SIGTERM", async () => {
  const [armPort, extraPort] = [await freePort(), await freePort()];
  const child = spawn(
    process.execPath,
    [
      cli,
      "--arm-port",
      String(armPort),
      "--vault",
      "demo",
      "--vault",
      `extra:${extraPort}`,
      "--state-dir",
      stateDir,
    ],
    { env, stdio: ["ignore", "pipe", "pipe"] },
  );
  const exited = exitOf(child);
  try {
    const info = JSON.parse(await firstLine(child));
    expect(Object.keys(info).sort()).toEqual(
      [
        "adminEndpoint",
        "adminKey",
        "armEndpoint",
        "authorityHost",
        "caCertPath",
        "clientId",
        "clientSecret",
        "env",
        "githubActions",
        "identityEndpoint",
        "managedIdentity",
        "tenantId",
        "vaults",
      ].sort(),
    );
    expect(info.githubActions.requestUrl).toMatch(
      /^https:\/\/localhost:\d+\/github-actions\/idtoken\?api-version=2\.0$/,
    );
    expect(info.armEndpoint).toBe(`https://localhost:${armPort}`);
    expect(info.adminKey).toMatch(/^[\w-]{24}$/);
    expect(info.adminEndpoint).toBe(`https://localhost:${armPort}/_emulator/${info.adminKey}`);
    expect(info.vaults.extra).toBe(`https://localhost:${extraPort}`);
    expect(info.vaults.demo).toMatch(/^https:\/\/localhost:\d+$/);
    expect(info.caCertPath).toBe(path.join(stateDir, "ca.pem"));
    expect(fs.readFileSync(info.caCertPath, "utf8")).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(info.env).toEqual({
      AZURE_AUTHORITY_HOST: info.authorityHost,
      AZURE_TENANT_ID: info.tenantId,
      AZURE_CLIENT_ID: info.clientId,
      AZURE_CLIENT_SECRET: info.clientSecret,
      NODE_EXTRA_CA_CERTS: info.caCertPath,
    });

    // A separate process, configured only by the printed environment, as a user's program would be.
    const client = `
      const { EnvironmentCredential } = require("@azure/identity");
      (async () => {
        const cred = new EnvironmentCredential({ disableInstanceDiscovery: true });
        const { token } = await cred.getToken("https://management.azure.com/.default");
        const r = await fetch(process.argv[1], { headers: { authorization: "Bearer " + token } });
        console.log(JSON.stringify({ status: r.status, body: await r.json() }));
      })().catch((e) => { console.error(e.message); process.exit(1); });`;
    const url = `${info.armEndpoint}/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.ApiManagement/service/svc/certificates?api-version=2024-05-01`;
    const out = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        ["-e", client, url],
        { env: { ...env, ...info.env } },
        (e, stdout, stderr) => (e ? reject(new Error(stderr || e.message)) : resolve(stdout)),
      ),
    );
    expect(JSON.parse(out)).toEqual({ status: 200, body: { value: [], count: 0 } });
  } finally {
    child.kill("SIGTERM");
  }
  expect(await exited).toBe(0);
  // Every listener is closed.
  await expect(
    new Promise((resolve, reject) =>
      net.connect(armPort, "127.0.0.1").on("connect", resolve).on("error", reject),
    ),
  ).rejects.toMatchObject({ code: "ECONNREFUSED" });
}, 60_000);

test("--help prints usage; an unknown flag exits with 2", () => {
  expect(execFileSync(process.execPath, [cli, "--help"], { env }).toString()).toMatch(
    /--vault NAME\[:PORT\]/,
  );
  let status: number | null = null;
  try {
    execFileSync(process.execPath, [cli, "--bogus"], { env, stdio: "pipe" });
  } catch (e) {
    status = (e as { status: number }).status;
  }
  expect(status).toBe(2);
});

test("--port N: Entra ID on N, ARM on N+1, vaults from N+2 in the order given; explicit ports win", () => {
  expect(parseArgs(["--port", "41001"])).toEqual({
    authorityPort: 41001,
    armPort: 41002,
    vaults: [{ name: "demo", port: 41003 }],
  });
  expect(
    parseArgs(["--vault", "a", "--vault", "b:9000", "--port", "41001", "--vault", "c", "--arm-port", "8443"]),
  ).toEqual({
    authorityPort: 41001,
    armPort: 8443,
    vaults: [
      { name: "a", port: 41003 },
      { name: "b", port: 9000 },
      { name: "c", port: 41005 },
    ],
  });
  expect(() => parseArgs(["--port", "65534"])).toThrow(/above 65535/);
  expect(() => parseArgs(["--port", "0"])).toThrow(/needs a port number/);
});
