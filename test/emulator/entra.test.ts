/**
 * The Entra ID endpoint, driven by the real @azure/identity credentials and by raw HTTPS requests.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ClientSecretCredential, WorkloadIdentityCredential } from "@azure/identity";
import { ARM_SCOPE, VAULT_SCOPE, type TestEmulator, jwtPayload, startTestEmulator } from "./helpers";

let t: TestEmulator;
let dir: string;

const FEDERATED_CLIENT = "33333333-3333-3333-3333-333333333333";
/** The emulator's GitHub Actions issuer (its URL has the emulator's port, so it is known after start). */
let GITHUB_ISSUER: string;

beforeAll(async () => {
  t = await startTestEmulator();
  GITHUB_ISSUER = t.emu.githubActions.issuer;
  t.emu.admin.addClient({
    clientId: FEDERATED_CLIENT,
    federatedCredentials: [{ issuer: GITHUB_ISSUER, subject: "repo:contoso/infra:ref:refs/heads/main" }],
  });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "emulator-entra-"));
});

afterAll(async () => {
  await t.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * An unsigned JWT shaped like a CI runner's OIDC token: refused before its signature is looked at
 * (malformed, expired, no matching federated credential). Accepted tokens are signed by the
 * emulator's GitHub issuer (`issueGitHubIdToken`).
 */
function assertion(claims: Record<string, unknown>): string {
  const now = Math.floor(Date.now() / 1000);
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
  return `${b64({ alg: "RS256", typ: "JWT" })}.${b64({ iat: now, nbf: now, exp: now + 600, ...claims })}.c2ln`;
}

function tokenForm(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

async function postToken(fields: Record<string, string>, tenant = t.emu.tenantId) {
  return t.http.post(`${t.emu.authorityHost}/${tenant}/oauth2/v2.0/token`, tokenForm(fields), {
    headers: { "content-type": "application/x-www-form-urlencoded" },
  });
}

describe("discovery and keys", () => {
  test("the OpenID configuration names this emulator's endpoints and echoes the host the client used", async () => {
    const r = await t.http.get(
      `${t.emu.authorityHost}/${t.emu.tenantId}/v2.0/.well-known/openid-configuration`,
    );
    expect(r.status).toBe(200);
    expect(r.data).toMatchObject({
      issuer: `${t.emu.authorityHost}/${t.emu.tenantId}/v2.0`,
      token_endpoint: `${t.emu.authorityHost}/${t.emu.tenantId}/oauth2/v2.0/token`,
      jwks_uri: `${t.emu.authorityHost}/${t.emu.tenantId}/discovery/v2.0/keys`,
      authorization_endpoint: `${t.emu.authorityHost}/${t.emu.tenantId}/oauth2/v2.0/authorize`,
    });
    // MSAL accepts an issuer only on the authority's own host: 127.0.0.1 must get 127.0.0.1 back.
    const ip = t.emu.authorityHost.replace("localhost", "127.0.0.1");
    const r2 = await t.http.get(`${ip}/${t.emu.tenantId}/v2.0/.well-known/openid-configuration`);
    expect(r2.data.issuer).toBe(`${ip}/${t.emu.tenantId}/v2.0`);
  });

  test("an unknown tenant is refused like Entra refuses it", async () => {
    const r = await t.http.get(`${t.emu.authorityHost}/not-a-tenant/v2.0/.well-known/openid-configuration`);
    expect(r.status).toBe(400);
    expect(r.data.error).toBe("invalid_request");
    expect(r.data.error_codes).toEqual([90002]);
    expect(r.data.error_description).toMatch(/^AADSTS90002: Tenant 'not-a-tenant' not found/);
  });

  test("tokens verify against the published JWKS key (RS256), independently of the emulator", async () => {
    const token = await t.armToken();
    const jwks = await t.http.get(`${t.emu.authorityHost}/${t.emu.tenantId}/discovery/v2.0/keys`);
    expect(jwks.status).toBe(200);
    const [h, p, s] = token.split(".");
    const header = JSON.parse(Buffer.from(h, "base64url").toString());
    expect(header.alg).toBe("RS256");
    const jwk = jwks.data.keys.find((k: { kid: string }) => k.kid === header.kid);
    expect(jwk).toMatchObject({ kty: "RSA", use: "sig" });
    const key = crypto.createPublicKey({ key: { kty: jwk.kty, n: jwk.n, e: jwk.e }, format: "jwk" });
    expect(crypto.verify("sha256", Buffer.from(`${h}.${p}`), key, Buffer.from(s, "base64url"))).toBe(true);
    // The x5c certificate carries the same key, and its SHA-1 is the kid, as Entra publishes keys.
    const cert = new crypto.X509Certificate(Buffer.from(jwk.x5c[0], "base64"));
    expect(cert.publicKey.export({ format: "jwk" }).n).toBe(jwk.n);
    expect(crypto.createHash("sha1").update(cert.raw).digest("base64url")).toBe(jwk.kid);
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...jwtPayload(token), aud: "x" })).toString("base64url")}.${s}`;
    const [th, tp] = tampered.split(".");
    expect(crypto.verify("sha256", Buffer.from(`${th}.${tp}`), key, Buffer.from(s, "base64url"))).toBe(false);
  });
});

describe("ClientSecretCredential", () => {
  test("gets tokens whose audience follows the scope, one token request per scope", async () => {
    t.emu.admin.resetTokenCounts();
    t.emu.admin.clearRequests();
    const cred = new ClientSecretCredential(t.emu.tenantId, t.emu.clientId, t.emu.clientSecret, {
      authorityHost: t.emu.authorityHost,
      disableInstanceDiscovery: true,
    });
    const arm = await cred.getToken(ARM_SCOPE);
    const arm2 = await cred.getToken(ARM_SCOPE);
    const kv = await cred.getToken(VAULT_SCOPE);
    expect(arm2.token).toBe(arm.token);
    expect(jwtPayload(arm.token)).toMatchObject({
      aud: "https://management.azure.com",
      tid: t.emu.tenantId,
      appid: t.emu.clientId,
      appidacr: "1",
      // ARM and Key Vault accept v1.0 tokens, so Entra gives them v1.0 tokens from the v2.0 endpoint.
      iss: `https://sts.windows.net/${t.emu.tenantId}/`,
      idp: `https://sts.windows.net/${t.emu.tenantId}/`,
      ver: "1.0",
    });
    expect(jwtPayload(kv.token).aud).toBe("https://vault.azure.net");
    expect(arm.expiresOnTimestamp).toBeGreaterThan(Date.now() + 50 * 60 * 1000);
    expect(t.emu.admin.tokenRequestCounts()).toEqual({ [ARM_SCOPE]: 1, [VAULT_SCOPE]: 1 });
    const logged = t.emu.admin.requests({ route: "entra.token" });
    expect(logged.map((e) => e.audience).sort()).toEqual([
      "https://management.azure.com",
      "https://vault.azure.net",
    ]);
    expect(logged.every((e) => e.clientId === t.emu.clientId && e.status === 200)).toBe(true);
  });

  test("AZURE_AUTHORITY_HOST alone points the credential at the emulator", async () => {
    const before = process.env.AZURE_AUTHORITY_HOST;
    process.env.AZURE_AUTHORITY_HOST = t.emu.authorityHost;
    try {
      const cred = new ClientSecretCredential(t.emu.tenantId, t.emu.clientId, t.emu.clientSecret, {
        disableInstanceDiscovery: true,
      });
      const token = await cred.getToken(ARM_SCOPE);
      expect(jwtPayload(token.token).aud).toBe("https://management.azure.com");
    } finally {
      if (before === undefined) delete process.env.AZURE_AUTHORITY_HOST;
      else process.env.AZURE_AUTHORITY_HOST = before;
    }
  });

  test("a wrong secret fails with Entra's invalid_client (AADSTS7000215), through the credential and on the wire", async () => {
    const cred = new ClientSecretCredential(t.emu.tenantId, t.emu.clientId, "wrong-secret", {
      authorityHost: t.emu.authorityHost,
      disableInstanceDiscovery: true,
    });
    await expect(cred.getToken(ARM_SCOPE)).rejects.toThrow(/AADSTS7000215/);
    const r = await postToken({
      grant_type: "client_credentials",
      client_id: t.emu.clientId,
      client_secret: "wrong-secret",
      scope: ARM_SCOPE,
    });
    expect(r.status).toBe(401);
    expect(r.data).toMatchObject({ error: "invalid_client", error_codes: [7000215] });
    expect(r.data.error_description).toMatch(/^AADSTS7000215: Invalid client secret provided\./);
    expect(typeof r.data.trace_id).toBe("string");
    expect(typeof r.data.correlation_id).toBe("string");
    expect(typeof r.data.timestamp).toBe("string");
  });

  test("without disableInstanceDiscovery MSAL refuses the emulator's authority before any request reaches it", async () => {
    t.emu.admin.resetTokenCounts();
    t.emu.admin.clearRequests();
    const cred = new ClientSecretCredential(t.emu.tenantId, t.emu.clientId, t.emu.clientSecret, {
      authorityHost: t.emu.authorityHost,
      retryOptions: { maxRetries: 0 },
    });
    await expect(cred.getToken(ARM_SCOPE)).rejects.toThrow(/endpoints_resolution_error|untrusted_authority/);
    // Instance discovery (login.microsoftonline.com) comes first and fails, so nothing reached us.
    expect(t.emu.admin.requests({ listener: "token" })).toEqual([]);
    expect(t.emu.admin.tokenRequestCounts()).toEqual({});
  });
});

describe("WorkloadIdentityCredential (federated token file)", () => {
  test("exchanges the file's assertion for tokens of each audience", async () => {
    const file = path.join(dir, "token");
    // The default client trusts the emulator's GitHub issuer for its default subject.
    fs.writeFileSync(file, t.emu.admin.issueGitHubIdToken());
    const cred = new WorkloadIdentityCredential({
      tenantId: t.emu.tenantId,
      clientId: t.emu.clientId,
      tokenFilePath: file,
      authorityHost: t.emu.authorityHost,
      disableInstanceDiscovery: true,
    });
    const arm = await cred.getToken(ARM_SCOPE);
    const kv = await cred.getToken(VAULT_SCOPE);
    expect(jwtPayload(arm.token)).toMatchObject({
      aud: "https://management.azure.com",
      appid: t.emu.clientId,
      appidacr: "2",
    });
    expect(jwtPayload(kv.token).aud).toBe("https://vault.azure.net");
  });

  test("reads AZURE_FEDERATED_TOKEN_FILE and the other environment variables", async () => {
    const file = path.join(dir, "env-token");
    fs.writeFileSync(
      file,
      t.emu.admin.issueGitHubIdToken({ subject: "repo:contoso/infra:ref:refs/heads/main" }),
    );
    const saved = { ...process.env };
    Object.assign(process.env, {
      AZURE_TENANT_ID: t.emu.tenantId,
      AZURE_CLIENT_ID: FEDERATED_CLIENT,
      AZURE_FEDERATED_TOKEN_FILE: file,
      AZURE_AUTHORITY_HOST: t.emu.authorityHost,
    });
    try {
      const cred = new WorkloadIdentityCredential({ disableInstanceDiscovery: true });
      const token = await cred.getToken(ARM_SCOPE);
      expect(jwtPayload(token.token)).toMatchObject({
        appid: FEDERATED_CLIENT,
        aud: "https://management.azure.com",
      });
    } finally {
      for (const k of [
        "AZURE_TENANT_ID",
        "AZURE_CLIENT_ID",
        "AZURE_FEDERATED_TOKEN_FILE",
        "AZURE_AUTHORITY_HOST",
      ])
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
    }
  });

  test("a client with federated credentials refuses an assertion that matches none (AADSTS70021)", async () => {
    const file = path.join(dir, "wrong-subject");
    fs.writeFileSync(file, t.emu.admin.issueGitHubIdToken({ subject: "repo:contoso/infra:pull_request" }));
    const cred = new WorkloadIdentityCredential({
      tenantId: t.emu.tenantId,
      clientId: FEDERATED_CLIENT,
      tokenFilePath: file,
      authorityHost: t.emu.authorityHost,
      disableInstanceDiscovery: true,
    });
    await expect(cred.getToken(ARM_SCOPE)).rejects.toThrow(/AADSTS70021/);
  });

  test("assertions that are expired, malformed or for another audience are refused", async () => {
    const base = { grant_type: "client_credentials", client_id: t.emu.clientId, scope: ARM_SCOPE };
    const type = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
    const now = Math.floor(Date.now() / 1000);
    const expired = await postToken({
      ...base,
      client_assertion_type: type,
      client_assertion: assertion({
        iss: "i",
        sub: "s",
        aud: "api://AzureADTokenExchange",
        exp: now - 3600,
        nbf: now - 7200,
      }),
    });
    expect(expired.status).toBe(401);
    expect(expired.data).toMatchObject({ error: "invalid_client", error_codes: [700024] });
    const malformed = await postToken({
      ...base,
      client_assertion_type: type,
      client_assertion: "not-a-jwt",
    });
    expect(malformed.status).toBe(401);
    expect(malformed.data.error_codes).toEqual([50027]);
    const otherAudience = await postToken({
      ...base,
      client_assertion_type: type,
      client_assertion: assertion({ iss: "i", sub: "s", aud: "https://example.com" }),
    });
    expect(otherAudience.status).toBe(400);
    expect(otherAudience.data.error_codes).toEqual([70021]);
  });
});

describe("token endpoint errors", () => {
  const ok = () => ({
    grant_type: "client_credentials",
    client_id: t.emu.clientId,
    client_secret: t.emu.clientSecret,
  });

  test.each([
    [
      "an unknown client",
      { client_id: "44444444-4444-4444-4444-444444444444", scope: ARM_SCOPE },
      400,
      "unauthorized_client",
      700016,
    ],
    [
      "a scope without /.default",
      { scope: "https://management.azure.com/user_impersonation" },
      400,
      "invalid_scope",
      1002012,
    ],
    [
      "an unknown resource",
      { scope: "https://unknown.example.com/.default" },
      400,
      "invalid_resource",
      500011,
    ],
    [
      "another grant type",
      { grant_type: "password", scope: ARM_SCOPE },
      400,
      "unsupported_grant_type",
      70003,
    ],
    ["no credential", { client_secret: undefined, scope: ARM_SCOPE }, 401, "invalid_client", 7000218],
  ])("%s", async (_name, change, status, error, code) => {
    const fields = { ...ok(), ...change } as Record<string, string | undefined>;
    const form = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Record<
      string,
      string
    >;
    const r = await postToken(form);
    expect(r.status).toBe(status);
    expect(r.data.error).toBe(error);
    expect(r.data.error_codes).toEqual([code]);
    expect(r.data.error_description).toMatch(new RegExp(`^AADSTS${code}: `));
    expect(r.data.error_uri).toBe(`https://login.microsoftonline.com/error?code=${code}`);
  });

  test("client_secret_basic: the id and secret in a Basic header", async () => {
    const basic = Buffer.from(
      `${encodeURIComponent(t.emu.clientId)}:${encodeURIComponent(t.emu.clientSecret)}`,
    ).toString("base64");
    const r = await t.http.post(
      `${t.emu.authorityHost}/${t.emu.tenantId}/oauth2/v2.0/token`,
      tokenForm({ grant_type: "client_credentials", scope: ARM_SCOPE }),
      { headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${basic}` } },
    );
    expect(r.status).toBe(200);
    expect(r.data).toMatchObject({ token_type: "Bearer", expires_in: 3600, ext_expires_in: 3600 });
    expect(jwtPayload(r.data.access_token).appid).toBe(t.emu.clientId);
  });

  test("token requests are counted per scope, failed ones included, and the log keeps no secret", async () => {
    t.emu.admin.resetTokenCounts();
    t.emu.admin.clearRequests();
    await postToken({ ...ok(), scope: VAULT_SCOPE });
    await postToken({ ...ok(), client_secret: "nope", scope: VAULT_SCOPE });
    expect(t.emu.admin.tokenRequestCounts()).toEqual({ [VAULT_SCOPE]: 2 });
    const entries = t.emu.admin.requests({ listener: "token" });
    expect(entries.map((e) => e.status)).toEqual([200, 401]);
    expect(JSON.stringify(entries)).not.toContain(t.emu.clientSecret);
  });
});
