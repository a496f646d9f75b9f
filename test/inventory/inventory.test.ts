/**
 * `pulumi-azure-certs inventory` against the emulator holding the scenario of issue #16 (25 API
 * Management certificates over three pages, 12 Key Vault certificates over three): what it asks
 * Azure (GETs only, every page), and the JSON and the table, compared with the emulator's own
 * records (its admin API, not the REST answers the command read).
 */
import type { InventoryDocument, InventoryRecord } from "../../provider/inventory";
import { runInventory, requireBuild, type BinResult } from "./run";
import { KV_SOON_DAYS, PFX_DAYS, SERVICE, SERVICE_ID, VAULT, startScenario, type Scenario } from "./scenario";

let scenario: Scenario;
let json: BinResult;
let doc: InventoryDocument;
let table: BinResult;
let requests: ReturnType<Scenario["emu"]["admin"]["requests"]>;

beforeAll(async () => {
  requireBuild();
  scenario = await startScenario();
  scenario.emu.admin.clearRequests();
  json = await runInventory(scenario, ["--apim", SERVICE_ID, "--vault", scenario.vaultUrl, "--json"]);
  requests = scenario.emu.admin.requests();
  doc = JSON.parse(json.stdout);
  table = await runInventory(scenario, [
    "--apim",
    `${SERVICE.resourceGroupName}/${SERVICE.serviceName}`, // the subscription from ARM_SUBSCRIPTION_ID
    "--vault",
    scenario.vaultUrl,
  ]);
}, 120_000);

afterAll(() => scenario?.stop());

const iso = (s: string) => new Date(s).toISOString().replace(/\.\d{3}Z$/, "Z");
const byName = (kind: string) =>
  new Map(
    doc.certificates
      .filter((r) => r.kind === kind)
      .map((r) => [r.kind === "apim" ? r.apim!.certificateId : r.keyVault!.certificateName, r]),
  );

describe("listing", () => {
  it("exits 0 and says what it listed on stderr", () => {
    expect(json.code).toBe(0);
    expect(json.stderr).toMatch(/^Listing 1 API Management service and 1 Key Vault\.\.\.$/m);
    expect(json.stderr).toContain(`${SERVICE_ID}: page 3, 25 certificates so far`);
    expect(json.stderr).toContain(`${scenario.vaultUrl}: page 3, 12 certificates so far`);
    expect(doc.errors).toEqual([]);
  });

  it("follows nextLink through every page, and only reads", () => {
    const calls = requests.filter((r) => r.listener !== "token");
    expect(calls.filter((r) => r.method !== "GET")).toEqual([]);
    const armLists = calls.filter((r) => r.listener === "arm" && r.route === "apim.certificate.list");
    expect(armLists).toHaveLength(3);
    // The first request to a vault goes without a token, for its challenge (401), as the SDK does.
    const vaultLists = calls.filter((r) => r.listener === VAULT && r.route === "kv.certificate.list");
    expect(vaultLists.map((r) => r.status)).toEqual([401, 200, 200, 200]);
    // One GET of each Key Vault certificate (its bundle carries the policy).
    expect(calls.filter((r) => r.route === "kv.certificate.get")).toHaveLength(12);
  });

  it("lists each certificate once: 25 in API Management, 12 in Key Vault", () => {
    expect([...byName("apim").keys()].sort()).toEqual([...scenario.apimIds].sort());
    expect([...byName("keyVault").keys()].sort()).toEqual([...scenario.vaultNames].sort());
    expect(doc.certificates).toHaveLength(37);
    expect(new Set(doc.certificates.map((r) => r.id)).size).toBe(37);
  });
});

describe("the JSON, compared with the emulator's records", () => {
  it("API Management: thumbprint, subject, expiry, source and last status as the service holds them", () => {
    for (const [id, r] of byName("apim")) {
      const held = scenario.emu.admin.getApimCertificate({
        subscriptionId: SERVICE.subscriptionId,
        resourceGroup: SERVICE.resourceGroupName,
        serviceName: SERVICE.serviceName,
        certificateId: id,
      })!;
      expect(r.id).toBe(held.id);
      expect(r.thumbprint).toBe(held.thumbprint.toUpperCase());
      expect(r.subject).toBe(held.subject);
      expect(r.expirationDate).toBe(iso(held.expirationDate));
      expect(r.apim!.source.type).toBe(held.keyVault ? "keyVault" : "pfx");
      if (held.keyVault) {
        expect(r.apim!.source.secretIdentifier).toBe(held.keyVault.secretIdentifier);
        expect(r.apim!.source.identityClientId).toBe(held.keyVault.identityClientId ?? undefined);
        expect(r.apim!.source.lastStatus?.code).toBe(held.keyVault.lastStatus.code);
        expect(r.apim!.source.fetchFailed).toBe(held.keyVault.lastStatus.code !== "Success");
      }
    }
  });

  it("days left count from the listing's time", () => {
    const listed = new Date(doc.listedAt).getTime();
    for (const r of doc.certificates) {
      expect(r.daysLeft).toBe(Math.floor((new Date(r.expirationDate!).getTime() - listed) / 86_400_000));
    }
    expect(byName("apim").get("pfx-01")!.daysLeft).toBe(Math.floor(PFX_DAYS[0]));
    expect(byName("keyVault").get("kv-soon")!.daysLeft).toBe(Math.floor(KV_SOON_DAYS));
  });

  it("Key Vault: current version, thumbprint, subject, expiry and the policy as the vault holds it", () => {
    for (const [name, r] of byName("keyVault")) {
      const held = scenario.emu.admin.getKeyVaultCertificate(VAULT, name)!;
      expect(r.id).toBe(held.id);
      expect(r.thumbprint).toBe(held.thumbprint);
      expect(r.subject).toBe(held.subject);
      expect(r.expirationDate).toBe(iso(held.notAfter));
      expect(r.keyVault!.version).toBe(held.latestVersion);
      expect(r.keyVault!.policy).toEqual(publicPolicy(held.policy as WirePolicy));
      expect(r.keyVault!.issuer).toBe((held.policy as WirePolicy).issuer?.name);
    }
    expect(byName("keyVault").get("kv-broken")!.keyVault!.enabled).toBe(false);
    expect(byName("keyVault").get("kv-gateway")!.keyVault!.enabled).toBe(true);
  });

  it("the policy summary: the lifetime action and when it triggers for the current version", () => {
    const gateway = byName("keyVault").get("kv-gateway")!;
    expect(gateway.keyVault!.renewal).toEqual({
      action: "AutoRenew",
      daysBeforeExpiry: 30,
      at: iso(new Date(new Date(gateway.expirationDate!).getTime() - 30 * 86_400_000).toISOString()),
    });
    const api = byName("keyVault").get("kv-api")!;
    const start = new Date(api.notBefore!).getTime();
    const end = new Date(api.expirationDate!).getTime();
    expect(api.keyVault!.renewal).toEqual({
      action: "AutoRenew",
      lifetimePercentage: 80,
      at: iso(new Date(start + (end - start) * 0.8).toISOString()),
    });
    expect(byName("keyVault").get("kv-email")!.keyVault!.renewal?.action).toBe("EmailContacts");
    expect(byName("keyVault").get("kv-no-renew")!.keyVault!.renewal).toBeUndefined();
  });

  it("links each API Management certificate to the Key Vault certificate it reads, both ways", () => {
    const apim = byName("apim");
    const kv = byName("keyVault");
    const reads: Record<string, string> = {
      gateway: "kv-gateway",
      "gateway-backup": "kv-gateway",
      portal: "kv-portal",
      api: "kv-api",
      mtls: "kv-mtls",
      "soon-from-kv": "kv-soon",
      pinned: "kv-pinned",
      broken: "kv-broken",
    };
    for (const [id, r] of apim) {
      const target = reads[id];
      expect(r.apim!.source.keyVaultCertificate).toBe(target ? kv.get(target)!.id : undefined);
    }
    expect(kv.get("kv-gateway")!.keyVault!.readBy.sort()).toEqual(
      [apim.get("gateway")!.id, apim.get("gateway-backup")!.id].sort(),
    );
    expect(kv.get("kv-imported")!.keyVault!.readBy).toEqual([]);
  });

  it("names the versioned secret (and that a renewal has left it behind) and the failed fetch", () => {
    const pinned = byName("apim").get("pinned")!;
    expect(pinned.apim!.source.pinnedVersion).toBe(scenario.pinnedVersion);
    const current = scenario.emu.admin.getKeyVaultCertificate(VAULT, "kv-pinned")!.latestVersion;
    expect(current).not.toBe(scenario.pinnedVersion);
    expect(pinned.notes).toEqual([
      `reads version ${scenario.pinnedVersion} of its secret: it does not follow renewals`,
      `the pinned version is not Key Vault's current one (${current})`,
    ]);
    const broken = byName("apim").get("broken")!;
    expect(broken.apim!.source.fetchFailed).toBe(true);
    expect(broken.notes.join(" ")).toMatch(/last fetch from Key Vault failed \(SecretDisabled: /);
    expect(doc.certificates.filter((r) => r.apim?.source.fetchFailed).map((r) => r.displayName)).toEqual([
      "inventory-apim/broken",
    ]);
  });

  it("is sorted by expiry, soonest first", () => {
    const times = doc.certificates.map((r) => new Date(r.expirationDate!).getTime());
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(doc.certificates[0].displayName).toBe("inventory-apim/pfx-01");
    expect(doc.failWithin).toBeNull();
  });
});

describe("the table", () => {
  let lines: string[];
  beforeAll(() => {
    lines = table.stdout.split("\n");
  });

  it("has a header, then one row per certificate in the JSON's order, with days, date and thumbprint", () => {
    expect(table.code).toBe(0);
    const header = lines.findIndex((l) => /^DAYS {2}EXPIRES {5}KIND/.test(l));
    expect(header).toBe(0);
    const rows = lines.slice(1, 38);
    expect(rows).toHaveLength(37);
    expect(lines[38]).toBe("");
    rows.forEach((row, i) => {
      const r: InventoryRecord = doc.certificates[i];
      const cells = row.trim().split(/\s{2,}/);
      expect(cells[0]).toBe(String(r.daysLeft));
      expect(cells[1]).toBe(r.expirationDate!.slice(0, 10));
      expect(cells[2]).toBe(r.kind === "apim" ? "APIM" : "Key Vault");
      expect(cells[3]).toBe(r.displayName);
      expect(cells[4]).toBe(r.subject);
      expect(cells[5]).toBe(r.thumbprint);
    });
  });

  it("shows the source (PFX, Key Vault secret) or the policy in brief, and the notes", () => {
    const row = (name: string) => lines.find((l) => l.includes(` ${name} `))!;
    expect(row("inventory-apim/pfx-05")).toMatch(/ PFX upload$/);
    expect(row("inventory-apim/gateway")).toMatch(/ Key Vault localhost:\d+\/kv-gateway$/);
    expect(row("inventory-apim/pinned")).toMatch(
      new RegExp(`Key Vault localhost:\\d+/kv-pinned/${scenario.pinnedVersion.slice(0, 8)}… +reads version`),
    );
    expect(row("inventory-apim/broken")).toMatch(
      /\(fetch failed\) +API Management's last fetch from Key Vault failed/,
    );
    const gateway = lines.find((l) => /\/kv-gateway {2}/.test(l) && l.includes("Key Vault  "))!;
    expect(gateway).toMatch(
      /auto-renew 30 days before expiry \(\d{4}-\d\d-\d\d\), issuer Self +read by 2 API Management certificates$/,
    );
    expect(lines.find((l) => l.includes("/kv-no-renew "))).toMatch(/no lifetime action, issuer Self/);
    expect(lines.find((l) => l.includes("/kv-broken ") && l.includes("Key Vault  "))).toMatch(
      /its current version is disabled; read by 1/,
    );
  });

  it("ends with a summary", () => {
    expect(table.stdout).toMatch(
      /^37 certificates: 25 in API Management \(1 service\), 12 in Key Vault \(1 vault\); listed \d{4}-\d\d-\d\dT[\d:]+Z\.$/m,
    );
    expect(table.stdout).toMatch(
      /^5 certificates expire within 30 days; 1 failed the last Key Vault fetch; 1 reads a versioned secret\.$/m,
    );
    expect(table.stdout).not.toMatch(/fail-within/);
  });
});

// An independent reading of the wire policy (Key Vault REST names → the Azure SDK's), the oracle.
interface WirePolicy {
  key_props?: { kty?: string; key_size?: number; crv?: string; exportable?: boolean; reuse_key?: boolean };
  secret_props?: { contentType?: string };
  x509_props?: {
    subject?: string;
    ekus?: string[];
    key_usage?: string[];
    validity_months?: number;
    sans?: { dns_names?: string[]; emails?: string[]; upns?: string[] };
  };
  lifetime_actions?: Array<{
    trigger?: { lifetime_percentage?: number; days_before_expiry?: number };
    action?: { action_type?: string };
  }>;
  issuer?: { name?: string; cty?: string; cert_transparency?: boolean };
  attributes?: { enabled?: boolean };
}

function publicPolicy(w: WirePolicy): Record<string, unknown> {
  const defined = (o: Record<string, unknown>) => {
    const out = Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
    return Object.keys(out).length > 0 ? out : undefined;
  };
  const k = w.key_props ?? {};
  const x = w.x509_props ?? {};
  const sans =
    x.sans && defined({ dnsNames: x.sans.dns_names, emails: x.sans.emails, userPrincipalNames: x.sans.upns });
  return defined({
    keyProperties: defined({
      exportable: k.exportable,
      keyType: k.kty,
      keySize: k.key_size,
      reuseKey: k.reuse_key,
      keyCurveName: k.crv,
    }),
    secretProperties: defined({ contentType: w.secret_props?.contentType }),
    x509Properties: defined({
      subject: x.subject,
      enhancedKeyUsage: x.ekus,
      subjectAlternativeNames: sans,
      keyUsage: x.key_usage,
      validityInMonths: x.validity_months,
    }),
    lifetimeActions: w.lifetime_actions?.map((a) =>
      defined({
        action: a.action?.action_type,
        lifetimePercentage: a.trigger?.lifetime_percentage,
        daysBeforeExpiry: a.trigger?.days_before_expiry,
      }),
    ),
    issuer: defined({
      name: w.issuer?.name,
      certificateType: w.issuer?.cty,
      certificateTransparency: w.issuer?.cert_transparency,
    }),
    // Key Vault reports a policy's attributes even when none were set: enabled, by default.
    attributes: defined({ enabled: w.attributes?.enabled ?? true }),
  })!;
}
