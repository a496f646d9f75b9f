/**
 * The `pulumi-azure-certs` command line (provider/cli/), compiled (`npm run build`) and run as its
 * own process from this checkout. test/package/tarball.test.ts runs it from an installed tarball,
 * with `--stack`; this file covers the dispatcher, the printed lines and the failure paths.
 */
import { type ChildProcess, execFile, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { repoRoot } from "../harness/pulumi-cli";
import { configSetLines, shellQuote } from "../../provider/cli/emulator";

const bin = path.join(repoRoot, "dist", "provider", "cli", "index.js");

beforeAll(() => {
  if (!fs.existsSync(bin)) throw new Error(`${bin} is missing: run npm run build first`);
});

function runBin(args: string[], env: NodeJS.ProcessEnv = process.env) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    execFile(process.execPath, [bin, ...args], { env }, (e, stdout, stderr) =>
      resolve({ code: e ? ((e as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

function untilLine(child: ChildProcess, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      if (pattern.test(out)) resolve(out);
    });
    child.on("exit", (code) => reject(new Error(`exited with ${code}: ${out}\n${err}`)));
  });
}

const exitOf = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));

describe("pulumi-azure-certs", () => {
  it("--help lists the commands; no command or an unknown one exits with 2", async () => {
    const help = await runBin(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: pulumi-azure-certs <command> \[flags\]/);
    expect(help.stdout).toMatch(/^ {2}emulator +start the local Azure emulator/m);
    expect(help.stdout).toMatch(
      /^ {2}inventory +list the certificates of API Management services and Key Vaults/m,
    );

    const none = await runBin([]);
    expect(none).toMatchObject({ code: 2, stdout: "" });
    expect(none.stderr).toMatch(/^Usage:/);

    const unknown = await runBin(["inventroy"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command "inventroy"/);

    const version = await runBin(["--version"]);
    expect(version.stdout.trim()).toBe(
      JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")).version,
    );
  });

  it("emulator --help and `help emulator` list the emulator's flags and this command's own", async () => {
    for (const args of [
      ["emulator", "--help"],
      ["help", "emulator"],
    ]) {
      const { code, stdout } = await runBin(args);
      expect(code).toBe(0);
      for (const flag of [
        "--port N",
        "--state-dir DIR",
        "--vault NAME[:PORT]",
        "--stack NAME",
        "--cwd DIR",
        "--json",
      ]) {
        expect(stdout).toContain(flag);
      }
    }
  });

  it("emulator prints the environment and bare pulumi config set lines, and stops on SIGTERM", async () => {
    const child = spawn(process.execPath, [bin, "emulator", "--client-secret", "it's a secret"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exited = exitOf(child);
    let out: string;
    try {
      out = await untilLine(child, /^Ready\..*SIGINT \(Ctrl\+C\) or SIGTERM\.$/m);
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
    const arm = /^ {2}ARM {8}(https:\/\/localhost:\d+) /m.exec(out)![1];
    expect(out).toMatch(/^export NODE_EXTRA_CA_CERTS=\/\S+\/ca\.pem$/m);
    const lines = out.split("\n").filter((l) => l.startsWith("pulumi config set"));
    expect(lines).toEqual([
      `pulumi config set azure-certs:armEndpoint ${arm}`,
      expect.stringMatching(/^pulumi config set azure-certs:authorityHost https:\/\/localhost:\d+$/),
      "pulumi config set azure-certs:trustedVaultHosts localhost",
      "pulumi config set azure-native:tenantId 11111111-1111-1111-1111-111111111111",
      "pulumi config set azure-native:clientId 22222222-2222-2222-2222-222222222222",
      "pulumi config set azure-native:subscriptionId 00000000-0000-0000-0000-000000000000",
      `pulumi config set --secret azure-native:clientSecret 'it'\\''s a secret'`,
    ]);
  });

  it("emulator --json prints one line whose config is an Automation API ConfigMap", async () => {
    const child = spawn(
      process.execPath,
      [bin, "emulator", "--json", "--subscription-id", "3c0d1b5e-0000-4000-8000-000000000001"],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    const exited = exitOf(child);
    let out: string;
    try {
      out = await untilLine(child, /\n/);
    } finally {
      child.kill("SIGINT");
    }
    expect(await exited).toBe(0);
    const info = JSON.parse(out);
    expect(info.env).toEqual({ NODE_EXTRA_CA_CERTS: info.caCertPath });
    expect(info.config).toEqual({
      "azure-certs:armEndpoint": { value: info.armEndpoint, secret: false },
      "azure-certs:authorityHost": { value: info.authorityHost, secret: false },
      "azure-certs:trustedVaultHosts": { value: "localhost", secret: false },
      "azure-native:tenantId": { value: info.tenantId, secret: false },
      "azure-native:clientId": { value: info.clientId, secret: false },
      "azure-native:subscriptionId": { value: "3c0d1b5e-0000-4000-8000-000000000001", secret: false },
      "azure-native:clientSecret": { value: info.clientSecret, secret: true },
    });
  });

  it("emulator --stack without a pulumi CLI says so, stops the emulator and exits with 1", async () => {
    const env = { ...process.env, PATH: path.dirname(process.execPath) };
    const { code, stderr } = await runBin(["emulator", "--stack", "dev"], env);
    expect(code).toBe(1);
    expect(stderr).toMatch(/pulumi is not on PATH/);
  });

  it("emulator refuses bad flags with 2 and the usage", async () => {
    for (const args of [
      ["--cwd", "/tmp"],
      ["--subscription-id", "sub"],
      ["--stack"],
      ["--port", "65534"],
      ["--bogus"],
    ]) {
      const { code, stderr } = await runBin(["emulator", ...args]);
      expect({ args, code }).toEqual({ args, code: 2 });
      expect(stderr).toMatch(/Usage: pulumi-azure-certs emulator/);
    }
  });
});

test("shellQuote and configSetLines quote only what a shell would split or expand", () => {
  expect(shellQuote("https://localhost:41002")).toBe("https://localhost:41002");
  expect(shellQuote("/tmp/my dir/ca.pem")).toBe("'/tmp/my dir/ca.pem'");
  expect(shellQuote("a$b")).toBe("'a$b'");
  expect(configSetLines([{ key: "k:x", value: "v", secret: true }], { stack: "dev", cwd: "/p q" })).toEqual([
    "pulumi config set --cwd '/p q' --stack dev --secret k:x v",
  ]);
});
