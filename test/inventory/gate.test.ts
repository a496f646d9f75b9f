/**
 * The exit codes of `pulumi-azure-certs inventory` against the scenario's emulator: `--fail-within`
 * exits 1 exactly when a certificate is inside the window or failed its Key Vault fetch (checked
 * against the emulator's own records for many windows) and prints those first; a usage error
 * exits 2, a target that cannot be listed 3. Colour only on a terminal: never through a pipe, nor
 * with NO_COLOR or CI set.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { InventoryDocument } from "../../provider/inventory";
import { runInventory, runInventoryOnTerminal, requireBuild } from "./run";
import { PFX_DAYS, SERVICE, SERVICE_ID, VAULT, startScenario, type Scenario } from "./scenario";

const DAY = 86_400_000;
let scenario: Scenario;

beforeAll(async () => {
  requireBuild();
  scenario = await startScenario();
}, 120_000);

afterAll(() => scenario?.stop());

/** The ids the gate should name for `days`, from the emulator's records (not the command's). */
function expectedHits(days: number, listedAt: string): string[] {
  const limit = new Date(listedAt).getTime() + days * DAY;
  const ids: string[] = [];
  for (const id of scenario.apimIds) {
    const held = scenario.emu.admin.getApimCertificate({
      subscriptionId: SERVICE.subscriptionId,
      resourceGroup: SERVICE.resourceGroupName,
      serviceName: SERVICE.serviceName,
      certificateId: id,
    })!;
    const failed = held.keyVault !== undefined && held.keyVault.lastStatus.code !== "Success";
    if (failed || new Date(held.expirationDate).getTime() <= limit) ids.push(held.id);
  }
  for (const name of scenario.vaultNames) {
    const held = scenario.emu.admin.getKeyVaultCertificate(VAULT, name)!;
    if (new Date(held.notAfter).getTime() <= limit) ids.push(held.id);
  }
  return ids.sort();
}

describe("--fail-within", () => {
  it.each([0, 3, 4, 10, 11, 12, 13, 20, 21, 45, 46, 364, 365, 1000])(
    "%i days: exit 1 exactly when a certificate is inside the window or failed its fetch",
    async (days) => {
      const r = await runInventory(scenario, [
        "--apim", SERVICE_ID, "--vault", scenario.vaultUrl, "--fail-within", String(days), "--json",
      ]); // prettier-ignore
      const doc: InventoryDocument = JSON.parse(r.stdout);
      const expected = expectedHits(days, doc.listedAt);
      expect(doc.failWithin!.days).toBe(days);
      expect(doc.failWithin!.tripped.map((t) => t.id).sort()).toEqual(expected);
      expect(r.code).toBe(expected.length > 0 ? 1 : 0);
      // Always at least the failed fetch here: this service makes every window trip.
      expect(expected.length).toBeGreaterThan(0);
    },
  );

  it("exits 0 when nothing is inside the window: the vault's soonest certificate has 10.5 days", async () => {
    const outside = await runInventory(scenario, ["--vault", scenario.vaultUrl, "--fail-within", "10"]);
    expect(outside.code).toBe(0);
    expect(outside.stdout).toMatch(
      /^--fail-within 10: no certificate expires within 10 days or failed a Key Vault fetch\.$/m,
    );
    expect(outside.stdout).toMatch(/^DAYS /); // the table comes first: nothing to list before it

    const inside = await runInventory(scenario, ["--vault", scenario.vaultUrl, "--fail-within", "11"]);
    expect(inside.code).toBe(1);
    const lines = inside.stdout.split("\n");
    expect(lines[0]).toBe("1 certificate trips --fail-within 11:");
    expect(lines[1]).toMatch(
      /^ {2}Key Vault {2}localhost:\d+\/kv-soon {2}expires in 10 days \(\d{4}-\d\d-\d\d\)$/,
    );
    expect(lines[2]).toBe("");
    expect(lines[3]).toMatch(/^DAYS /);
    expect(inside.stdout).toMatch(/^--fail-within 11: 1 certificate trips the gate \(listed first\)\.$/m);
  });

  it("a failed Key Vault fetch trips any window, even 0 days; expired or soon ones are listed first, soonest first", async () => {
    const r = await runInventory(scenario, ["--apim", SERVICE_ID, "--fail-within", "0"]);
    expect(r.code).toBe(1);
    expect(r.stdout.split("\n").slice(0, 3)).toEqual([
      "1 certificate trips --fail-within 0:",
      "  APIM       inventory-apim/broken  API Management's last fetch from Key Vault failed (SecretDisabled)",
      "",
    ]);
    const four = await runInventory(scenario, [
      "--apim",
      SERVICE_ID,
      "--fail-within",
      String(Math.ceil(PFX_DAYS[0])),
    ]);
    expect(four.code).toBe(1);
    expect(four.stdout.split("\n").slice(0, 3)).toEqual([
      "2 certificates trip --fail-within 4:",
      expect.stringMatching(/^ {2}APIM {7}inventory-apim\/pfx-01 {2}expires in 3 days \(\d{4}-\d\d-\d\d\)$/),
      expect.stringMatching(/^ {2}APIM {7}inventory-apim\/broken {2}API Management's last fetch/),
    ]);
  });

  it("in JSON, the verdict comes first", async () => {
    const r = await runInventory(scenario, ["--vault", scenario.vaultUrl, "--fail-within", "30", "--json"]);
    expect(r.code).toBe(1);
    expect(Object.keys(JSON.parse(r.stdout))[0]).toBe("failWithin");
    expect(JSON.parse(r.stdout).failWithin.tripped).toEqual([
      {
        id: `${scenario.vaultUrl}/certificates/kv-soon`,
        reasons: [expect.stringMatching(/^expires in 10 days/)],
      },
    ]);
  });
});

describe("colour", () => {
  const ESC = "\x1b[";
  const args = () => ["--apim", SERVICE_ID, "--vault", scenario.vaultUrl, "--fail-within", "30"];

  it("none when stdout is not a terminal (a pipe, a CI log)", async () => {
    const r = await runInventory(scenario, args());
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/trip --fail-within 30/);
    expect(r.stdout).not.toContain(ESC);
    expect(r.stderr).not.toContain(ESC);
  });

  it("on a terminal: red for what trips the gate, yellow within 30 days, a bold header", async () => {
    const r = await runInventoryOnTerminal(scenario, args());
    expect(r.stdout).toContain(`${ESC}1mDAYS `);
    // ANSI codes built from ESC: eslint's no-control-regex refuses them in a regular expression literal.
    const painted = (code: number, rest: string) => new RegExp(`${ESC.replace("[", "\\[")}${code}m${rest}`);
    expect(r.stdout).toMatch(painted(31, " {2}APIM {7}inventory-apim/pfx-01 "));
    expect(r.stdout).toMatch(painted(31, " +3 {2}\\d{4}")); // the pfx-01 row of the table
    expect(r.stdout).not.toContain(`${ESC}33m`); // every row within 30 days trips the 30-day gate
    const yellow = await runInventoryOnTerminal(scenario, ["--apim", SERVICE_ID]);
    expect(yellow.stdout).toMatch(painted(33, " +3 {2}\\d{4}"));
  });

  it.each([
    ["NO_COLOR=1", { NO_COLOR: "1" }],
    ["CI=true", { CI: "true" }],
    ["TERM=dumb", { TERM: "dumb" }],
  ])("none on a terminal with %s", async (_name, env) => {
    const r = await runInventoryOnTerminal(scenario, args(), { env });
    expect(r.stdout).toMatch(/trip --fail-within 30/);
    expect(r.stdout).not.toContain(ESC);
  });
});

describe("exit codes 2 and 3", () => {
  it("--help lists the flags and the exit codes", async () => {
    const r = await runInventory(scenario, ["--help"], { settings: false });
    expect(r.code).toBe(0);
    for (const flag of [
      "--apim SERVICE",
      "--vault VAULT",
      "--json",
      "--fail-within DAYS",
      "--emit-program FILE",
      "--read-only-pfx",
      "--stack NAME",
      "--cwd DIR",
      "--config KEY=VALUE",
    ])
      // prettier-ignore
      expect(r.stdout).toContain(flag);
    expect(r.stdout).toMatch(
      /^Exit codes:\n {2}0 .+\n {2}1 .+\n {2}2 +usage error.+\n {2}3 .+could not be listed/m,
    );
  });

  it.each([
    [[], /give at least one --apim SERVICE or --vault VAULT/],
    [["--vault"], /--vault needs a value/],
    [["--vault", "demo", "--fail-within", "soon"], /--fail-within needs a whole number of days/],
    [["--vault", "demo", "--colour"], /unknown flag "--colour"/],
    [["--vault", "demo", "--emit-program", "adopt.js"], /name a \.ts file/],
    [["--vault", "demo", "--read-only-pfx"], /--read-only-pfx changes what --emit-program writes/],
    [["--apim", "just-a-name"], /--apim just-a-name: give the service's ARM id/],
    [
      ["--apim", "/subscriptions/x/resourceGroups/rg/providers/Microsoft.ApiManagement/service/s"],
      /--apim .*must be a subscription id \(a UUID\)/,
    ],
    [
      ["--vault", "https://vault.example.com"],
      /--vault https:\/\/vault\.example\.com: vaultBaseUrl must be a vault under vault\.azure\.net/,
    ],
    [["--vault", "demo", "--config", "azure-certs:logLevel=loud"], /azure-certs:logLevel must be one of/],
  ] as Array<[string[], RegExp]>)("%j: exit 2, saying why", async (args, message) => {
    const r = await runInventory(scenario, args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe("");
  });

  it("a certificate Key Vault refuses to show (403) is listed from the list, noted, and not declared", async () => {
    scenario.emu.admin.addFault({
      listener: VAULT,
      method: "GET",
      path: "^/certificates/kv-imported$",
      kind: "status",
      status: 403,
    });
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "pac-inventory-")), "adopt.ts");
    const r = await runInventory(scenario, ["--vault", scenario.vaultUrl, "--json", "--emit-program", file]);
    expect(r.code).toBe(0);
    const doc: InventoryDocument = JSON.parse(r.stdout);
    expect(doc.errors).toEqual([]);
    expect(doc.certificates).toHaveLength(12);
    const refused = doc.certificates.find((c) => c.keyVault?.certificateName === "kv-imported")!;
    const held = scenario.emu.admin.getKeyVaultCertificate(VAULT, "kv-imported")!;
    expect(refused.thumbprint).toBe(held.thumbprint);
    expect(refused.expirationDate).toBe(held.notAfter.replace(/\.\d{3}Z$/, "Z"));
    expect(refused.keyVault!.policy).toBeUndefined();
    expect(refused.notes[0]).toMatch(
      /^could not read the certificate and its policy: GET .+ failed with 403/,
    );
    const program = fs.readFileSync(file, "utf8");
    expect(program).toMatch(/^\/\/ localhost:\d+\/kv-imported: not declared, its policy could not be read/m);
    expect(program.match(/= new KeyVaultCertificatePolicy\(/g)).toHaveLength(11);
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  });

  it("a service that cannot be listed: exit 3, its error on stderr, the rest still listed", async () => {
    const gone = {
      subscriptionId: SERVICE.subscriptionId,
      resourceGroup: "gone-rg",
      serviceName: "gone-apim",
    };
    scenario.emu.admin.setApimServiceExists(gone, false);
    const goneId = `/subscriptions/${SERVICE.subscriptionId}/resourceGroups/gone-rg/providers/Microsoft.ApiManagement/service/gone-apim`;
    const r = await runInventory(scenario, ["--apim", goneId, "--vault", scenario.vaultUrl]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(
      new RegExp(`^Could not list ${goneId}: GET .+ failed with 404 .*ParentResourceNotFound`, "m"),
    );
    expect(r.stdout).toMatch(
      /^12 certificates: 0 in API Management \(0 services\), 12 in Key Vault \(1 vault\)/m,
    );
    // The gate's verdict wins when it trips: those certificates need attention whatever else failed.
    const gated = await runInventory(scenario, [
      "--apim",
      goneId,
      "--vault",
      scenario.vaultUrl,
      "--fail-within",
      "30",
    ]);
    expect(gated.code).toBe(1);
  });
});
