/**
 * What a user reads when Azure keeps failing: the error's message, once, with no stack trace and
 * no install path. Run through the real CLI as a user's pipeline runs it, against emulator faults
 * that outlast the retries (`times: 100`): a token endpoint answering 500 and a read slower than
 * `azure-certs:requestTimeoutMs` during refresh, Key Vault throttling a policy GET (429) during
 * refresh, and API Management answering 503 to a DELETE during destroy. The whole output (stdout
 * and stderr) is searched.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CliProject } from "../harness/cli-project";
import { startEmulatedAzure, SUBSCRIPTION, type EmulatedAzure } from "../harness/emulated-azure";
import { makePfx } from "../harness/certs";
import { repoRoot } from "../harness/pulumi-cli";

const CERT_URN = "urn:pulumi:test::error-output::pulumi-nodejs:dynamic/azure-certs:ApimCertificate::client";
const serviceId = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apim1`;

let azure: EmulatedAzure;
let project: CliProject;
let dir: string;

const run = (...args: string[]) => project.attempt(...args);

/** What in `output` should not be there: stack frames, install paths, a message printed twice on one line. */
function noise(output: string): string[] {
  // The engine's own warning about the plugin this test machine puts on PATH is not the provider's.
  const lines = output
    .split("\n")
    .filter((l) => !l.includes("using pulumi-resource-pulumi-nodejs from $PATH"));
  return [
    ...lines.filter((l) => /^\s+at /.test(l)).map((l) => `stack frame: ${l.trim()}`),
    ...lines.filter((l) => l.includes("node_modules")).map((l) => `install path: ${l.trim()}`),
    ...lines
      .filter((l) => /(\w*Error): .*\1: /.test(l) || /(https:\/\/\S+).*\1.*\1/.test(l))
      .map((l) => `repeated: ${l.trim()}`),
  ];
}

beforeAll(async () => {
  azure = await startEmulatedAzure();
  await azure.createKeyVaultCertificate("errors-web");
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "pac-errors-"));
  const pfx = makePfx({ cn: "errors.contoso.com" });
  const pfxFile = path.join(dir, "client.pfx");
  fs.writeFileSync(pfxFile, Buffer.from(pfx.data, "base64"));
  const caseFile = path.join(dir, "case.json");
  fs.writeFileSync(
    caseFile,
    JSON.stringify({
      serviceId,
      pfxFile,
      password: pfx.password,
      vaultBaseUrl: azure.emu.vaults.demo,
      certificateName: "errors-web",
    }),
  );
  project = await CliProject.create(path.join(repoRoot, "test", "fixtures", "error-output-project"), {
    ...azure.env,
    ERROR_CASE_FILE: caseFile,
  });
  const config: Record<string, { value: string; secret?: boolean }> = {
    ...azure.config,
    // Small limits so that a persistent fault fails in well under a second per call.
    "azure-certs:maxRetries": { value: "1" },
    "azure-certs:retryDelayMs": { value: "10" },
    "azure-certs:maxRetryDelayMs": { value: "50" },
    "azure-certs:requestTimeoutMs": { value: "1500" },
  };
  await project.setConfig(config);
  // refresh and destroy run with the configuration of the last up.
  const up = await run("up", "--yes", "--skip-preview");
  expect(up).toMatchObject({ ok: true });
}, 180_000);
afterEach(() => azure.emu.admin.clearFaults());
afterAll(async () => {
  await project?.dispose();
  await azure?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe("a persistent failure prints its message alone", () => {
  it("500 from the token endpoint during refresh", async () => {
    azure.emu.admin.addFault({ listener: "token", kind: "status", status: 500, times: 100 });
    const { ok, output } = await run("refresh", "--yes", "--skip-preview", "--target", CERT_URN);
    expect(ok).toBe(false);
    // @azure/identity retries a 500 itself, with waits longer than this test's requestTimeoutMs:
    // the transport reports the token request as not answering in time.
    expect(output).toMatch(
      /Could not get an access token for \S+ to call GET https:\/\/\S+\/certificates\/client\b/,
    );
    expect(output).toMatch(/the token endpoint https:\/\/\S+ /);
    expect(output).toMatch(/\d+ attempts/);
    expect(noise(output)).toEqual([]);
  });

  it("an ARM read slower than azure-certs:requestTimeoutMs during refresh", async () => {
    azure.emu.admin.addFault({ listener: "arm", method: "GET", kind: "delay", delayMs: 4000, times: 100 });
    const { ok, output } = await run("refresh", "--yes", "--skip-preview");
    expect(ok).toBe(false);
    expect(output).toMatch(/GET https:\/\/\S+\/certificates\/client\b/);
    expect(output).toMatch(/requestTimeoutMs/);
    expect(output).toMatch(/\d+ attempts?/);
    expect(noise(output)).toEqual([]);
  });

  it("429 on a Key Vault policy GET during refresh", async () => {
    azure.emu.admin.addFault({
      listener: "demo",
      method: "GET",
      path: "/certificates/errors-web/policy",
      kind: "status",
      status: 429,
      retryAfterMs: 10,
      times: 100,
    });
    const { ok, output } = await run("refresh", "--yes", "--skip-preview");
    expect(ok).toBe(false);
    expect(output).toMatch(/GET https:\/\/\S+\/certificates\/errors-web\/policy\S* .*429/);
    expect(output).toMatch(/\d+ attempts/);
    expect(noise(output)).toEqual([]);
  });

  it("503 on an API Management DELETE during destroy", async () => {
    azure.emu.admin.addFault({ listener: "arm", method: "DELETE", kind: "status", status: 503, times: 100 });
    const { ok, output } = await run("destroy", "--yes", "--skip-preview");
    expect(ok).toBe(false);
    expect(output).toMatch(/DELETE https:\/\/\S+\/certificates\/client\S* .*503/);
    // The host's own line: the error's name and message, once.
    expect(output).toMatch(
      /^.*AzureRequestError: DELETE https:\/\/\S+ gave up after 2 attempts over [^:]+; the last answer was 503/m,
    );
    expect(output).toMatch(/\d+ attempts/);
    expect(noise(output)).toEqual([]);
  });
});
