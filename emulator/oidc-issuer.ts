/**
 * OpenID Connect issuers whose tokens Entra ID may accept as federated client assertions: the
 * emulator's own GitHub-Actions-style issuer (with the ID-token endpoint a workflow calls), and the
 * signature checks Entra makes on any assertion (keys of the emulator's issuers, or of a foreign
 * issuer fetched from its discovery document, as Entra does).
 */
import * as crypto from "node:crypto";
import * as https from "node:https";
import { type Reply, type RequestContext, type Route, header } from "./http";

const b64url = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString("base64url");
const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** A decoded JWT (nothing verified). */
export interface DecodedJwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  signingInput: string;
  signature: Buffer;
}

/** Splits and parses a compact JWS; `undefined` when it is not one. */
export function decodeJwt(token: string): DecodedJwt | undefined {
  const parts = token.split(".");
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p))) return undefined;
  try {
    const h = JSON.parse(Buffer.from(parts[0], "base64url").toString("utf8"));
    const p = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8"));
    if (typeof h !== "object" || h === null || typeof p !== "object" || p === null) return undefined;
    return {
      header: h,
      payload: p,
      signingInput: `${parts[0]}.${parts[1]}`,
      signature: Buffer.from(parts[2], "base64url"),
    };
  } catch {
    return undefined;
  }
}

/**
 * Verifies an RS256 or PS256 signature (what OIDC providers and MSAL's certificate assertions use)
 * with a public key. Other algorithms are refused, `none` above all.
 */
export function verifyJwtSignature(jwt: DecodedJwt, key: crypto.KeyObject): boolean {
  const data = Buffer.from(jwt.signingInput);
  if (jwt.header.alg === "RS256") return crypto.verify("sha256", data, key, jwt.signature);
  if (jwt.header.alg === "PS256")
    return crypto.verify(
      "sha256",
      data,
      { key, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
      jwt.signature,
    );
  return false;
}

/** The outcome of looking up an issuer's signing keys. */
export type IssuerKeys = { ok: true; keys: Map<string, crypto.KeyObject> } | { ok: false; reason: string };

/** An issuer of RS256 ID tokens with its own key, discovery document and JWKS. */
export class OidcIssuer {
  private readonly key: crypto.KeyObject;
  readonly kid: string;
  private readonly jwk: Record<string, unknown>;

  /** @param url the issuer (`iss`), e.g. `https://localhost:41005/github-actions`. */
  constructor(readonly url: string) {
    const { privateKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
    this.key = privateKey;
    const pub = crypto.createPublicKey(privateKey).export({ format: "jwk" });
    this.kid = crypto.createHash("sha256").update(String(pub.n)).digest("hex").slice(0, 40).toUpperCase();
    this.jwk = { kty: "RSA", alg: "RS256", use: "sig", kid: this.kid, n: pub.n, e: pub.e };
  }

  /** Signs a token with this issuer's key; `iss`, `iat`, `nbf`, `exp` and `jti` are filled in. */
  mint(claims: Record<string, unknown>, lifetimeSeconds: number): string {
    const now = nowSeconds();
    const payload = {
      jti: crypto.randomUUID(),
      iss: this.url,
      iat: Math.min(now, now + lifetimeSeconds - 60),
      nbf: Math.min(now, now + lifetimeSeconds - 60),
      exp: now + lifetimeSeconds,
      ...claims,
    };
    const signingInput = `${b64url({ typ: "JWT", alg: "RS256", kid: this.kid, x5t: this.kid })}.${b64url(payload)}`;
    const sig = crypto.sign("sha256", Buffer.from(signingInput), this.key).toString("base64url");
    return `${signingInput}.${sig}`;
  }

  keys(): IssuerKeys {
    return { ok: true, keys: new Map([[this.kid, crypto.createPublicKey(this.key)]]) };
  }

  discovery(): Record<string, unknown> {
    return {
      issuer: this.url,
      jwks_uri: `${this.url}/.well-known/jwks`,
      subject_types_supported: ["public", "pairwise"],
      response_types_supported: ["id_token"],
      claims_supported: ["sub", "aud", "exp", "iat", "iss", "jti", "nbf", "ref", "repository", "actor"],
      id_token_signing_alg_values_supported: ["RS256"],
      scopes_supported: ["openid"],
    };
  }

  jwks(): Record<string, unknown> {
    return { keys: [this.jwk] };
  }
}

/** GitHub Actions as far as a workflow with `permissions: id-token: write` sees it. */
export interface GitHubActionsSettings {
  /** What a workflow finds in `ACTIONS_ID_TOKEN_REQUEST_TOKEN`. */
  requestToken: string;
  /** `sub` of the ID tokens, e.g. `repo:contoso/infra:ref:refs/heads/main`. */
  subject: string;
  /** Lifetime of ID tokens (GitHub's are short-lived); default 300 s. */
  lifetimeSeconds: number;
  /** More claims (`repository`, `ref`, ...). */
  claims: Record<string, unknown>;
}

/** The public face of the GitHub Actions emulation (what the CLI prints, what tests read). */
export interface GitHubActionsInfo {
  /** The issuer (`iss`) a federated credential names. */
  issuer: string;
  /** For `ACTIONS_ID_TOKEN_REQUEST_URL` (already has a query: append `&audience=...`). */
  requestUrl: string;
  /** For `ACTIONS_ID_TOKEN_REQUEST_TOKEN`. */
  requestToken: string;
  subject: string;
}

/**
 * The ID-token service of GitHub Actions: `GET {requestUrl}&audience=...` with
 * `Authorization: Bearer {request token}` answers `{"count": 1, "value": "<jwt>"}`; the issuer's
 * discovery document and JWKS are served under the issuer URL, as
 * `token.actions.githubusercontent.com` serves them.
 */
export class GitHubActions {
  readonly issuer: OidcIssuer;
  private settings: GitHubActionsSettings;
  private issued = 0;

  constructor(
    private readonly base: string,
    settings: Partial<GitHubActionsSettings> = {},
  ) {
    this.issuer = new OidcIssuer(`${base}/github-actions`);
    this.settings = {
      requestToken: settings.requestToken ?? crypto.randomBytes(24).toString("base64url"),
      subject: settings.subject ?? "repo:contoso/infra:ref:refs/heads/main",
      lifetimeSeconds: settings.lifetimeSeconds ?? 300,
      claims: settings.claims ?? {},
    };
  }

  info(): GitHubActionsInfo {
    return {
      issuer: this.issuer.url,
      requestUrl: `${this.base}/github-actions/idtoken?api-version=2.0`,
      requestToken: this.settings.requestToken,
      subject: this.settings.subject,
    };
  }

  /** Changes what the next ID tokens say (subject, claims, lifetime) or the request token. */
  configure(settings: Partial<GitHubActionsSettings>): GitHubActionsInfo {
    this.settings = {
      ...this.settings,
      ...Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined)),
    };
    return this.info();
  }

  /** ID tokens handed out so far. */
  get issuedCount(): number {
    return this.issued;
  }

  /** Mints an ID token directly (a token file's content, an expired token...). */
  mint(opts: { audience?: string; subject?: string; lifetimeSeconds?: number } = {}): string {
    return this.issuer.mint(
      {
        sub: opts.subject ?? this.settings.subject,
        aud: opts.audience ?? "api://AzureADTokenExchange",
        repository: "contoso/infra",
        ref: "refs/heads/main",
        runner_environment: "github-hosted",
        ...this.settings.claims,
      },
      opts.lifetimeSeconds ?? this.settings.lifetimeSeconds,
    );
  }

  routes(): Route[] {
    return [
      {
        name: "github.openidConfiguration",
        method: "GET",
        pattern: /^\/github-actions\/\.well-known\/openid-configuration$/i,
        handler: () => ({ status: 200, body: this.issuer.discovery() }),
      },
      {
        name: "github.jwks",
        method: "GET",
        pattern: /^\/github-actions\/\.well-known\/jwks$/i,
        handler: () => ({ status: 200, body: this.issuer.jwks() }),
      },
      {
        name: "github.idToken",
        method: "GET",
        pattern: /^\/github-actions\/idtoken$/i,
        handler: (ctx) => this.idToken(ctx),
      },
    ];
  }

  private idToken(ctx: RequestContext): Reply {
    const auth = /^Bearer\s+(\S+)$/i.exec(header(ctx.headers, "authorization") ?? "");
    // GitHub's answers to a missing or wrong runtime token (shape as observed from the service).
    if (!auth) return { status: 401, body: { message: "Bearer token is required" } };
    const given = Buffer.from(auth[1]);
    const expected = Buffer.from(this.settings.requestToken);
    if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected))
      return { status: 401, body: { message: "Invalid bearer token" } };
    const audience = ctx.query.get("audience") ?? undefined;
    ctx.auth.audience = audience;
    ctx.auth.assertionSubject = this.settings.subject;
    this.issued++;
    return { status: 200, body: { count: 1, value: this.mint({ audience: audience ?? this.base }) } };
  }
}

/**
 * Fetches a foreign issuer's keys the way Entra does: `{iss}/.well-known/openid-configuration`,
 * then its `jwks_uri`, over HTTPS with a time limit. Used only for an issuer that a federated
 * credential of the client names, never for arbitrary `iss` values.
 */
export async function fetchIssuerKeys(issuer: string, timeoutMs = 5000): Promise<IssuerKeys> {
  const get = (url: string): Promise<unknown> =>
    new Promise((resolve, reject) => {
      if (!url.startsWith("https://")) {
        reject(new Error(`${url} is not an https URL`));
        return;
      }
      const req = https.get(url, { timeout: timeoutMs, headers: { accept: "application/json" } }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          if ((res.statusCode ?? 0) !== 200) {
            reject(new Error(`${url} answered ${res.statusCode}`));
            return;
          }
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")));
          } catch {
            reject(new Error(`${url} did not answer JSON`));
          }
        });
        res.on("error", reject);
      });
      req.on("timeout", () => req.destroy(new Error(`${url} did not answer within ${timeoutMs} ms`)));
      req.on("error", reject);
    });
  try {
    const doc = (await get(`${issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`)) as {
      jwks_uri?: unknown;
    };
    if (typeof doc.jwks_uri !== "string")
      return { ok: false, reason: "the discovery document has no jwks_uri" };
    const jwks = (await get(doc.jwks_uri)) as { keys?: Array<Record<string, unknown>> };
    const keys = new Map<string, crypto.KeyObject>();
    for (const k of jwks.keys ?? []) {
      if (k.kty !== "RSA" || typeof k.kid !== "string") continue;
      keys.set(k.kid, crypto.createPublicKey({ key: k as crypto.JsonWebKey, format: "jwk" }));
    }
    return { ok: true, keys };
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
}
