import { applyPolicyPatch, POLICY_PATCH_SEMANTICS, type KvPolicy } from "../../emulator/kv-policy";
import { toPublicPolicy } from "../../provider/keyvault-policy/mappers";
import { memberName, POLICY_MEMBERS } from "../../provider/keyvault-policy/members";
import {
  differingMembers,
  managedMembers,
  policyPatch,
  restoreTarget,
} from "../../provider/keyvault-policy/patch";
import type { CertificatePolicy, WireCertificatePolicy } from "../../provider/keyvault-policy/types";

// Seed 003's sample response: the policy Key Vault has, as GET returns it.
const currentWire: WireCertificatePolicy = {
  id: "https://myvault.vault.azure.net/certificates/updateCert01/policy",
  key_props: { exportable: true, kty: "RSA", key_size: 2048, reuse_key: false },
  secret_props: { contentType: "application/x-pkcs12" },
  x509_props: {
    subject: "CN=KeyVaultTest",
    ekus: [],
    key_usage: [],
    validity_months: 297,
    sans: { dns_names: ["a.contoso.com"], emails: ["admin@contoso.com"] },
  },
  lifetime_actions: [{ trigger: { lifetime_percentage: 80 }, action: { action_type: "EmailContacts" } }],
  issuer: { name: "Self" },
  attributes: { enabled: true, created: 1482188947, updated: 1482188948 },
};
const current: CertificatePolicy = toPublicPolicy(currentWire);
// The same policy without what Key Vault writes itself: what every PATCH body starts from.
const writable = {
  key_props: { exportable: true, kty: "RSA", key_size: 2048, reuse_key: false },
  secret_props: { contentType: "application/x-pkcs12" },
  x509_props: {
    subject: "CN=KeyVaultTest",
    ekus: [],
    key_usage: [],
    validity_months: 297,
    sans: { dns_names: ["a.contoso.com"], emails: ["admin@contoso.com"] },
  },
  lifetime_actions: [{ trigger: { lifetime_percentage: 80 }, action: { action_type: "EmailContacts" } }],
  issuer: { name: "Self" },
  attributes: { enabled: true },
};

const byName = (names: string[]) => POLICY_MEMBERS.filter((m) => names.includes(memberName(m)));

describe("KeyVaultCertificatePolicy PATCH body", () => {
  it("sends nothing when no member is managed: adopting a policy changes nothing", () => {
    expect(policyPatch({}, currentWire)).toBeUndefined();
  });

  it("sends nothing when every managed member already has its value, compared as the diff compares", () => {
    const same: CertificatePolicy = {
      keyProperties: { keyType: "RSA", keySize: 2048 },
      x509Properties: {
        subject: "cn=KeyVaultTest",
        subjectAlternativeNames: { dnsNames: ["A.contoso.com"] },
        keyUsage: [],
        validityInMonths: 297,
      },
      lifetimeActions: [{ action: "EmailContacts", lifetimePercentage: 80 }],
    };
    expect(policyPatch(same, currentWire)).toBeUndefined();
    expect(differingMembers(same, current)).toEqual([]);
    // Key Vault's whole policy, read back, is also "as it is".
    expect(policyPatch(current, currentWire)).toBeUndefined();
  });

  it("sends the whole policy as read, read-only members left out, with the differing members applied", () => {
    expect(
      policyPatch(
        { keyProperties: { keySize: 2048, exportable: false }, issuer: { name: "Self" } },
        currentWire,
      ),
    ).toEqual({ ...writable, key_props: { ...writable.key_props, exportable: false } });
    expect(
      policyPatch({ x509Properties: { validityInMonths: 24, subject: "CN=KeyVaultTest" } }, currentWire),
    ).toEqual({ ...writable, x509_props: { ...writable.x509_props, validity_months: 24 } });
  });

  it("gives the same policy whether Key Vault merges members, replaces the groups sent, or replaces the whole policy", () => {
    const stored = { ...writable } as KvPolicy;
    const updates: CertificatePolicy[] = [
      { x509Properties: { validityInMonths: 24 } },
      { keyProperties: { reuseKey: true }, issuer: { certificateTransparency: false } },
      { x509Properties: { subjectAlternativeNames: { dnsNames: ["b.contoso.com"] } } },
      { lifetimeActions: [] },
      { keyProperties: { keyType: "EC", keyCurveName: "P-384" } },
    ];
    for (const desired of updates) {
      const body = policyPatch(desired, currentWire) as KvPolicy;
      const results = POLICY_PATCH_SEMANTICS.map((s) => applyPolicyPatch(stored, body, s));
      for (const r of results) expect(r).toEqual(results[0]);
      // And each is the policy as it was with only the managed members changed.
      expect(differingMembers(desired, toPublicPolicy(results[0] as WireCertificatePolicy))).toEqual([]);
    }
    expect(
      applyPolicyPatch(stored, policyPatch(updates[0], currentWire) as KvPolicy, "replace-groups"),
    ).toEqual({ ...writable, x509_props: { ...writable.x509_props, validity_months: 24 } });
  });

  it("sends an empty lifetimeActions list (turning auto-renewal off) as an empty list", () => {
    expect(policyPatch({ lifetimeActions: [] }, currentWire)).toEqual({ ...writable, lifetime_actions: [] });
  });

  it("sends a managed member Key Vault lacks, and a list it lacks only when the user wants a non-empty one", () => {
    expect(policyPatch({ issuer: { certificateType: "OV-SSL" } }, currentWire)).toEqual({
      ...writable,
      issuer: { name: "Self", cty: "OV-SSL" },
    });
    expect(
      policyPatch({ x509Properties: { subjectAlternativeNames: { userPrincipalNames: [] } } }, currentWire),
    ).toBe(undefined);
  });

  it("limits itself to the members asked for (update: only what changed)", () => {
    const desired: CertificatePolicy = {
      keyProperties: { exportable: false },
      x509Properties: { validityInMonths: 12 },
    };
    expect(policyPatch(desired, currentWire, byName(["x509Properties.validityInMonths"]))).toEqual({
      ...writable,
      x509_props: { ...writable.x509_props, validity_months: 12 },
    });
    expect(policyPatch(desired, currentWire, byName(["secretProperties.contentType"]))).toBeUndefined();
  });

  it("sends key type, size and curve together when one of them changes", () => {
    const desired: CertificatePolicy = {
      keyProperties: { keyType: "EC", keyCurveName: "P-384", keySize: 384, exportable: true },
    };
    expect(policyPatch(desired, currentWire, byName(["keyProperties.keyType"]))?.key_props).toEqual({
      exportable: true,
      kty: "EC",
      key_size: 384,
      reuse_key: false,
      crv: "P-384",
    });
  });

  it("drops a size the user does not manage when the key type changes family, and follows a new curve with it", () => {
    expect(
      policyPatch({ keyProperties: { keyType: "EC", keyCurveName: "P-256" } }, currentWire)?.key_props,
    ).toEqual({ exportable: true, kty: "EC", reuse_key: false, crv: "P-256" });
    const ec: WireCertificatePolicy = {
      ...currentWire,
      key_props: { exportable: true, kty: "EC", key_size: 256, crv: "P-256", reuse_key: false },
    };
    expect(policyPatch({ keyProperties: { keyCurveName: "P-521" } }, ec)?.key_props).toEqual({
      exportable: true,
      kty: "EC",
      key_size: 521,
      crv: "P-521",
      reuse_key: false,
    });
    expect(policyPatch({ keyProperties: { keyType: "RSA" } }, ec)?.key_props).toEqual({
      exportable: true,
      kty: "RSA",
      reuse_key: false,
    });
  });

  it("sends the three SAN lists together, keeping the unmanaged ones as Key Vault has them", () => {
    const desired: CertificatePolicy = {
      x509Properties: { subjectAlternativeNames: { dnsNames: ["a.contoso.com", "b.contoso.com"] } },
    };
    expect(policyPatch(desired, currentWire)?.x509_props).toEqual({
      ...writable.x509_props,
      sans: { emails: ["admin@contoso.com"], dns_names: ["a.contoso.com", "b.contoso.com"] },
    });
    const both: CertificatePolicy = {
      x509Properties: { subjectAlternativeNames: { dnsNames: ["c.contoso.com"], emails: [] } },
    };
    expect(policyPatch(both, currentWire)?.x509_props?.sans).toEqual({
      emails: [],
      dns_names: ["c.contoso.com"],
    });
  });

  it("keeps members this package does not know, and leaves out nulls", () => {
    const newer = {
      ...currentWire,
      x509_props: { ...currentWire.x509_props, future_member: "kept" },
      issuer: { name: "Self", cty: null },
    } as unknown as WireCertificatePolicy;
    expect(policyPatch({ x509Properties: { validityInMonths: 6 } }, newer)).toEqual({
      ...writable,
      x509_props: { ...writable.x509_props, validity_months: 6, future_member: "kept" },
    });
  });
});

describe("KeyVaultCertificatePolicy restoreOnDelete target", () => {
  const original = current;

  it("puts back the managed members as the original policy had them, and nothing else", () => {
    const managed = {
      vaultBaseUrl: "https://myvault.vault.azure.net",
      keyProperties: { keySize: 4096 },
      x509Properties: { validityInMonths: 6, keyUsage: ["digitalSignature"] },
      lifetimeActions: [],
    };
    const target = restoreTarget(managed, original);
    expect(target).toEqual({
      keyProperties: { keySize: 2048 },
      x509Properties: { validityInMonths: 297, keyUsage: [] },
      lifetimeActions: [{ action: "EmailContacts", lifetimePercentage: 80 }],
    });
    expect(managedMembers(target).map(memberName)).toEqual(managedMembers(managed).map(memberName));
  });

  it("restores a list the original lacked as empty, and leaves a scalar it lacked as it is", () => {
    const target = restoreTarget(
      { x509Properties: { enhancedKeyUsage: ["1.3.6.1.5.5.7.3.1"] }, issuer: { certificateType: "OV-SSL" } },
      { x509Properties: { subject: "CN=x" } },
    );
    expect(target).toEqual({ x509Properties: { enhancedKeyUsage: [] } });
  });

  it("makes a PATCH that is a no-op when nothing was changed since create", () => {
    const managed = { keyProperties: { keySize: 2048 }, lifetimeActions: current.lifetimeActions };
    expect(policyPatch(restoreTarget(managed, original), currentWire)).toBeUndefined();
  });
});
