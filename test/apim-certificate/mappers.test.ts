import {
  certificatePath,
  keyVaultFailure,
  normaliseDate,
  parseCertificateArmId,
  toOutputs,
  toWireBody,
} from "../../provider/apim-certificate/mappers";
import type { ApimCertificateInputs, CertificateContract } from "../../provider/apim-certificate/types";
import { SEED_000_REFRESH_2024, SEED_001_DATA_2024 } from "../fixtures/seeds";

// The sample responses of the 2024-05-01 create/update and refreshSecret documents (seeds 000, 001).
const SEED_PFX: CertificateContract = SEED_001_DATA_2024;
const SEED_KV: CertificateContract = SEED_000_REFRESH_2024;

const base: ApimCertificateInputs = {
  subscriptionId: "00000000-0000-0000-0000-000000000000",
  resourceGroupName: "rg1",
  serviceName: "apimService1",
  certificateId: "tempcert",
  apiVersion: "2024-05-01",
  expiryWarningDays: 30,
};

describe("ApimCertificate mappers", () => {
  it("builds the seed's ARM path and reads it back", () => {
    expect(certificatePath(base)).toBe(SEED_PFX.id);
    expect(parseCertificateArmId(SEED_PFX.id)).toEqual({
      subscriptionId: base.subscriptionId,
      resourceGroupName: "rg1",
      serviceName: "apimService1",
      certificateId: "tempcert",
    });
    const odd = { ...base, certificateId: "my cert%1" };
    expect(parseCertificateArmId(certificatePath(odd))).toMatchObject({ certificateId: "my cert%1" });
    expect(parseCertificateArmId("/subscriptions/x/resourceGroups/y")).toBeUndefined();
  });

  it("builds the seed request bodies: one source only", () => {
    expect(toWireBody({ ...base, data: "QUJD", password: "pw" })).toEqual({
      properties: { data: "QUJD", password: "pw" },
    });
    expect(
      toWireBody({
        ...base,
        keyVault: {
          identityClientId: "ceaa6b06-c00f-43ef-99ac-f53d1fe876a0",
          secretIdentifier: "https://rpbvtkeyvaultintegration.vault-int.azure-int.net/secrets/msitestingCert",
        },
      }),
    ).toEqual({
      properties: {
        keyVault: {
          identityClientId: "ceaa6b06-c00f-43ef-99ac-f53d1fe876a0",
          secretIdentifier: "https://rpbvtkeyvaultintegration.vault-int.azure-int.net/secrets/msitestingCert",
        },
      },
    });
  });

  it("maps the seed answers to outputs", () => {
    expect(toOutputs(SEED_PFX, 'W/"1"', { apiVersion: "2024-05-01" })).toEqual({
      ...base,
      resourceId: SEED_PFX.id,
      thumbprint: "*******************3",
      expirationDate: "2018-03-17T21:55:07Z",
      subject: "CN=contoso.com",
      etag: 'W/"1"',
    });
    const kv = toOutputs(SEED_KV, undefined, { refreshTrigger: "v2", expiryWarningDays: 10 });
    expect(kv).toMatchObject({
      certificateId: "templateCertkv",
      refreshTrigger: "v2",
      expiryWarningDays: 10,
      keyVault: SEED_KV.properties.keyVault,
    });
    expect(kv).not.toHaveProperty("etag");
  });

  it("normalises dates to UTC seconds", () => {
    expect(normaliseDate("2018-03-17T21:55:07+00:00")).toBe("2018-03-17T21:55:07Z");
    expect(normaliseDate("2018-03-17T23:55:07+02:00")).toBe("2018-03-17T21:55:07Z");
    expect(normaliseDate("not a date")).toBe("not a date");
  });

  it("maps a Key Vault certificate API Management could not fetch: no thumbprint, lastStatus says why", () => {
    const failed: CertificateContract = {
      ...SEED_KV,
      properties: {
        keyVault: {
          ...SEED_KV.properties.keyVault,
          lastStatus: { code: "Forbidden", message: "denied", timeStampUtc: "2026-12-01T00:00:00Z" },
        },
      },
    };
    const outs = toOutputs(failed, undefined, {});
    expect(outs).not.toHaveProperty("thumbprint");
    expect(outs.keyVault?.lastStatus?.code).toBe("Forbidden");
    expect(keyVaultFailure(failed)).toMatch(
      /could not fetch certificate 'templateCertkv' from Key Vault \(Forbidden: denied\)/,
    );
    expect(keyVaultFailure(SEED_KV)).toBeUndefined();
    expect(keyVaultFailure(SEED_PFX)).toBeUndefined();
  });
});
