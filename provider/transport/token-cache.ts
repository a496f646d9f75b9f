/**
 * Access tokens, cached per (tenant, scope) for the life of the provider process. A `pulumi up` of
 * many resources asks Entra ID once per audience, not once per call; concurrent first requests
 * share one token request; a token is refreshed ahead of its expiry, and a failed refresh falls
 * back to the current token while it is still valid.
 *
 * `@azure/identity` credentials cache too (MSAL), but not all of them (the Azure CLI credential
 * starts a process per call), and their cache is not observable: this one is the contract.
 *
 * A token request that does not settle within its time limit is abandoned here, whatever the
 * credential does with the abort signal it is given (MSAL-based credentials ignore it): the waiting
 * callers get a {@link TokenRequestTimeoutError}, the in-flight entry is dropped so that the next
 * caller starts a fresh request, and a late answer of the abandoned request is ignored.
 */
import type { AccessToken } from "@azure/identity";

/** How long before expiry a token is refreshed (capped at half its lifetime). */
export const REFRESH_MARGIN_MS = 5 * 60_000;

/** A token still valid for less than this is not used as a fall-back after a failed refresh. */
const MIN_REMAINING_MS = 30_000;

/** Who a token was issued to, read from its claims for error messages (never verified, never secret). */
export interface TokenIdentity {
  /** `appid` (v1) or `azp` (v2): the client (application) id. */
  appId?: string;
  /** `oid`: the object id of the service principal or user (what role assignments name). */
  objectId?: string;
  /** `tid`: the tenant that issued the token. */
  tenantId?: string;
  /** `upn` / `unique_name` / `preferred_username` for users (Azure CLI). */
  user?: string;
}

/** A cached token. */
export interface CachedToken {
  token: string;
  /** When its request started: a token asked for later is never replaced by one asked for earlier. */
  obtainedAt: number;
  expiresOnTimestamp: number;
  /** When to ask for a new one. */
  refreshAt: number;
  identity: TokenIdentity;
}

/**
 * Gets a fresh token for one scope (and tenant, when a challenge named one). `signal` aborts when
 * the cache abandons the request (its time limit passed); honouring it is optional. `claims` (a
 * JSON claims request from a claims challenge) must reach the credential (`GetTokenOptions.claims`).
 */
export type TokenFetcher = (
  scope: string,
  tenantId: string | undefined,
  signal: AbortSignal,
  claims?: string,
) => Promise<AccessToken>;

/** Options of {@link TokenCache.get}. */
export interface TokenRequestOptions {
  /**
   * Claims a resource asked for (`insufficient_claims`): the cached token is not used, since the
   * resource has just refused it, and not fallen back on; the new token replaces it in the cache.
   */
  claims?: string;
}

/** A token request did not settle within its time limit and was abandoned. */
export class TokenRequestTimeoutError extends Error {
  override readonly name = "TokenRequestTimeoutError";
  constructor(
    readonly scope: string,
    readonly tenantId: string | undefined,
    readonly timeoutMs: number,
  ) {
    super(`the token request for ${scope} did not settle within ${timeoutMs} ms`);
  }
}

export class TokenCache {
  private readonly tokens = new Map<string, CachedToken>();
  private readonly inFlight = new Map<string, Promise<CachedToken>>();

  /**
   * @param requestTimeoutMs how long one token request may take before it is abandoned (every
   *   waiting caller then gets a {@link TokenRequestTimeoutError}); `undefined`: no limit.
   */
  constructor(
    private readonly fetcher: TokenFetcher,
    private readonly now: () => number = Date.now,
    private readonly refreshMarginMs: number = REFRESH_MARGIN_MS,
    private readonly requestTimeoutMs?: number,
  ) {}

  /**
   * A token for `scope` (and `tenantId`), from the cache when it is not due for refresh. `signal`
   * abandons the wait for this caller only: a shared token request goes on for the others.
   */
  async get(
    scope: string,
    tenantId: string | undefined,
    signal?: AbortSignal,
    options: TokenRequestOptions = {},
  ): Promise<CachedToken> {
    const key = `${tenantId ?? ""}\n${scope}`;
    const claims = options.claims;
    const cached = this.tokens.get(key);
    const now = this.now();
    if (!claims && cached && now < cached.refreshAt) return cached;

    // Requests with claims share only with requests for the same claims.
    const flightKey = claims ? `${key}\n${claims}` : key;
    let pending = this.inFlight.get(flightKey);
    if (!pending) {
      pending = this.fetch(key, scope, tenantId, claims);
      this.inFlight.set(flightKey, pending);
      const clear = (): void => {
        if (this.inFlight.get(flightKey) === pending) this.inFlight.delete(flightKey);
      };
      pending.then(clear, clear);
    }
    try {
      return await abandonable(pending, signal);
    } catch (e) {
      if (!claims && !signal?.aborted && cached && cached.expiresOnTimestamp - this.now() > MIN_REMAINING_MS)
        return cached;
      throw e;
    }
  }

  /** How many tokens are cached (for diagnostics and tests). */
  get size(): number {
    return this.tokens.size;
  }

  private async fetch(
    key: string,
    scope: string,
    tenantId: string | undefined,
    claims: string | undefined,
  ): Promise<CachedToken> {
    const obtainedAt = this.now();
    const controller = new AbortController();
    const limit = this.requestTimeoutMs;
    const access = await withTimeout(this.fetcher(scope, tenantId, controller.signal, claims), limit, () => {
      const timeout = new TokenRequestTimeoutError(scope, tenantId, limit ?? 0);
      controller.abort(timeout);
      return timeout;
    });
    const lifetime = Math.max(0, access.expiresOnTimestamp - obtainedAt);
    const margin = Math.min(this.refreshMarginMs, lifetime / 2);
    let refreshAt = access.expiresOnTimestamp - margin;
    if (access.refreshAfterTimestamp !== undefined)
      refreshAt = Math.min(refreshAt, access.refreshAfterTimestamp);
    const entry: CachedToken = {
      token: access.token,
      obtainedAt,
      expiresOnTimestamp: access.expiresOnTimestamp,
      refreshAt,
      identity: identityOf(access.token),
    };
    // A plain renewal that started before a token with claims was stored must not replace it.
    const current = this.tokens.get(key);
    if (!current || current.obtainedAt <= obtainedAt) this.tokens.set(key, entry);
    return entry;
  }
}

/** Reads who a JWT access token was issued to; an opaque token yields `{}`. */
export function identityOf(token: string): TokenIdentity {
  const payload = token.split(".")[1];
  if (!payload) return {};
  try {
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>;
    const str = (name: string): string | undefined =>
      typeof claims[name] === "string" ? (claims[name] as string) : undefined;
    return {
      appId: str("appid") ?? str("azp"),
      objectId: str("oid"),
      tenantId: str("tid"),
      user: str("upn") ?? str("unique_name") ?? str("preferred_username"),
    };
  } catch {
    return {};
  }
}

/**
 * `promise`, or a rejection with what `onTimeout` returns once `ms` have passed without it settling
 * (`undefined`: no limit). The timer is cleared as soon as `promise` settles, so it never outlives
 * the request; it is not `unref`ed, because a wait whose request holds no handle of its own must
 * still end with the timeout rather than with a process that exits mid-call. A late settlement of
 * an abandoned `promise` is handled (ignored), never left as an unhandled rejection.
 */
export function withTimeout<T>(
  promise: Promise<T>,
  ms: number | undefined,
  onTimeout: () => Error,
): Promise<T> {
  if (ms === undefined) return promise;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(onTimeout()), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

/** `promise`, or a rejection with the signal's reason as soon as `signal` aborts. */
export function abandonable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}
