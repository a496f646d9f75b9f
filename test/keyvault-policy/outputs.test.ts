import { diffInputs } from "../../provider/keyvault-policy/diff";
import {
  parsePolicyId,
  policyId,
  policyOutputs,
  refreshManaged,
} from "../../provider/keyvault-policy/outputs";
import { toPublicPolicy } from "../../provider/keyvault-policy/mappers";
import type { WireCertificatePolicy } from "../../provider/keyvault-policy/types";
import { checkInputs } from "../../provider/keyvault-policy/validate";

const VAULT = "https://myvault.vault.azure.net";

describe("KeyVaultCertificatePolicy id", () => {
  it("is the policy's own id, which parses back to the vault and the name", () => {
    const id = policyId({ vaultBaseUrl: VAULT, certificateName: "updateCert01" });
    expect(id).toBe("https://myvault.vault.azure.net/certificates/updateCert01/policy");
    expect(parsePolicyId(id)).toEqual({ vaultBaseUrl: VAULT, certificateName: "updateCert01" });
  });

  it("accepts the certificate's versionless id and a local vault with a port", () => {
    expect(parsePolicyId(`${VAULT}/certificates/web`)).toEqual({
      vaultBaseUrl: VAULT,
      certificateName: "web",
    });
    expect(parsePolicyId("https://localhost:41003/certificates/web/policy")).toEqual({
      vaultBaseUrl: "https://localhost:41003",
      certificateName: "web",
    });
  });

  it.each([
    ["not a URL", "web"],
    ["http", "http://myvault.vault.azure.net/certificates/web/policy"],
    ["a versioned certificate id", `${VAULT}/certificates/web/0123456789abcdef`],
    ["a secret id", `${VAULT}/secrets/web`],
    ["a bad name", `${VAULT}/certificates/we_b/policy`],
    ["a query", `${VAULT}/certificates/web/policy?api-version=7.4`],
  ])("refuses %s", (_what, id) => {
    expect(parsePolicyId(id)).toBeUndefined();
  });
});

describe("KeyVaultCertificatePolicy refresh of managed members", () => {
  const previous = {
    x509Properties: {
      subject: "CN=contoso.com, O=Contoso",
      subjectAlternativeNames: { dnsNames: ["a.contoso.com", "b.contoso.com"] },
      validityInMonths: 12,
    },
    keyProperties: { keySize: 2048 },
  };
  const wire: WireCertificatePolicy = {
    key_props: { kty: "RSA", key_size: 2048, exportable: true, reuse_key: false },
    x509_props: {
      subject: "CN=contoso.com,O=Contoso",
      sans: { dns_names: ["B.contoso.com", "a.contoso.com"] },
      validity_months: 12,
      ekus: ["1.3.6.1.5.5.7.3.1"],
    },
  };

  it("keeps the stored spelling of values Key Vault still has, and leaves unmanaged members out", () => {
    expect(refreshManaged(previous, toPublicPolicy(wire))).toEqual(previous);
  });

  it("takes Key Vault's value for a member changed elsewhere, so the next diff shows it", () => {
    const drifted = { ...wire, x509_props: { ...wire.x509_props, validity_months: 6 } };
    const refreshed = refreshManaged(previous, toPublicPolicy(drifted));
    expect(refreshed.x509Properties?.validityInMonths).toBe(6);
    expect(refreshed.x509Properties?.subject).toBe(previous.x509Properties.subject);
    const news = checkInputs({ vaultBaseUrl: VAULT, certificateName: "c", ...previous }).inputs;
    const olds = { ...news, ...refreshed };
    expect(diffInputs(olds as Record<string, unknown>, news as unknown as Record<string, unknown>)).toEqual({
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
    });
  });

  it("drops a managed scalar Key Vault no longer has and reads a missing managed list as empty", () => {
    const refreshed = refreshManaged(previous, toPublicPolicy({ x509_props: { validity_months: 12 } }));
    expect(refreshed).toEqual({
      x509Properties: { subjectAlternativeNames: { dnsNames: [] }, validityInMonths: 12 },
    });
  });
});

describe("KeyVaultCertificatePolicy outputs", () => {
  it("carry the settings, the managed members, the effective policy and the version, and nothing undefined", () => {
    const outs = policyOutputs({
      settings: { vaultBaseUrl: VAULT, certificateName: "web", apiVersion: "7.5" },
      managed: { keyProperties: { keySize: 4096 } },
      policy: { id: `${VAULT}/certificates/web/policy`, key_props: { kty: "RSA", key_size: 4096 } },
      bundle: {
        id: `${VAULT}/certificates/web/0123abcd`,
        x5t: "fLi3U52HunIVNXubkEnf8tP6Wbo",
        attributes: { nbf: 1700000000, exp: 1731536000 },
      },
      originalPolicy: { keyProperties: { keySize: 2048 } },
    });
    expect(outs).toEqual({
      vaultBaseUrl: VAULT,
      certificateName: "web",
      apiVersion: "7.5",
      restoreOnDelete: false,
      importExisting: false,
      keyProperties: { keySize: 4096 },
      effectivePolicy: { keyProperties: { keyType: "RSA", keySize: 4096 } },
      originalPolicy: { keyProperties: { keySize: 2048 } },
      thumbprint: "7CB8B7539D87BA7215357B9B9049DFF2D3FA59BA",
      notBefore: "2023-11-14T22:13:20Z",
      expirationDate: "2024-11-13T22:13:20Z",
      version: "0123abcd",
    });
    expect(JSON.stringify(outs)).not.toContain("undefined");
    expect(Object.values(outs).every((v) => v !== undefined)).toBe(true);
  });
});
