/**
 * Key Vault certificates, policies and secrets over real HTTPS, with real tokens.
 */
import * as crypto from "node:crypto";
import { createSelfSignedPfx } from "../../emulator";
import { parsePfx } from "../../provider/pki";
import { type TestEmulator, fixtureKey, startTestEmulator } from "./helpers";

let t: TestEmulator;
let vault: string;
let token: string;

beforeAll(async () => {
  t = await startTestEmulator();
  vault = t.emu.vaults.demo;
  token = await t.vaultToken();
});

afterAll(() => t.stop());

const headers = () => ({ headers: { authorization: `Bearer ${token}` } });
const kv = (p: string, v = "7.4") => `${vault}${p}${p.includes("?") ? "&" : "?"}api-version=${v}`;
const create = (name: string, policy: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  t.http.post(
    kv(`/certificates/${name}/create`),
    { policy: { issuer: { name: "Self" }, ...policy }, ...extra },
    headers(),
  );
const get = (p: string, v?: string) => t.http.get(kv(p, v), headers());

describe("create (issuer Self)", () => {
  test("issues a real certificate following the policy; the operation is already completed", async () => {
    const r = await create("web", {
      key_props: { kty: "RSA", key_size: 2048, exportable: true, reuse_key: false },
      x509_props: {
        subject: "CN=web.contoso.com, O=Contoso",
        sans: {
          dns_names: ["web.contoso.com", "www.contoso.com"],
          emails: ["ops@contoso.com"],
          upns: ["svc@contoso.com"],
        },
        ekus: ["1.3.6.1.5.5.7.3.1"],
        key_usage: ["digitalSignature", "keyEncipherment"],
        validity_months: 24,
      },
    });
    expect(r.status).toBe(202);
    expect(r.headers.location).toBe(`${vault}/certificates/web/pending?api-version=7.4`);
    expect(r.data).toMatchObject({
      id: `${vault}/certificates/web/pending`,
      issuer: { name: "Self" },
      status: "completed",
      cancellation_requested: false,
      target: `${vault}/certificates/web`,
    });
    const csr = Buffer.from(r.data.csr, "base64");
    expect(csr[0]).toBe(0x30);
    expect((await get("/certificates/web/pending")).data).toEqual(r.data);

    const b = (await get("/certificates/web")).data;
    const version = b.id.split("/").pop();
    expect(version).toMatch(/^[0-9a-f]{32}$/);
    expect(b.id).toBe(`${vault}/certificates/web/${version}`);
    expect(b.kid).toBe(`${vault}/keys/web/${version}`);
    expect(b.sid).toBe(`${vault}/secrets/web/${version}`);
    const der = Buffer.from(b.cer, "base64");
    expect(b.x5t).toBe(crypto.createHash("sha1").update(der).digest("base64url"));
    const x = new crypto.X509Certificate(der);
    expect(x.subject).toBe("O=Contoso\nCN=web.contoso.com");
    expect(x.subjectAltName).toContain("DNS:web.contoso.com, DNS:www.contoso.com");
    expect(x.subjectAltName).toContain("email:ops@contoso.com");
    expect(x.keyUsage).toEqual(["1.3.6.1.5.5.7.3.1"]);
    expect(x.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(x.verify(x.publicKey)).toBe(true);
    expect(b.attributes).toMatchObject({
      enabled: true,
      recoveryLevel: "Recoverable+Purgeable",
      recoverableDays: 90,
    });
    expect(b.attributes.nbf).toBe(Math.floor(new Date(x.validFrom).getTime() / 1000));
    expect(b.attributes.exp).toBe(Math.floor(new Date(x.validTo).getTime() / 1000));
    const months = (b.attributes.exp - b.attributes.nbf) / (30.44 * 86400);
    expect(Math.round(months)).toBe(24);
    expect(b.policy.id).toBe(`${vault}/certificates/web/policy`);
    expect(b.policy.x509_props.subject).toBe("CN=web.contoso.com, O=Contoso");
  });

  test.each([
    ["P-256", 256, "prime256v1"],
    ["P-384", 384, "secp384r1"],
    ["P-521", 521, "secp521r1"],
  ])("EC %s keys", async (crv, bits, openssl) => {
    const name = `ec-${bits}`;
    expect(
      (await create(name, { key_props: { kty: "EC", crv }, x509_props: { subject: `CN=${name}` } })).status,
    ).toBe(202);
    const b = (await get(`/certificates/${name}`)).data;
    const x = new crypto.X509Certificate(Buffer.from(b.cer, "base64"));
    expect(x.publicKey.asymmetricKeyType).toBe("ec");
    expect(x.publicKey.asymmetricKeyDetails?.namedCurve).toBe(openssl);
    expect(b.policy.key_props).toMatchObject({ kty: "EC", crv, key_size: bits });
    expect(b.policy.x509_props.key_usage).toEqual(["digitalSignature"]);
  });

  test("RSA 3072 and 4096 keys have the size asked for", async () => {
    for (const size of [3072, 4096]) {
      expect(
        (
          await create(`rsa-${size}`, {
            key_props: { kty: "RSA", key_size: size },
            x509_props: { subject: "CN=big" },
          })
        ).status,
      ).toBe(202);
      const x = new crypto.X509Certificate(
        Buffer.from((await get(`/certificates/rsa-${size}`)).data.cer, "base64"),
      );
      expect(x.publicKey.asymmetricKeyDetails?.modulusLength).toBe(size);
    }
  });

  test("defaults: exportable RSA 2048, PKCS#12, 12 months, TLS EKUs, AutoRenew at 80%", async () => {
    await create("defaults", { x509_props: { subject: "CN=defaults" } });
    const p = (await get("/certificates/defaults/policy")).data;
    expect(p).toMatchObject({
      key_props: { exportable: true, kty: "RSA", key_size: 2048, reuse_key: false },
      secret_props: { contentType: "application/x-pkcs12" },
      x509_props: {
        subject: "CN=defaults",
        ekus: ["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"],
        key_usage: ["digitalSignature", "keyEncipherment"],
        validity_months: 12,
      },
      lifetime_actions: [{ trigger: { lifetime_percentage: 80 }, action: { action_type: "AutoRenew" } }],
      issuer: { name: "Self" },
      attributes: { enabled: true },
    });
  });

  test("creating again makes a new version; versions and list show both", async () => {
    await create("versioned", { x509_props: { subject: "CN=v1" } });
    const first = (await get("/certificates/versioned")).data;
    await create("versioned", { x509_props: { subject: "CN=v2" } });
    const latest = (await get("/certificates/versioned")).data;
    expect(latest.id).not.toBe(first.id);
    expect(latest.policy.x509_props.subject).toBe("CN=v2");
    const v1 = (await get(`/certificates/versioned/${first.id.split("/").pop()}`)).data;
    expect(v1.x5t).toBe(first.x5t);
    const versions = (await get("/certificates/versioned/versions")).data;
    expect(versions.value.map((v: { id: string }) => v.id).sort()).toEqual([first.id, latest.id].sort());
    expect(versions.nextLink).toBeNull();
    const all = (await get("/certificates")).data.value.map((c: { id: string }) => c.id);
    expect(all).toContain(`${vault}/certificates/versioned`);
    expect((await get(`/certificates/versioned/${"0".repeat(32)}`)).status).toBe(404);
  });

  test.each([
    ["an unknown kty", { key_props: { kty: "DSA" } }, /key_props\.kty/],
    [
      "an RSA size Key Vault does not offer",
      { key_props: { kty: "RSA", key_size: 1024 } },
      /key_size.*2048, 3072, 4096/,
    ],
    [
      "a curve with an RSA key",
      { key_props: { kty: "RSA", crv: "P-256" } },
      /Curve cannot be specified with RSA key type/,
    ],
    ["an unknown curve", { key_props: { kty: "EC", crv: "P-192" } }, /key_props\.crv/],
    [
      "lifetime_percentage 100",
      { lifetime_actions: [{ trigger: { lifetime_percentage: 100 }, action: { action_type: "AutoRenew" } }] },
      /1 to 99/,
    ],
    [
      "both triggers",
      {
        lifetime_actions: [
          {
            trigger: { lifetime_percentage: 50, days_before_expiry: 10 },
            action: { action_type: "AutoRenew" },
          },
        ],
      },
      /exactly one/,
    ],
    [
      "days_before_expiry beyond validity_months x 27",
      {
        x509_props: { subject: "CN=x", validity_months: 12 },
        lifetime_actions: [
          { trigger: { days_before_expiry: 325 }, action: { action_type: "EmailContacts" } },
        ],
      },
      /324/,
    ],
    [
      "two lifetime actions (Key Vault: at most one, Azure/azure-sdk-for-net#15633)",
      {
        lifetime_actions: [
          { trigger: { lifetime_percentage: 80 }, action: { action_type: "AutoRenew" } },
          { trigger: { days_before_expiry: 10 }, action: { action_type: "EmailContacts" } },
        ],
      },
      /^At most one action is allowed$/,
    ],
    [
      "an oct key (symmetric: no certificate)",
      { key_props: { kty: "oct-HSM" } },
      /cannot back a certificate/,
    ],
    [
      "an unknown action",
      { lifetime_actions: [{ trigger: { lifetime_percentage: 50 }, action: { action_type: "Explode" } }] },
      /action_type/,
    ],
    ["an unknown key usage", { x509_props: { subject: "CN=x", key_usage: ["signEverything"] } }, /key_usage/],
    ["an unknown content type", { secret_props: { contentType: "text/plain" } }, /contentType/],
    ["a subject that is not a DN", { x509_props: { subject: "contoso" } }, /subject/],
    ["no subject and no SANs", { x509_props: { validity_months: 12 } }, /subject/],
    ["validity_months 0", { x509_props: { subject: "CN=x", validity_months: 0 } }, /validity_months/],
  ])("400 BadParameter for %s", async (_n, policy, message) => {
    const r = await create("invalid", { x509_props: { subject: "CN=x" }, ...policy });
    expect(r.status).toBe(400);
    expect(r.data.error.code).toBe("BadParameter");
    expect(r.data.error.message).toMatch(message);
    expect((await get("/certificates/invalid")).status).toBe(404);
  });

  test("only issuer Self is issued; a missing issuer is refused", async () => {
    const unknown = await t.http.post(
      kv("/certificates/unknown-issuer/create"),
      { policy: { issuer: { name: "DigiCert" }, x509_props: { subject: "CN=x" } } },
      headers(),
    );
    expect(unknown.status).toBe(400);
    expect(unknown.data.error.message).toMatch(/only self-signed issuance/);
    const none = await t.http.post(
      kv("/certificates/no-issuer/create"),
      { policy: { x509_props: { subject: "CN=x" } } },
      headers(),
    );
    expect(none.status).toBe(400);
    expect(none.data.error.message).toMatch(/issuer\.name/);
  });
});

describe("import", () => {
  test("a PFX with password: the bundle, the derived policy and the managed secret", async () => {
    const pfx = await createSelfSignedPfx({
      key: await fixtureKey(),
      subject: "CN=imported.contoso.com",
      dnsNames: ["imported.contoso.com"],
    });
    const r = await t.http.post(
      kv("/certificates/imported/import"),
      { value: pfx.pfxBase64, pwd: pfx.password },
      headers(),
    );
    expect(r.status).toBe(200);
    expect(Buffer.from(r.data.x5t, "base64url").toString("hex").toUpperCase()).toBe(pfx.thumbprint);
    expect(r.data.policy).toMatchObject({
      key_props: { kty: "RSA", key_size: 2048, exportable: true },
      secret_props: { contentType: "application/x-pkcs12" },
      x509_props: {
        subject: "CN=imported.contoso.com",
        sans: { dns_names: ["imported.contoso.com"] },
        validity_months: 12,
      },
      issuer: { name: "Unknown" },
      lifetime_actions: [{ trigger: { lifetime_percentage: 80 }, action: { action_type: "EmailContacts" } }],
    });
    const s = (await get("/secrets/imported")).data;
    expect(s).toMatchObject({
      contentType: "application/x-pkcs12",
      managed: true,
      kid: r.data.kid,
      id: r.data.sid,
    });
    // Key Vault's secret is a password-less PFX holding the key.
    const opened = parsePfx(Buffer.from(s.value, "base64"), "");
    expect(opened.privateKey).toBeDefined();
    expect(opened.certificates[0].equals(pfx.certificateDer)).toBe(true);
  });

  test("PEM with the PEM content type; its secret is PEM too", async () => {
    const key = await fixtureKey();
    const pfx = await createSelfSignedPfx({ key, subject: "CN=pem.contoso.com" });
    const pem =
      key.export({ type: "pkcs8", format: "pem" }).toString() +
      `-----BEGIN CERTIFICATE-----\n${pfx.certificateDer.toString("base64")}\n-----END CERTIFICATE-----\n`;
    const r = await t.http.post(
      kv("/certificates/pem-import/import"),
      { value: pem, policy: { secret_props: { contentType: "application/x-pem-file" } } },
      headers(),
    );
    expect(r.status).toBe(200);
    expect(r.data.policy.secret_props.contentType).toBe("application/x-pem-file");
    const s = (await get("/secrets/pem-import")).data;
    expect(s.contentType).toBe("application/x-pem-file");
    expect(s.value).toMatch(/^-----BEGIN PRIVATE KEY-----[\s\S]+-----BEGIN CERTIFICATE-----/);
  });

  test("a wrong password, a missing key and PEM sent as PKCS#12 are refused", async () => {
    const pfx = await createSelfSignedPfx({ key: await fixtureKey() });
    const wrong = await t.http.post(
      kv("/certificates/bad-import/import"),
      { value: pfx.pfxBase64, pwd: "nope" },
      headers(),
    );
    expect(wrong.status).toBe(400);
    expect(wrong.data.error).toMatchObject({
      code: "BadParameter",
      message: expect.stringMatching(/password/),
    });
    const noKey = await createSelfSignedPfx({ key: await fixtureKey(), omitPrivateKey: true });
    const nk = await t.http.post(
      kv("/certificates/bad-import/import"),
      { value: noKey.pfxBase64, pwd: noKey.password },
      headers(),
    );
    expect(nk.status).toBe(400);
    expect(nk.data.error.message).toMatch(/Private key is not specified/);
    const pemAsPfx = await t.http.post(
      kv("/certificates/bad-import/import"),
      {
        value: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----",
        policy: { secret_props: { contentType: "application/x-pkcs12" } },
      },
      headers(),
    );
    expect(pemAsPfx.status).toBe(400);
  });
});

describe("policy", () => {
  const basePolicy = {
    key_props: { exportable: true, kty: "RSA", key_size: 2048, reuse_key: false },
    x509_props: {
      subject: "CN=policy.contoso.com",
      sans: { dns_names: ["policy.contoso.com"] },
      validity_months: 12,
    },
  };

  test("GET has the policy id and created/updated attributes", async () => {
    await create("pol", basePolicy);
    const p = (await get("/certificates/pol/policy")).data;
    expect(p.id).toBe(`${vault}/certificates/pol/policy`);
    expect(typeof p.attributes.created).toBe("number");
    expect(typeof p.attributes.updated).toBe("number");
    expect(p.attributes.enabled).toBe(true);
  });

  test("PATCH sets the members given and leaves the others; it does not issue a new version", async () => {
    await create("merge", basePolicy);
    const versionsBefore = (await get("/certificates/merge/versions")).data.value.length;
    const r = await t.http.patch(
      kv("/certificates/merge/policy"),
      { x509_props: { validity_months: 24 } },
      headers(),
    );
    expect(r.status).toBe(200);
    expect(r.data.x509_props).toMatchObject({
      subject: "CN=policy.contoso.com",
      sans: { dns_names: ["policy.contoso.com"] },
      validity_months: 24,
    });
    expect(r.data.key_props).toEqual(basePolicy.key_props);
    const off = await t.http.patch(kv("/certificates/merge/policy"), { lifetime_actions: [] }, headers());
    expect(off.data.lifetime_actions).toEqual([]);
    const ec = await t.http.patch(
      kv("/certificates/merge/policy"),
      { key_props: { kty: "EC", crv: "P-384" } },
      headers(),
    );
    expect(ec.data.key_props).toEqual({ exportable: true, kty: "EC", reuse_key: false, crv: "P-384" });
    expect((await get("/certificates/merge/versions")).data.value.length).toBe(versionsBefore);
    // The next issuance follows the changed policy.
    const rotated = await t.emu.admin.rotateCertificate("demo", "merge");
    const x = new crypto.X509Certificate(
      Buffer.from((await get(`/certificates/merge/${rotated.latestVersion}`)).data.cer, "base64"),
    );
    expect(x.publicKey.asymmetricKeyDetails?.namedCurve).toBe("secp384r1");
    const months = (new Date(x.validTo).getTime() - new Date(x.validFrom).getTime()) / (30.44 * 86400_000);
    expect(Math.round(months)).toBe(24);
  });

  test("an invalid PATCH is refused and changes nothing", async () => {
    await create("strict", basePolicy);
    const before = (await get("/certificates/strict/policy")).data;
    const r = await t.http.patch(
      kv("/certificates/strict/policy"),
      { key_props: { key_size: 1000 } },
      headers(),
    );
    expect(r.status).toBe(400);
    expect(r.data.error.code).toBe("BadParameter");
    expect((await get("/certificates/strict/policy")).data).toEqual(before);
    expect((await t.http.patch(kv("/certificates/nothing-here/policy"), {}, headers())).status).toBe(404);
  });

  test("PATCH refuses two lifetime actions, as Key Vault does, and changes nothing", async () => {
    await create("two-actions", basePolicy);
    const before = (await get("/certificates/two-actions/policy")).data;
    const r = await t.http.patch(
      kv("/certificates/two-actions/policy"),
      {
        lifetime_actions: [
          { trigger: { lifetime_percentage: 80 }, action: { action_type: "AutoRenew" } },
          { trigger: { days_before_expiry: 10 }, action: { action_type: "EmailContacts" } },
        ],
      },
      headers(),
    );
    expect(r.status).toBe(400);
    expect(r.data.error).toEqual({ code: "BadParameter", message: "At most one action is allowed" });
    expect((await get("/certificates/two-actions/policy")).data).toEqual(before);
  });

  test("policyPatch: merge (default), replace-groups or replace, switched over the admin API while running", async () => {
    const admin = `${t.emu.adminEndpoint}/keyvault`;
    expect((await t.http.get(admin)).data).toEqual({ policyPatch: "merge" });
    await create("semantics", basePolicy);
    const stored = () => t.emu.admin.getKeyVaultCertificate("demo", "semantics")!.policy;
    const full = stored();
    try {
      expect((await t.http.patch(admin, { policyPatch: "replace-groups" })).data).toEqual({
        policyPatch: "replace-groups",
      });
      await t.http.patch(
        kv("/certificates/semantics/policy"),
        { x509_props: { validity_months: 24 } },
        headers(),
      );
      // The group sent replaced the stored one whole; the other groups stayed.
      expect(stored()).toEqual({ ...full, x509_props: { validity_months: 24 } });

      t.emu.admin.setPolicyPatch("replace");
      await t.http.patch(
        kv("/certificates/semantics/policy"),
        { x509_props: { subject: "CN=only.contoso.com" }, issuer: { name: "Self" } },
        headers(),
      );
      expect(stored()).toEqual({ x509_props: { subject: "CN=only.contoso.com" }, issuer: { name: "Self" } });

      // The admin setter of a policy always merges, whatever PATCH does.
      t.emu.admin.setCertificatePolicy("demo", "semantics", { x509_props: { validity_months: 6 } });
      expect(stored().x509_props).toEqual({ subject: "CN=only.contoso.com", validity_months: 6 });

      const bad = await t.http.patch(admin, { policyPatch: "deep-merge" });
      expect(bad.status).toBe(400);
      expect(bad.data.error.message).toMatch(/policyPatch must be one of merge, replace-groups, replace/);
    } finally {
      t.emu.admin.setPolicyPatch("merge");
    }
  });

  test("policyPatch can be chosen when the emulator starts", async () => {
    const other = await startTestEmulator({ policyPatch: "replace" });
    try {
      expect(other.emu.admin.policyPatch()).toBe("replace");
    } finally {
      await other.stop();
    }
    await expect(startTestEmulator({ policyPatch: "deep" as unknown as "merge" })).rejects.toThrow(
      /policyPatch must be one of merge, replace-groups, replace/,
    );
  });

  test("reuse_key keeps the key across a renewal", async () => {
    await create("reuse", { ...basePolicy, key_props: { ...basePolicy.key_props, reuse_key: true } }, {});
    const keyOf = async (v: string) =>
      new crypto.X509Certificate(
        Buffer.from((await get(`/certificates/reuse/${v}`)).data.cer, "base64"),
      ).publicKey.export({ format: "jwk" }).n;
    const first = t.emu.admin.getKeyVaultCertificate("demo", "reuse")!.latestVersion;
    const second = (await t.emu.admin.rotateCertificate("demo", "reuse")).latestVersion;
    expect(await keyOf(second)).toBe(await keyOf(first));
  });
});

describe("secrets", () => {
  test("the managed secret of each version; unknown ones are 404 SecretNotFound", async () => {
    await create("sec", { x509_props: { subject: "CN=sec" } });
    const b = (await get("/certificates/sec")).data;
    const latest = (await get("/secrets/sec")).data;
    const versioned = (await get(`/secrets/sec/${b.id.split("/").pop()}`)).data;
    expect(latest).toEqual(versioned);
    expect(latest.id).toBe(b.sid);
    const missing = await get("/secrets/none");
    expect(missing.status).toBe(404);
    expect(missing.data.error.code).toBe("SecretNotFound");
  });

  test("a non-exportable key stays in the vault: the secret holds the certificate only", async () => {
    await create("nonexp", { key_props: { exportable: false }, x509_props: { subject: "CN=nonexp" } });
    const s = (await get("/secrets/nonexp")).data;
    expect(parsePfx(Buffer.from(s.value, "base64"), "").privateKey).toBeUndefined();
  });

  test("a disabled version's secret cannot be read", async () => {
    await create("disabled", { x509_props: { subject: "CN=disabled" } }, { attributes: { enabled: false } });
    const r = await get("/secrets/disabled");
    expect(r.status).toBe(403);
    expect(r.data.error).toMatchObject({ code: "Forbidden", innererror: { code: "SecretDisabled" } });
  });
});

describe("delete, recover, purge", () => {
  test("soft delete, conflict on reuse, recover, delete again and purge", async () => {
    await create("doomed", { x509_props: { subject: "CN=doomed" } });
    const del = await t.http.delete(kv("/certificates/doomed"), headers());
    expect(del.status).toBe(200);
    expect(del.data).toMatchObject({ recoveryId: `${vault}/deletedcertificates/doomed` });
    expect(del.data.scheduledPurgeDate - del.data.deletedDate).toBe(90 * 86400);
    const gone = await get("/certificates/doomed");
    expect(gone.status).toBe(404);
    expect(gone.data.error.code).toBe("CertificateNotFound");
    const conflict = await create("doomed", { x509_props: { subject: "CN=doomed" } });
    expect(conflict.status).toBe(409);
    expect(conflict.data.error).toMatchObject({
      code: "Conflict",
      innererror: { code: "ObjectIsDeletedButRecoverable" },
    });
    expect((await get("/deletedcertificates/doomed")).status).toBe(200);
    expect((await t.http.post(kv("/deletedcertificates/doomed/recover"), undefined, headers())).status).toBe(
      200,
    );
    expect((await get("/certificates/doomed")).status).toBe(200);
    await t.http.delete(kv("/certificates/doomed"), headers());
    expect((await t.http.delete(kv("/deletedcertificates/doomed"), headers())).status).toBe(204);
    expect((await get("/deletedcertificates/doomed")).status).toBe(404);
    expect((await create("doomed", { x509_props: { subject: "CN=doomed" } })).status).toBe(202);
  });
});

describe("protocol", () => {
  test("no token: 401 with the challenge naming the tenant's authority and Key Vault's resource", async () => {
    const r = await t.http.get(kv("/certificates/web"));
    expect(r.status).toBe(401);
    expect(r.headers["www-authenticate"]).toBe(
      `Bearer authorization="${t.emu.authorityHost}/${t.emu.tenantId}", resource="https://vault.azure.net"`,
    );
    expect(r.data).toEqual({
      error: { code: "Unauthorized", message: "AKV10000: Request is missing a Bearer or PoP token." },
    });
  });

  test("an ARM token, an expired token and a token for 'https://vault.azure.net/' are refused", async () => {
    const armToken = await t.armToken();
    const a = await t.http.get(kv("/certificates/web"), { headers: { authorization: `Bearer ${armToken}` } });
    expect(a.status).toBe(401);
    expect(a.data.error.message).toBe(
      "AKV10022: Invalid audience. Expected https://vault.azure.net, found: https://management.azure.com.",
    );
    expect(a.headers["www-authenticate"]).toContain('resource="https://vault.azure.net"');
    const expired = t.emu.admin.issueToken({ audience: "https://vault.azure.net", lifetimeSeconds: -60 });
    expect(
      (await t.http.get(kv("/certificates/web"), { headers: { authorization: `Bearer ${expired}` } })).status,
    ).toBe(401);
    const slash = t.emu.admin.issueToken({ audience: "https://vault.azure.net/" });
    const s = await t.http.get(kv("/certificates/web"), { headers: { authorization: `Bearer ${slash}` } });
    expect(s.status).toBe(401);
    expect(s.data.error.message).toMatch(/AKV10022/);
  });

  test("api-versions 7.4, 7.5 and 7.6 are served; others are 400 BadParameter", async () => {
    await create("apiv", { x509_props: { subject: "CN=apiv" } });
    for (const v of ["7.4", "7.5", "7.6"]) expect((await get("/certificates/apiv", v)).status).toBe(200);
    const old = await get("/certificates/apiv", "7.3");
    expect(old.status).toBe(400);
    expect(old.data.error).toEqual({
      code: "BadParameter",
      message: expect.stringMatching(/\(7\.3\) is not recognized/),
    });
    const none = await t.http.get(`${vault}/certificates/apiv`, headers());
    expect(none.status).toBe(400);
  });

  test("invalid names and unknown certificates", async () => {
    const bad = await get("/certificates/bad_name");
    expect(bad.status).toBe(400);
    expect(bad.data.error).toEqual({
      code: "BadParameter",
      message: "The request URI contains an invalid name: bad_name",
    });
    const missing = await get("/certificates/missing");
    expect(missing.status).toBe(404);
    expect(missing.data.error.code).toBe("CertificateNotFound");
    expect(missing.data.error.message).toMatch(
      /^A certificate with \(name\/id\) missing was not found in this key vault/,
    );
  });

  test("each vault is its own origin with its own state", async () => {
    const url = await t.emu.admin.addVault("second");
    expect(url).toMatch(/^https:\/\/localhost:\d+$/);
    expect(url).not.toBe(vault);
    expect(t.emu.vaults.second).toBe(url);
    const r = await t.http.post(
      `${url}/certificates/only-here/create?api-version=7.4`,
      { policy: { issuer: { name: "Self" }, x509_props: { subject: "CN=x" } } },
      headers(),
    );
    expect(r.status).toBe(202);
    expect(r.data.id).toBe(`${url}/certificates/only-here/pending`);
    expect((await get("/certificates/only-here")).status).toBe(404);
    await expect(t.emu.admin.addVault("arm")).rejects.toThrow(/not a valid vault name/);
  });
});
