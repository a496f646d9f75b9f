/**
 * The Azure CLI login, what the Azure native provider uses when nothing else is configured (it has
 * no `useCli` key). Here it is reached the same way, through DefaultAzureCredential, whose chain
 * ends with AzureCliCredential: `az account get-access-token --output json --resource ...`. A
 * stand-in `az` on PATH answers with a token the emulator issued (asked of its admin API over
 * HTTPS), as a logged-in `az` would, and records how it was called.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { APIM_API, CERTIFICATES_PATH, KV_API, startFixture, type Fixture } from "./emulator-fixture";

let fx: Fixture;
let dir: string;
const CLI_USER = "abababab-abab-abab-abab-abababababab";
const saved = { PATH: process.env.PATH, AZURE_TOKEN_CREDENTIALS: process.env.AZURE_TOKEN_CREDENTIALS };

/** A stand-in for `az`: a Node script (Node 22 is on PATH) that prints what `az account get-access-token` prints. */
function fakeAz(binDir: string, callLog: string): void {
  const script = `#!/usr/bin/env node
const fs = require("fs");
const https = require("https");
const args = process.argv.slice(2);
fs.appendFileSync(${JSON.stringify(callLog)}, JSON.stringify(args) + "\\n");
if (args[0] !== "account" || args[1] !== "get-access-token") {
  process.stderr.write("ERROR: the stand-in az knows only 'account get-access-token'\\n");
  process.exit(2);
}
const resource = args[args.indexOf("--resource") + 1];
const req = https.request(
  ${JSON.stringify(`${fx.emu.adminEndpoint}/tokens`)},
  { method: "POST", ca: fs.readFileSync(${JSON.stringify(fx.emu.caCertPath)}), headers: { "content-type": "application/json" } },
  (res) => {
    let body = "";
    res.on("data", (c) => (body += c));
    res.on("end", () => {
      const token = JSON.parse(body).access_token;
      const expires = Math.floor(Date.now() / 1000) + 3600;
      process.stdout.write(JSON.stringify({
        accessToken: token,
        expiresOn: new Date(expires * 1000).toISOString().replace("T", " ").slice(0, 19) + ".000000",
        expires_on: expires,
        subscription: "00000000-0000-0000-0000-000000000000",
        tenant: ${JSON.stringify(fx.emu.tenantId)},
        tokenType: "Bearer",
      }, null, 2));
    });
  },
);
req.end(JSON.stringify({ audience: resource, clientId: ${JSON.stringify(CLI_USER)} }));
`;
  const file = path.join(binDir, "az");
  fs.writeFileSync(file, script, { mode: 0o755 });
}

// DefaultAzureCredential tries managed identity before the Azure CLI. Its IMDS probe goes to the
// emulator's IMDS endpoint, on a host with no managed identity, so that it never leaves this
// machine (169.254.169.254 is no test host) and the chain goes on to the CLI.
const IMDS_VARIABLE = "AZURE_POD_IDENTITY_AUTHORITY_HOST";
const savedImds = process.env[IMDS_VARIABLE];

beforeAll(async () => {
  fx = await startFixture({ managedIdentity: { systemAssignedClientId: null, userAssignedClientIds: [] } });
  process.env[IMDS_VARIABLE] = fx.emu.info().managedIdentity.imdsEndpoint;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "login-az-"));
  fs.mkdirSync(path.join(dir, "bin"));
  fakeAz(path.join(dir, "bin"), path.join(dir, "calls.jsonl"));
  process.env.PATH = `${path.join(dir, "bin")}${path.delimiter}${process.env.PATH}`;
});
afterAll(async () => {
  if (savedImds === undefined) delete process.env[IMDS_VARIABLE];
  else process.env[IMDS_VARIABLE] = savedImds;
  process.env.PATH = saved.PATH;
  if (saved.AZURE_TOKEN_CREDENTIALS === undefined) delete process.env.AZURE_TOKEN_CREDENTIALS;
  else process.env.AZURE_TOKEN_CREDENTIALS = saved.AZURE_TOKEN_CREDENTIALS;
  await fx.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  fx.resetLog();
  fs.rmSync(path.join(dir, "calls.jsonl"), { force: true });
});

const NO_IDENTITY = {
  "azure-native:clientId": undefined,
  "azure-native:clientSecret": undefined,
  "azure-native:tenantId": undefined,
};
const calls = (): string[][] =>
  fs
    .readFileSync(path.join(dir, "calls.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as string[]);

test("AZURE_TOKEN_CREDENTIALS=AzureCliCredential: the az login's tokens, asked with --resource and --tenant", async () => {
  process.env.AZURE_TOKEN_CREDENTIALS = "AzureCliCredential";
  try {
    const transport = fx.transport({ ...NO_IDENTITY, "azure-native:tenantId": fx.emu.tenantId }, { env: {} });
    expect(transport.describeIdentity()).toMatch(/^DefaultAzureCredential \(/);
    expect(
      (await transport.arm({ method: "GET", path: CERTIFICATES_PATH, apiVersion: APIM_API })).status,
    ).toBe(200);
    const vault = await transport.keyVault(fx.emu.vaults.demo, {
      method: "GET",
      path: "/certificates",
      apiVersion: KV_API,
    });
    expect(vault.status).toBe(200);
    expect(calls()).toEqual([
      [
        "account",
        "get-access-token",
        "--output",
        "json",
        "--resource",
        "https://management.azure.com",
        "--tenant",
        fx.emu.tenantId,
      ],
      [
        "account",
        "get-access-token",
        "--output",
        "json",
        "--resource",
        "https://vault.azure.net",
        "--tenant",
        fx.emu.tenantId,
      ],
    ]);
    // The tokens the stand-in printed are the emulator's, for the CLI's user; Entra's token endpoint was not asked.
    expect(fx.requests("arm")[0]).toMatchObject({ status: 200, clientId: CLI_USER });
    expect(fx.requests("token")).toHaveLength(0);
    expect(transport.describeIdentity()).toContain(`app id ${CLI_USER}`);
  } finally {
    delete process.env.AZURE_TOKEN_CREDENTIALS;
  }
});

test("with nothing configured, DefaultAzureCredential's chain ends at the Azure CLI, as azure-native's fall-back does", async () => {
  const transport = fx.transport(NO_IDENTITY, { env: {} });
  expect((await transport.arm({ method: "GET", path: CERTIFICATES_PATH, apiVersion: APIM_API })).status).toBe(
    200,
  );
  expect(calls()[0].slice(0, 6)).toEqual([
    "account",
    "get-access-token",
    "--output",
    "json",
    "--resource",
    "https://management.azure.com",
  ]);
  expect(fx.requests("arm")[0].clientId).toBe(CLI_USER);
});
