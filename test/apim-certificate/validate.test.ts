import { checkApimInputs, isoSeconds } from "../../provider/apim-certificate/validate";
import { UNKNOWN } from "../../provider/dynamic/unknown";
import { makePfx, opensslFacts } from "../harness/certs";

const SUB = "00000000-0000-0000-0000-000000000000";
const where = {
  subscriptionId: SUB,
  resourceGroupName: "rg1",
  serviceName: "apimService1",
  certificateId: "tempcert",
};
const pfx = makePfx({ cn: "contoso.com" });
const kv = { secretIdentifier: "https://myvault.vault.azure.net/secrets/mycert" };

const failuresOf = (news: Record<string, unknown>, ctx = {}) => checkApimInputs(news, ctx).failures;

describe("ApimCertificate check", () => {
  it("accepts a PFX and adds the certificate's thumbprint, subject and expiry, as openssl reads them", () => {
    const { inputs, failures } = checkApimInputs({ ...where, data: pfx.data, password: pfx.password });
    expect(failures).toEqual([]);
    const ref = opensslFacts(pfx);
    expect(inputs.thumbprint).toBe(ref.thumbprint);
    expect(inputs.expirationDate).toBe(isoSeconds(ref.notAfter));
    expect(inputs.subject).toBe("CN=contoso.com");
    expect(inputs.apiVersion).toBe("2024-05-01");
    expect(inputs.expiryWarningDays).toBe(30);
  });

  it("accepts a Key Vault secret, versioned or not", () => {
    expect(failuresOf({ ...where, keyVault: kv })).toEqual([]);
    expect(
      failuresOf({ ...where, keyVault: { secretIdentifier: kv.secretIdentifier + "/0123abcd" } }),
    ).toEqual([]);
  });

  it("takes the service from its ARM id", () => {
    const serviceId = `/subscriptions/${SUB}/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apimService1`;
    const { inputs, failures } = checkApimInputs({ serviceId, certificateId: "c1", keyVault: kv });
    expect(failures).toEqual([]);
    expect(inputs).toMatchObject({
      subscriptionId: SUB,
      resourceGroupName: "rg1",
      serviceName: "apimService1",
    });
  });

  it("says when serviceId and a part disagree", () => {
    const serviceId = `/subscriptions/${SUB}/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apimService1`;
    expect(failuresOf({ serviceId, serviceName: "other", certificateId: "c1", keyVault: kv })).toEqual([
      { property: "serviceName", reason: "is other but serviceId names apimService1; give one or the other" },
    ]);
  });

  it("rejects a malformed serviceId", () => {
    expect(failuresOf({ serviceId: "/subscriptions/x", certificateId: "c1", keyVault: kv })[0].property).toBe(
      "serviceId",
    );
  });

  it("defaults the subscription from configuration, and says how to set it when there is none", () => {
    const { subscriptionId: _s, ...rest } = where;
    expect(
      checkApimInputs({ ...rest, keyVault: kv }, { defaultSubscriptionId: SUB }).inputs.subscriptionId,
    ).toBe(SUB);
    expect(failuresOf({ ...rest, keyVault: kv })).toEqual([
      {
        property: "subscriptionId",
        reason:
          "is required: set it, pass serviceId, or configure azure-native:subscriptionId (or ARM_SUBSCRIPTION_ID)",
      },
    ]);
  });

  it.each([
    ["subscriptionId", "subid", 'must be a subscription id (a UUID); got "subid"'],
    [
      "resourceGroupName",
      "rg.",
      "must be 1-90 letters, digits, '-', '_', '.', '(' or ')', not ending with '.'",
    ],
    [
      "serviceName",
      "1apim",
      "must be 1-50 letters, digits or '-', starting with a letter and ending with a letter or digit",
    ],
    [
      "serviceName",
      "apim-",
      "must be 1-50 letters, digits or '-', starting with a letter and ending with a letter or digit",
    ],
    ["certificateId", "a:b", "must be 1-80 characters and contain none of * # & + : < > ? /"],
    ["certificateId", "x".repeat(81), "must be 1-80 characters and contain none of * # & + : < > ? /"],
    ["certificateId", "a/b", "must be 1-80 characters and contain none of * # & + : < > ? /"],
    ["apiVersion", "2021-08-01", 'must be one of 2024-05-01, 2022-08-01; got "2021-08-01"'],
    ["expiryWarningDays", -1, "must be a whole number of days, 0 or more"],
  ])("rejects %s = %j", (property, value, reason) => {
    expect(failuresOf({ ...where, keyVault: kv, [property]: value })).toEqual([{ property, reason }]);
  });

  it("requires exactly one source", () => {
    expect(failuresOf({ ...where })).toEqual([
      { property: "data", reason: "give exactly one certificate source: data (with password) or keyVault" },
    ]);
    expect(failuresOf({ ...where, data: pfx.data, password: pfx.password, keyVault: kv })).toEqual([
      {
        property: "keyVault",
        reason: "give exactly one certificate source: data (with password) or keyVault",
      },
    ]);
  });

  it("rejects data that is not base64, or not a PFX", () => {
    expect(failuresOf({ ...where, data: "not base64!", password: "x" })).toEqual([
      { property: "data", reason: "must be the base64 encoding of a PKCS#12 (PFX) file" },
    ]);
    expect(
      failuresOf({ ...where, data: Buffer.from("hello world").toString("base64"), password: "x" }),
    ).toEqual([{ property: "data", reason: "is not a readable PKCS#12 (PFX) file" }]);
  });

  it("rejects a wrong password without echoing it", () => {
    const failures = failuresOf({ ...where, data: pfx.data, password: "wrong-password-123" });
    expect(failures).toEqual([
      { property: "password", reason: "does not open the PFX given in data (wrong password?)" },
    ]);
    expect(JSON.stringify(failures)).not.toContain("wrong-password-123");
  });

  it("rejects a PFX without a private key", () => {
    const certOnly = makePfx({ withKey: false });
    expect(failuresOf({ ...where, data: certOnly.data, password: certOnly.password })).toEqual([
      {
        property: "data",
        reason: "the PFX holds no private key; API Management needs the certificate with its private key",
      },
    ]);
  });

  it("rejects an expired certificate, saying which and when", () => {
    const old = makePfx({ cn: "old.contoso.com", notAfter: new Date("2025-01-01T00:00:00Z") });
    const [failure] = failuresOf({ ...where, data: old.data, password: old.password });
    expect(failure.property).toBe("data");
    expect(failure.reason).toMatch(
      /^the certificate CN=old\.contoso\.com \(thumbprint [0-9A-F]{40}\) expired on 2025-01-01T00:00:00Z; upload a renewed certificate$/,
    );
  });

  it("says to use the /secrets/ URI for a /certificates/ one", () => {
    const id = "https://myvault.vault.azure.net/certificates/mycert/abc123";
    expect(failuresOf({ ...where, keyVault: { secretIdentifier: id } })).toEqual([
      {
        property: "keyVault.secretIdentifier",
        reason:
          "is a /certificates/ URI; API Management reads the certificate through its secret: use https://myvault.vault.azure.net/secrets/mycert/abc123",
      },
    ]);
  });

  it.each([
    "http://myvault.vault.azure.net/secrets/x",
    "https://myvault.vault.azure.net/keys/x",
    "not a url",
  ])("rejects the secret identifier %s", (id) => {
    expect(failuresOf({ ...where, keyVault: { secretIdentifier: id } })[0].property).toBe(
      "keyVault.secretIdentifier",
    );
  });

  it("rejects an identity client id that is not a UUID", () => {
    expect(failuresOf({ ...where, keyVault: { ...kv, identityClientId: "me" } })).toEqual([
      {
        property: "keyVault.identityClientId",
        reason: "must be the client id (a UUID) of a user-assigned identity",
      },
    ]);
  });

  it("lets unknown values through at preview", () => {
    expect(failuresOf({ ...where, serviceName: UNKNOWN, data: UNKNOWN, password: UNKNOWN })).toEqual([]);
    expect(failuresOf({ ...where, keyVault: UNKNOWN })).toEqual([]);
  });
});
