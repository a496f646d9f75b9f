import { diffApim } from "../../provider/apim-certificate/diff";
import { UNKNOWN } from "../../provider/dynamic/unknown";

const olds = {
  subscriptionId: "00000000-0000-0000-0000-000000000000",
  resourceGroupName: "rg1",
  serviceName: "apim1",
  certificateId: "c1",
  apiVersion: "2024-05-01",
  expiryWarningDays: 30,
  thumbprint: "AA",
  expirationDate: "2030-01-01T00:00:00Z",
};
const news = { ...olds, data: "base64", password: "p" };

describe("ApimCertificate diff", () => {
  it("sees no change for the same certificate, even re-encoded with another password", () => {
    expect(diffApim(olds, { ...news, data: "other-base64", password: "q" })).toEqual({
      changes: false,
      replaces: [],
      deleteBeforeReplace: false,
    });
  });

  it("updates in place for a new certificate", () => {
    expect(diffApim(olds, { ...news, thumbprint: "BB" })).toMatchObject({ changes: true, replaces: [] });
  });

  it("updates when the new PFX is not known yet", () => {
    expect(diffApim(olds, { ...news, data: UNKNOWN, thumbprint: undefined })).toMatchObject({
      changes: true,
    });
  });

  it.each(["subscriptionId", "resourceGroupName", "serviceName", "certificateId"])(
    "replaces when %s changes",
    (k) => {
      expect(diffApim(olds, { ...news, [k]: "other" })).toMatchObject({ changes: true, replaces: [k] });
    },
  );

  it("ignores case in ARM names", () => {
    expect(diffApim(olds, { ...news, resourceGroupName: "RG1", serviceName: "APIM1" }).changes).toBe(false);
  });

  it("updates for a Key Vault source change, an identity change and a refresh trigger", () => {
    const kvOlds = { ...olds, keyVault: { secretIdentifier: "https://v.vault.azure.net/secrets/a" } };
    const kvNews = { ...olds, keyVault: { secretIdentifier: "https://v.vault.azure.net/secrets/a" } };
    expect(diffApim(kvOlds, kvNews).changes).toBe(false);
    expect(
      diffApim(kvOlds, { ...kvNews, keyVault: { secretIdentifier: "https://v.vault.azure.net/secrets/b" } })
        .changes,
    ).toBe(true);
    expect(
      diffApim(kvOlds, {
        ...kvNews,
        keyVault: { ...kvNews.keyVault, identityClientId: "11111111-1111-1111-1111-111111111111" },
      }).changes,
    ).toBe(true);
    expect(diffApim(kvOlds, { ...kvNews, refreshTrigger: "v2" }).changes).toBe(true);
    expect(diffApim(kvOlds, news).changes).toBe(true);
  });
});

describe("ApimCertificate diff of a Key Vault source, compared as Azure compares", () => {
  const kvOlds = {
    ...olds,
    keyVault: {
      secretIdentifier: "https://contoso-kv.vault.azure.net/secrets/gateway",
      identityClientId: "0b9cf6a6-4a6e-4bd4-9a4f-5f0b6d1b7c2e",
      lastStatus: { code: "Success" },
    },
  };
  it("sees no change when API Management echoes the host or the client id in another case", () => {
    const kvNews = {
      ...olds,
      keyVault: {
        secretIdentifier: "https://Contoso-KV.vault.azure.net/secrets/Gateway/",
        identityClientId: "0B9CF6A6-4A6E-4BD4-9A4F-5F0B6D1B7C2E",
      },
    };
    expect(diffApim(kvOlds, kvNews)).toMatchObject({ changes: false });
  });

  it("updates for another secret or another identity", () => {
    const secret = {
      ...kvOlds.keyVault,
      secretIdentifier: "https://contoso-kv.vault.azure.net/secrets/other",
    };
    expect(diffApim(kvOlds, { ...olds, keyVault: secret })).toMatchObject({ changes: true });
    const identity = { ...kvOlds.keyVault, identityClientId: "11111111-1111-1111-1111-111111111111" };
    expect(diffApim(kvOlds, { ...olds, keyVault: identity })).toMatchObject({ changes: true });
  });

  it("updates (fetches again) when API Management could not fetch the certificate last time", () => {
    const failed = { ...kvOlds, keyVault: { ...kvOlds.keyVault, lastStatus: { code: "Forbidden" } } };
    expect(diffApim(failed, { ...olds, keyVault: kvOlds.keyVault })).toMatchObject({ changes: true });
    const { thumbprint: _t, ...noThumbprint } = kvOlds;
    expect(diffApim(noThumbprint, { ...olds, keyVault: kvOlds.keyVault })).toMatchObject({ changes: true });
  });
});
