/**
 * The identity listener over raw HTTPS: GitHub Actions' ID-token service and OIDC issuer, the
 * managed identity endpoints (IMDS, App Service), and Entra ID's checks of federated and
 * certificate client assertions (issuer, subject, audience, signature, expiry).
 */
import * as crypto from "node:crypto";
import { OidcIssuer, startEmulator, trustEmulatorCa, type Emulator } from "../../emulator";
import { createSelfSignedPfx } from "../../emulator";
import { ARM_SCOPE, type TestEmulator, jwtPayload, startTestEmulator } from "./helpers";

let t: TestEmulator;
const ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

beforeAll(async () => {
  t = await startTestEmulator();
});
afterAll(async () => {
  await t.stop();
});
beforeEach(() => t.emu.admin.clearRequests());

const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");

async function exchange(clientId: string, assertion: string) {
  return t.http.post(
    `${t.emu.authorityHost}/${t.emu.tenantId}/oauth2/v2.0/token`,
    new URLSearchParams({
      grant_type: "client_credentials",
      client_id: clientId,
      scope: ARM_SCOPE,
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: assertion,
    }).toString(),
    { headers: { "content-type": "application/x-www-form-urlencoded" } },
  );
}

describe("GitHub Actions", () => {
  test("the issuer publishes discovery and keys that verify its ID tokens", async () => {
    const gh = t.emu.githubActions;
    const doc = await t.http.get(`${gh.issuer}/.well-known/openid-configuration`);
    expect(doc.status).toBe(200);
    expect(doc.data).toMatchObject({ issuer: gh.issuer, jwks_uri: `${gh.issuer}/.well-known/jwks` });
    const jwks = await t.http.get(doc.data.jwks_uri);
    const token = t.emu.admin.issueGitHubIdToken();
    const [h, p, s] = token.split(".");
    const header = JSON.parse(Buffer.from(h, "base64url").toString());
    const jwk = jwks.data.keys.find((k: { kid: string }) => k.kid === header.kid);
    const key = crypto.createPublicKey({ key: jwk, format: "jwk" });
    expect(crypto.verify("sha256", Buffer.from(`${h}.${p}`), key, Buffer.from(s, "base64url"))).toBe(true);
    expect(jwtPayload(token)).toMatchObject({
      iss: gh.issuer,
      sub: gh.subject,
      aud: "api://AzureADTokenExchange",
    });
  });

  test("the ID-token endpoint wants the request token as a bearer and answers {count, value} for the audience asked", async () => {
    const gh = t.emu.githubActions;
    const url = `${gh.requestUrl}&audience=${encodeURIComponent("api://AzureADTokenExchange")}`;
    const none = await t.http.get(url);
    expect([none.status, none.data]).toEqual([401, { message: "Bearer token is required" }]);
    const wrong = await t.http.get(url, { headers: { Authorization: "Bearer nope" } });
    expect([wrong.status, wrong.data]).toEqual([401, { message: "Invalid bearer token" }]);
    const ok = await t.http.get(url, { headers: { Authorization: `Bearer ${gh.requestToken}` } });
    expect(ok.status).toBe(200);
    expect(ok.data.count).toBe(1);
    const claims = jwtPayload(ok.data.value);
    expect(claims).toMatchObject({ iss: gh.issuer, sub: gh.subject, aud: "api://AzureADTokenExchange" });
    expect((claims.exp as number) - (claims.iat as number)).toBe(300);
    const log = t.emu.admin.requests({ listener: "identity" });
    expect(log.map((r) => [r.route, r.status, r.audience])).toEqual([
      ["github.idToken", 401, undefined],
      ["github.idToken", 401, undefined],
      ["github.idToken", 200, "api://AzureADTokenExchange"],
    ]);
    expect(JSON.stringify(log)).not.toContain(gh.requestToken);
  });

  test("the admin API (HTTP) reads and changes the GitHub settings and mints ID tokens", async () => {
    const admin = t.emu.adminEndpoint;
    expect((await t.http.get(`${admin}/github-actions`)).data).toEqual(t.emu.admin.githubActions());
    const changed = await t.http.patch(`${admin}/github-actions`, {
      subject: "repo:contoso/infra:environment:prod",
    });
    expect(changed.data.subject).toBe("repo:contoso/infra:environment:prod");
    const minted = await t.http.post(`${admin}/github-actions/id-tokens`, { audience: "api://custom" });
    expect(jwtPayload(minted.data.value)).toMatchObject({
      sub: "repo:contoso/infra:environment:prod",
      aud: "api://custom",
    });
    await t.http.patch(`${admin}/github-actions`, { subject: "repo:contoso/infra:ref:refs/heads/main" });
  });
});

describe("federated assertions at Entra ID", () => {
  const APP = "13131313-1313-1313-1313-131313131313";

  test("accepted when issuer, subject and audience match a federated credential and the issuer's key signed it", async () => {
    t.emu.admin.addClient({ clientId: APP });
    const admin = t.emu.adminEndpoint;
    const added = await t.http.post(`${admin}/clients/${APP}/federated-credentials`, {
      issuer: t.emu.githubActions.issuer,
      subject: "repo:contoso/app:environment:prod",
    });
    expect(added.status).toBe(204);
    const ok = await exchange(
      APP,
      t.emu.admin.issueGitHubIdToken({ subject: "repo:contoso/app:environment:prod" }),
    );
    expect(ok.status).toBe(200);
    expect(jwtPayload(ok.data.access_token)).toMatchObject({
      appid: APP,
      appidacr: "2",
      aud: "https://management.azure.com",
    });
    expect(t.emu.admin.requests({ route: "entra.token" })[0]).toMatchObject({
      credential: "federated",
      assertionIssuer: t.emu.githubActions.issuer,
      assertionSubject: "repo:contoso/app:environment:prod",
    });

    const wrongAudience = await exchange(
      APP,
      t.emu.admin.issueGitHubIdToken({
        subject: "repo:contoso/app:environment:prod",
        audience: "api://other",
      }),
    );
    expect([wrongAudience.status, wrongAudience.data.error_codes]).toEqual([400, [70021]]);
    const forged = new OidcIssuer(t.emu.githubActions.issuer).mint(
      { sub: "repo:contoso/app:environment:prod", aud: "api://AzureADTokenExchange" },
      300,
    );
    const bad = await exchange(APP, forged);
    expect([bad.status, bad.data.error_codes]).toEqual([401, [50013]]);
    const [h, p] = forged.split(".");
    const unsigned = await exchange(
      APP,
      `${b64url({ ...JSON.parse(Buffer.from(h, "base64url").toString()), alg: "none" })}.${p}.`,
    );
    expect(unsigned.data.error_codes).toEqual([50013]);
  });

  test("a foreign issuer's keys are fetched from its discovery document; an unreachable issuer is AADSTS50166", async () => {
    const other: Emulator = await startEmulator({ reuseKeys: true, vaults: [] });
    const untrust = trustEmulatorCa(other.caCertPem);
    try {
      const APP2 = "14141414-1414-1414-1414-141414141414";
      t.emu.admin.addClient({
        clientId: APP2,
        federatedCredentials: [
          { issuer: other.githubActions.issuer, subject: other.githubActions.subject },
          { issuer: "https://127.0.0.1:1/nobody", subject: "s" },
        ],
      });
      const ok = await exchange(APP2, other.admin.issueGitHubIdToken());
      expect(ok.status).toBe(200);
      // The foreign issuer's discovery and JWKS were read over HTTPS.
      expect(other.admin.requests({ listener: "identity" }).map((r) => r.route)).toEqual([
        "github.openidConfiguration",
        "github.jwks",
      ]);
      const now = Math.floor(Date.now() / 1000);
      const unreachable = await exchange(
        APP2,
        `${b64url({ alg: "RS256", kid: "k" })}.${b64url({ iss: "https://127.0.0.1:1/nobody", sub: "s", aud: "api://AzureADTokenExchange", exp: now + 300 })}.c2ln`,
      );
      expect(unreachable.data.error_codes).toEqual([50166]);
      expect(unreachable.data.error_description).toMatch(
        /^AADSTS50166: Request to External OIDC endpoint failed\./,
      );
    } finally {
      untrust();
      await other.stop();
    }
  });
});

describe("certificate assertions at Entra ID", () => {
  const APP = "15151515-1515-1515-1515-151515151515";
  let key: crypto.KeyObject;
  let der: Buffer;

  beforeAll(async () => {
    const pfx = await createSelfSignedPfx({ subject: "CN=cert-app" });
    key = pfx.privateKey;
    der = pfx.certificateDer;
    t.emu.admin.addClient({ clientId: APP, certificates: [der.toString("base64")] });
  });

  function certificateAssertion(opts: {
    sha256: boolean;
    signWith?: crypto.KeyObject;
    aud?: string;
    certificate?: Buffer;
  }): string {
    const now = Math.floor(Date.now() / 1000);
    const thumb = crypto
      .createHash(opts.sha256 ? "sha256" : "sha1")
      .update(opts.certificate ?? der)
      .digest("base64url");
    const header = opts.sha256
      ? { alg: "PS256", typ: "JWT", "x5t#S256": thumb }
      : { alg: "RS256", typ: "JWT", x5t: thumb };
    const payload = {
      iss: APP,
      sub: APP,
      aud: opts.aud ?? `${t.emu.authorityHost}/${t.emu.tenantId}/oauth2/v2.0/token`,
      exp: now + 600,
      nbf: now,
      jti: crypto.randomUUID(),
    };
    const input = `${b64url(header)}.${b64url(payload)}`;
    const signer = opts.signWith ?? key;
    const sig = opts.sha256
      ? crypto.sign("sha256", Buffer.from(input), {
          key: signer,
          padding: crypto.constants.RSA_PKCS1_PSS_PADDING,
          saltLength: 32,
        })
      : crypto.sign("sha256", Buffer.from(input), signer);
    return `${input}.${sig.toString("base64url")}`;
  }

  test("x5t#S256 with PS256 (MSAL Node) and x5t with RS256 are accepted for a registered certificate", async () => {
    for (const sha256 of [true, false]) {
      const r = await exchange(APP, certificateAssertion({ sha256 }));
      expect(r.status).toBe(200);
      expect(jwtPayload(r.data.access_token)).toMatchObject({ appid: APP, appidacr: "2" });
    }
    expect(t.emu.admin.requests({ route: "entra.token" }).map((r) => r.credential)).toEqual([
      "certificate",
      "certificate",
    ]);
  });

  test("another key, an unregistered certificate or another audience are refused", async () => {
    const { privateKey: otherKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
    const wrongKey = await exchange(APP, certificateAssertion({ sha256: true, signWith: otherKey }));
    expect([wrongKey.status, wrongKey.data.error_codes]).toEqual([401, [700027]]);
    expect(wrongKey.data.error_description).toContain(
      "The key was found, but use of the key to verify the signature failed.",
    );
    const other = await createSelfSignedPfx({ subject: "CN=not-registered" });
    const unregistered = await exchange(
      APP,
      certificateAssertion({ sha256: true, certificate: other.certificateDer, signWith: other.privateKey }),
    );
    expect([unregistered.status, unregistered.data.error_codes]).toEqual([401, [700027]]);
    expect(unregistered.data.error_description).toContain("[Reason - The key was not found.");
    const otherAudience = await exchange(
      APP,
      certificateAssertion({ sha256: false, aud: "https://example.com/token" }),
    );
    expect(otherAudience.data.error_codes).toEqual([700016]);
  });
});

describe("managed identity endpoints", () => {
  test("IMDS: Metadata header, api-version 2018-02-01, resource; system- or user-assigned; unknown identity", async () => {
    const mi = t.emu.managedIdentity;
    const url = (q: string) => `${mi.imdsEndpoint}/metadata/identity/oauth2/token?${q}`;
    const noHeader = await t.http.get(url("api-version=2018-02-01&resource=https://management.azure.com"));
    expect([noHeader.status, noHeader.data.error_description]).toEqual([
      400,
      "Required metadata header not specified",
    ]);
    const h = { headers: { Metadata: "true" } };
    expect((await t.http.get(url("resource=https://management.azure.com"), h)).status).toBe(400);
    expect((await t.http.get(url("api-version=2018-02-01"), h)).status).toBe(400);
    const system = await t.http.get(url("api-version=2018-02-01&resource=https://management.azure.com"), h);
    expect(system.status).toBe(200);
    expect(system.data).toMatchObject({
      client_id: mi.systemAssignedClientId,
      resource: "https://management.azure.com",
      token_type: "Bearer",
    });
    expect(typeof system.data.expires_on).toBe("string");
    expect(jwtPayload(system.data.access_token)).toMatchObject({
      appid: mi.systemAssignedClientId,
      aud: "https://management.azure.com",
      iss: `https://sts.windows.net/${t.emu.tenantId}/`,
    });
    const user = await t.http.get(
      url(`api-version=2018-02-01&resource=https://vault.azure.net&client_id=${mi.userAssignedClientIds[0]}`),
      h,
    );
    expect(jwtPayload(user.data.access_token)).toMatchObject({
      appid: mi.userAssignedClientIds[0],
      aud: "https://vault.azure.net",
    });
    const unknown = await t.http.get(
      url("api-version=2018-02-01&resource=https://vault.azure.net&client_id=nobody"),
      h,
    );
    expect([unknown.status, unknown.data.error_description]).toEqual([400, "Identity not found"]);
    const resource = await t.http.get(url("api-version=2018-02-01&resource=https://unknown.example"), h);
    expect([resource.status, resource.data.error]).toEqual([400, "invalid_resource"]);
  });

  test("App Service: X-IDENTITY-HEADER required, api-version 2019-08-01; identities added through the admin API", async () => {
    const mi = t.emu.managedIdentity;
    const url = `${mi.appServiceEndpoint}?api-version=2019-08-01&resource=https://management.azure.com`;
    expect((await t.http.get(url)).status).toBe(401);
    expect((await t.http.get(url, { headers: { "X-IDENTITY-HEADER": "wrong" } })).status).toBe(401);
    const ok = await t.http.get(url, { headers: { "X-IDENTITY-HEADER": mi.identityHeader } });
    expect(ok.status).toBe(200);
    expect(ok.data).toMatchObject({
      client_id: mi.systemAssignedClientId,
      resource: "https://management.azure.com",
    });
    const added = "16161616-1616-1616-1616-161616161616";
    expect((await t.http.post(`${t.emu.adminEndpoint}/managed-identities`, { clientId: added })).status).toBe(
      204,
    );
    const user = await t.http.get(`${url}&client_id=${added}`, {
      headers: { "X-IDENTITY-HEADER": mi.identityHeader },
    });
    expect(jwtPayload(user.data.access_token).appid).toBe(added);
    expect(t.emu.info().managedIdentity.userAssignedClientIds).toContain(added);
  });
});
