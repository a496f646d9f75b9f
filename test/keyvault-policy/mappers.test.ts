import { createHash } from "crypto";
import {
  certificateOutputs,
  managedView,
  thumbprintFromX5t,
  toPublicPolicy,
  toWirePolicyPatch,
  unixSecondsToIso,
  versionFromCertificateId,
} from "../../provider/keyvault-policy/mappers";
import type {
  CertificatePolicy,
  WireCertificateBundle,
  WireCertificatePolicy,
} from "../../provider/keyvault-policy/types";
import { checkInputs } from "../../provider/keyvault-policy/validate";
import { SEED_003_REQUEST, SEED_003_RESPONSE } from "../fixtures/seeds";

// Seed 003 (Update Certificate Policy 7.4): the sample request and response, verbatim.
const seedRequest: WireCertificatePolicy = SEED_003_REQUEST;
const seedResponse: WireCertificatePolicy = SEED_003_RESPONSE;
// The same policy, public shape, written out by hand.
const seedPublic: CertificatePolicy = {
  keyProperties: { exportable: true, keyType: "RSA", keySize: 2048, reuseKey: false },
  secretProperties: { contentType: "application/x-pkcs12" },
  x509Properties: { subject: "CN=KeyVaultTest", enhancedKeyUsage: [], keyUsage: [], validityInMonths: 297 },
  lifetimeActions: [{ action: "EmailContacts", lifetimePercentage: 80 }],
  issuer: { name: "Self" },
  attributes: { enabled: true },
};

// A policy with every member, to check every name mapping both ways.
const everyMemberWire: WireCertificatePolicy = {
  key_props: { exportable: false, kty: "EC-HSM", key_size: 384, reuse_key: true, crv: "P-384" },
  secret_props: { contentType: "application/x-pem-file" },
  x509_props: {
    subject: "CN=contoso.com, O=Contoso",
    ekus: ["1.3.6.1.5.5.7.3.1"],
    sans: {
      emails: ["admin@contoso.com"],
      dns_names: ["contoso.com", "*.contoso.com"],
      upns: ["svc@contoso.com"],
    },
    key_usage: ["digitalSignature", "keyAgreement"],
    validity_months: 12,
  },
  lifetime_actions: [
    { trigger: { days_before_expiry: 30 }, action: { action_type: "EmailContacts" } },
    { trigger: { lifetime_percentage: 75 }, action: { action_type: "AutoRenew" } },
  ],
  issuer: { name: "DigiCert", cty: "OV-SSL", cert_transparency: true },
  attributes: { enabled: false },
};
const everyMemberPublic: CertificatePolicy = {
  keyProperties: {
    exportable: false,
    keyType: "EC-HSM",
    keySize: 384,
    reuseKey: true,
    keyCurveName: "P-384",
  },
  secretProperties: { contentType: "application/x-pem-file" },
  x509Properties: {
    subject: "CN=contoso.com, O=Contoso",
    enhancedKeyUsage: ["1.3.6.1.5.5.7.3.1"],
    subjectAlternativeNames: {
      emails: ["admin@contoso.com"],
      dnsNames: ["contoso.com", "*.contoso.com"],
      userPrincipalNames: ["svc@contoso.com"],
    },
    keyUsage: ["digitalSignature", "keyAgreement"],
    validityInMonths: 12,
  },
  lifetimeActions: [
    { action: "EmailContacts", daysBeforeExpiry: 30 },
    { action: "AutoRenew", lifetimePercentage: 75 },
  ],
  issuer: { name: "DigiCert", certificateType: "OV-SSL", certificateTransparency: true },
  attributes: { enabled: false },
};

describe("policy mappers: seed 003 round trip", () => {
  it("reads the sample request into the public shape", () => {
    expect(toPublicPolicy(seedRequest)).toEqual(seedPublic);
  });

  it("writes the public shape back as exactly the sample request", () => {
    expect(toWirePolicyPatch(seedPublic)).toEqual(seedRequest);
    expect(JSON.stringify(toWirePolicyPatch(toPublicPolicy(seedRequest)))).toBe(JSON.stringify(seedRequest));
  });

  it("reads the sample response as the same policy: the id and the server's timestamps are not policy members", () => {
    expect(toPublicPolicy(seedResponse)).toEqual(seedPublic);
    expect(toWirePolicyPatch(toPublicPolicy(seedResponse))).toEqual(seedRequest);
  });

  it("builds the seed's PATCH body from checked resource inputs, without the location or settings", () => {
    const { inputs, failures } = checkInputs({
      vaultBaseUrl: "https://myvault.vault.azure.net/",
      certificateName: "updateCert01",
      restoreOnDelete: true,
      ...seedPublic,
    });
    expect(failures).toEqual([]);
    expect(toWirePolicyPatch(inputs)).toEqual(seedRequest);
  });

  it("maps every member's name both ways", () => {
    expect(toPublicPolicy(everyMemberWire)).toEqual(everyMemberPublic);
    expect(toWirePolicyPatch(everyMemberPublic)).toEqual(everyMemberWire);
  });

  it("reads a malformed lifetime action list without throwing", () => {
    const odd = {
      lifetime_actions: [null, { action: { action_type: "AutoRenew" } }],
    } as unknown as WireCertificatePolicy;
    expect(toPublicPolicy(odd)).toEqual({ lifetimeActions: [{}, { action: "AutoRenew" }] });
    expect(toPublicPolicy({ lifetime_actions: "x" } as unknown as WireCertificatePolicy)).toEqual({});
  });

  it("does not share arrays between the two shapes", () => {
    const pub = toPublicPolicy(everyMemberWire);
    pub.x509Properties!.keyUsage!.push("cRLSign");
    expect(everyMemberWire.x509_props!.key_usage).toEqual(["digitalSignature", "keyAgreement"]);
  });
});

describe("toWirePolicyPatch: only what the user set", () => {
  it("sends one member when one is set", () => {
    expect(toWirePolicyPatch({ keyProperties: { keySize: 4096 } })).toEqual({
      key_props: { key_size: 4096 },
    });
    expect(
      toWirePolicyPatch({ x509Properties: { subjectAlternativeNames: { dnsNames: ["a.contoso.com"] } } }),
    ).toEqual({
      x509_props: { sans: { dns_names: ["a.contoso.com"] } },
    });
  });

  it("sends nothing for an empty policy, empty groups or null members", () => {
    expect(toWirePolicyPatch({})).toEqual({});
    expect(
      toWirePolicyPatch({ keyProperties: {}, issuer: {}, x509Properties: { subjectAlternativeNames: {} } }),
    ).toEqual({});
    const withNulls = { keyProperties: { keySize: null, exportable: false } } as unknown as CertificatePolicy;
    expect(toWirePolicyPatch(withNulls)).toEqual({ key_props: { exportable: false } });
  });

  it("sends an empty list the user set: [] lifetime actions turn auto-renewal off", () => {
    expect(toWirePolicyPatch({ lifetimeActions: [], x509Properties: { keyUsage: [] } })).toEqual({
      lifetime_actions: [],
      x509_props: { key_usage: [] },
    });
  });

  it("sends false and 0-like values (they are set)", () => {
    expect(
      toWirePolicyPatch({ attributes: { enabled: false }, issuer: { certificateTransparency: false } }),
    ).toEqual({
      attributes: { enabled: false },
      issuer: { cert_transparency: false },
    });
  });
});

describe("managedView: the part of the effective policy the user manages", () => {
  const effective = toPublicPolicy(seedResponse);

  it("keeps the managed members only, with Key Vault's values", () => {
    const inputs: CertificatePolicy = {
      keyProperties: { keySize: 4096 },
      x509Properties: { validityInMonths: 12 },
    };
    expect(managedView(effective, inputs)).toEqual({
      keyProperties: { keySize: 2048 },
      x509Properties: { validityInMonths: 297 },
    });
  });

  it("is empty when nothing is managed, whatever Key Vault filled in", () => {
    expect(managedView(effective, {})).toEqual({});
  });

  it("reads a managed list that Key Vault left out as empty, so [] is no perpetual difference", () => {
    const inputs: CertificatePolicy = {
      x509Properties: { subjectAlternativeNames: { emails: [] }, enhancedKeyUsage: [] },
      lifetimeActions: [],
    };
    expect(managedView({ keyProperties: { keySize: 2048 } }, inputs)).toEqual(inputs);
  });

  it("leaves out a managed scalar that Key Vault does not have, so that it shows as a change to make", () => {
    expect(managedView({}, { issuer: { certificateType: "OV-SSL" } })).toEqual({});
  });

  it("equals the inputs when Key Vault holds what the user asked for", () => {
    expect(managedView(effective, seedPublic)).toEqual(seedPublic);
    expect(managedView(toPublicPolicy(everyMemberWire), everyMemberPublic)).toEqual(everyMemberPublic);
  });
});

// GetCertificate-example.json of the 7.4 spec (Azure/azure-rest-api-specs).
const getCertificateExample: WireCertificateBundle = {
  id: "https://myvault.vault.azure.net/certificates/selfSignedCert01/f60f2a4f8ae442cfb41ca2090bd4b769",
  kid: "https://myvault.vault.azure.net/keys/selfSignedCert01/f60f2a4f8ae442cfb41ca2090bd4b769",
  sid: "https://myvault.vault.azure.net/secrets/selfSignedCert01/f60f2a4f8ae442cfb41ca2090bd4b769",
  x5t: "fLi3U52HunIVNXubkEnf8tP6Wbo",
  cer:
    "MIICODCCAeagAwIBAgIQqHmpBAv+CY9IJFoUhlbziTAJBgUrDgMCHQUAMBYxFDASBgNVBAMTC1Jvb3QgQWdlbmN5MB4XDTE1MDQyOTIxNTM0MVoXDTM5" +
    "MTIzMTIzNTk1OVowFzEVMBMGA1UEAxMMS2V5VmF1bHRUZXN0MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA5bVAT73zr4+N4WVv2+SvTunA" +
    "w08ksS4BrJW/nNliz3S9XuzMBMXvmYzU5HJ8TtEgluBiZZYd5qsMJD+OXHSNbsLdmMhni0jYX09h3XlC2VJw2sGKeYF+xEaavXm337aZZaZyjrFBrrUl" +
    "51UePaN+kVFXNlBb3N3TYpqa7KokXenJQuR+i9Gv9a77c0UsSsDSryxppYhKK7HvTZCpKrhVtulF5iPMswWe9np3uggfMamyIsK/0L7X9w9B2qN7993R" +
    "R0A00nOk4H6CnkuwO77dSsD0KJsk6FyAoZBzRXDZh9+d9R76zCL506NcQy/jl0lCiQYwsUX73PG5pxOh02OwKwIDAQABo0swSTBHBgNVHQEEQDA+gBAS" +
    "5AktBh0dTwCNYSHcFmRjoRgwFjEUMBIGA1UEAxMLUm9vdCBBZ2VuY3mCEAY3bACqAGSKEc+41KpcNfQwCQYFKw4DAh0FAANBAGqIjo2geVagzuzaZOe1" +
    "ClGKhZeiCKfWAxklaGN+qlGUbVS4IN4V1lot3VKnzabasmkEHeNxPwLn1qvSD0cX9CE=",
  attributes: {
    enabled: true,
    nbf: 1430344421,
    exp: 2208988799,
    created: 1493938289,
    updated: 1493938291,
    recoveryLevel: "Recoverable+Purgeable",
  },
};

describe("certificateOutputs: the current version", () => {
  it("reads the spec's GetCertificate example", () => {
    expect(certificateOutputs(getCertificateExample)).toEqual({
      thumbprint: "7CB8B7539D87BA7215357B9B9049DFF2D3FA59BA",
      expirationDate: "2039-12-31T23:59:59Z",
      notBefore: "2015-04-29T21:53:41Z",
      version: "f60f2a4f8ae442cfb41ca2090bd4b769",
    });
  });

  it("gives the SHA-1 of the certificate's DER as the thumbprint, as APIM and Windows show it", () => {
    const sha1 = createHash("sha1").update(Buffer.from(getCertificateExample.cer!, "base64")).digest("hex");
    expect(certificateOutputs(getCertificateExample).thumbprint).toBe(sha1.toUpperCase());
  });

  it("decodes base64url thumbprints whose bytes need - and _", () => {
    // 0xFB 0xFF 0xBF encodes to "-_-_" in base64url ("+/+/" in base64).
    expect(thumbprintFromX5t("-_-_")).toBe("FBFFBF");
    expect(thumbprintFromX5t("+/+/")).toBe("FBFFBF");
    expect(thumbprintFromX5t("not base64!")).toBeUndefined();
    expect(thumbprintFromX5t(undefined)).toBeUndefined();
  });

  it("writes times as ISO 8601 UTC with whole seconds", () => {
    expect(unixSecondsToIso(0)).toBe("1970-01-01T00:00:00Z");
    expect(unixSecondsToIso(1482188947)).toBe("2016-12-19T23:09:07Z");
    expect(unixSecondsToIso("1482188947")).toBeUndefined();
  });

  it("takes the version from a versioned id only", () => {
    expect(versionFromCertificateId("https://myvault.vault.azure.net/certificates/c1/abc123")).toBe("abc123");
    expect(versionFromCertificateId("https://myvault.vault.azure.net/certificates/c1")).toBeUndefined();
    expect(
      versionFromCertificateId("https://myvault.vault.azure.net/certificates/c1/policy/x"),
    ).toBeUndefined();
    expect(versionFromCertificateId("not a url")).toBeUndefined();
  });

  it("leaves out what Key Vault did not send (a first version still pending)", () => {
    expect(
      certificateOutputs({ id: "https://myvault.vault.azure.net/certificates/c1/v1", attributes: {} }),
    ).toEqual({
      version: "v1",
    });
    expect(certificateOutputs({})).toEqual({});
  });
});
