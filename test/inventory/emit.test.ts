/**
 * The program `--emit-program` writes, from an inventory of the scenario taken in this process
 * (the transport over real HTTPS to the emulator): what it declares for each kind of certificate,
 * both variants compiled against the package's types (as test/docs compiles the README), and the
 * cases the scenario does not hold (an expired PFX, a policy member this package's check refuses,
 * names that collide), from wire shapes given to the pure mappers.
 */
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import {
  adoptablePolicy,
  apimRecord,
  emitProgram,
  keyVaultRecord,
  linkRecords,
  parseVaultTarget,
  takeInventory,
  type EmittedProgram,
  type InventoryRecord,
} from "../../provider/inventory";
import { configFromRecord, createTransport } from "../../provider/transport";
import { repoRoot } from "../harness/pulumi-cli";
import { SERVICE, SERVICE_ID, startScenario, type Scenario } from "./scenario";

let scenario: Scenario;
let records: InventoryRecord[];

beforeAll(async () => {
  scenario = await startScenario();
  const emu = scenario.emu;
  const transport = createTransport(
    configFromRecord({
      "azure-certs:armEndpoint": emu.armEndpoint,
      "azure-certs:authorityHost": emu.authorityHost,
      "azure-certs:trustedVaultHosts": "localhost",
      "azure-native:clientId": emu.clientId,
      "azure-native:clientSecret": emu.clientSecret,
      "azure-native:tenantId": emu.tenantId,
    }),
    { env: {} },
  );
  const vault = parseVaultTarget(scenario.vaultUrl, transport.keyVaultHosts);
  const inventory = await takeInventory(transport, { apim: [SERVICE], vaults: [vault] });
  expect(inventory.errors).toEqual([]);
  records = inventory.records;
}, 120_000);

afterAll(() => scenario?.stop());

/** Type-checks modules against the package's types (`pulumi-azure-certs` → provider/index.ts). */
function compile(files: Record<string, string>): string[] {
  const configPath = path.join(repoRoot, "tsconfig.json");
  const { config } = ts.readConfigFile(configPath, ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, repoRoot, undefined, configPath);
  const options = { ...parsed.options, noEmit: true, declaration: false, sourceMap: false };
  const dir = path.join(repoRoot, "test", "inventory", "__emitted__");
  const sources = new Map(Object.entries(files).map(([name, text]) => [path.join(dir, name), text]));
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (file, version, onError, create) => {
    const text = sources.get(path.resolve(file));
    return text !== undefined
      ? ts.createSourceFile(file, text, version, true)
      : getSourceFile(file, version, onError, create);
  };
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (file) => sources.has(path.resolve(file)) || fileExists(file);
  const program = ts.createProgram([...sources.keys()], options, host);
  return [...sources.keys()].flatMap((file) => {
    const sf = program.getSourceFile(file)!;
    return [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)].map(
      (d) =>
        `${path.basename(file)}:${sf.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, " ")}`,
    );
  });
}

/** The declaration of one Pulumi name, up to its closing line. */
function declaration(program: EmittedProgram, name: string): string {
  const lines = program.source.split("\n");
  const start = lines.findIndex((l) => l.includes(`("${name}"`) && l.startsWith("export const"));
  if (start < 0) throw new Error(`no declaration of ${name}`);
  const end = lines.findIndex((l, i) => i >= start && (l === "});" || l.endsWith(");")));
  return lines.slice(start, end + 1).join("\n");
}

describe("the program for the scenario", () => {
  let managed: EmittedProgram;
  let readOnly: EmittedProgram;

  beforeAll(() => {
    managed = emitProgram(records);
    readOnly = emitProgram(records, { readOnlyPfx: true });
  });

  it("both variants compile against the package's types", () => {
    expect(compile({ "managed.ts": managed.source, "read-only.ts": readOnly.source })).toEqual([]);
  }, 60_000);

  it("PFX uploads ask for their PFX and password as config secrets, and adopt with importExisting", () => {
    expect(managed.counts).toEqual({ apimManaged: 24, apimReadOnly: 1, policies: 12 });
    expect(managed.pfxSecrets).toHaveLength(17);
    expect(managed.pfxSecrets[0]).toEqual({
      certificate: "inventory-apim/pfx-01",
      dataKey: "inventoryApimPfx01Pfx",
      passwordKey: "inventoryApimPfx01PfxPassword",
    });
    expect(declaration(managed, "inventory-apim-pfx-01")).toBe(
      [
        'export const inventoryApimPfx01Cert = new ApimCertificate("inventory-apim-pfx-01", {',
        `  serviceId: "${SERVICE_ID}",`,
        '  certificateId: "pfx-01",',
        '  data: config.requireSecret("inventoryApimPfx01Pfx"),',
        '  password: config.requireSecret("inventoryApimPfx01PfxPassword"),',
        "  importExisting: true,",
        "});",
      ].join("\n"),
    );
    expect(managed.source).toMatch(
      /^\/\/ {3}base64 < pfx-01\.pfx \| tr -d '\\n' \| pulumi config set --secret inventoryApimPfx01Pfx$/m,
    );
  });

  it("with --read-only-pfx, PFX uploads are read with ApimCertificate.get and no config is asked for", () => {
    expect(readOnly.counts).toEqual({ apimManaged: 7, apimReadOnly: 18, policies: 12 });
    expect(readOnly.pfxSecrets).toEqual([]);
    expect(readOnly.source).not.toContain("requireSecret");
    expect(readOnly.source).not.toContain("@pulumi/pulumi");
    expect(declaration(readOnly, "inventory-apim-pfx-01")).toBe(
      `export const inventoryApimPfx01Cert = ApimCertificate.get("inventory-apim-pfx-01", "${SERVICE_ID}/certificates/pfx-01");`,
    );
  });

  it("a Key Vault source follows its policy's version; a pinned one does not; a failed fetch is only read", () => {
    const policy = (name: string) => records.find((r) => r.keyVault?.certificateName === name)!;
    expect(declaration(managed, "inventory-apim-gateway-backup")).toBe(
      [
        'export const inventoryApimGatewayBackupCert = new ApimCertificate("inventory-apim-gateway-backup", {',
        `  serviceId: "${SERVICE_ID}",`,
        '  certificateId: "gateway-backup",',
        "  keyVault: {",
        `    secretIdentifier: "${scenario.vaultUrl}/secrets/kv-gateway",`,
        '    identityClientId: "77777777-7777-7777-7777-777777777777",',
        "  },",
        "  // A new version in Key Vault (seen by `pulumi up --refresh`) makes API Management fetch it in the same up.",
        `  refreshTrigger: ${policyVariable(policy("kv-gateway"))}.version,`,
        "  importExisting: true,",
        "});",
      ].join("\n"),
    );
    const pinned = declaration(managed, "inventory-apim-pinned");
    expect(pinned).toContain(
      `secretIdentifier: "${scenario.vaultUrl}/secrets/kv-pinned/${scenario.pinnedVersion}"`,
    );
    expect(pinned).not.toContain("refreshTrigger");
    expect(managed.source).toContain(
      `// Pinned to version ${scenario.pinnedVersion}: API Management does not follow renewals`,
    );
    expect(declaration(managed, "inventory-apim-broken")).toBe(
      `export const inventoryApimBrokenCert = ApimCertificate.get("inventory-apim-broken", "${SERVICE_ID}/certificates/broken");`,
    );
    expect(managed.source).toMatch(
      /API Management's last fetch from Key Vault failed \(SecretDisabled\): managing it now/,
    );
    // The managed declaration is there, commented out, to use once the fetch works.
    expect(managed.source).toContain(
      '// export const inventoryApimBrokenCert = new ApimCertificate("inventory-apim-broken", {',
    );
  });

  it("each policy declares its members as Key Vault holds them, without importExisting", () => {
    for (const r of records.filter((x) => x.keyVault)) {
      const text = declaration(managed, policyName(r));
      expect(text).toContain(`vaultBaseUrl: "${r.keyVault!.vaultBaseUrl}",`);
      expect(text).toContain(`certificateName: "${r.keyVault!.certificateName}",`);
      expect(text).not.toContain("importExisting");
      // The object literal, read back, is the policy.
      const literal = text.slice(text.indexOf("{"), text.lastIndexOf("}") + 1);
      const value = Function(`"use strict"; return (${literal});`)() as Record<string, unknown>;
      const { vaultBaseUrl: _v, certificateName: _c, ...policy } = value;
      expect(policy).toEqual(r.keyVault!.policy);
    }
  });
});

const policyName = (r: InventoryRecord) =>
  `${new URL(r.keyVault!.vaultBaseUrl).host.replace(/[^a-z0-9]+/g, "-")}-${r.keyVault!.certificateName}`;
const policyVariable = (r: InventoryRecord) =>
  `${policyName(r).replace(/-(\w)/g, (_m, c: string) => c.toUpperCase())}Policy`;

describe("cases the scenario does not hold", () => {
  const now = new Date();
  const contract = (id: string, expires: Date, service = "contoso-apim") => ({
    id: `/subscriptions/${SERVICE.subscriptionId}/resourceGroups/rg/providers/Microsoft.ApiManagement/service/${service}/certificates/${id}`,
    type: "Microsoft.ApiManagement/service/certificates",
    name: id,
    properties: { subject: `CN=${id}`, thumbprint: "AB".repeat(20), expirationDate: expires.toISOString() },
  });

  it("an expired PFX is only read: ApimCertificate does not upload one", () => {
    const expired = apimRecord(contract("old", new Date(now.getTime() - 2.5 * 86_400_000)), now);
    expect(expired.daysLeft).toBe(-3);
    const p = emitProgram([expired]);
    expect(p.counts).toEqual({ apimManaged: 0, apimReadOnly: 1, policies: 0 });
    expect(p.source).toMatch(/\/\/ Expired: ApimCertificate does not upload an expired PFX/);
    expect(p.source).toContain('export const contosoApimOldCert = ApimCertificate.get("contoso-apim-old", ');
    expect(compile({ "expired.ts": p.source })).toEqual([]);
  }, 60_000);

  it("a policy member this package's check refuses stays unmanaged, and the comment says which", () => {
    const policy = {
      keyProperties: { keyType: "RSA" as const, keySize: 1024 },
      x509Properties: { subject: "CN=x", validityInMonths: 12 },
      lifetimeActions: [{ action: "AutoRenew" as const, lifetimePercentage: 80 }],
    };
    const { policy: kept, leftOut } = adoptablePolicy("https://contoso-kv.vault.azure.net", "x", policy);
    expect(kept).toEqual({
      keyProperties: { keyType: "RSA" },
      x509Properties: { subject: "CN=x", validityInMonths: 12 },
      lifetimeActions: [{ action: "AutoRenew", lifetimePercentage: 80 }],
    });
    expect(leftOut).toEqual([
      expect.stringMatching(/^keyProperties\.keySize \(must be one of 2048, 3072, 4096/),
    ]);

    const record = keyVaultRecord(
      {
        item: { id: "https://contoso-kv.vault.azure.net/certificates/x" },
        bundle: {
          id: "https://contoso-kv.vault.azure.net/certificates/x/0123",
          policy: { key_props: { kty: "RSA", key_size: 1024 }, x509_props: { subject: "CN=x" } },
        },
      },
      now,
    );
    const p = emitProgram([record]);
    expect(p.source).toMatch(
      /\/\/ Not managed \(this package's check refuses Key Vault's value\): keyProperties\.keySize/,
    );
    expect(declaration(p, "contoso-kv-x")).not.toContain("keySize");
    expect(record.notes).toEqual(["no issued version yet (pending)"]);
  });

  it("names that collide once sanitised get a short hash of the id; the program compiles", () => {
    const in90 = new Date(now.getTime() + 90 * 86_400_000);
    // web-tls and "web tls" make the same Pulumi name; web.tls and web-tls the same variable.
    const certs = ["web-tls", "web tls", "web.tls"].map((id) => apimRecord(contract(id, in90), now));
    const p = emitProgram(linkRecords(certs));
    const names = [...p.source.matchAll(/new ApimCertificate\("([^"]+)"/g)].map((m) => m[1]);
    expect(names).toHaveLength(3);
    expect(new Set(names).size).toBe(3);
    expect(names).toEqual(expect.arrayContaining(["contoso-apim-web-tls", "contoso-apim-web.tls"]));
    const variables = [...p.source.matchAll(/^export const (\w+) =/gm)].map((m) => m[1]);
    expect(new Set(variables).size).toBe(3);
    expect(new Set(p.pfxSecrets.map((s) => s.dataKey)).size).toBe(3);
    expect(compile({ "collide.ts": p.source })).toEqual([]);
  }, 60_000);

  it("never writes anything it was not given: no PFX, password or secret value exists to write", () => {
    const p = emitProgram(records);
    for (const pfx of Object.values(scenario.pfx)) {
      expect(p.source).not.toContain(pfx.password);
      expect(p.source).not.toContain(pfx.data.slice(0, 64));
    }
    expect(p.source).not.toContain(scenario.emu.clientSecret);
    fs.rmSync(path.join(repoRoot, "test", "inventory", "__emitted__"), { recursive: true, force: true });
  });
});
