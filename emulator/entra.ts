/**
 * Microsoft Entra ID, as far as service principals use it: OpenID discovery, the signing keys and
 * the v2.0 token endpoint for the client-credentials grant (client secret, certificate assertion or
 * federated assertion). Tokens are RS256 JWTs signed with a key published in the JWKS, so anyone
 * can verify them the way Azure services do. Client assertions are verified as Entra verifies them:
 * a certificate assertion against the app's registered certificates (by `x5t` / `x5t#S256`), a
 * federated one against the app's federated credentials and the issuer's published keys.
 */
import * as crypto from "node:crypto";
import { type Reply, type RequestContext, type Route, header } from "./http";
import {
  type DecodedJwt,
  type IssuerKeys,
  decodeJwt,
  fetchIssuerKeys,
  verifyJwtSignature,
} from "./oidc-issuer";
import { buildCertificate } from "./pki";

/** A service principal that may ask for tokens. */
export interface EntraClient {
  clientId: string;
  /** Secret for `client_secret`; without one the client can only use assertions. */
  clientSecret?: string;
  /**
   * Federated credentials (workload identity, GitHub Actions). A federated assertion must match one
   * of them exactly (issuer, subject, one audience) and be signed by a key its issuer publishes.
   */
  federatedCredentials?: FederatedCredential[];
  /**
   * Certificates (PEM, or base64 DER) registered for the app: a certificate assertion
   * (`iss` = `sub` = client id) must name one by `x5t` or `x5t#S256` and be signed by its key.
   */
  certificates?: string[];
}

/** A federated identity credential of an app registration. */
export interface FederatedCredential {
  issuer: string;
  subject: string;
  /** Default `["api://AzureADTokenExchange"]`. */
  audiences?: string[];
}

/**
 * Claims of the access tokens the emulator issues (app-only). The resource decides the format, as in
 * Entra: ARM, Key Vault and Microsoft Graph accept v1.0 tokens (`iss` = `https://sts.windows.net/{tenant}/`,
 * `appid`, `appidacr`, `idp`, `ver` "1.0"), other resources get v2.0 ones (`iss` =
 * `{authorityHost}/{tenant}/v2.0`, `azp`, `azpacr`, `ver` "2.0"), whichever endpoint issued them.
 */
export interface TokenClaims {
  aud: string;
  iss: string;
  iat: number;
  nbf: number;
  exp: number;
  /** v1.0: the client id. */
  appid?: string;
  /** v1.0: how the client authenticated: "1" secret, "2" certificate or assertion. */
  appidacr?: string;
  /** v1.0: the issuer of the identity (the tenant's v1 issuer for apps). */
  idp?: string;
  /** v2.0: the client id. */
  azp?: string;
  /** v2.0: as `appidacr`. */
  azpacr?: string;
  oid: string;
  sub: string;
  tid: string;
  ver: string;
  idtyp: string;
  uti: string;
  [claim: string]: unknown;
}

/** The outcome of checking a bearer token's signature and lifetime (audience is the caller's job). */
type TokenCheck =
  | { ok: true; claims: TokenClaims }
  | {
      ok: false;
      reason: "malformed" | "unknownKey" | "signature" | "expired" | "notYetValid";
      claims?: TokenClaims;
    };

/** Resources the token endpoint knows, as Entra knows resource principals. */
const DEFAULT_RESOURCES = [
  "https://management.azure.com",
  "https://management.core.windows.net",
  "https://vault.azure.net",
  "https://graph.microsoft.com",
];

/**
 * Resources whose app registrations accept v1.0 access tokens (accessTokenAcceptedVersion 1 or
 * unset), so Entra gives them v1.0 tokens even from the v2.0 endpoint.
 */
const V1_TOKEN_RESOURCES = [
  "https://management.azure.com",
  "https://management.core.windows.net",
  "https://vault.azure.net",
  "cfa8b339-82a2-471a-a3c9-0fc0be7a4093",
  "https://graph.microsoft.com",
];

/** The client id of a token: `appid` (v1.0) or `azp` (v2.0). */
export function tokenClientId(claims: { appid?: unknown; azp?: unknown }): string | undefined {
  if (typeof claims.appid === "string") return claims.appid;
  return typeof claims.azp === "string" ? claims.azp : undefined;
}

const TOKEN_EXCHANGE_AUDIENCE = "api://AzureADTokenExchange";
const ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
// Entra tolerates five minutes of clock skew on assertions.
const SKEW_SECONDS = 300;

/** Options of {@link EntraIdentity}. */
interface EntraOptions {
  tenantId: string;
  clients: EntraClient[];
  /** Canonical authority host, e.g. `https://localhost:1234`; the token issuer derives from it. */
  authorityHost: string;
  tokenLifetimeSeconds: number;
  resources?: string[];
  /**
   * The signing keys of an issuer a federated credential names. Default: fetched from the issuer's
   * discovery document over HTTPS, as Entra does; the emulator passes its own issuers' keys first.
   */
  issuerKeys?: (issuer: string) => Promise<IssuerKeys>;
}

/** A registered certificate: its public key under both thumbprints (hex, upper case). */
interface RegisteredCertificate {
  sha1: string;
  sha256: string;
  key: crypto.KeyObject;
}

function registeredCertificate(text: string): RegisteredCertificate {
  const pem = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(text);
  const der = Buffer.from((pem ? pem[1] : text).replace(/\s+/g, ""), "base64");
  const cert = new crypto.X509Certificate(der);
  return {
    sha1: crypto.createHash("sha1").update(cert.raw).digest("hex").toUpperCase(),
    sha256: crypto.createHash("sha256").update(cert.raw).digest("hex").toUpperCase(),
    key: cert.publicKey,
  };
}

const b64url = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString("base64url");
const nowSeconds = (): number => Math.floor(Date.now() / 1000);

function stableGuid(seed: string): string {
  const h = crypto.createHash("sha1").update(seed).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * What a token request's `claims` parameter (OpenID Connect claims request, as MSAL sends a claims
 * challenge and client capabilities) puts into the token: the authentication context asked for
 * (`access_token.acrs.value`/`values` → `acrs`) and the client capabilities (`access_token.xms_cc.values`
 * → `xms_cc`). Anything else, and a parameter that is not JSON, adds nothing: the emulator does not
 * evaluate Conditional Access.
 */
function requestedClaims(parameter: string | null): Record<string, unknown> {
  if (!parameter) return {};
  let request: unknown;
  try {
    request = JSON.parse(parameter);
  } catch {
    return {};
  }
  const access = (request as { access_token?: Record<string, { value?: unknown; values?: unknown }> })
    ?.access_token;
  if (typeof access !== "object" || access === null) return {};
  const values = (c: { value?: unknown; values?: unknown } | undefined): string[] =>
    [c?.value, ...(Array.isArray(c?.values) ? c.values : [])].filter(
      (v): v is string => typeof v === "string",
    );
  const out: Record<string, unknown> = {};
  const acrs = values(access.acrs);
  if (acrs.length > 0) out.acrs = acrs;
  const capabilities = values(access.xms_cc);
  if (capabilities.length > 0) out.xms_cc = capabilities;
  return out;
}

/** The emulated identity provider of one tenant. */
export class EntraIdentity {
  readonly tenantId: string;
  private readonly clients = new Map<string, EntraClient>();
  private readonly certificates = new Map<string, RegisteredCertificate[]>();
  private readonly key: crypto.KeyObject;
  private readonly kid: string;
  private readonly jwk: Record<string, unknown>;
  private readonly resources: string[];
  private readonly counts = new Map<string, number>();

  constructor(private readonly options: EntraOptions) {
    this.tenantId = options.tenantId;
    for (const c of options.clients) this.addClient(c);
    this.resources = (options.resources ?? DEFAULT_RESOURCES).map((r) => r.replace(/\/+$/, "").toLowerCase());
    const { privateKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
    this.key = privateKey;
    // Entra publishes each signing key with a self-signed certificate and uses its x5t as kid.
    const now = Date.now();
    const cert = buildCertificate({
      subject: [{ oid: "2.5.4.3", value: "accounts.emulator.local" }],
      key: privateKey,
      notBefore: new Date(now - 3600_000),
      notAfter: new Date(now + 5 * 365 * 86400_000),
    });
    this.kid = crypto.createHash("sha1").update(cert).digest("base64url");
    const pub = crypto.createPublicKey(privateKey).export({ format: "jwk" });
    this.jwk = {
      kty: "RSA",
      use: "sig",
      kid: this.kid,
      x5t: this.kid,
      n: pub.n,
      e: pub.e,
      x5c: [cert.toString("base64")],
      issuer: this.issuer(options.authorityHost),
    };
  }

  /** Registers (or replaces) a client. */
  addClient(client: EntraClient): void {
    const certificates = (client.certificates ?? []).map(registeredCertificate);
    this.clients.set(client.clientId.toLowerCase(), { ...client });
    this.certificates.set(client.clientId.toLowerCase(), certificates);
  }

  /** Adds a federated credential to a registered client. */
  addFederatedCredential(clientId: string, credential: FederatedCredential): void {
    const client = this.clients.get(clientId.toLowerCase());
    if (!client) throw new Error(`no client '${clientId}'`);
    client.federatedCredentials = [...(client.federatedCredentials ?? []), credential];
  }

  /** Whether tokens can be issued for this resource (audience, without `/.default`). */
  knowsResource(resource: string): boolean {
    return this.resources.includes(resource.replace(/\/+$/, "").toLowerCase());
  }

  get tokenLifetimeSeconds(): number {
    return this.options.tokenLifetimeSeconds;
  }

  /** Token requests received, per requested scope string (failed requests included). */
  tokenRequestCounts(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  resetTokenCounts(): void {
    this.counts.clear();
  }

  private issuer(base: string): string {
    return `${base}/${this.tenantId}/v2.0`;
  }

  /** Mints an access token directly (admin use: expired or foreign-audience tokens for tests). */
  issueToken(opts: {
    audience: string;
    clientId?: string;
    lifetimeSeconds?: number;
    azpacr?: string;
    /** Claims to add, e.g. `acrs` and `xms_cc` from a token request's `claims` (see `requestedClaims`). */
    extraClaims?: Record<string, unknown>;
    /** Token format; default: what the audience accepts ({@link V1_TOKEN_RESOURCES}: "1.0", else "2.0"). */
    version?: "1.0" | "2.0";
  }): string {
    const now = nowSeconds();
    const lifetime = opts.lifetimeSeconds ?? this.options.tokenLifetimeSeconds;
    const clientId = opts.clientId ?? this.options.clients[0]?.clientId ?? stableGuid("client");
    const oid = stableGuid(`${this.tenantId}/${clientId.toLowerCase()}`);
    const v1 =
      (opts.version ?? (V1_TOKEN_RESOURCES.includes(opts.audience.toLowerCase()) ? "1.0" : "2.0")) === "1.0";
    const v1Issuer = `https://sts.windows.net/${this.tenantId}/`;
    const claims: TokenClaims = {
      aud: opts.audience,
      iss: v1 ? v1Issuer : this.issuer(this.options.authorityHost),
      // An already-expired token must also have started in the past.
      iat: Math.min(now, now + lifetime - 60),
      nbf: Math.min(now, now + lifetime - 60),
      exp: now + lifetime,
      ...(v1
        ? { appid: clientId, appidacr: opts.azpacr ?? "1", idp: v1Issuer }
        : { azp: clientId, azpacr: opts.azpacr ?? "1" }),
      oid,
      sub: oid,
      tid: this.tenantId,
      ver: v1 ? "1.0" : "2.0",
      idtyp: "app",
      uti: crypto.randomBytes(16).toString("base64url"),
      ...(opts.extraClaims ?? {}),
    };
    const signingInput = `${b64url({ typ: "JWT", alg: "RS256", kid: this.kid, x5t: this.kid })}.${b64url(claims)}`;
    const sig = crypto.sign("sha256", Buffer.from(signingInput), this.key).toString("base64url");
    return `${signingInput}.${sig}`;
  }

  /** Checks signature and lifetime of a token the emulator issued. */
  verify(token: string): TokenCheck {
    const decoded = decodeJwt(token);
    if (!decoded) return { ok: false, reason: "malformed" };
    const claims = decoded.payload as TokenClaims;
    if (decoded.header.alg !== "RS256" || decoded.header.kid !== this.kid)
      return { ok: false, reason: "unknownKey", claims };
    const [h, p, s] = token.split(".");
    if (!crypto.verify("sha256", Buffer.from(`${h}.${p}`), this.key, Buffer.from(s, "base64url")))
      return { ok: false, reason: "signature", claims };
    const now = nowSeconds();
    if (typeof claims.exp !== "number" || claims.exp <= now) return { ok: false, reason: "expired", claims };
    if (typeof claims.nbf === "number" && claims.nbf > now + SKEW_SECONDS)
      return { ok: false, reason: "notYetValid", claims };
    return { ok: true, claims };
  }

  /** Routes of the authority listener. */
  routes(): Route[] {
    const t = "([^/]+)";
    return [
      {
        name: "entra.openidConfiguration",
        method: "GET",
        pattern: new RegExp(`^/${t}/v2\\.0/\\.well-known/openid-configuration$`, "i"),
        handler: (ctx) => this.openidConfiguration(ctx),
      },
      {
        name: "entra.keys",
        method: "GET",
        pattern: new RegExp(`^/${t}/discovery/v2\\.0/keys$`, "i"),
        handler: (ctx) => this.keys(ctx),
      },
      {
        name: "entra.token",
        method: "POST",
        pattern: new RegExp(`^/${t}/oauth2/v2\\.0/token$`, "i"),
        handler: (ctx) => this.token(ctx),
      },
    ];
  }

  private knownTenant(tenant: string): boolean {
    return tenant.toLowerCase() === this.tenantId.toLowerCase();
  }

  private openidConfiguration(ctx: RequestContext): Reply {
    if (!this.knownTenant(ctx.params[0])) return this.tenantNotFound(ctx.params[0]);
    // MSAL accepts the issuer only when its host matches the authority it was given, so the
    // document echoes the address the client used (localhost or 127.0.0.1).
    const base = `https://${ctx.host}`;
    const t = this.tenantId;
    return {
      status: 200,
      body: {
        token_endpoint: `${base}/${t}/oauth2/v2.0/token`,
        token_endpoint_auth_methods_supported: [
          "client_secret_post",
          "private_key_jwt",
          "client_secret_basic",
        ],
        jwks_uri: `${base}/${t}/discovery/v2.0/keys`,
        response_modes_supported: ["query", "fragment", "form_post"],
        subject_types_supported: ["pairwise"],
        id_token_signing_alg_values_supported: ["RS256"],
        response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
        scopes_supported: ["openid", "profile", "email", "offline_access"],
        issuer: this.issuer(base),
        request_uri_parameter_supported: false,
        userinfo_endpoint: "https://graph.microsoft.com/oidc/userinfo",
        authorization_endpoint: `${base}/${t}/oauth2/v2.0/authorize`,
        device_authorization_endpoint: `${base}/${t}/oauth2/v2.0/devicecode`,
        http_logout_supported: true,
        frontchannel_logout_supported: true,
        end_session_endpoint: `${base}/${t}/oauth2/v2.0/logout`,
        claims_supported: ["sub", "iss", "aud", "exp", "iat", "nbf", "tid", "oid", "azp", "azpacr", "ver"],
        tenant_region_scope: null,
        cloud_instance_name: "microsoftonline.com",
        cloud_graph_host_name: "graph.windows.net",
        msgraph_host: "graph.microsoft.com",
      },
    };
  }

  private keys(ctx: RequestContext): Reply {
    if (!this.knownTenant(ctx.params[0])) return this.tenantNotFound(ctx.params[0]);
    return { status: 200, body: { keys: [this.jwk] } };
  }

  private aadError(status: number, error: string, code: number, description: string): Reply {
    const traceId = crypto.randomUUID();
    const correlationId = crypto.randomUUID();
    const timestamp = new Date()
      .toISOString()
      .replace("T", " ")
      .replace(/\.\d+Z$/, "Z");
    return {
      status,
      headers: { "cache-control": "no-store, no-cache", pragma: "no-cache" },
      body: {
        error,
        error_description: `AADSTS${code}: ${description} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
        error_codes: [code],
        timestamp,
        trace_id: traceId,
        correlation_id: correlationId,
        error_uri: `https://login.microsoftonline.com/error?code=${code}`,
      },
    };
  }

  private tenantNotFound(tenant: string): Reply {
    return this.aadError(
      400,
      "invalid_request",
      90002,
      `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
    );
  }

  /** The client credentials grant, checked in Entra ID's order, each refusal with Entra's AADSTS code. */
  private async token(ctx: RequestContext): Promise<Reply> {
    if (!this.knownTenant(ctx.params[0])) return this.tenantNotFound(ctx.params[0]);
    const form = this.tokenForm(ctx);
    if (!(form instanceof URLSearchParams)) return form;
    const scope = form.get("scope") ?? "";
    ctx.auth.scope = scope;
    this.counts.set(scope, (this.counts.get(scope) ?? 0) + 1);

    const grantType = form.get("grant_type");
    if (!grantType) return this.missingParameter("grant_type");
    if (grantType !== "client_credentials")
      return this.aadError(
        400,
        "unsupported_grant_type",
        70003,
        `The app requested an unsupported grant type '${grantType}'.`,
      );
    const clientId = form.get("client_id");
    if (!clientId) return this.missingParameter("client_id");
    ctx.auth.clientId = clientId;
    const client = this.clients.get(clientId.toLowerCase());
    if (!client)
      return this.aadError(
        400,
        "unauthorized_client",
        700016,
        `Application with identifier '${clientId}' was not found in the directory '${this.tenantId}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
      );
    const audience = this.audienceOf(scope);
    if (typeof audience !== "string") return audience;
    const azpacr = await this.authenticateClient(form, client, ctx);
    if (typeof azpacr !== "string") return azpacr;

    ctx.auth.audience = audience;
    const lifetime = this.options.tokenLifetimeSeconds;
    return {
      status: 200,
      headers: { "cache-control": "no-store, no-cache", pragma: "no-cache" },
      body: {
        token_type: "Bearer",
        expires_in: lifetime,
        ext_expires_in: lifetime,
        access_token: this.issueToken({
          audience,
          clientId: client.clientId,
          azpacr,
          extraClaims: requestedClaims(form.get("claims")),
        }),
      },
    };
  }

  private missingParameter(name: string): Reply {
    return this.aadError(
      400,
      "invalid_request",
      900144,
      `The request body must contain the following parameter: '${name}'.`,
    );
  }

  /**
   * The token request's form, with `client_secret_basic` (RFC 6749 2.3.1: id and secret, each
   * form-encoded, in a Basic header) read into it; a refusal when the body is not a form.
   */
  private tokenForm(ctx: RequestContext): URLSearchParams | Reply {
    const contentType = header(ctx.headers, "content-type") ?? "";
    if (!contentType.toLowerCase().startsWith("application/x-www-form-urlencoded"))
      return this.missingParameter("grant_type");
    const form = new URLSearchParams(ctx.body.toString("utf8"));
    const basic = /^Basic\s+(\S+)$/i.exec(header(ctx.headers, "authorization") ?? "");
    if (basic && !form.has("client_secret") && !form.has("client_assertion")) {
      const [id, secret] = Buffer.from(basic[1], "base64").toString("utf8").split(":");
      const decode = (v: string | undefined): string => decodeURIComponent((v ?? "").replace(/\+/g, " "));
      if (!form.has("client_id")) form.set("client_id", decode(id));
      form.set("client_secret", decode(secret));
    }
    return form;
  }

  /** The audience of a client credentials `scope` (one `{resource}/.default`), or the refusal. */
  private audienceOf(scope: string): string | Reply {
    if (!scope)
      return this.aadError(
        400,
        "invalid_request",
        90014,
        "The required field 'scope' is missing from the credential.",
      );
    const scopes = scope
      .split(/\s+/)
      .filter((s) => s && !["openid", "profile", "offline_access"].includes(s));
    if (scopes.length !== 1 || !scopes[0].endsWith("/.default"))
      return this.aadError(
        400,
        "invalid_scope",
        1002012,
        `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
      );
    const audience = scopes[0].slice(0, -"/.default".length);
    if (!this.knowsResource(audience))
      return this.aadError(
        400,
        "invalid_resource",
        500011,
        `The resource principal named ${audience} was not found in the tenant named ${this.tenantId}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
      );
    return audience;
  }

  /**
   * How the client proved who it is: its secret (`azpacr` 1) or an assertion (`azpacr` 2, a
   * certificate or a federated token); the refusal otherwise.
   */
  private async authenticateClient(
    form: URLSearchParams,
    client: EntraClient,
    ctx: RequestContext,
  ): Promise<"1" | "2" | Reply> {
    const secret = form.get("client_secret");
    const assertion = form.get("client_assertion");
    if (secret !== null) {
      if (client.clientSecret === undefined || secret !== client.clientSecret)
        return this.aadError(
          401,
          "invalid_client",
          7000215,
          `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${client.clientId}'.`,
        );
      ctx.auth.credential = "secret";
      return "1";
    }
    if (assertion !== null) {
      const type = form.get("client_assertion_type");
      if (type !== ASSERTION_TYPE)
        return this.aadError(
          400,
          "invalid_request",
          50027,
          `client_assertion_type must be '${ASSERTION_TYPE}', got '${type ?? ""}'.`,
        );
      return (await this.checkAssertion(assertion, client, ctx)) ?? "2";
    }
    return this.aadError(
      401,
      "invalid_client",
      7000218,
      "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
    );
  }

  /**
   * Returns an error reply when the assertion is not acceptable. A certificate assertion
   * (`iss` = `sub` = client id, with `x5t` or `x5t#S256`) must be signed by a certificate registered
   * for the app; any other assertion is federated and must match one of the app's federated
   * credentials (issuer, subject, audience) and be signed by a key its issuer publishes.
   */
  private async checkAssertion(
    assertion: string,
    client: EntraClient,
    ctx: RequestContext,
  ): Promise<Reply | undefined> {
    const decoded = decodeJwt(assertion);
    const p = decoded?.payload;
    if (
      !decoded ||
      !p ||
      typeof p.iss !== "string" ||
      typeof p.sub !== "string" ||
      p.aud === undefined ||
      typeof p.exp !== "number"
    )
      return this.aadError(
        401,
        "invalid_client",
        50027,
        "JWT token is invalid or malformed: a client assertion needs string 'iss' and 'sub', an 'aud' and a numeric 'exp'.",
      );
    ctx.auth.assertionIssuer = p.iss;
    ctx.auth.assertionSubject = p.sub;
    const now = nowSeconds();
    const nbf = typeof p.nbf === "number" ? p.nbf : now;
    if (p.exp < now - SKEW_SECONDS || nbf > now + SKEW_SECONDS)
      return this.aadError(
        401,
        "invalid_client",
        700024,
        `Client assertion is not within its valid time range. Current time: ${new Date(now * 1000).toISOString()}, assertion valid from ${new Date(nbf * 1000).toISOString()}, expiry time of assertion ${new Date(p.exp * 1000).toISOString()}.`,
      );
    const claims = {
      decoded,
      iss: p.iss,
      sub: p.sub,
      audiences: (Array.isArray(p.aud) ? p.aud : [p.aud]).map(String),
    };
    const x5t = decoded.header["x5t#S256"] ?? decoded.header.x5t;
    const own = client.clientId.toLowerCase();
    if (p.iss.toLowerCase() === own && p.sub.toLowerCase() === own && typeof x5t === "string") {
      ctx.auth.credential = "certificate";
      return this.checkCertificateAssertion(claims, x5t, client);
    }
    ctx.auth.credential = "federated";
    return this.checkFederatedAssertion(claims, client);
  }

  /** A certificate assertion: signed by a certificate registered for the app, for this tenant's token endpoint. */
  private checkCertificateAssertion(a: AssertionClaims, x5t: string, client: EntraClient): Reply | undefined {
    const thumbprint = Buffer.from(x5t, "base64url").toString("hex").toUpperCase();
    const sha256 = a.decoded.header["x5t#S256"] !== undefined;
    const cert = (this.certificates.get(client.clientId.toLowerCase()) ?? []).find(
      (c) => (sha256 ? c.sha256 : c.sha1) === thumbprint,
    );
    const invalid = (reason: string): Reply =>
      this.aadError(
        401,
        "invalid_client",
        700027,
        `Client assertion contains an invalid signature. [Reason - ${reason}, Thumbprint of key used by client: '${thumbprint}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '${client.clientId}'.]`,
      );
    if (!cert) return invalid("The key was not found.");
    if (!verifyJwtSignature(a.decoded, cert.key))
      return invalid("The key was found, but use of the key to verify the signature failed.");
    if (!a.audiences.some((aud) => /\/oauth2\/v2\.0\/token$/i.test(aud) && aud.includes(this.tenantId)))
      return this.aadError(
        401,
        "invalid_client",
        700016,
        `The audience of the client assertion (${a.audiences.join(",")}) is not this tenant's token endpoint.`,
      );
    return undefined;
  }

  /** A federated assertion: one of the app's federated credentials, signed by a key its issuer publishes. */
  private async checkFederatedAssertion(a: AssertionClaims, client: EntraClient): Promise<Reply | undefined> {
    const match = (client.federatedCredentials ?? []).find(
      (f) =>
        f.issuer === a.iss &&
        f.subject === a.sub &&
        a.audiences.some((aud) => (f.audiences ?? [TOKEN_EXCHANGE_AUDIENCE]).includes(aud)),
    );
    if (!match)
      return this.aadError(
        400,
        "invalid_request",
        70021,
        `No matching federated identity record found for presented assertion. Assertion Issuer: '${a.iss}'. Assertion Subject: '${a.sub}'. Assertion Audience: '${a.audiences.join(",")}'.`,
      );
    const keys = await (this.options.issuerKeys ?? ((iss: string) => fetchIssuerKeys(iss)))(match.issuer);
    if (!keys.ok)
      return this.aadError(
        401,
        "invalid_client",
        50166,
        `Request to External OIDC endpoint failed. Issuer: '${match.issuer}'. Reason: ${keys.reason}.`,
      );
    const kid = a.decoded.header.kid;
    const key = typeof kid === "string" ? keys.keys.get(kid) : undefined;
    if (!key)
      return this.aadError(
        401,
        "invalid_client",
        50013,
        `Assertion failed signature validation. [Reason - The key was not found., Issuer: '${a.iss}', kid: '${String(kid ?? "")}']`,
      );
    if (!verifyJwtSignature(a.decoded, key))
      return this.aadError(
        401,
        "invalid_client",
        50013,
        "Assertion failed signature validation. [Reason - Key was found, but use of the key to verify the signature failed.]",
      );
    return undefined;
  }
}

/** What the checks of a client assertion read from it, once its shape and time range are valid. */
interface AssertionClaims {
  decoded: DecodedJwt;
  iss: string;
  sub: string;
  audiences: string[];
}
