/**
 * ARM / API Management certificates over real HTTPS, with tokens from a real ClientSecretCredential.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createSelfSignedPfx, type SelfSignedPfx } from "../../emulator";
import { SUB, type TestEmulator, certPath, fixtureKey, startTestEmulator, x5tToThumbprint } from "./helpers";

let t: TestEmulator;
let arm: string;
let pfx: SelfSignedPfx;
const V = "2024-05-01";

beforeAll(async () => {
  t = await startTestEmulator();
  arm = await t.armToken();
  pfx = await createSelfSignedPfx({ key: await fixtureKey(), subject: "CN=contoso.com" });
});

afterAll(() => t.stop());

const url = (p: string, apiVersion: string | null = V, extra = ""): string =>
  `${t.emu.armEndpoint}${p}${apiVersion === null ? (extra ? `?${extra.slice(1)}` : "") : `?api-version=${apiVersion}${extra}`}`;
const auth = (headers: Record<string, string> = {}) => ({
  headers: { authorization: `Bearer ${arm}`, ...headers },
});
const put = (
  id: string,
  properties: Record<string, unknown>,
  headers: Record<string, string> = {},
  opts = {},
) => t.http.put(url(certPath({ id, ...opts })), { properties }, auth(headers));
const fromData = (p: SelfSignedPfx = pfx) => ({ data: p.pfxBase64, password: p.password });

async function createKeyVaultCertificate(
  name: string,
  subject = `CN=${name}.example.com`,
  extra: Record<string, unknown> = {},
) {
  const vault = t.emu.vaults.demo;
  const token = await t.vaultToken();
  const r = await t.http.post(
    `${vault}/certificates/${name}/create?api-version=7.4`,
    { policy: { issuer: { name: "Self" }, x509_props: { subject }, ...extra } },
    { headers: { authorization: `Bearer ${token}` } },
  );
  expect(r.status).toBe(202);
  const got = await t.http.get(`${vault}/certificates/${name}?api-version=7.4`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return { vault, bundle: got.data as { id: string; sid: string; x5t: string; attributes: { exp: number } } };
}

describe("create, read, update", () => {
  test("PUT creates (201) then updates (200); every answer carries an ETag; data and password are never returned", async () => {
    const created = await put("tls-1", fromData());
    expect(created.status).toBe(201);
    expect(created.headers.etag).toMatch(/^".+"$/);
    expect(created.data).toEqual({
      id: `/subscriptions/${SUB}/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apimService1/certificates/tls-1`,
      type: "Microsoft.ApiManagement/service/certificates",
      name: "tls-1",
      properties: {
        subject: "CN=contoso.com",
        thumbprint: pfx.thumbprint,
        expirationDate: pfx.notAfter.toISOString().replace(/\.000Z$/, "Z"),
      },
    });
    expect(created.data.properties.thumbprint).toMatch(/^[0-9A-F]{40}$/);

    const other = await createSelfSignedPfx({
      key: await fixtureKey(),
      subject: "CN=www.contoso.com, O=Contoso, C=US",
    });
    const updated = await put("tls-1", fromData(other));
    expect(updated.status).toBe(200);
    expect(updated.headers.etag).not.toBe(created.headers.etag);
    expect(updated.data.properties).toEqual({
      subject: "CN=www.contoso.com, O=Contoso, C=US",
      thumbprint: other.thumbprint,
      expirationDate: other.notAfter.toISOString().replace(/\.000Z$/, "Z"),
    });

    const got = await t.http.get(url(certPath({ id: "tls-1" })), auth());
    expect(got.status).toBe(200);
    expect(got.headers.etag).toBe(updated.headers.etag);
    expect(got.data).toEqual(updated.data);
    expect(JSON.stringify(got.data)).not.toMatch(/password|"data"/);

    const head = await t.http.head(url(certPath({ id: "tls-1" })), auth());
    expect(head.status).toBe(200);
    expect(head.headers.etag).toBe(updated.headers.etag);
    expect(head.data).toBe("");
  });

  test("thumbprint and expiry agree with openssl reading the same PFX", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "emulator-openssl-"));
    try {
      for (const encryption of ["aes256", "3des"] as const) {
        const p = await createSelfSignedPfx({
          key: await fixtureKey(),
          subject: `CN=${encryption}.contoso.com`,
          encryption,
        });
        const file = path.join(dir, `${encryption}.pfx`);
        fs.writeFileSync(file, p.pfx);
        const pem = execFileSync("openssl", [
          "pkcs12",
          "-in",
          file,
          "-passin",
          `pass:${p.password}`,
          "-nokeys",
        ]);
        const out = execFileSync("openssl", ["x509", "-fingerprint", "-sha1", "-enddate", "-noout"], {
          input: pem,
        }).toString();
        const fingerprint = /Fingerprint=([0-9A-F:]+)/i.exec(out)![1].replace(/:/g, "").toUpperCase();
        const notAfter = new Date(/notAfter=(.+)/.exec(out)![1].trim());
        const r = await put(`openssl-${encryption}`, fromData(p));
        expect(r.status).toBe(201);
        expect(r.data.properties.thumbprint).toBe(fingerprint);
        expect(new Date(r.data.properties.expirationDate).getTime()).toBe(notAfter.getTime());
        expect(r.data.properties.expirationDate).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a PFX made by openssl itself (AES, SHA-256 MAC, encrypted certificate bag) is read", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "emulator-openssl-"));
    try {
      const key = (await fixtureKey()).export({ type: "pkcs8", format: "pem" }).toString();
      fs.writeFileSync(path.join(dir, "key.pem"), key);
      execFileSync("openssl", [
        "req",
        "-x509",
        "-key",
        path.join(dir, "key.pem"),
        "-out",
        path.join(dir, "cert.pem"),
        "-subj",
        "/CN=openssl.example/O=Fabrikam",
        "-days",
        "30",
      ]);
      execFileSync("openssl", [
        "pkcs12",
        "-export",
        "-in",
        path.join(dir, "cert.pem"),
        "-inkey",
        path.join(dir, "key.pem"),
        "-passout",
        "pass:s3cret",
        "-out",
        path.join(dir, "o.pfx"),
      ]);
      const fp = execFileSync("openssl", [
        "x509",
        "-in",
        path.join(dir, "cert.pem"),
        "-fingerprint",
        "-sha1",
        "-noout",
      ]).toString();
      const r = await put("from-openssl", {
        data: fs.readFileSync(path.join(dir, "o.pfx")).toString("base64"),
        password: "s3cret",
      });
      expect(r.status).toBe(201);
      expect(r.data.properties.subject).toBe("O=Fabrikam, CN=openssl.example");
      expect(r.data.properties.thumbprint).toBe(/=([0-9A-F:]+)/i.exec(fp)![1].replace(/:/g, ""));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("GET and HEAD of a missing certificate answer 404 (ResourceNotFound)", async () => {
    const get = await t.http.get(url(certPath({ id: "missing" })), auth());
    expect(get.status).toBe(404);
    expect(get.data).toEqual({ error: { code: "ResourceNotFound", message: expect.any(String) } });
    expect((await t.http.head(url(certPath({ id: "missing" })), auth())).status).toBe(404);
  });

  test("resource group names are case-insensitive; the id keeps the casing of creation", async () => {
    const r = await put("case", fromData(), {}, { rg: "RG-Mixed" });
    expect(r.status).toBe(201);
    const got = await t.http.get(url(certPath({ rg: "rg-mixed", id: "case" })), auth());
    expect(got.status).toBe(200);
    expect(got.data.id).toContain("/resourceGroups/RG-Mixed/");
  });

  test("api-version 2022-08-01 serves the same shape and accepts the documented 'subid' subscription", async () => {
    const r = await t.http.put(
      url(certPath({ sub: "subid", id: "old" }), "2022-08-01"),
      { properties: fromData() },
      auth(),
    );
    expect(r.status).toBe(201);
    expect(r.data.id).toBe(
      "/subscriptions/subid/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apimService1/certificates/old",
    );
  });
});

describe("If-Match and ETags", () => {
  test("a stale ETag gives 412 PreconditionFailed; the current one or * succeeds", async () => {
    const created = await put("etag-1", fromData());
    const first = created.headers.etag as string;
    const second = (await put("etag-1", fromData(), { "if-match": first })).headers.etag as string;
    expect(second).not.toBe(first);
    const stale = await put("etag-1", fromData(), { "if-match": first });
    expect(stale.status).toBe(412);
    expect(stale.data.error.code).toBe("PreconditionFailed");
    expect(stale.data.error.message).toMatch(/ETag/);
    expect((await put("etag-1", fromData(), { "if-match": "*" })).status).toBe(200);
    // An If-Match on a certificate that does not exist cannot be satisfied.
    expect((await put("etag-none", fromData(), { "if-match": first })).status).toBe(412);
  });

  test("an ETag changed out of band (admin) makes the provider's ETag stale", async () => {
    const created = await put("etag-2", fromData());
    const ref = {
      subscriptionId: SUB,
      resourceGroup: "rg1",
      serviceName: "apimService1",
      certificateId: "etag-2",
    };
    const newTag = t.emu.admin.touchApimCertificate(ref);
    expect(newTag).not.toBe(created.headers.etag);
    expect((await put("etag-2", fromData(), { "if-match": created.headers.etag as string })).status).toBe(
      412,
    );
    expect((await t.http.head(url(certPath({ id: "etag-2" })), auth())).headers.etag).toBe(newTag);
  });

  test("DELETE needs If-Match (400 without), honours it (412), and answers 200 then 204", async () => {
    const created = await put("del-1", fromData());
    const noHeader = await t.http.delete(url(certPath({ id: "del-1" })), auth());
    expect(noHeader.status).toBe(400);
    expect(noHeader.data.error.details[0]).toMatchObject({ code: "ValidationError", target: "If-Match" });
    const stale = await t.http.delete(url(certPath({ id: "del-1" })), auth({ "if-match": '"AAAAAAAAAAA="' }));
    expect(stale.status).toBe(412);
    const ok = await t.http.delete(
      url(certPath({ id: "del-1" })),
      auth({ "if-match": created.headers.etag as string }),
    );
    expect(ok.status).toBe(200);
    const again = await t.http.delete(url(certPath({ id: "del-1" })), auth({ "if-match": "*" }));
    expect(again.status).toBe(204);
    await put("del-2", fromData());
    expect((await t.http.delete(url(certPath({ id: "del-2" })), auth({ "if-match": "*" }))).status).toBe(200);
  });
});

describe("validation", () => {
  const details = (r: { data: { error: { details: Array<{ target: string }> } } }) => r.data.error.details[0];

  test("exactly one source: neither, both, or a password alone are refused", async () => {
    const neither = await put("v", {});
    expect(neither.status).toBe(400);
    expect(neither.data.error.code).toBe("ValidationError");
    const both = await put("v", {
      ...fromData(),
      keyVault: { secretIdentifier: `${t.emu.vaults.demo}/secrets/x` },
    });
    expect(both.status).toBe(400);
    expect(details(both).target).toBe("properties");
    const pwdOnly = await put("v", { password: "x" });
    expect(pwdOnly.status).toBe(400);
    expect(details(pwdOnly).target).toBe("data");
  });

  test("a wrong password, a PFX without private key and non-PFX data are refused with a target", async () => {
    const wrong = await put("v", { data: pfx.pfxBase64, password: "wrong" });
    expect(wrong.status).toBe(400);
    expect(wrong.data).toMatchObject({
      error: { code: "ValidationError", details: [{ code: "ValidationError", target: "password" }] },
    });
    const noKey = await createSelfSignedPfx({ key: await fixtureKey(), omitPrivateKey: true });
    const nk = await put("v", fromData(noKey));
    expect(nk.status).toBe(400);
    expect(details(nk)).toMatchObject({ target: "data" });
    expect(nk.data.error.details[0].message).toMatch(/private key/);
    const junk = await put("v", { data: Buffer.from("not a pfx").toString("base64"), password: "x" });
    expect(junk.status).toBe(400);
    expect(details(junk).target).toBe("data");
    const notJson = await t.http.put(url(certPath({ id: "v" })), "{nope", {
      ...auth({ "content-type": "application/json" }),
      transformRequest: [(d: unknown) => d],
    });
    expect(notJson.status).toBe(400);
    expect(notJson.data.error.code).toBe("InvalidRequestContent");
    expect((await t.http.get(url(certPath({ id: "v" })), auth())).status).toBe(404);
  });

  test("names follow the spec's patterns and lengths", async () => {
    const badId = await put("a*b", fromData());
    expect(badId.status).toBe(400);
    expect(details(badId).target).toBe("certificateId");
    expect((await put("x".repeat(81), fromData())).status).toBe(400);
    expect((await put("x".repeat(80), fromData())).status).toBe(201);
    const badService = await put("ok", fromData(), {}, { service: "1service" });
    expect(details(badService).target).toBe("serviceName");
    expect((await put("ok", fromData(), {}, { service: `a${"b".repeat(50)}` })).status).toBe(400);
    const badSub = await put("ok", fromData(), {}, { sub: "subid" });
    expect(badSub.status).toBe(400);
    expect(badSub.data.error.code).toBe("InvalidSubscriptionId");
  });

  test("api-version is required and must be one of the supported ones", async () => {
    const missing = await t.http.get(url(certPath({ id: "tls-1" }), null), auth());
    expect(missing.status).toBe(400);
    expect(missing.data.error.code).toBe("MissingApiVersionParameter");
    const wrong = await t.http.get(url(certPath({ id: "tls-1" }), "2019-01-01"), auth());
    expect(wrong.status).toBe(400);
    expect(wrong.data.error.code).toBe("InvalidApiVersionParameter");
    expect(wrong.data.error.message).toContain("2022-08-01,2024-05-01");
  });
});

describe("authentication", () => {
  const get = (headers: Record<string, string>) => t.http.get(url(certPath({ id: "tls-1" })), { headers });

  test("no token: 401 AuthenticationFailed with a Bearer challenge", async () => {
    const r = await get({});
    expect(r.status).toBe(401);
    expect(r.data.error.code).toBe("AuthenticationFailed");
    expect(r.headers["www-authenticate"]).toMatch(
      /^Bearer authorization_uri="https:\/\/localhost:\d+\/[^"]+", error="invalid_token"/,
    );
  });

  test("a Key Vault token is refused for its audience", async () => {
    const r = await get({ authorization: `Bearer ${await t.vaultToken()}` });
    expect(r.status).toBe(401);
    expect(r.data.error.code).toBe("InvalidAuthenticationTokenAudience");
    expect(r.data.error.message).toContain("'https://vault.azure.net'");
  });

  test("expired, re-signed and garbage tokens are refused", async () => {
    const expired = t.emu.admin.issueToken({
      audience: "https://management.azure.com",
      lifetimeSeconds: -600,
    });
    const e = await get({ authorization: `Bearer ${expired}` });
    expect(e.status).toBe(401);
    expect(e.data.error.code).toBe("ExpiredAuthenticationToken");
    const [h, p] = arm.split(".");
    const forged = `${h}.${p}.${Buffer.from("forged signature").toString("base64url")}`;
    const f = await get({ authorization: `Bearer ${forged}` });
    expect(f.status).toBe(401);
    expect(f.data.error.code).toBe("InvalidAuthenticationToken");
    const g = await get({ authorization: "Bearer garbage" });
    expect(g.data.error.code).toBe("InvalidAuthenticationToken");
    expect(g.headers["www-authenticate"]).toContain('error="invalid_token"');
  });

  test("the request log records the audience and client of the token used", async () => {
    t.emu.admin.clearRequests();
    await t.http.get(url(certPath({ id: "tls-1" })), auth());
    expect(t.emu.admin.requests({ listener: "arm" })).toEqual([
      expect.objectContaining({
        route: "apim.certificate.get",
        audience: "https://management.azure.com",
        clientId: t.emu.clientId,
        status: 200,
      }),
    ]);
  });
});

describe("list", () => {
  const svc = { service: "listing" };
  const ids = ["alpha", "bravo", "charlie", "delta", "echo"];
  const made: Record<string, SelfSignedPfx> = {};

  beforeAll(async () => {
    for (const [i, id] of ids.entries()) {
      made[id] = await createSelfSignedPfx({
        key: await fixtureKey(),
        subject: `CN=${id}.${i % 2 ? "fabrikam" : "contoso"}.com`,
        notAfter: new Date(Date.UTC(2030 + i, 0, 1)),
      });
      expect((await put(id, fromData(made[id]), {}, svc)).status).toBe(201);
    }
  });

  const list = (extra: string) => t.http.get(url(certPath(svc), V, extra), auth());
  const names = (r: { data: { value: Array<{ name: string }> } }) => r.data.value.map((c) => c.name);

  test("all certificates, with a total count", async () => {
    const r = await list("");
    expect(r.status).toBe(200);
    expect(names(r)).toEqual(ids);
    expect(r.data.count).toBe(5);
    expect(r.data.nextLink).toBeUndefined();
  });

  test.each([
    ["contains(properties/subject... on subject", "contains(subject,'fabrikam')", ["bravo", "delta"]],
    ["startswith on name", "startswith(name,'ch')", ["charlie"]],
    ["eq on thumbprint", () => `thumbprint eq '${made.echo.thumbprint}'`, ["echo"]],
    [
      "ge/le on expirationDate",
      "expirationDate ge datetime'2031-06-01T00:00:00Z' and expirationDate le 2033-06-01T00:00:00Z",
      ["charlie", "delta"],
    ],
    ["or and not", "name eq 'alpha' or not contains(subject,'contoso')", ["alpha", "bravo", "delta"]],
    ["endswith and substringof", "endswith(name,'a') and substringof('lph', name)", ["alpha"]],
  ])("$filter: %s", async (_n, filter, expected) => {
    const f = typeof filter === "function" ? filter() : filter;
    const r = await list(`&$filter=${encodeURIComponent(f)}`);
    expect(r.status).toBe(200);
    expect(names(r)).toEqual(expected);
    expect(r.data.count).toBe(expected.length);
  });

  test("$top pages through nextLink; $skip skips", async () => {
    const seen: string[] = [];
    let next: string | undefined = url(certPath(svc), V, "&$top=2");
    let pages = 0;
    while (next) {
      const r: {
        status: number;
        data: { count: number; nextLink?: string; value: Array<{ name: string }> };
      } = await t.http.get(next, auth());
      expect(r.status).toBe(200);
      expect(r.data.count).toBe(5);
      seen.push(...names(r));
      next = r.data.nextLink;
      pages++;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(ids);
    expect(names(await list("&$skip=3"))).toEqual(["delta", "echo"]);
  });

  test("bad $filter, $top and $skip are refused", async () => {
    const bad = await list(`&$filter=${encodeURIComponent("color eq 'red'")}`);
    expect(bad.status).toBe(400);
    expect(bad.data.error.details[0].target).toBe("$filter");
    expect((await list("&$filter=name%20eq")).status).toBe(400);
    expect((await list("&$top=0")).status).toBe(400);
    expect((await list("&$skip=-1")).status).toBe(400);
  });
});

describe("Key Vault certificates", () => {
  test("a versionless secret identifier follows rotations on refreshSecret", async () => {
    const { vault, bundle } = await createKeyVaultCertificate("apim-kv", "CN=*.msitesting.net");
    const secretId = `${vault}/secrets/apim-kv`;
    const created = await put("kv-1", { keyVault: { secretIdentifier: secretId, identityClientId: null } });
    expect(created.status).toBe(201);
    expect(created.data.properties).toMatchObject({
      subject: "CN=*.msitesting.net",
      thumbprint: x5tToThumbprint(bundle.x5t),
      expirationDate: new Date(bundle.attributes.exp * 1000).toISOString().replace(/\.000Z$/, "Z"),
      keyVault: { secretIdentifier: secretId, identityClientId: null, lastStatus: { code: "Success" } },
    });
    expect(created.data.properties.keyVault.lastStatus.timeStampUtc).toMatch(
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$/,
    );

    const rotated = await t.emu.admin.rotateCertificate("demo", "apim-kv");
    expect(rotated.thumbprint).not.toBe(x5tToThumbprint(bundle.x5t));
    // APIM does not notice a rotation until it refreshes.
    const before = await t.http.get(url(certPath({ id: "kv-1" })), auth());
    expect(before.data.properties.thumbprint).toBe(x5tToThumbprint(bundle.x5t));
    const refreshed = await t.http.post(
      url(certPath({ id: "kv-1", suffix: "/refreshSecret" })),
      undefined,
      auth(),
    );
    expect(refreshed.status).toBe(200);
    expect(refreshed.headers.etag).not.toBe(before.headers.etag);
    expect(refreshed.data.properties.thumbprint).toBe(rotated.thumbprint);
    expect(refreshed.data.properties.keyVault.lastStatus.code).toBe("Success");
  });

  test("a versioned secret identifier stays on its version", async () => {
    const { vault, bundle } = await createKeyVaultCertificate("apim-pinned");
    const version = bundle.id.split("/").pop();
    const created = await put("kv-pinned", {
      keyVault: { secretIdentifier: `${vault}/secrets/apim-pinned/${version}` },
    });
    expect(created.status).toBe(201);
    expect(created.data.properties.keyVault.identityClientId).toBeNull();
    await t.emu.admin.rotateCertificate("demo", "apim-pinned");
    const refreshed = await t.http.post(
      url(certPath({ id: "kv-pinned", suffix: "/refreshSecret" })),
      undefined,
      auth(),
    );
    expect(refreshed.data.properties.thumbprint).toBe(x5tToThumbprint(bundle.x5t));
  });

  test("a /certificates/ URI, an unknown secret or an unknown vault are refused with a clear message", async () => {
    const { vault } = await createKeyVaultCertificate("apim-uri");
    const certUri = await put("kv-bad", { keyVault: { secretIdentifier: `${vault}/certificates/apim-uri` } });
    expect(certUri.status).toBe(400);
    expect(certUri.data.error.details[0]).toMatchObject({ target: "keyVault.secretIdentifier" });
    expect(certUri.data.error.details[0].message).toMatch(/certificate URI.*secrets/);
    const unknown = await put("kv-bad", { keyVault: { secretIdentifier: `${vault}/secrets/nope` } });
    expect(unknown.status).toBe(400);
    expect(unknown.data.error.details[0].message).toMatch(/'nope' was not found/);
    const noVault = await put("kv-bad", {
      keyVault: { secretIdentifier: "https://localhost:1/secrets/apim-uri" },
    });
    expect(noVault.status).toBe(400);
    expect(noVault.data.error.details[0].message).toMatch(/No Key Vault answers/);
    // The real-cloud form of the name resolves to the emulated vault of that name.
    const cloudForm = await put("kv-cloud-form", {
      keyVault: { secretIdentifier: "https://demo.vault.azure.net/secrets/apim-uri" },
    });
    expect(cloudForm.status).toBe(201);
  });

  test("a non-exportable key or a PEM secret cannot be used by APIM", async () => {
    const { vault } = await createKeyVaultCertificate("apim-nonexp", "CN=nonexp", {
      key_props: { exportable: false },
    });
    const r = await put("kv-nonexp", { keyVault: { secretIdentifier: `${vault}/secrets/apim-nonexp` } });
    expect(r.status).toBe(400);
    expect(r.data.error.details[0].message).toMatch(/private key/);
    await createKeyVaultCertificate("apim-pem", "CN=pem", {
      secret_props: { contentType: "application/x-pem-file" },
    });
    const pem = await put("kv-pem", { keyVault: { secretIdentifier: `${vault}/secrets/apim-pem` } });
    expect(pem.status).toBe(400);
    expect(pem.data.error.details[0].message).toMatch(/application\/x-pkcs12/);
  });

  test("a failed refresh is recorded and listed by isKeyVaultRefreshFailed", async () => {
    const { vault } = await createKeyVaultCertificate("apim-gone");
    expect(
      (
        await put(
          "kv-gone",
          { keyVault: { secretIdentifier: `${vault}/secrets/apim-gone` } },
          {},
          { service: "refresh" },
        )
      ).status,
    ).toBe(201);
    expect((await put("data-cert", fromData(), {}, { service: "refresh" })).status).toBe(201);
    t.emu.admin.deleteKeyVaultCertificate("demo", "apim-gone");
    const r = await t.http.post(
      url(certPath({ service: "refresh", id: "kv-gone", suffix: "/refreshSecret" })),
      undefined,
      auth(),
    );
    expect(r.status).toBe(400);
    const failed = await t.http.get(
      url(certPath({ service: "refresh" }), V, "&isKeyVaultRefreshFailed=true"),
      auth(),
    );
    expect(failed.data.value.map((c: { name: string }) => c.name)).toEqual(["kv-gone"]);
    expect(failed.data.value[0].properties.keyVault.lastStatus.code).toBe("SecretNotFound");
    const fine = await t.http.get(
      url(certPath({ service: "refresh" }), V, "&isKeyVaultRefreshFailed=false"),
      auth(),
    );
    expect(fine.data.value.map((c: { name: string }) => c.name)).toEqual(["data-cert"]);
    const notKv = await t.http.post(
      url(certPath({ service: "refresh", id: "data-cert", suffix: "/refreshSecret" })),
      undefined,
      auth(),
    );
    expect(notKv.status).toBe(400);
    const missing = await t.http.post(
      url(certPath({ service: "refresh", id: "none", suffix: "/refreshSecret" })),
      undefined,
      auth(),
    );
    expect(missing.status).toBe(404);
  });
});

describe("services", () => {
  test("a service made absent answers 404 ParentResourceNotFound until it exists again", async () => {
    const ref = { subscriptionId: SUB, resourceGroup: "rg1", serviceName: "gone" };
    expect((await put("c", fromData(), {}, { service: "gone" })).status).toBe(201);
    t.emu.admin.setApimServiceExists(ref, false);
    const r = await t.http.get(url(certPath({ service: "gone", id: "c" })), auth());
    expect(r.status).toBe(404);
    expect(r.data.error.code).toBe("ParentResourceNotFound");
    expect(r.data.error.message).toContain("/providers/Microsoft.ApiManagement/service/gone");
    t.emu.admin.setApimServiceExists(ref, true);
    // A service that exists again starts empty.
    expect((await t.http.get(url(certPath({ service: "gone", id: "c" })), auth())).status).toBe(404);
    expect((await put("c", fromData(), {}, { service: "gone" })).status).toBe(201);
  });
});
