/**
 * Controls for tests and demos: injected faults, the request log, token counts, out-of-band
 * changes, through the in-process admin object and the HTTP admin API.
 */
import * as crypto from "node:crypto";
import { ClientSecretCredential } from "@azure/identity";
import { createSelfSignedPfx } from "../../emulator";
import { ARM_SCOPE, SUB, type TestEmulator, certPath, fixtureKey, startTestEmulator } from "./helpers";

let t: TestEmulator;
let arm: string;
let kvToken: string;
let admin: string;

// Real key generation here (no reuseKeys): renewals must produce new keys.
beforeAll(async () => {
  t = await startTestEmulator({ reuseKeys: false });
  arm = await t.armToken();
  kvToken = await t.vaultToken();
  admin = t.emu.adminEndpoint;
});

afterAll(() => t.stop());

beforeEach(() => {
  t.emu.admin.clearFaults();
  t.emu.admin.clearRequests();
});

const armAuth = (h: Record<string, string> = {}) => ({ headers: { authorization: `Bearer ${arm}`, ...h } });
const kvAuth = () => ({ headers: { authorization: `Bearer ${kvToken}` } });
const certUrl = (id: string, suffix = "") =>
  `${t.emu.armEndpoint}${certPath({ id, suffix })}?api-version=2024-05-01`;
const ref = (certificateId: string) => ({
  subscriptionId: SUB,
  resourceGroup: "rg1",
  serviceName: "apimService1",
  certificateId,
});

async function putCert(id: string) {
  const pfx = await createSelfSignedPfx({ key: await fixtureKey() });
  const r = await t.http.put(
    certUrl(id),
    { properties: { data: pfx.pfxBase64, password: pfx.password } },
    armAuth(),
  );
  expect(r.status).toBe(201);
  return r;
}

async function kvCreate(name: string, policy: Record<string, unknown> = {}) {
  const r = await t.http.post(
    `${t.emu.vaults.demo}/certificates/${name}/create?api-version=7.4`,
    { policy: { issuer: { name: "Self" }, x509_props: { subject: `CN=${name}` }, ...policy } },
    kvAuth(),
  );
  expect(r.status).toBe(202);
}

describe("faults", () => {
  test("429 with Retry-After for the next N matching requests, in ARM's error shape", async () => {
    await putCert("throttled");
    const fault = t.emu.admin.addFault({
      route: "apim.certificate.get",
      kind: "status",
      status: 429,
      retryAfterSeconds: 3,
      times: 2,
    });
    expect(fault).toMatchObject({ remaining: 2, hits: 0 });
    for (let i = 0; i < 2; i++) {
      const r = await t.http.get(certUrl("throttled"), armAuth());
      expect(r.status).toBe(429);
      expect(r.headers["retry-after"]).toBe("3");
      expect(r.data).toEqual({
        error: { code: "TooManyRequests", message: expect.stringContaining(fault.id) },
      });
    }
    expect((await t.http.get(certUrl("throttled"), armAuth())).status).toBe(200);
    // HEAD is another route: untouched.
    expect(t.emu.admin.listFaults()).toEqual([]);
    const log = t.emu.admin.requests({ route: "apim.certificate.get" });
    expect(log.map((e) => [e.status, e.faultKind])).toEqual([
      [429, "status"],
      [429, "status"],
      [200, undefined],
    ]);
  });

  test("retry-after-ms and x-ms-retry-after-ms", async () => {
    t.emu.admin.addFault({ listener: "demo", kind: "status", status: 429, retryAfterMs: 1500 });
    const r = await t.http.get(`${t.emu.vaults.demo}/certificates/x?api-version=7.4`, kvAuth());
    expect(r.status).toBe(429);
    expect(r.headers["retry-after-ms"]).toBe("1500");
    expect(r.headers["x-ms-retry-after-ms"]).toBe("1500");
    expect(r.headers["retry-after"]).toBeUndefined();
    expect(r.data.error.code).toBe("Throttled");
  });

  test.each([500, 503, 408])("%i in each listener's own error shape", async (status) => {
    t.emu.admin.addFault({ listener: "arm", kind: "status", status });
    t.emu.admin.addFault({ listener: "demo", kind: "status", status });
    t.emu.admin.addFault({ listener: "token", kind: "status", status });
    const a = await t.http.get(certUrl("any"), armAuth());
    expect(a.status).toBe(status);
    expect(Object.keys(a.data.error).sort()).toEqual(["code", "message"]);
    const v = await t.http.get(`${t.emu.vaults.demo}/certificates/x?api-version=7.4`, kvAuth());
    expect(v.status).toBe(status);
    expect(typeof v.data.error.code).toBe("string");
    const tok = await t.http.get(
      `${t.emu.authorityHost}/${t.emu.tenantId}/v2.0/.well-known/openid-configuration`,
    );
    expect(tok.status).toBe(status);
    expect(typeof tok.data.error).toBe("string");
    expect(typeof tok.data.error_description).toBe("string");
  });

  test("a token endpoint outage reaches the credential", async () => {
    t.emu.admin.addFault({ route: "entra.token", kind: "status", status: 503, times: 10 });
    const cred = new ClientSecretCredential(t.emu.tenantId, t.emu.clientId, t.emu.clientSecret, {
      authorityHost: t.emu.authorityHost,
      disableInstanceDiscovery: true,
      retryOptions: { maxRetries: 0 },
    });
    await expect(cred.getToken(ARM_SCOPE)).rejects.toThrow();
    expect(t.emu.admin.requests({ route: "entra.token" }).every((e) => e.status === 503)).toBe(true);
  });

  test("a reset destroys the connection without an answer", async () => {
    t.emu.admin.addFault({ method: "PUT", path: "/certificates/reset-me$", kind: "reset" });
    const pfx = await createSelfSignedPfx({ key: await fixtureKey() });
    await expect(
      t.http.put(
        certUrl("reset-me"),
        { properties: { data: pfx.pfxBase64, password: pfx.password } },
        armAuth(),
      ),
    ).rejects.toMatchObject({ code: expect.stringMatching(/ECONNRESET|ERR_BAD_RESPONSE|ECONNABORTED/) });
    const [entry] = t.emu.admin.requests({ route: "apim.certificate.put" });
    expect(entry).toMatchObject({ status: 0, faultKind: "reset" });
    expect(t.emu.admin.getApimCertificate(ref("reset-me"))).toBeUndefined();
  });

  test("a delay holds the request, then serves it normally", async () => {
    t.emu.admin.addFault({ route: "apim.certificate.head", kind: "delay", delayMs: 300 });
    await putCert("slow");
    const r = await t.http.head(certUrl("slow"), armAuth());
    expect(r.status).toBe(200);
    const [entry] = t.emu.admin.requests({ route: "apim.certificate.head" });
    expect(entry.faultKind).toBe("delay");
    expect(entry.durationMs).toBeGreaterThanOrEqual(250);
  });

  test("method, path and listener must all match; faults can be listed and removed", async () => {
    const f = t.emu.admin.addFault({
      listener: "arm",
      method: "DELETE",
      path: "certificates/match-me",
      kind: "status",
      status: 500,
    });
    await putCert("match-me");
    expect((await t.http.get(certUrl("match-me"), armAuth())).status).toBe(200);
    expect((await t.http.delete(certUrl("other"), armAuth({ "if-match": "*" }))).status).toBe(204);
    expect(t.emu.admin.listFaults().map((x) => x.id)).toEqual([f.id]);
    expect(t.emu.admin.removeFault(f.id)).toBe(true);
    expect((await t.http.delete(certUrl("match-me"), armAuth({ "if-match": "*" }))).status).toBe(200);
    expect(() => t.emu.admin.addFault({ kind: "status", path: "(" })).toThrow(/regular expression/);
  });
});

describe("request log", () => {
  test("records listener, method, path, query (secrets redacted), status, start and duration", async () => {
    await t.http.get(
      `${t.emu.vaults.demo}/secrets/nothing?api-version=7.4&sig=abc123&maxresults=5`,
      kvAuth(),
    );
    const [e] = t.emu.admin.requests({ listener: "demo" });
    expect(e).toMatchObject({
      listener: "demo",
      method: "GET",
      path: "/secrets/nothing",
      query: { "api-version": "7.4", sig: "REDACTED", maxresults: "5" },
      route: "kv.secret.get",
      status: 404,
      audience: "https://vault.azure.net",
      clientId: t.emu.clientId,
    });
    expect(Date.parse(e.startedAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(typeof e.durationMs).toBe("number");
    expect(e.requestId).toMatch(/^[0-9a-f-]{36}$/);
    const since = t.emu.admin.requests().at(-1)!.seq;
    await t.http.get(`${t.emu.vaults.demo}/secrets/nothing?api-version=7.4`, kvAuth());
    expect(t.emu.admin.requests({ since })).toHaveLength(1);
    t.emu.admin.clearRequests();
    expect(t.emu.admin.requests()).toEqual([]);
  });
});

describe("out-of-band changes (in process)", () => {
  test("rotate issues a new version with a new key from the current policy", async () => {
    await kvCreate("rotating", { x509_props: { subject: "CN=rotating", validity_months: 6 } });
    const before = t.emu.admin.getKeyVaultCertificate("demo", "rotating")!;
    t.emu.admin.setCertificatePolicy("demo", "rotating", { x509_props: { subject: "CN=rotated" } });
    const after = await t.emu.admin.rotateCertificate("demo", "rotating");
    expect(after.versions).toEqual([...before.versions, after.latestVersion]);
    expect(after.subject).toBe("CN=rotated");
    const cer = async (v: string) =>
      new crypto.X509Certificate(
        Buffer.from(
          (await t.http.get(`${t.emu.vaults.demo}/certificates/rotating/${v}?api-version=7.4`, kvAuth())).data
            .cer,
          "base64",
        ),
      );
    const [a, b] = [await cer(before.latestVersion), await cer(after.latestVersion)];
    expect(b.publicKey.export({ format: "jwk" }).n).not.toBe(a.publicKey.export({ format: "jwk" }).n);
  });

  test("delete a Key Vault certificate (soft, or purged) and an APIM certificate", async () => {
    await kvCreate("oob");
    t.emu.admin.deleteKeyVaultCertificate("demo", "oob");
    expect(
      (await t.http.get(`${t.emu.vaults.demo}/deletedcertificates/oob?api-version=7.4`, kvAuth())).status,
    ).toBe(200);
    t.emu.admin.deleteKeyVaultCertificate("demo", "oob", { purge: true });
    expect(
      (await t.http.get(`${t.emu.vaults.demo}/deletedcertificates/oob?api-version=7.4`, kvAuth())).status,
    ).toBe(404);
    expect(() => t.emu.admin.deleteKeyVaultCertificate("demo", "never")).toThrow(/not found/);
    expect(() => t.emu.admin.deleteKeyVaultCertificate("nope", "x")).toThrow(/no vault/);

    await putCert("apim-oob");
    expect(t.emu.admin.getApimCertificate(ref("apim-oob"))).toMatchObject({
      name: "apim-oob",
      etag: expect.any(String),
    });
    expect(t.emu.admin.deleteApimCertificate(ref("apim-oob"))).toBe(true);
    expect((await t.http.get(certUrl("apim-oob"), armAuth())).status).toBe(404);
  });

  test("reset forgets certificates, faults, log and counts", async () => {
    await putCert("before-reset");
    t.emu.admin.addFault({ kind: "status", route: "never.matches" });
    t.emu.admin.reset();
    expect(t.emu.admin.getApimCertificate(ref("before-reset"))).toBeUndefined();
    expect(t.emu.admin.listFaults()).toEqual([]);
    expect(t.emu.admin.tokenRequestCounts()).toEqual({});
    expect(t.emu.admin.requests()).toEqual([]);
  });
});

describe("HTTP admin API (no token)", () => {
  test("info, faults, requests and token counts", async () => {
    const info = await t.http.get(admin);
    expect(info.data).toEqual(t.emu.info());
    const f = await t.http.post(`${admin}/faults`, {
      route: "apim.certificate.get",
      kind: "status",
      status: 503,
      retryAfterSeconds: 1,
    });
    expect(f.status).toBe(201);
    expect((await t.http.get(`${admin}/faults`)).data.value.map((x: { id: string }) => x.id)).toEqual([
      f.data.id,
    ]);
    const hit = await t.http.get(certUrl("whatever"), armAuth());
    expect(hit.status).toBe(503);
    expect(hit.headers["retry-after"]).toBe("1");
    const logged = await t.http.get(`${admin}/requests?listener=arm`);
    expect(logged.data.value).toEqual([
      expect.objectContaining({ status: 503, faultId: f.data.id, route: "apim.certificate.get" }),
    ]);
    expect((await t.http.delete(`${admin}/requests`)).status).toBe(204);
    expect((await t.http.get(`${admin}/requests`)).data.value).toEqual([]);
    expect((await t.http.post(`${admin}/faults`, { kind: "explode" })).status).toBe(400);
    const g = await t.http.post(`${admin}/faults`, { kind: "reset" });
    expect((await t.http.delete(`${admin}/faults/${g.data.id}`)).status).toBe(204);
    expect((await t.http.delete(`${admin}/faults`)).status).toBe(204);

    await t.http.post(
      `${t.emu.authorityHost}/${t.emu.tenantId}/oauth2/v2.0/token`,
      new URLSearchParams({
        grant_type: "client_credentials",
        client_id: t.emu.clientId,
        client_secret: t.emu.clientSecret,
        scope: ARM_SCOPE,
      }).toString(),
    );
    expect((await t.http.get(`${admin}/token-requests`)).data[ARM_SCOPE]).toBeGreaterThanOrEqual(1);
    expect((await t.http.delete(`${admin}/token-requests`)).status).toBe(204);
    expect((await t.http.get(`${admin}/token-requests`)).data).toEqual({});
    expect((await t.http.get(`${admin}/nothing`)).status).toBe(404);
  });

  test("tokens, clients and vaults", async () => {
    const expired = await t.http.post(`${admin}/tokens`, {
      audience: "https://management.azure.com",
      lifetimeSeconds: -60,
    });
    const r = await t.http.get(certUrl("x"), {
      headers: { authorization: `Bearer ${expired.data.access_token}` },
    });
    expect(r.data.error.code).toBe("ExpiredAuthenticationToken");
    expect(
      (
        await t.http.post(`${admin}/clients`, {
          clientId: "55555555-5555-5555-5555-555555555555",
          clientSecret: "s2",
        })
      ).status,
    ).toBe(204);
    const cred = new ClientSecretCredential(t.emu.tenantId, "55555555-5555-5555-5555-555555555555", "s2", {
      authorityHost: t.emu.authorityHost,
      disableInstanceDiscovery: true,
    });
    expect((await cred.getToken(ARM_SCOPE)).token).toBeTruthy();
    const v = await t.http.post(`${admin}/vaults`, { name: "httpvault" });
    expect(v.status).toBe(201);
    expect((await t.http.get(`${admin}/vaults`)).data.httpvault).toBe(v.data.url);
    expect((await t.http.post(`${admin}/vaults`, { name: "x" })).status).toBe(400);
  });

  test("rotate, policy, delete for Key Vault; ETag, delete and absence for APIM", async () => {
    await kvCreate("http-kv");
    const kvBase = `${admin}/vaults/demo/certificates/http-kv`;
    const first = (await t.http.get(kvBase)).data;
    const patched = await t.http.patch(`${kvBase}/policy`, { x509_props: { validity_months: 3 } });
    expect(patched.status).toBe(200);
    expect(patched.data.x509_props.validity_months).toBe(3);
    expect((await t.http.patch(`${kvBase}/policy`, { key_props: { key_size: 5 } })).status).toBe(400);
    const rotated = await t.http.post(`${kvBase}/rotate`);
    expect(rotated.data.versions).toHaveLength(2);
    expect(rotated.data.thumbprint).not.toBe(first.thumbprint);
    expect((await t.http.delete(`${kvBase}?purge=true`)).status).toBe(204);
    expect((await t.http.get(kvBase)).status).toBe(404);
    expect((await t.http.post(`${admin}/vaults/demo/certificates/missing/rotate`)).status).toBe(404);

    const created = await putCert("http-apim");
    const apimBase = `${admin}/apim${certPath({ id: "http-apim" })}`;
    expect((await t.http.get(apimBase)).data.etag).toBe(created.headers.etag);
    const touched = await t.http.post(`${apimBase}/etag`, {});
    expect(touched.data.etag).not.toBe(created.headers.etag);
    const stale = await t.http.put(
      certUrl("http-apim"),
      {
        properties: {
          data: (await createSelfSignedPfx({ key: await fixtureKey() })).pfxBase64,
          password: "P@ssw0rd-emulator",
        },
      },
      armAuth({ "if-match": created.headers.etag as string }),
    );
    expect(stale.status).toBe(412);
    expect((await t.http.post(`${apimBase}/etag`, { etag: "fixed" })).data.etag).toBe('"fixed"');
    expect((await t.http.head(certUrl("http-apim"), armAuth())).headers.etag).toBe('"fixed"');
    expect((await t.http.delete(apimBase)).status).toBe(204);
    expect((await t.http.delete(apimBase)).status).toBe(404);

    const service = `${admin}/apim/subscriptions/${SUB}/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apimService1`;
    expect((await t.http.delete(service)).status).toBe(204);
    expect((await t.http.get(certUrl("x"), armAuth())).data.error.code).toBe("ParentResourceNotFound");
    expect((await t.http.put(service)).status).toBe(204);
    expect((await t.http.get(certUrl("x"), armAuth())).data.error.code).toBe("ResourceNotFound");
    expect((await t.http.post(`${admin}/reset`)).status).toBe(204);
  });
});

describe("the admin API's guard", () => {
  it("answers only under the run's key: 401 AdminKeyRequired without it or with another", async () => {
    const base = t.emu.armEndpoint;
    const noKey = await t.http.get(`${base}/_emulator/requests`);
    expect(noKey.status).toBe(401);
    expect(noKey.data.error.code).toBe("AdminKeyRequired");
    const key = t.emu.adminEndpoint.split("/").pop()!;
    const wrong = key.slice(0, -1) + (key.endsWith("A") ? "B" : "A");
    expect((await t.http.get(`${base}/_emulator/${wrong}/requests`)).status).toBe(401);
    expect((await t.http.get(`${base}/_emulator/${key}x/requests`)).status).toBe(401);
    expect((await t.http.get(`${t.emu.adminEndpoint}/requests`)).status).toBe(200);
  });

  it("refuses to bind a non-loopback address unless asked explicitly", async () => {
    await expect(startTestEmulator({ bindAddress: "0.0.0.0" })).rejects.toThrow(
      /refusing to bind the emulator to 0\.0\.0\.0: it is not a loopback address.*--allow-non-loopback/,
    );
  });
});
