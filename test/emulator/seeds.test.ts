/**
 * Replays the requests of the seed documents (Azure REST reference pages, in ../../../shared/seeds
 * when this was written) with real certificates substituted, and compares the answers with the
 * documented sample responses: ids, types, names and the exact set and nesting of properties.
 * Values that depend on the certificate (subject, thumbprint, dates) are compared by type only.
 */
import { createSelfSignedPfx } from "../../emulator";
import { type TestEmulator, fixtureKey, shape, startTestEmulator, x5tToThumbprint } from "./helpers";
import {
  SEED_000_REFRESH_2024,
  SEED_001_DATA_2024,
  SEED_001_KV_2024,
  SEED_002_DATA_2022,
  SEED_002_KV_2022,
  SEED_003_REQUEST,
  SEED_003_RESPONSE,
} from "../fixtures/seeds";

let t: TestEmulator;
let arm: string;
let vaultToken: string;

beforeAll(async () => {
  t = await startTestEmulator();
  arm = await t.armToken();
  vaultToken = await t.vaultToken();
});

afterAll(() => t.stop());

const armUrl = (id: string, apiVersion: string, suffix = "") =>
  `${t.emu.armEndpoint}${id}${suffix}?api-version=${apiVersion}`;
const armAuth = () => ({ headers: { authorization: `Bearer ${arm}` } });
const vaultAuth = () => ({ headers: { authorization: `Bearer ${vaultToken}` } });

/** A Key Vault certificate whose subject is the seed's, and the secret identifier APIM should use. */
async function seedSecret(name: string): Promise<{ secretIdentifier: string; thumbprint: string }> {
  const vault = t.emu.vaults.demo;
  const r = await t.http.post(
    `${vault}/certificates/${name}/create?api-version=7.4`,
    { policy: { issuer: { name: "Self" }, x509_props: { subject: "CN=*.msitesting.net" } } },
    vaultAuth(),
  );
  expect(r.status).toBe(202);
  const b = await t.http.get(`${vault}/certificates/${name}?api-version=7.4`, vaultAuth());
  return { secretIdentifier: `${vault}/secrets/${name}`, thumbprint: x5tToThumbprint(b.data.x5t) };
}

function expectLikeSeed(actual: Record<string, unknown>, seed: Record<string, unknown>) {
  expect(shape(actual)).toEqual(shape(seed));
  expect(actual.id).toBe(seed.id);
  expect(actual.type).toBe(seed.type);
  expect(actual.name).toBe(seed.name);
}

describe.each([
  ["2024-05-01 (seed 001)", "2024-05-01", SEED_001_DATA_2024, SEED_001_KV_2024],
  ["2022-08-01 (seed 002)", "2022-08-01", SEED_002_DATA_2022, SEED_002_KV_2022],
])("APIM certificate create or update, %s", (_name, apiVersion, dataSeed, kvSeed) => {
  test("ApiManagementCreateCertificate: data + password", async () => {
    const pfx = await createSelfSignedPfx({ key: await fixtureKey(), subject: "CN=contoso.com" });
    const r = await t.http.put(
      armUrl(dataSeed.id, apiVersion),
      { properties: { data: pfx.pfxBase64, password: pfx.password } },
      armAuth(),
    );
    expect(r.status).toBe(201);
    expectLikeSeed(r.data, dataSeed);
    expect(r.data.properties.subject).toBe(dataSeed.properties.subject);
    expect(r.data.properties.thumbprint).toBe(pfx.thumbprint);
    // The spec's format (yyyy-MM-ddTHH:mm:ssZ); the sample's "+00:00" is the same instant format.
    expect(r.data.properties.expirationDate).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    // Second replay of the same request: an update, same body shape.
    const again = await t.http.put(
      armUrl(dataSeed.id, apiVersion),
      { properties: { data: pfx.pfxBase64, password: pfx.password } },
      armAuth(),
    );
    expect(again.status).toBe(200);
    expectLikeSeed(again.data, dataSeed);
  });

  test("ApiManagementCreateCertificateWithKeyVault: keyVault.secretIdentifier + identityClientId", async () => {
    const secret = await seedSecret(`seed-kv-${apiVersion.slice(0, 4)}`);
    const body = {
      properties: {
        keyVault: {
          identityClientId: "ceaa6b06-c00f-43ef-99ac-f53d1fe876a0",
          secretIdentifier: secret.secretIdentifier,
        },
      },
    };
    const r = await t.http.put(armUrl(kvSeed.id, apiVersion), body, armAuth());
    expect(r.status).toBe(201);
    expectLikeSeed(r.data, kvSeed);
    expect(r.data.properties.subject).toBe(kvSeed.properties.subject);
    expect(r.data.properties.thumbprint).toBe(secret.thumbprint);
    expect(r.data.properties.keyVault.identityClientId).toBe(kvSeed.properties.keyVault.identityClientId);
    expect(r.data.properties.keyVault.secretIdentifier).toBe(secret.secretIdentifier);
    expect(r.data.properties.keyVault.lastStatus.code).toBe("Success");
  });
});

test("Certificate - Refresh Secret (seed 000, 2024-05-01)", async () => {
  const secret = await seedSecret("seed-refresh");
  const body = {
    properties: {
      keyVault: {
        identityClientId: "ceaa6b06-c00f-43ef-99ac-f53d1fe876a0",
        secretIdentifier: secret.secretIdentifier,
      },
    },
  };
  expect(
    (await t.http.put(armUrl(SEED_000_REFRESH_2024.id, "2024-05-01"), body, armAuth())).status,
  ).toBeLessThan(300);
  const r = await t.http.post(
    armUrl(SEED_000_REFRESH_2024.id, "2024-05-01", "/refreshSecret"),
    undefined,
    armAuth(),
  );
  expect(r.status).toBe(200);
  expect(r.headers.etag).toBeDefined();
  expectLikeSeed(r.data, SEED_000_REFRESH_2024);
  expect(r.data.properties.subject).toBe(SEED_000_REFRESH_2024.properties.subject);
});

test("Update Certificate Policy (seed 003, 7.4), sent to the sample's '//certificates' path", async () => {
  const vault = t.emu.vaults.demo;
  const created = await t.http.post(
    `${vault}/certificates/updateCert01/create?api-version=7.4`,
    { policy: SEED_003_REQUEST },
    vaultAuth(),
  );
  expect(created.status).toBe(202);
  const r = await t.http.patch(
    `${vault}//certificates/updateCert01/policy?api-version=7.4`,
    SEED_003_REQUEST,
    vaultAuth(),
  );
  expect(r.status).toBe(200);
  expect(shape(r.data)).toEqual(shape(SEED_003_RESPONSE));
  expect(r.data.id).toBe(SEED_003_RESPONSE.id.replace("https://myvault.vault.azure.net", vault));
  const { id: _id, attributes, ...rest } = r.data;
  const { id: _sid, attributes: seedAttributes, ...seedRest } = SEED_003_RESPONSE;
  expect(rest).toEqual(seedRest);
  expect(attributes.enabled).toBe(seedAttributes.enabled);
  expect(attributes.updated).toBeGreaterThanOrEqual(attributes.created);
  // validity_months 297 was honoured by the issuance too.
  const cert = await t.http.get(`${vault}/certificates/updateCert01?api-version=7.4`, vaultAuth());
  const years = (cert.data.attributes.exp - cert.data.attributes.nbf) / (365.25 * 86400);
  expect(Math.round(years * 4) / 4).toBe(24.75);
});
