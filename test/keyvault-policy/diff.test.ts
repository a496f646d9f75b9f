import { DEFAULT_KEY_VAULT_API_VERSION } from "../../provider/keyvault-policy/types";
import { UNKNOWN } from "../../provider/dynamic/unknown";
import { compareInputs, diffInputs } from "../../provider/keyvault-policy/diff";
import { POLICY_MEMBERS, memberName } from "../../provider/keyvault-policy/members";
import { managedView, toPublicPolicy, toWirePolicyPatch } from "../../provider/keyvault-policy/mappers";
import { GROUP_MEMBERS } from "../../provider/keyvault-policy/schema";
import { checkInputs } from "../../provider/keyvault-policy/validate";

type Raw = Record<string, unknown>;

// Old outputs as the CRUD code stores them: the checked inputs plus outputs and the provider.
const checked = (news: Raw): Raw => {
  const { inputs, failures } = checkInputs(news);
  expect(failures).toEqual([]);
  return inputs as unknown as Raw;
};
const base = checked({
  vaultName: "myvault",
  certificateName: "updateCert01",
  keyProperties: { keyType: "RSA", keySize: 2048 },
  x509Properties: {
    subject: "CN=contoso.com, O=Contoso",
    subjectAlternativeNames: { dnsNames: ["a.contoso.com", "b.contoso.com"] },
    enhancedKeyUsage: ["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"],
    keyUsage: ["digitalSignature", "keyEncipherment"],
    validityInMonths: 12,
  },
  lifetimeActions: [{ action: "EmailContacts", daysBeforeExpiry: 30 }],
});
const olds: Raw = {
  ...base,
  __provider: "serialized",
  effectivePolicy: { keyProperties: { keyType: "RSA", keySize: 2048, exportable: true } },
  thumbprint: "7CB8B7539D87BA7215357B9B9049DFF2D3FA59BA",
  version: "v1",
};
const withChange = (change: (n: Raw) => void): Raw => {
  const n = JSON.parse(JSON.stringify(base)) as Raw;
  change(n);
  return n;
};
const x509 = (n: Raw) => n.x509Properties as Raw;

describe("KeyVaultCertificatePolicy diff: no change", () => {
  it("reports no change, explicitly, when nothing the user manages changed (outputs and provider ignored)", () => {
    expect(diffInputs(olds, { ...base, __provider: "another build of the provider" })).toEqual({
      changes: false,
      replaces: [],
      deleteBeforeReplace: false,
    });
  });

  it("ignores the order of lists Key Vault treats as sets, and the case of DNS names", () => {
    const n = withChange((n) => {
      x509(n).keyUsage = ["keyEncipherment", "digitalSignature"];
      x509(n).enhancedKeyUsage = ["1.3.6.1.5.5.7.3.2", "1.3.6.1.5.5.7.3.1"];
      x509(n).subjectAlternativeNames = { dnsNames: ["B.contoso.com", "a.contoso.com"] };
    });
    expect(diffInputs(olds, n).changes).toBe(false);
  });

  it("compares subjects as names: spacing, keyword case and aliases do not matter", () => {
    const n = withChange((n) => (x509(n).subject = "cn=contoso.com,o=Contoso"));
    expect(diffInputs(olds, n).changes).toBe(false);
  });

  it("takes a missing apiVersion, restoreOnDelete or importExisting as their defaults", () => {
    const { apiVersion: _a, restoreOnDelete: _r, importExisting: _i, ...bare } = base;
    expect(diffInputs(olds, bare).changes).toBe(false);
    expect(
      diffInputs(bare, {
        ...bare,
        apiVersion: DEFAULT_KEY_VAULT_API_VERSION,
        restoreOnDelete: false,
        importExisting: false,
      }).changes,
    ).toBe(false);
  });

  it("shows no apiVersion change when the program leaves it unset, whatever version the state recorded", () => {
    // A stack written when the default was 7.4, after an upgrade to a release with another default.
    const { apiVersion: _a, ...unset } = base;
    expect(diffInputs({ ...olds, apiVersion: "7.4" }, unset).changes).toBe(false);
    expect(diffInputs({ ...olds, apiVersion: "7.4" }, { ...unset, apiVersion: "7.6" }).changes).toBe(true);
  });

  it("sees no drift in a refreshed state built from Key Vault's answer with the managed view", () => {
    // What read does: Key Vault's policy (with its defaults) narrowed to what the user manages.
    const wire = {
      ...toWirePolicyPatch(base),
      key_props: { kty: "RSA", key_size: 2048, exportable: true, reuse_key: false },
      secret_props: { contentType: "application/x-pkcs12" },
      issuer: { name: "Self" },
      attributes: { enabled: true, created: 1, updated: 2 },
    };
    const refreshed = { ...base, ...managedView(toPublicPolicy(wire), base) };
    expect(diffInputs(refreshed, base).changes).toBe(false);
  });
});

describe("KeyVaultCertificatePolicy diff: updates", () => {
  it.each<[string, (n: Raw) => void, string[]]>([
    ["a key size", (n) => ((n.keyProperties as Raw).keySize = 4096), ["keyProperties.keySize"]],
    [
      "the subject's value",
      (n) => (x509(n).subject = "CN=contoso.com, O=Fabrikam"),
      ["x509Properties.subject"],
    ],
    [
      "the order of RDNs in the subject",
      (n) => (x509(n).subject = "O=Contoso, CN=contoso.com"),
      ["x509Properties.subject"],
    ],
    [
      "a key usage added",
      (n) => (x509(n).keyUsage = ["digitalSignature", "keyEncipherment", "nonRepudiation"]),
      ["x509Properties.keyUsage"],
    ],
    [
      "a DNS name replaced",
      (n) => (x509(n).subjectAlternativeNames = { dnsNames: ["a.contoso.com", "c.contoso.com"] }),
      ["x509Properties.subjectAlternativeNames.dnsNames"],
    ],
    [
      "a lifetime action's type",
      (n) => (n.lifetimeActions = [{ action: "AutoRenew", daysBeforeExpiry: 30 }]),
      ["lifetimeActions"],
    ],
    [
      "a lifetime trigger",
      (n) => (n.lifetimeActions = [{ action: "AutoRenew", lifetimePercentage: 90 }]),
      ["lifetimeActions"],
    ],
    ["all lifetime actions removed (auto-renew off)", (n) => (n.lifetimeActions = []), ["lifetimeActions"]],
    ["a member newly managed", (n) => (n.issuer = { name: "Self" }), ["issuer.name"]],
    [
      "the API version (no Key Vault call beyond reading outputs)",
      (n) => (n.apiVersion = "7.6"),
      ["apiVersion"],
    ],
    ["restoreOnDelete (no Key Vault call)", (n) => (n.restoreOnDelete = true), ["restoreOnDelete"]],
    [
      "importExisting (no Key Vault call: it only matters at create; never a replace)",
      (n) => (n.importExisting = true),
      ["importExisting"],
    ],
    [
      "the certificate name's case only (Key Vault names ignore case: the same certificate)",
      (n) => (n.certificateName = "UPDATECERT01"),
      ["certificateName"],
    ],
    ["the same vault given by URL instead of by name", (n) => delete n.vaultName, ["vaultName"]],
  ])("%s", (_name, change, updates) => {
    const n = withChange(change);
    expect(compareInputs(olds, n)).toEqual({ replaces: [], updates });
    expect(diffInputs(olds, n)).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
  });

  it("reports a member set before and unset now as an update that stops managing it, with nothing to PATCH for it", () => {
    const n = withChange((n) => {
      delete (n.keyProperties as Raw).keySize;
      delete x509(n).keyUsage;
    });
    expect(compareInputs(olds, n)).toEqual({
      replaces: [],
      updates: ["keyProperties.keySize", "x509Properties.keyUsage"],
    });
    const patch = toWirePolicyPatch(n);
    expect(patch.key_props).toEqual({ kty: "RSA" });
    expect(patch.x509_props).not.toHaveProperty("key_usage");
  });

  it("reports a value unknown during a preview as a change", () => {
    const n = withChange((n) => {
      (n.keyProperties as Raw).keySize = UNKNOWN;
      x509(n).keyUsage = ["digitalSignature", UNKNOWN];
      n.issuer = UNKNOWN;
    });
    expect(compareInputs(olds, n).updates).toEqual([
      "keyProperties.keySize",
      "x509Properties.keyUsage",
      "issuer.name",
      "issuer.certificateType",
      "issuer.certificateTransparency",
    ]);
  });
});

describe("KeyVaultCertificatePolicy diff: replacements", () => {
  it("replaces for another vault, named either way", () => {
    const byName = checked({ vaultName: "othervault", certificateName: "updateCert01" });
    expect(diffInputs(olds, { ...base, ...byName })).toEqual({
      changes: true,
      replaces: ["vaultBaseUrl", "vaultName"],
      deleteBeforeReplace: false,
    });
    const byUrl = withChange((n) => {
      delete n.vaultName;
      n.vaultBaseUrl = "https://othervault.vault.azure.net";
    });
    expect(diffInputs(olds, byUrl).replaces).toEqual(["vaultBaseUrl", "vaultName"]);
    const urlToUrl = { ...byUrl, vaultBaseUrl: "https://third.vault.azure.net" };
    expect(diffInputs(byUrl, urlToUrl).replaces).toEqual(["vaultBaseUrl"]);
  });

  it("replaces for another certificate", () => {
    const n = withChange((n) => (n.certificateName = "otherCert"));
    expect(diffInputs(olds, n)).toEqual({
      changes: true,
      replaces: ["certificateName"],
      deleteBeforeReplace: false,
    });
  });

  it("replaces when the vault or the name is unknown during a preview", () => {
    const n = withChange((n) => {
      n.vaultName = UNKNOWN;
      n.vaultBaseUrl = UNKNOWN;
      n.certificateName = UNKNOWN;
    });
    expect(diffInputs(olds, n).replaces).toEqual(["vaultBaseUrl", "vaultName", "certificateName"]);
  });

  it("lists updates next to replacements", () => {
    const n = withChange((n) => {
      n.certificateName = "otherCert";
      n.apiVersion = "7.5";
    });
    expect(compareInputs(olds, n)).toEqual({ replaces: ["certificateName"], updates: ["apiVersion"] });
  });
});

describe("the member table", () => {
  it("names every member check knows, and no other", () => {
    const fromTable = POLICY_MEMBERS.map(memberName).sort();
    const fromCheck = [
      ...Object.entries(GROUP_MEMBERS).flatMap(([group, members]) =>
        members.filter((m) => m !== "subjectAlternativeNames").map((m) => `${group}.${m}`),
      ),
      "lifetimeActions",
    ].sort();
    expect(fromTable).toEqual(fromCheck);
  });
});
