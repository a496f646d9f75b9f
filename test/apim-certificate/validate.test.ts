import { checkApimInputs } from "../../provider/apim-certificate/validate";
import { isoSeconds } from "../../provider/json-values";
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

  describe("an unchanged PFX (the inputs check returned last time as olds)", () => {
    const news = { ...where, data: pfx.data, password: pfx.password };
    const previous = checkApimInputs(news).inputs;

    it("is not opened again: the facts derived then are used", () => {
      // A marker thumbprint shows where the facts came from: opening the PFX would give the real one.
      const marked = { ...previous, thumbprint: "0".repeat(40) };
      const { inputs, failures } = checkApimInputs(news, { previous: marked });
      expect(failures).toEqual([]);
      expect(inputs.thumbprint).toBe("0".repeat(40));
      expect(inputs.subject).toBe(previous.subject);
    });

    it("is opened when data or password changed, or the earlier facts are missing", () => {
      const marked = { ...previous, thumbprint: "0".repeat(40) };
      const other = makePfx({ cn: "other.contoso.com" });
      const real = opensslFacts(pfx).thumbprint;
      const opened = (n: Record<string, unknown>, p: Record<string, unknown>) =>
        checkApimInputs(n, { previous: p }).inputs.thumbprint;
      expect(opened({ ...news, data: other.data, password: other.password }, marked)).toBe(
        opensslFacts(other).thumbprint,
      );
      expect(checkApimInputs({ ...news, password: "changed" }, { previous: marked }).failures).toEqual([
        { property: "password", reason: "does not open the PFX given in data (wrong password?)" },
      ]);
      expect(opened(news, { ...marked, expirationDate: undefined })).toBe(real);
      expect(opened(news, {})).toBe(real);
    });

    it("still has its expiry checked, against the date derived then", () => {
      const later = new Date(new Date(previous.expirationDate as string).getTime() + 1000);
      expect(checkApimInputs(news, { previous, now: later }).failures).toEqual([
        {
          property: "data",
          reason: expect.stringMatching(
            /^the certificate CN=contoso\.com .* expired on .*; upload a renewed certificate$/,
          ),
        },
      ]);
    });
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
    [
      "apiVersion",
      "2021-08-01",
      'must be one of 2024-05-01, 2022-08-01; got "2021-08-01" (did you mean 2022-08-01?)',
    ],
    ["apiVersion", 7, "must be a string; got a number (7)"],
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

  it("names serviceId for a part of it that breaks the part's rule", () => {
    const serviceId = "/subscriptions/x/resourceGroups/rg./providers/Microsoft.ApiManagement/service/apim1";
    expect(failuresOf({ serviceId, certificateId: "c1", keyVault: kv })).toEqual([
      {
        property: "serviceId",
        reason: 'names a subscriptionId that must be a subscription id (a UUID); got "x"',
      },
      {
        property: "serviceId",
        reason:
          "names a resourceGroupName that must be 1-90 letters, digits, '-', '_', '.', '(' or ')', not ending with '.'",
      },
    ]);
  });

  it("never shows the value of data or password, whatever its type", () => {
    const secret = "s3cret-value-never-shown";
    for (const value of [secret, 12345678901, { secret }, [secret], true]) {
      const failures = failuresOf({ ...where, data: value, password: value });
      expect(failures.length).toBeGreaterThan(0);
      expect(JSON.stringify(failures)).not.toContain(secret);
      expect(JSON.stringify(failures)).not.toContain("12345678901");
    }
  });

  it("does not open the PFX while data or password is unknown, and checks it once both are known", () => {
    expect(failuresOf({ ...where, data: "not base64!", password: UNKNOWN })).toEqual([]);
    expect(failuresOf({ ...where, data: UNKNOWN, password: 5 })).toEqual([
      { property: "password", reason: "must be a string" },
    ]);
  });

  it("lets unknown values through at preview", () => {
    expect(failuresOf({ ...where, serviceName: UNKNOWN, data: UNKNOWN, password: UNKNOWN })).toEqual([]);
    expect(failuresOf({ ...where, keyVault: UNKNOWN })).toEqual([]);
  });
});

describe("ApimCertificate check: inputs that are not inputs, dates, vault hosts", () => {
  const DAY = 24 * 60 * 60 * 1000;
  const publicCloud = { vaultHosts: { vaultDnsSuffix: "vault.azure.net", trustedHosts: ["localhost"] } };
  const check = (news: Record<string, unknown>, ctx: Record<string, unknown> = {}) =>
    checkApimInputs(news, { ...publicCloud, ...ctx });

  it("refuses a certificate not valid yet, naming data and its notBefore", () => {
    const now = new Date(Date.now() - 40 * DAY); // makePfx's certificates start 30 days ago
    const failures = check({ ...where, data: pfx.data, password: pfx.password }, { now }).failures;
    expect(failures).toEqual([
      {
        property: "data",
        reason: expect.stringMatching(
          /^the certificate CN=contoso\.com \(thumbprint [0-9A-F]{40}\) is not valid before \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(its notBefore\)/,
        ),
      },
    ]);
    expect(failures[0].reason).not.toContain(pfx.password);
  });

  it("accepts a notBefore a few minutes ahead (the issuer's clock)", () => {
    const start = new Date(Date.now() - 30 * DAY);
    const now = new Date(start.getTime() - 60 * 1000);
    expect(check({ ...where, data: pfx.data, password: pfx.password }, { now }).failures).toEqual([]);
  });

  it("refuses unknown and misspelt properties, suggesting the closest input", () => {
    expect(check({ ...where, keyVault: kv, bogusProperty: 1, expiryWarningDay: 3 }).failures).toEqual([
      {
        property: "bogusProperty",
        reason: expect.stringMatching(
          /^is not an input of ApimCertificate; allowed: serviceId, subscriptionId, /,
        ),
      },
      {
        property: "expiryWarningDay",
        reason: "is not an input of ApimCertificate (did you mean expiryWarningDays?)",
      },
    ]);
  });

  it("refuses outputs given as inputs, and lets through the outputs the resource class declares", () => {
    const declared = {
      thumbprint: undefined,
      subject: undefined,
      expirationDate: undefined,
      resourceId: undefined,
      etag: undefined,
    };
    expect(check({ ...where, keyVault: kv, ...declared, __provider: "p" }).failures).toEqual([]);
    const given = check({
      ...where,
      keyVault: kv,
      thumbprint: "AB",
      subject: "CN=x",
      expirationDate: "2030",
      resourceId: "/x",
      etag: "e",
    });
    expect(given.failures.map((f) => f.property).sort()).toEqual([
      "etag",
      "expirationDate",
      "resourceId",
      "subject",
      "thumbprint",
    ]);
    expect(given.failures[0].reason).toBe(
      "is an output of ApimCertificate, computed by API Management, not an input: remove it",
    );
    expect(given.inputs).not.toHaveProperty("resourceId");
    expect(check({ ...where, keyVault: kv, thumbprint: UNKNOWN }).failures.map((f) => f.property)).toEqual([
      "thumbprint",
    ]);
  });

  it("accepts its own inputs checked again (thumbprint, subject, expiry derived from data), not another thumbprint", () => {
    const first = check({ ...where, data: pfx.data, password: pfx.password });
    expect(first.inputs.thumbprint).toBeDefined();
    const again = check(first.inputs);
    expect(again.failures).toEqual([]);
    expect(again.inputs).toEqual(first.inputs);
    expect(check({ ...first.inputs, thumbprint: "0".repeat(40) }).failures.map((f) => f.property)).toEqual([
      "thumbprint",
    ]);
  });

  it("refuses unknown, misspelt and output members of keyVault", () => {
    const failures = check({
      ...where,
      keyVault: {
        secretIdentifier: kv.secretIdentifier,
        identityClientid: SUB,
        bogus: 1,
        lastStatus: { code: "x" },
      },
    }).failures;
    expect(failures).toEqual([
      {
        property: "keyVault.identityClientid",
        reason: "is not a member of keyVault (did you mean identityClientId?)",
      },
      {
        property: "keyVault.bogus",
        reason: "is not a member of keyVault; allowed: secretIdentifier, identityClientId",
      },
      {
        property: "keyVault.lastStatus",
        reason: "is an output of ApimCertificate, computed by API Management, not an input: remove it",
      },
    ]);
  });

  it.each([
    ["another host", "https://vault.example.com/secrets/c", '"vault.example.com"'],
    [
      "a look-alike of the suffix",
      "https://myvault.vault.azure.net.example.com/secrets/c",
      '"myvault.vault.azure.net.example.com"',
    ],
    ["two labels under the suffix", "https://a.b.vault.azure.net/secrets/c", '"a.b.vault.azure.net"'],
    ["the suffix itself", "https://vault.azure.net/secrets/c", '"vault.azure.net"'],
    [
      "a port under the suffix",
      "https://myvault.vault.azure.net:8443/secrets/c",
      '"myvault.vault.azure.net:8443"',
    ],
    ["another cloud's suffix", "https://myvault.vault.azure.cn/secrets/c", '"myvault.vault.azure.cn"'],
  ])("refuses a secret on %s unless trusted", (_what, secretIdentifier, host) => {
    const failures = check({ ...where, keyVault: { secretIdentifier } }).failures;
    expect(failures).toEqual([
      {
        property: "keyVault.secretIdentifier",
        reason: expect.stringContaining(
          `must be a secret in a vault under vault.azure.net (this cloud's Key Vault DNS suffix)`,
        ),
      },
    ]);
    expect(failures[0].reason).toContain(`got host ${host}`);
    expect(failures[0].reason).toContain("azure-certs:trustedVaultHosts");
  });

  it("accepts vaults under the cloud's suffix and hosts trusted by azure-certs:trustedVaultHosts (name, or name:port)", () => {
    const ok = (secretIdentifier: string, trustedHosts: string[] = [], vaultDnsSuffix = "vault.azure.net") =>
      check({ ...where, keyVault: { secretIdentifier } }, { vaultHosts: { vaultDnsSuffix, trustedHosts } })
        .failures;
    expect(ok("https://MyVault.Vault.Azure.Net/secrets/c")).toEqual([]);
    expect(ok("https://myvault.vault.azure.cn/secrets/c", [], "vault.azure.cn")).toEqual([]);
    expect(ok("https://localhost:8443/secrets/c", ["localhost"])).toEqual([]);
    expect(ok("https://localhost:8443/secrets/c", ["localhost:8443"])).toEqual([]);
    expect(ok("https://localhost:9443/secrets/c", ["localhost:8443"])).toHaveLength(1);
    expect(ok("https://vault.example.com/secrets/c", ["vault.example.com"])).toEqual([]);
  });
});
