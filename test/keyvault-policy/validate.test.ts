import * as pulumi from "@pulumi/pulumi";
import { UNKNOWN } from "../../provider/dynamic/unknown";
import {
  checkInputs,
  vaultBaseUrlFromName,
  type CheckOptions,
} from "../../provider/keyvault-policy/validate";

const where = { vaultBaseUrl: "https://myvault.vault.azure.net", certificateName: "updateCert01" };
const failuresOf = (extra: Record<string, unknown>, options?: CheckOptions) =>
  checkInputs({ ...where, ...extra }, options).failures;

// Seed 003's sample request, written the public way.
const fullPolicy = {
  keyProperties: { exportable: true, keyType: "RSA", keySize: 2048, reuseKey: false },
  secretProperties: { contentType: "application/x-pkcs12" },
  x509Properties: { subject: "CN=KeyVaultTest", enhancedKeyUsage: [], keyUsage: [], validityInMonths: 297 },
  lifetimeActions: [{ action: "EmailContacts", lifetimePercentage: 80 }],
  issuer: { name: "Self" },
  attributes: { enabled: true },
};

describe("KeyVaultCertificatePolicy check: what passes", () => {
  it("accepts seed 003's policy and fills the defaults (apiVersion stays unset: see DEFAULT_KEY_VAULT_API_VERSION)", () => {
    const { inputs, failures } = checkInputs({ ...where, ...fullPolicy });
    expect(failures).toEqual([]);
    expect(inputs).toEqual({
      ...where,
      ...fullPolicy,
      restoreOnDelete: false,
      importExisting: false,
    });
  });

  it("accepts a policy with every member set, EC keys, SANs, EKUs and a lifetime action", () => {
    expect(
      failuresOf({
        apiVersion: "7.6",
        restoreOnDelete: true,
        importExisting: true,
        keyProperties: {
          keyType: "EC-HSM",
          keyCurveName: "P-384",
          keySize: 384,
          exportable: false,
          reuseKey: true,
        },
        secretProperties: { contentType: "application/x-pem-file" },
        x509Properties: {
          subject: "CN=contoso.com, O=Contoso\\, Ltd, OU=Web+L=Redmond",
          subjectAlternativeNames: {
            dnsNames: ["contoso.com", "*.contoso.com", "xn--bcher-kva.example"],
            emails: ["admin@contoso.com"],
            userPrincipalNames: ["svc@contoso.onmicrosoft.com"],
          },
          enhancedKeyUsage: ["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"],
          keyUsage: ["digitalSignature", "keyEncipherment"],
          validityInMonths: 12,
        },
        lifetimeActions: [{ action: "EmailContacts", daysBeforeExpiry: 30 }],
        issuer: { name: "DigiCert", certificateType: "OV-SSL", certificateTransparency: true },
        attributes: { enabled: false },
      }),
    ).toEqual([]);
  });

  it("accepts an empty list of lifetime actions (how auto-renewal is turned off)", () => {
    expect(failuresOf({ lifetimeActions: [] })).toEqual([]);
  });

  it("needs no policy member at all (nothing is managed)", () => {
    expect(failuresOf({})).toEqual([]);
  });

  it("lets the values Pulumi does not know yet during a preview through, with the checks that depend on them", () => {
    // The marker is the SDK's own: if Pulumi ever changed it, previews would fail validation.
    expect(UNKNOWN).toBe(pulumi.runtime.unknownValue);
    const { inputs, failures } = checkInputs({
      vaultName: UNKNOWN,
      certificateName: UNKNOWN,
      apiVersion: UNKNOWN,
      restoreOnDelete: UNKNOWN,
      keyProperties: { keyType: UNKNOWN, keySize: 1024, keyCurveName: UNKNOWN },
      secretProperties: UNKNOWN,
      x509Properties: {
        subject: UNKNOWN,
        subjectAlternativeNames: { dnsNames: [UNKNOWN, "a.contoso.com"], emails: UNKNOWN },
        keyUsage: [UNKNOWN],
        validityInMonths: UNKNOWN,
      },
      lifetimeActions: [{ action: UNKNOWN, daysBeforeExpiry: 5000 }],
      issuer: { name: UNKNOWN },
      attributes: UNKNOWN,
    });
    expect(failures).toEqual([]);
    expect(inputs.vaultBaseUrl).toBe(UNKNOWN);
  });

  it("still reports what is wrong next to an unknown value", () => {
    expect(failuresOf({ keyProperties: { keyType: UNKNOWN, exportable: "yes" } })).toEqual([
      {
        property: "keyProperties.exportable",
        reason: 'must be a boolean (true or false); got a string ("yes")',
      },
    ]);
  });
});

describe("KeyVaultCertificatePolicy check: where the policy lives", () => {
  it("normalises vaultBaseUrl to its origin: lower-case host, no trailing slash", () => {
    const { inputs, failures } = checkInputs({ ...where, vaultBaseUrl: "https://MyVault.Vault.Azure.NET/" });
    expect(failures).toEqual([]);
    expect(inputs.vaultBaseUrl).toBe("https://myvault.vault.azure.net");
  });

  it("builds vaultBaseUrl from vaultName with the cloud's suffix, and keeps the name", () => {
    const cn = { vaultDnsSuffix: "vault.azure.cn" };
    const { inputs, failures } = checkInputs({ vaultName: "My-Vault1", certificateName: "c" }, cn);
    expect(failures).toEqual([]);
    expect(inputs).toMatchObject({
      vaultName: "My-Vault1",
      vaultBaseUrl: "https://my-vault1.vault.azure.cn",
    });
    expect(vaultBaseUrlFromName("v1x", ".vault.usgovcloudapi.net")).toBe(
      "https://v1x.vault.usgovcloudapi.net",
    );
  });

  it("is idempotent: its own output checks again without failure and unchanged", () => {
    const first = checkInputs({ vaultName: "myvault", certificateName: "c", ...fullPolicy }).inputs;
    const second = checkInputs(first as unknown as Record<string, unknown>);
    expect(second.failures).toEqual([]);
    expect(second.inputs).toEqual(first);
  });

  it("accepts a trusted host outside the suffix, port included (a local emulator)", () => {
    const { inputs, failures } = checkInputs(
      { vaultBaseUrl: "https://localhost:8443/", certificateName: "c" },
      { vaultDnsSuffix: "vault.azure.net", trustedHosts: ["LOCALHOST"] },
    );
    expect(failures).toEqual([]);
    expect(inputs.vaultBaseUrl).toBe("https://localhost:8443");
  });

  it("accepts a trusted host given as host:port (the documented form) on that port only, as the transport does", () => {
    const options = { vaultDnsSuffix: "vault.azure.net", trustedHosts: ["localhost:9444"] };
    const { inputs, failures } = checkInputs(
      { vaultBaseUrl: "https://localhost:9444", certificateName: "c" },
      options,
    );
    expect(failures).toEqual([]);
    expect(inputs.vaultBaseUrl).toBe("https://localhost:9444");
    expect(
      checkInputs({ vaultBaseUrl: "https://localhost:9445", certificateName: "c" }, options).failures,
    ).toEqual([
      {
        property: "vaultBaseUrl",
        reason: expect.stringMatching(/^must be a vault under vault\.azure\.net .*got host "localhost"/),
      },
    ]);
  });

  it.each<[string, Record<string, unknown>, string, string]>([
    [
      "neither vaultBaseUrl nor vaultName",
      { vaultBaseUrl: undefined },
      "vaultBaseUrl",
      "set either vaultBaseUrl (such as https://myvault.vault.azure.net) or vaultName; neither is set",
    ],
    [
      "both, naming different vaults",
      { vaultName: "othervault" },
      "vaultName",
      "set only one of vaultBaseUrl or vaultName; both are set and name different vaults " +
        "(https://myvault.vault.azure.net and https://othervault.vault.azure.net)",
    ],
    [
      "not a URL",
      { vaultBaseUrl: "myvault.vault.azure.net" },
      "vaultBaseUrl",
      'must be an https URL such as https://myvault.vault.azure.net; got "myvault.vault.azure.net"',
    ],
    [
      "http",
      { vaultBaseUrl: "http://myvault.vault.azure.net" },
      "vaultBaseUrl",
      "must use https (a Key Vault token is never sent unencrypted), as in https://myvault.vault.azure.net; " +
        'got "http://myvault.vault.azure.net"',
    ],
    [
      "a path",
      { vaultBaseUrl: "https://myvault.vault.azure.net/certificates/c" },
      "vaultBaseUrl",
      "must be the vault's base URL without path, query or fragment, such as https://myvault.vault.azure.net; " +
        'got "https://myvault.vault.azure.net/certificates/c"',
    ],
    [
      "a query",
      { vaultBaseUrl: "https://myvault.vault.azure.net?api-version=7.4" },
      "vaultBaseUrl",
      "must be the vault's base URL without path, query or fragment, such as https://myvault.vault.azure.net; " +
        'got "https://myvault.vault.azure.net?api-version=7.4"',
    ],
    [
      "credentials",
      { vaultBaseUrl: "https://user:pw@myvault.vault.azure.net" },
      "vaultBaseUrl",
      "must not contain a user name or password; got a URL with credentials in it",
    ],
    [
      "a host outside the suffix",
      { vaultBaseUrl: "https://myvault.evil.example" },
      "vaultBaseUrl",
      "must be a vault under vault.azure.net (this cloud's Key Vault DNS suffix), such as " +
        'https://myvault.vault.azure.net; got host "myvault.evil.example". Other hosts are refused so that a ' +
        "Key Vault token is never sent to them",
    ],
    [
      "a host that merely contains the suffix",
      { vaultBaseUrl: "https://myvault.vault.azure.net.evil.example" },
      "vaultBaseUrl",
      "must be a vault under vault.azure.net (this cloud's Key Vault DNS suffix), such as " +
        'https://myvault.vault.azure.net; got host "myvault.vault.azure.net.evil.example". Other hosts are ' +
        "refused so that a Key Vault token is never sent to them",
    ],
    [
      "a vault of another cloud",
      { vaultBaseUrl: "https://myvault.vault.azure.cn" },
      "vaultBaseUrl",
      "must be a vault under vault.azure.net (this cloud's Key Vault DNS suffix), such as " +
        'https://myvault.vault.azure.net; got host "myvault.vault.azure.cn" (a vault in the cloud whose suffix ' +
        "is vault.azure.cn). Other hosts are refused so that a Key Vault token is never sent to them",
    ],
    [
      "two labels under the suffix",
      { vaultBaseUrl: "https://a.b.vault.azure.net" },
      "vaultBaseUrl",
      "must be a vault under vault.azure.net (this cloud's Key Vault DNS suffix), such as " +
        'https://myvault.vault.azure.net; got host "a.b.vault.azure.net". Other hosts are refused so that a ' +
        "Key Vault token is never sent to them",
    ],
    [
      "a port on a real vault",
      { vaultBaseUrl: "https://myvault.vault.azure.net:8443" },
      "vaultBaseUrl",
      'must not name a port for a vault under vault.azure.net; got "https://myvault.vault.azure.net:8443"',
    ],
    ["a number", { vaultBaseUrl: 42 }, "vaultBaseUrl", "must be a string; got a number (42)"],
  ])("vaultBaseUrl: %s", (_name, extra, property, reason) => {
    expect(failuresOf(extra)).toEqual([{ property, reason }]);
  });

  it.each(["ab", "a".repeat(25), "1vault", "my--vault", "vault-", "my_vault", "my.vault"])(
    "vaultName %j breaks Key Vault's naming rules",
    (vaultName) => {
      expect(checkInputs({ vaultName, certificateName: "c" }).failures).toEqual([
        {
          property: "vaultName",
          reason:
            "must be 3-24 characters of letters, digits and hyphens, start with a letter, end with a letter or " +
            `digit and have no consecutive hyphens; got ${JSON.stringify(vaultName)}`,
        },
      ]);
    },
  );

  it.each(["abc", "a".repeat(24), "a-b-c"])("vaultName %j is a valid name", (vaultName) => {
    expect(checkInputs({ vaultName, certificateName: "c" }).failures).toEqual([]);
  });

  it("requires certificateName", () => {
    expect(checkInputs({ vaultBaseUrl: where.vaultBaseUrl }).failures).toEqual([
      { property: "certificateName", reason: "is required: the name of the certificate in the vault" },
    ]);
  });

  it.each(["my_cert", "my.cert", "a".repeat(128), ""])("certificateName %j is refused", (certificateName) => {
    expect(failuresOf({ certificateName })).toEqual([
      {
        property: "certificateName",
        reason: `must be 1-127 characters of letters, digits and hyphens; got ${JSON.stringify(certificateName)}`,
      },
    ]);
  });

  it("accepts a 127-character certificate name", () => {
    expect(failuresOf({ certificateName: "A-1".repeat(42) + "x" })).toEqual([]);
  });
});

describe("KeyVaultCertificatePolicy check: settings", () => {
  it.each(["7.4", "7.5", "7.6", "2025-07-01", "2026-04-01"])("apiVersion %s is accepted", (apiVersion) => {
    expect(checkInputs({ ...where, apiVersion }).inputs.apiVersion).toBe(apiVersion);
    expect(failuresOf({ apiVersion })).toEqual([]);
  });

  it("refuses other API versions", () => {
    expect(failuresOf({ apiVersion: "7.3" })).toEqual([
      { property: "apiVersion", reason: 'must be one of 7.4, 7.5, 7.6, 2025-07-01, 2026-04-01; got "7.3"' },
    ]);
    expect(failuresOf({ apiVersion: 7.4 })).toEqual([
      { property: "apiVersion", reason: "must be a string; got a number (7.4)" },
    ]);
  });

  it("wants restoreOnDelete as a boolean", () => {
    expect(failuresOf({ restoreOnDelete: "false" })).toEqual([
      { property: "restoreOnDelete", reason: 'must be a boolean (true or false); got a string ("false")' },
    ]);
  });

  it("wants importExisting as a boolean, false when not set", () => {
    expect(failuresOf({ importExisting: "true" })).toEqual([
      { property: "importExisting", reason: 'must be a boolean (true or false); got a string ("true")' },
    ]);
    expect(checkInputs({ ...where }).inputs.importExisting).toBe(false);
    expect(checkInputs({ ...where, importExisting: true }).inputs.importExisting).toBe(true);
  });

  it("names an input that does not exist, with a suggestion when one is close", () => {
    expect(failuresOf({ keyProperty: {}, colour: "blue" })).toEqual([
      {
        property: "keyProperty",
        reason: "is not an input of KeyVaultCertificatePolicy (did you mean keyProperties?)",
      },
      {
        property: "colour",
        reason:
          "is not an input of KeyVaultCertificatePolicy; its inputs are vaultBaseUrl, vaultName, certificateName, " +
          "apiVersion, restoreOnDelete, importExisting, keyProperties, secretProperties, x509Properties, " +
          "lifetimeActions, issuer, attributes",
      },
    ]);
  });

  it("leaves Pulumi's own keys and the unset output names the class passes alone, and out of the inputs", () => {
    const { inputs, failures } = checkInputs({
      ...where,
      __provider: "x",
      thumbprint: undefined,
      version: null,
      originalPolicy: undefined,
    });
    expect(failures).toEqual([]);
    expect(inputs).not.toHaveProperty("__provider");
    expect(inputs).not.toHaveProperty("version");
    expect(inputs).not.toHaveProperty("originalPolicy");
  });

  it("refuses an output given a value as if it were an input", () => {
    expect(failuresOf({ version: "v", originalPolicy: { keyProperties: { keySize: 2048 } } })).toEqual([
      {
        property: "version",
        reason: "is an output of KeyVaultCertificatePolicy (read from Key Vault), not an input: remove it",
      },
      {
        property: "originalPolicy",
        reason: "is an output of KeyVaultCertificatePolicy (read from Key Vault), not an input: remove it",
      },
    ]);
  });

  it("treats null as not set, and drops it from the inputs", () => {
    const { inputs, failures } = checkInputs({
      ...where,
      vaultName: null,
      keyProperties: { keySize: null, exportable: true },
      issuer: null,
    });
    expect(failures).toEqual([]);
    expect(inputs).toEqual({
      ...where,
      restoreOnDelete: false,
      importExisting: false,
      keyProperties: { exportable: true },
    });
  });
});

describe("KeyVaultCertificatePolicy check: key properties", () => {
  it.each<[string, Record<string, unknown>, string, string]>([
    [
      "an unknown key type, with the right spelling suggested",
      { keyType: "rsa" },
      "keyProperties.keyType",
      'must be one of EC, EC-HSM, RSA, RSA-HSM; got "rsa" (did you mean RSA?)',
    ],
    [
      "an RSA size Key Vault does not issue",
      { keyType: "RSA", keySize: 1024 },
      "keyProperties.keySize",
      "must be one of 2048, 3072, 4096 for RSA keys; got 1024",
    ],
    [
      "an RSA-HSM size Key Vault does not issue",
      { keyType: "RSA-HSM", keySize: 8192 },
      "keyProperties.keySize",
      "must be one of 2048, 3072, 4096 for RSA keys; got 8192",
    ],
    [
      "a size as a string",
      { keyType: "RSA", keySize: "2048" },
      "keyProperties.keySize",
      'must be a whole number of bits; got a string ("2048")',
    ],
    [
      "a fractional size",
      { keySize: 2048.5 },
      "keyProperties.keySize",
      "must be a whole number of bits; got a number (2048.5)",
    ],
    [
      "a size without a key type that suits no key type",
      { keySize: 1000 },
      "keyProperties.keySize",
      "must be one of 2048, 3072, 4096 (RSA) or 256, 384, 521 (EC); keyType is not set " +
        "here, so the size must also suit the key type the policy already has; got 1000",
    ],
    [
      "an EC key without a curve",
      { keyType: "EC" },
      "keyProperties.keyCurveName",
      "is required for EC keys (keyType EC): one of P-256, P-256K, P-384, P-521",
    ],
    [
      "a curve with an RSA key",
      { keyType: "RSA", keyCurveName: "P-256" },
      "keyProperties.keyCurveName",
      "is not allowed for RSA keys (keyType RSA): a curve applies only to EC keys; remove keyCurveName",
    ],
    [
      "an oct key (symmetric: no certificate can have one)",
      { keyType: "oct", keySize: 256 },
      "keyProperties.keyType",
      'must be one of EC, EC-HSM, RSA, RSA-HSM: a certificate needs a key pair, and oct is a symmetric key; got "oct"',
    ],
    [
      "an oct-HSM key, with a curve",
      { keyType: "oct-HSM", keyCurveName: "P-256" },
      "keyProperties.keyType",
      'must be one of EC, EC-HSM, RSA, RSA-HSM: a certificate needs a key pair, and oct-HSM is a symmetric key; got "oct-HSM"',
    ],
    [
      "an unknown curve",
      { keyType: "EC", keyCurveName: "P-512" },
      "keyProperties.keyCurveName",
      'must be one of P-256, P-256K, P-384, P-521; got "P-512" (did you mean P-521?)',
    ],
    [
      "an EC size that does not match the curve",
      { keyType: "EC", keyCurveName: "P-256", keySize: 384 },
      "keyProperties.keySize",
      "must be 256 for curve P-256 (or leave keySize unset); got 384",
    ],
    [
      "an EC size with no curve known",
      { keyType: "EC", keyCurveName: UNKNOWN, keySize: 2048 },
      "keyProperties.keySize",
      "must be one of 256, 384, 521 for EC keys; got 2048",
    ],
    [
      "exportable as a string",
      { exportable: "true" },
      "keyProperties.exportable",
      'must be a boolean (true or false); got a string ("true")',
    ],
    [
      "reuseKey as a number",
      { reuseKey: 0 },
      "keyProperties.reuseKey",
      "must be a boolean (true or false); got a number (0)",
    ],
    [
      "a member that does not exist",
      { keysize: 2048 },
      "keyProperties.keysize",
      "is not a member of keyProperties (did you mean keySize?)",
    ],
    [
      "a member nothing is close to",
      { hsm: true },
      "keyProperties.hsm",
      "is not a member of keyProperties; allowed: keyType, keySize, keyCurveName, exportable, reuseKey",
    ],
  ])("%s", (_name, keyProperties, property, reason) => {
    expect(failuresOf({ keyProperties })).toEqual([{ property, reason }]);
  });

  it.each<[Record<string, unknown>]>([
    [{ keyType: "RSA", keySize: 3072 }],
    [{ keyType: "EC", keyCurveName: "P-256K", keySize: 256 }],
    [{ keyType: "EC", keyCurveName: "P-521" }],
    [{ keySize: 4096 }],
    [{ keyCurveName: "P-384" }],
    [{ keyType: "RSA-HSM", keySize: 4096 }],
  ])("accepts %j", (keyProperties) => {
    expect(failuresOf({ keyProperties })).toEqual([]);
  });

  it("does not judge the size against a key type that is itself wrong", () => {
    expect(failuresOf({ keyProperties: { keyType: "rsa", keySize: 1024 } })).toEqual([
      {
        property: "keyProperties.keyType",
        reason: 'must be one of EC, EC-HSM, RSA, RSA-HSM; got "rsa" (did you mean RSA?)',
      },
    ]);
  });

  it("judges the size by the curve when only the curve is given", () => {
    expect(failuresOf({ keyProperties: { keyCurveName: "P-256", keySize: 384 } })).toEqual([
      {
        property: "keyProperties.keySize",
        reason: "must be 256 for curve P-256 (or leave keySize unset); got 384",
      },
    ]);
  });

  it("wants the group as an object", () => {
    expect(failuresOf({ keyProperties: "RSA" })).toEqual([
      {
        property: "keyProperties",
        reason:
          'must be an object with keyType, keySize, keyCurveName, exportable, reuseKey; got a string ("RSA")',
      },
    ]);
  });
});

describe("KeyVaultCertificatePolicy check: secret properties", () => {
  it("accepts the two content types and refuses others", () => {
    expect(failuresOf({ secretProperties: { contentType: "application/x-pem-file" } })).toEqual([]);
    expect(failuresOf({ secretProperties: { contentType: "application/json" } })).toEqual([
      {
        property: "secretProperties.contentType",
        reason: 'must be one of application/x-pkcs12, application/x-pem-file; got "application/json"',
      },
    ]);
  });
});

describe("KeyVaultCertificatePolicy check: X.509 properties", () => {
  const x509 = (x509Properties: Record<string, unknown>) => failuresOf({ x509Properties });

  it.each([
    "CN=a, O=b",
    "CN=x,OU=y",
    "CN=a\\, b",
    'CN="Contoso, Ltd"',
    "CN=x;O=y",
    "2.5.4.3=x",
    "E=a@b.c+CN=d",
  ])("accepts the subject %j", (subject) => {
    expect(x509({ subject })).toEqual([]);
  });

  it.each<[string, string]>([
    ["KeyVaultTest", '"KeyVaultTest" has no "=" (expected TYPE=value)'],
    ["CN=a, O", '"O" has no "=" (expected TYPE=value)'],
    [
      "CM=a",
      'unknown attribute type "CM" (use CN, O, OU, L, ST, C, E, DC, STREET, SERIALNUMBER ... or a dotted OID)',
    ],
    ["CN=", "CN has an empty value"],
    ["CN=a,", 'the name ends with a dangling ","'],
    ["CN=a\\q", '"\\q" in the value of CN is not a valid escape (escape , + " \\ < > ; = # or use \\XX hex)'],
    ["", "the name is empty"],
  ])("refuses the subject %j", (subject, why) => {
    expect(x509({ subject })).toEqual([
      {
        property: "x509Properties.subject",
        reason: `must be an X.500 distinguished name such as "CN=contoso.com, O=Contoso": ${why}; got ${JSON.stringify(subject)}`,
      },
    ]);
  });

  it("refuses a DNS name that is not one, and a wildcard that is not the first label", () => {
    const dnsReason =
      "must be a DNS name such as www.contoso.com or *.contoso.com (dot-separated labels of letters, digits and " +
      "hyphens, at most 63 characters each; a wildcard only as the whole first label)";
    expect(
      x509({
        subjectAlternativeNames: { dnsNames: ["ok.contoso.com", "bad name.com", "a.*.com", "-a.com", "*"] },
      }),
    ).toEqual([
      {
        property: "x509Properties.subjectAlternativeNames.dnsNames[1]",
        reason: `${dnsReason}; got "bad name.com"`,
      },
      {
        property: "x509Properties.subjectAlternativeNames.dnsNames[2]",
        reason: `${dnsReason}; got "a.*.com"`,
      },
      {
        property: "x509Properties.subjectAlternativeNames.dnsNames[3]",
        reason: `${dnsReason}; got "-a.com"`,
      },
      { property: "x509Properties.subjectAlternativeNames.dnsNames[4]", reason: `${dnsReason}; got "*"` },
    ]);
  });

  it("refuses a repeated DNS name, whatever its case", () => {
    expect(x509({ subjectAlternativeNames: { dnsNames: ["a.contoso.com", "A.Contoso.com"] } })).toEqual([
      {
        property: "x509Properties.subjectAlternativeNames.dnsNames[1]",
        reason: 'repeats "A.Contoso.com" (also at index 0); Key Vault treats this list as a set',
      },
    ]);
  });

  it("refuses e-mail addresses and UPNs that are not", () => {
    expect(
      x509({
        subjectAlternativeNames: {
          emails: ["admin", "a@b", "a b@c.com"],
          userPrincipalNames: ["svc", "x@y"],
        },
      }),
    ).toEqual([
      {
        property: "x509Properties.subjectAlternativeNames.emails[0]",
        reason: 'must be an e-mail address such as admin@contoso.com; got "admin"',
      },
      {
        property: "x509Properties.subjectAlternativeNames.emails[1]",
        reason: 'must be an e-mail address such as admin@contoso.com; got "a@b"',
      },
      {
        property: "x509Properties.subjectAlternativeNames.emails[2]",
        reason: 'must be an e-mail address such as admin@contoso.com; got "a b@c.com"',
      },
      {
        property: "x509Properties.subjectAlternativeNames.userPrincipalNames[0]",
        reason: 'must be a user principal name such as user@contoso.com; got "svc"',
      },
    ]);
  });

  it("wants lists of strings", () => {
    expect(x509({ subjectAlternativeNames: { dnsNames: "a.com", emails: [1, null] } })).toEqual([
      {
        property: "x509Properties.subjectAlternativeNames.dnsNames",
        reason: 'must be a list of DNS names; got a string ("a.com")',
      },
      {
        property: "x509Properties.subjectAlternativeNames.emails[0]",
        reason: "must be a string; got a number (1)",
      },
      { property: "x509Properties.subjectAlternativeNames.emails[1]", reason: "must be a string; got null" },
    ]);
  });

  it("refuses a SAN kind that does not exist", () => {
    expect(x509({ subjectAlternativeNames: { upns: ["a@b.c"] } })).toEqual([
      {
        property: "x509Properties.subjectAlternativeNames.upns",
        reason:
          "is not a member of x509Properties.subjectAlternativeNames; allowed: dnsNames, emails, userPrincipalNames",
      },
    ]);
  });

  it("wants EKUs as dotted OIDs, once each", () => {
    const reason =
      "must be a dotted OID such as 1.3.6.1.5.5.7.3.1 (server authentication) or 1.3.6.1.5.5.7.3.2 (client " +
      'authentication); got "serverAuth"';
    expect(x509({ enhancedKeyUsage: ["serverAuth", "1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.1"] })).toEqual([
      { property: "x509Properties.enhancedKeyUsage[0]", reason },
      {
        property: "x509Properties.enhancedKeyUsage[2]",
        reason: 'repeats "1.3.6.1.5.5.7.3.1" (also at index 1); Key Vault treats this list as a set',
      },
    ]);
  });

  it("wants key usages from Key Vault's nine, spelt as Key Vault spells them", () => {
    expect(x509({ keyUsage: ["digitalSignature", "crlSign", "sign"] })).toEqual([
      {
        property: "x509Properties.keyUsage[1]",
        reason:
          "must be one of digitalSignature, nonRepudiation, keyEncipherment, dataEncipherment, keyAgreement, " +
          'keyCertSign, cRLSign, encipherOnly, decipherOnly; got "crlSign" (did you mean cRLSign?)',
      },
      {
        property: "x509Properties.keyUsage[2]",
        reason:
          "must be one of digitalSignature, nonRepudiation, keyEncipherment, dataEncipherment, keyAgreement, " +
          'keyCertSign, cRLSign, encipherOnly, decipherOnly; got "sign"',
      },
    ]);
  });

  it.each<[unknown, string]>([
    [0, "0"],
    [1201, "1201"],
    [-12, "-12"],
    [12.5, "a number (12.5)"],
    ["12", 'a string ("12")'],
  ])("refuses validityInMonths %j", (validityInMonths, got) => {
    expect(x509({ validityInMonths })).toEqual([
      {
        property: "x509Properties.validityInMonths",
        reason: `must be a whole number of months from 1 to 1200; got ${got}`,
      },
    ]);
  });

  it("accepts validityInMonths 1 and 1200", () => {
    expect(x509({ validityInMonths: 1 })).toEqual([]);
    expect(x509({ validityInMonths: 1200 })).toEqual([]);
  });
});

describe("KeyVaultCertificatePolicy check: lifetime actions", () => {
  const actions = (lifetimeActions: unknown, x509Properties?: Record<string, unknown>) =>
    failuresOf({ lifetimeActions, x509Properties });

  it.each([1, 99])("accepts lifetimePercentage %d", (lifetimePercentage) => {
    expect(actions([{ action: "AutoRenew", lifetimePercentage }])).toEqual([]);
  });

  it.each([0, 100])("refuses lifetimePercentage %d", (lifetimePercentage) => {
    expect(actions([{ action: "AutoRenew", lifetimePercentage }])).toEqual([
      {
        property: "lifetimeActions[0].lifetimePercentage",
        reason: `must be a whole percentage of the certificate's lifetime from 1 to 99; got ${lifetimePercentage}`,
      },
    ]);
  });

  it("bounds daysBeforeExpiry by validityInMonths x 27 when the validity is managed", () => {
    expect(actions([{ action: "EmailContacts", daysBeforeExpiry: 324 }], { validityInMonths: 12 })).toEqual(
      [],
    );
    expect(actions([{ action: "EmailContacts", daysBeforeExpiry: 325 }], { validityInMonths: 12 })).toEqual([
      {
        property: "lifetimeActions[0].daysBeforeExpiry",
        reason:
          "must be a whole number of days from 1 to 324 (x509Properties.validityInMonths 12 x 27); got 325",
      },
    ]);
    expect(actions([{ action: "EmailContacts", daysBeforeExpiry: 0 }], { validityInMonths: 36 })).toEqual([
      {
        property: "lifetimeActions[0].daysBeforeExpiry",
        reason:
          "must be a whole number of days from 1 to 972 (x509Properties.validityInMonths 36 x 27); got 0",
      },
    ]);
  });

  it("checks only the lower bound of daysBeforeExpiry when the validity is not managed, and says why", () => {
    expect(actions([{ action: "AutoRenew", daysBeforeExpiry: 5000 }])).toEqual([]);
    expect(actions([{ action: "AutoRenew", daysBeforeExpiry: 0 }])).toEqual([
      {
        property: "lifetimeActions[0].daysBeforeExpiry",
        reason:
          "must be a whole number of days of at least 1 (at most the validity in months x 27; " +
          "x509Properties.validityInMonths is not set here, so Key Vault checks the upper bound against the " +
          "policy's current validity); got 0",
      },
    ]);
  });

  it("checks only the lower bound of daysBeforeExpiry next to a validity that is wrong or not known yet", () => {
    const reason = "a whole number of days of at least 1 (and at most x509Properties.validityInMonths x 27)";
    expect(actions([{ action: "AutoRenew", daysBeforeExpiry: 5000 }], { validityInMonths: UNKNOWN })).toEqual(
      [],
    );
    expect(actions([{ action: "AutoRenew", daysBeforeExpiry: 0 }], { validityInMonths: "12" })).toEqual([
      {
        property: "x509Properties.validityInMonths",
        reason: 'must be a whole number of months from 1 to 1200; got a string ("12")',
      },
      { property: "lifetimeActions[0].daysBeforeExpiry", reason: `must be ${reason}; got 0` },
    ]);
  });

  it("wants daysBeforeExpiry as a number", () => {
    expect(actions([{ action: "AutoRenew", daysBeforeExpiry: "30" }], { validityInMonths: 12 })).toEqual([
      {
        property: "lifetimeActions[0].daysBeforeExpiry",
        reason:
          "must be a whole number of days from 1 to 324 (x509Properties.validityInMonths 12 x 27); " +
          'got a string ("30")',
      },
    ]);
  });

  // Lists of two show that each element is checked too, next to the count Key Vault refuses.
  const twoActions = {
    property: "lifetimeActions",
    reason:
      'may hold at most one action (Key Vault refuses more: "At most one action is allowed"); got 2. ' +
      'Keep one, such as [{ action: "AutoRenew", daysBeforeExpiry: 30 }], or [] for none',
  };

  it("refuses more than one lifetime action, naming lifetimeActions, as Key Vault does", () => {
    expect(
      failuresOf({
        lifetimeActions: [
          { action: "EmailContacts", daysBeforeExpiry: 30 },
          { action: "AutoRenew", lifetimePercentage: 80 },
        ],
      }),
    ).toEqual([
      {
        property: "lifetimeActions",
        reason:
          'may hold at most one action (Key Vault refuses more: "At most one action is allowed"); got 2. ' +
          'Keep one, such as [{ action: "AutoRenew", daysBeforeExpiry: 30 }], or [] for none',
      },
    ]);
    // Still refused when an element is not known yet: the count is.
    expect(failuresOf({ lifetimeActions: [UNKNOWN, UNKNOWN] }).map((f) => f.property)).toEqual([
      "lifetimeActions",
    ]);
  });

  it("wants exactly one trigger per action", () => {
    expect(
      actions([
        { action: "AutoRenew", lifetimePercentage: 80, daysBeforeExpiry: 30 },
        { action: "EmailContacts" },
      ]),
    ).toEqual([
      twoActions,
      {
        property: "lifetimeActions[0]",
        reason: "must set exactly one trigger, lifetimePercentage or daysBeforeExpiry; got both",
      },
      {
        property: "lifetimeActions[1]",
        reason: "must set exactly one trigger, lifetimePercentage or daysBeforeExpiry; got neither",
      },
    ]);
  });

  it("wants an action, one of the two", () => {
    expect(actions([{ lifetimePercentage: 80 }, { action: "Renew", lifetimePercentage: 80 }])).toEqual([
      twoActions,
      { property: "lifetimeActions[0].action", reason: "is required: one of AutoRenew, EmailContacts" },
      {
        property: "lifetimeActions[1].action",
        reason: 'must be one of AutoRenew, EmailContacts; got "Renew"',
      },
    ]);
    expect(actions([{ action: "autorenew", lifetimePercentage: 80 }])).toEqual([
      {
        property: "lifetimeActions[0].action",
        reason: 'must be one of AutoRenew, EmailContacts; got "autorenew" (did you mean AutoRenew?)',
      },
    ]);
  });

  it("wants a list of objects, with the SDK's member names", () => {
    expect(actions({ action: "AutoRenew" })).toEqual([
      { property: "lifetimeActions", reason: "must be a list of lifetime actions; got an object" },
    ]);
    expect(actions([null, { action: "AutoRenew", percentage: 80 }])).toEqual([
      twoActions,
      {
        property: "lifetimeActions[0]",
        reason: 'must be a lifetime action such as { action: "AutoRenew", lifetimePercentage: 80 }; got null',
      },
      {
        property: "lifetimeActions[1].percentage",
        reason:
          "is not a member of lifetimeActions[1]; allowed: action, lifetimePercentage, daysBeforeExpiry",
      },
      {
        property: "lifetimeActions[1]",
        reason: "must set exactly one trigger, lifetimePercentage or daysBeforeExpiry; got neither",
      },
    ]);
  });
});

describe("KeyVaultCertificatePolicy check: issuer and attributes", () => {
  it("wants a non-empty issuer name", () => {
    expect(failuresOf({ issuer: { name: " " } })).toEqual([
      {
        property: "issuer.name",
        reason: 'must be a non-empty issuer name: Self, Unknown or an issuer configured in the vault; got ""',
      },
    ]);
  });

  it("wants a non-empty certificate type and a boolean transparency", () => {
    expect(
      failuresOf({ issuer: { name: "Self", certificateType: "", certificateTransparency: "no" } }),
    ).toEqual([
      {
        property: "issuer.certificateType",
        reason:
          'must be a non-empty certificate type such as OV-SSL or EV-SSL (leave it unset not to manage it); got ""',
      },
      {
        property: "issuer.certificateTransparency",
        reason: 'must be a boolean (true or false); got a string ("no")',
      },
    ]);
  });

  it("wants attributes.enabled as a boolean", () => {
    expect(failuresOf({ attributes: { enabled: 1 } })).toEqual([
      { property: "attributes.enabled", reason: "must be a boolean (true or false); got a number (1)" },
    ]);
  });
});
