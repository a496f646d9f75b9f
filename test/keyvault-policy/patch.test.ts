import { managedView, toPublicPolicy } from "../../provider/keyvault-policy/mappers";
import { memberName, POLICY_MEMBERS } from "../../provider/keyvault-policy/members";
import { managedMembers, policyPatch, restoreTarget } from "../../provider/keyvault-policy/patch";
import type { CertificatePolicy, WireCertificatePolicy } from "../../provider/keyvault-policy/types";

// Seed 003's sample response: the policy Key Vault has.
const current: CertificatePolicy = toPublicPolicy({
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
} as WireCertificatePolicy);

const byName = (names: string[]) => POLICY_MEMBERS.filter((m) => names.includes(memberName(m)));

describe("KeyVaultCertificatePolicy PATCH body", () => {
  it("sends nothing when no member is managed: adopting a policy changes nothing", () => {
    expect(policyPatch({}, current)).toBeUndefined();
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
    expect(policyPatch(same, current)).toBeUndefined();
    // Key Vault's whole policy, read back, is also "as it is".
    expect(policyPatch(current, current)).toBeUndefined();
  });

  it("sends only the members that differ, in Key Vault's wire shape", () => {
    expect(
      policyPatch({ keyProperties: { keySize: 2048, exportable: false }, issuer: { name: "Self" } }, current),
    ).toEqual({ key_props: { exportable: false } });
    expect(
      policyPatch({ x509Properties: { validityInMonths: 24, subject: "CN=KeyVaultTest" } }, current),
    ).toEqual({ x509_props: { validity_months: 24 } });
  });

  it("sends an empty lifetimeActions list (turning auto-renewal off) as an empty list", () => {
    expect(policyPatch({ lifetimeActions: [] }, current)).toEqual({ lifetime_actions: [] });
  });

  it("sends a managed member Key Vault lacks, and a list it lacks only when the user wants a non-empty one", () => {
    expect(policyPatch({ issuer: { certificateType: "OV-SSL" } }, current)).toEqual({
      issuer: { cty: "OV-SSL" },
    });
    expect(
      policyPatch({ x509Properties: { subjectAlternativeNames: { userPrincipalNames: [] } } }, current),
    ).toBe(undefined);
  });

  it("limits itself to the members asked for (update: only what changed)", () => {
    const desired: CertificatePolicy = {
      keyProperties: { exportable: false },
      x509Properties: { validityInMonths: 12 },
    };
    expect(policyPatch(desired, current, byName(["x509Properties.validityInMonths"]))).toEqual({
      x509_props: { validity_months: 12 },
    });
    expect(policyPatch(desired, current, byName(["secretProperties.contentType"]))).toBeUndefined();
  });

  it("sends key type, size and curve together when one of them changes", () => {
    const desired: CertificatePolicy = {
      keyProperties: { keyType: "EC", keyCurveName: "P-384", keySize: 384, exportable: true },
    };
    expect(policyPatch(desired, current, byName(["keyProperties.keyType"]))).toEqual({
      key_props: { kty: "EC", key_size: 384, crv: "P-384" },
    });
  });

  it("sends the three SAN lists together, keeping the unmanaged ones as Key Vault has them", () => {
    const desired: CertificatePolicy = {
      x509Properties: { subjectAlternativeNames: { dnsNames: ["a.contoso.com", "b.contoso.com"] } },
    };
    expect(policyPatch(desired, current)).toEqual({
      x509_props: { sans: { emails: ["admin@contoso.com"], dns_names: ["a.contoso.com", "b.contoso.com"] } },
    });
    const both: CertificatePolicy = {
      x509Properties: { subjectAlternativeNames: { dnsNames: ["c.contoso.com"], emails: [] } },
    };
    expect(policyPatch(both, current)).toEqual({
      x509_props: { sans: { emails: [], dns_names: ["c.contoso.com"] } },
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
    expect(policyPatch(restoreTarget(managed, original), managedView(current, managed))).toBeUndefined();
  });
});
