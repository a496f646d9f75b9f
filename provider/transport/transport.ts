/**
 * The one way this package talks to Azure: ARM (API Management certificates) and Key Vault. It
 * decides how every request is authenticated (cached tokens; Key Vault's challenge), where a token
 * may go (https only; vault hosts of the cloud or explicitly trusted), how it is retried and timed
 * out, and what a failure says. Built on axios and @azure/identity.
 */
import type { AxiosInstance } from "axios";
import { randomUUID } from "crypto";
import type { AccessToken, TokenCredential } from "@azure/identity";
import {
  challengeRefusal,
  parseChallenge,
  parseClaimsChallenge,
  vaultHostRefusal,
  type KeyVaultChallenge,
  type VaultTrust,
} from "./challenge";
import {
  countingTokenRequests,
  createCredential,
  credentialSecrets,
  describeCredential,
  type TokenRequestCount,
} from "./credentials";
import { AzureRequestError, parseServiceError, type AzureFailureKind, type ServiceError } from "./errors";
import {
  authenticationMessage,
  describePath,
  exhaustedMessage,
  networkMessage,
  summarizeCredentialChain,
  refusalMessage,
  statusMessage,
  tokenTimeoutMessage,
  type AzureService,
  type FailureFacts,
} from "./messages";
import { redactUrl, SecretScrubber } from "./redaction";
import { planRetry, RETRYABLE_STATUSES, type AttemptOutcome } from "./retry";
import { isLoopbackHost, type LogLevel, type TransportSettings } from "./settings";
import {
  REFRESH_MARGIN_MS,
  TokenCache,
  TokenRequestTimeoutError,
  abandonable,
  type CachedToken,
  type TokenIdentity,
} from "./token-cache";

/** HTTP methods the transport sends. */
export type HttpMethod = "GET" | "HEAD" | "PUT" | "PATCH" | "POST" | "DELETE";

/** One call to ARM or Key Vault. */
export interface AzureRequest {
  method: HttpMethod;
  /**
   * Path relative to the ARM endpoint or the vault base URL (`/subscriptions/...`,
   * `/certificates/web/policy`), or an absolute URL on the same origin (an ARM `nextLink`).
   */
  path: string;
  /** Sent as `api-version` unless the path already carries one. */
  apiVersion?: string;
  /** Further query parameters (`$filter`, `$top`); `undefined` values are left out. */
  query?: Record<string, string | number | boolean | undefined>;
  /** Sent as JSON. Never logged, never part of an error. */
  body?: unknown;
  /** Extra headers such as `If-Match`. `Authorization` may not be set here. */
  headers?: Record<string, string>;
  /**
   * Whether sending the request twice is harmless. Defaults to `true` for every method but POST.
   * A request that is not idempotent is retried only when Azure proves it was not processed
   * (408, 429, or no connection). APIM's `refreshSecret` POST is safe to repeat: pass `true`.
   */
  idempotent?: boolean;
  /**
   * Values that must never appear in an error, besides those found by name in the body (string
   * fields whose name ends in `data`, `password`, `secret`, `pfx`, `privateKey`, `token`,
   * `assertion`...; not `secretIdentifier`, which is a URI). Scrubbed whatever their length.
   */
  secretValues?: string[];
  /** What the request is about, for messages, e.g. `API Management certificate "web"`. */
  resource?: string;
}

/** A successful (2xx) answer. */
export interface AzureResponse<T = unknown> {
  status: number;
  /** Response headers, names lower-cased (`etag`, `location`, ...). */
  headers: Record<string, string>;
  /** The parsed JSON body, the raw text when it is not JSON, `undefined` when empty. */
  data: T;
  /** `x-ms-request-id` (or `x-ms-correlation-request-id`). */
  requestId?: string;
}

/** Receives every line the transport logs; lines are already scrubbed of secrets. */
export type TransportLogger = (level: Exclude<LogLevel, "off">, message: string) => void;

/** How a transport reports; the default suits the provider process. */
export interface TransportOptions {
  /** Where log lines go (still filtered by `azure-certs:logLevel`); default: stderr. */
  logger?: TransportLogger;
}

const LEVEL_ORDER: Record<LogLevel, number> = { off: 0, error: 1, warn: 2, info: 3, debug: 4 };

/** What one attempt produced. */
type AttemptResult =
  | {
      kind: "response";
      status: number;
      headers: Record<string, string>;
      text: string;
      scope?: string;
      /** A 401 asking for claims again, after a token with the claims it asked for was sent. */
      claimsRefused?: boolean;
    }
  | {
      kind: "network";
      code: string;
      timedOut: boolean;
      detail?: string;
      timeoutMs: number;
      scope?: string;
      /** Set when the attempt never sent the request: its token request did not answer in time. */
      token?: TokenWait;
    };

/** A token request that did not answer: for whom, and whether the call's deadline ended the wait. */
interface TokenWait {
  scope: string;
  tenantId?: string;
  /** `true`: the call's deadline passed while waiting; `false`: `requestTimeoutMs` passed. */
  deadline: boolean;
}

/** Where a request goes and how it is authorised. */
interface Target {
  service: AzureService;
  /** Origin plus base path, no trailing slash. */
  base: string;
  host: string;
  vault?: string;
}

/** One call as the retry loop sees it: what every attempt sends, where, and until when. */
interface Call {
  target: Target;
  /** The request with its `x-ms-client-request-id`. */
  req: AzureRequest;
  url: string;
  /** `url` without secrets, for messages. */
  shownUrl: string;
  /** Values to scrub from anything Azure echoes back. */
  secrets: string[];
  idempotent: boolean;
  started: number;
  deadline: number;
}

/** An attempt's result as the retry strategies see it. */
function outcomeOf(result: AttemptResult): AttemptOutcome {
  return result.kind === "response"
    ? { kind: "response", status: result.status, headers: result.headers }
    : { kind: "network", code: result.code };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Talks to ARM and Key Vault for the resources of this package. One instance per provider process
 * (see `getTransport`); it owns the credential, the token cache and the Key Vault challenges.
 */
export class AzureTransport {
  private httpClient?: AxiosInstance;
  private readonly tokens: TokenCache;
  private readonly scrubber = new SecretScrubber();
  private readonly log: TransportLogger;
  private credential?: TokenCredential;
  /** Challenge per vault host (`host:port`), once verified. */
  private readonly challenges = new Map<string, KeyVaultChallenge>();
  /** Challenge discovery in progress per vault host; settles when the probing request is done. */
  private readonly discovering = new Map<string, Promise<void>>();
  /** Who the last token of each scope was issued to, for error messages. */
  private readonly identities = new Map<string, TokenIdentity>();
  /**
   * Token requests per (tenant, scope) since the last token was obtained: HTTP requests made and
   * the last status answered, so that a token request that timed out while @azure/identity was
   * retrying 5xx answers is reported as such, not as an endpoint that never answered.
   */
  private readonly tokenTrouble = new Map<string, TokenRequestCount>();

  constructor(
    private readonly settings: TransportSettings,
    options: TransportOptions = {},
  ) {
    this.scrubber.add(...credentialSecrets(settings.credential));
    // The host's managed identity secrets, which MSAL reads from the environment itself.
    if (settings.credential.kind === "managedIdentity" || settings.credential.kind === "default")
      this.scrubber.add(process.env.IDENTITY_HEADER, process.env.MSI_SECRET);
    const sink = options.logger ?? stderrLogger;
    this.log = (level, message) => {
      if (LEVEL_ORDER[level] <= LEVEL_ORDER[settings.logLevel]) {
        sink(level, this.scrubber.scrub(message));
      }
    };
    this.tokens = new TokenCache(
      (scope, tenantId, signal, claims) => this.fetchToken(scope, tenantId, signal, claims),
      Date.now,
      REFRESH_MARGIN_MS,
      // A token request that does not answer in time is abandoned and retried like any request.
      settings.requestTimeoutMs,
    );
  }

  /**
   * The HTTP client, made at the first request: axios (about 50 ms to load) stays unloaded in a
   * process that sends none, such as the provider of an unchanged preview, or the program.
   */
  private get http(): AxiosInstance {
    if (!this.httpClient) {
      const axios = (require("axios") as typeof import("axios")).default;
      this.httpClient = axios.create({
        // Redirects are not followed: ARM and Key Vault do not redirect, and a redirect could carry
        // the Authorization header to another host.
        maxRedirects: 0,
        validateStatus: () => true,
        responseType: "text",
        transformResponse: [(data: unknown) => data],
        decompress: true,
      });
    }
    return this.httpClient;
  }

  /** The cloud in use (audiences, vault suffix). */
  get cloud(): TransportSettings["cloud"] {
    return this.settings.cloud;
  }

  /** The ARM endpoint requests go to. */
  get armEndpoint(): string {
    return this.settings.armEndpoint;
  }

  /** The subscription from `azure-native:subscriptionId` / `ARM_SUBSCRIPTION_ID` / `AZURE_SUBSCRIPTION_ID`. */
  get subscriptionId(): string | undefined {
    return this.settings.subscriptionId;
  }

  /** Names the identity in use: credential kind, client id and, once a token was issued, its object id. */
  describeIdentity(scope?: string): string {
    const base = describeCredential(this.settings.credential);
    const id = (scope && this.identities.get(scope)) || [...this.identities.values()][0];
    if (!id) return base;
    const parts = [
      id.user && `user ${id.user}`,
      id.appId && `app id ${id.appId}`,
      id.objectId && `object id ${id.objectId}`,
    ].filter(Boolean);
    return parts.length > 0 ? `${base} [${parts.join(", ")}]` : base;
  }

  /**
   * Calls Azure Resource Manager. Non-2xx answers throw {@link AzureRequestError}. A bound
   * function, so `const { arm } = getTransport()` works.
   */
  readonly arm = <T = unknown>(request: AzureRequest): Promise<AzureResponse<T>> => {
    const base = this.settings.armEndpoint;
    return this.execute<T>({ service: "arm", base, host: new URL(base).host }, request);
  };

  /**
   * Calls a Key Vault data-plane API on `vaultBaseUrl` (`https://myvault.vault.azure.net`).
   * Non-2xx answers throw {@link AzureRequestError}. A bound function, like {@link arm}.
   */
  readonly keyVault = <T = unknown>(
    vaultBaseUrl: string,
    request: AzureRequest,
  ): Promise<AzureResponse<T>> => {
    let url: URL;
    try {
      url = new URL(vaultBaseUrl);
    } catch {
      return Promise.reject(
        this.refused(
          request.method,
          "(invalid URL)",
          "the vault URL is not an absolute URL such as https://myvault.vault.azure.net",
        ),
      );
    }
    if ((url.pathname !== "/" && url.pathname !== "") || url.search || url.username || url.password) {
      return Promise.reject(
        this.refused(request.method, redactUrl(vaultBaseUrl), "a vault URL has no path, query or user info"),
      );
    }
    const base = `${url.protocol}//${url.host}`;
    return this.execute<T>({ service: "keyVault", base, host: url.host, vault: base }, request);
  };

  /** Vault hosts this transport sends Key Vault tokens to: the cloud's suffix and trusted hosts. */
  get keyVaultHosts(): { vaultDnsSuffix: string; trustedHosts: string[] } {
    return {
      vaultDnsSuffix: this.settings.cloud.keyVaultDnsSuffix,
      trustedHosts: [...this.settings.trustedVaultHosts],
    };
  }

  // --- the retry loop --------------------------------------------------------------------------

  /** The setting that pointed this target away from the cloud's own endpoint, for messages. */
  private setBy(target: Target): string | undefined {
    return target.service === "arm" && this.settings.armEndpoint !== this.settings.cloud.armEndpoint
      ? `azure-certs:armEndpoint`
      : undefined;
  }

  /**
   * The retry loop: one attempt after another until Azure answers 2xx, the answer is final (see
   * `retry.ts`), or the deadline would pass. Every failure becomes one `AzureRequestError`.
   */
  private async execute<T>(target: Target, request: AzureRequest): Promise<AzureResponse<T>> {
    const call = this.prepareCall(target, request);
    for (let attempt = 1; ; attempt++) {
      const result = await this.attempt(call, attempt);
      if (result.kind === "response" && result.status >= 200 && result.status < 300) {
        return {
          status: result.status,
          headers: result.headers,
          data: parseBody(result.text, result.headers["content-type"]) as T,
          requestId: requestIdOf(result.headers),
        };
      }
      await sleep(
        result.kind === "network" && result.token
          ? this.retryAfterTokenWait(call, result, result.token, attempt)
          : this.retryAfterFailure(call, result, attempt),
      );
    }
  }

  /** What every attempt of a call shares: the URL, the secrets to scrub, the deadline, one client request id. */
  private prepareCall(target: Target, request: AzureRequest): Call {
    // One client request id per call, kept across retries, so that Azure's logs show them as one.
    const req: AzureRequest = {
      ...request,
      headers: { "x-ms-client-request-id": randomUUID(), ...(request.headers ?? {}) },
    };
    const started = Date.now();
    const url = this.buildUrl(target, req);
    this.checkTransportSecurity(target, req, url);
    return {
      target,
      req,
      url,
      shownUrl: redactUrl(url),
      secrets: [...(req.secretValues ?? []), ...secretsInBody(req.body)],
      idempotent: req.idempotent ?? req.method !== "POST",
      started,
      deadline: started + this.settings.deadlineMs,
    };
  }

  /** One attempt, bounded by what is left of the deadline; a deadline that cuts it short is thrown. */
  private async attempt(call: Call, attempt: number): Promise<AttemptResult> {
    const { target, req, url, deadline } = call;
    const deadlineSignal = AbortSignal.timeout(Math.max(1, deadline - Date.now()));
    try {
      return target.service === "arm"
        ? await this.armAttempt(req, url, deadline, deadlineSignal)
        : await this.keyVaultAttempt(target, req, url, deadline, deadlineSignal);
    } catch (e) {
      if (AzureRequestError.isInstance(e) || !deadlineSignal.aborted) throw e;
      const last: AttemptResult = { kind: "network", code: "ETIMEDOUT", timedOut: true, timeoutMs: 0 };
      throw this.fail(
        call,
        "deadline",
        this.deadlineMessage(call, this.facts(call, last, attempt), "ETIMEDOUT"),
        last,
        attempt,
      );
    }
  }

  /**
   * After an attempt whose token request did not answer in time (the request itself was never
   * sent, so it may be retried whatever its method): the wait before the next attempt, or the error.
   */
  private retryAfterTokenWait(call: Call, result: AttemptResult, wait: TokenWait, attempt: number): number {
    const plan = wait.deadline
      ? undefined
      : planRetry(outcomeOf(result), attempt - 1, this.settings.retry, true);
    const pastDeadline = wait.deadline || (plan !== undefined && Date.now() + plan.delayMs >= call.deadline);
    if (!plan || pastDeadline) {
      throw this.tokenTimeout(call.req.method, call.shownUrl, wait, attempt, call.started, pastDeadline);
    }
    this.log(
      "info",
      `${call.req.method} ${call.shownUrl}: the token request to ${this.tokenEndpoint(wait.tenantId)} did not answer ` +
        `within ${this.settings.requestTimeoutMs} ms; retrying in ${plan.delayMs} ms ` +
        `(back-off, attempt ${attempt + 1} of ${this.settings.retry.maxRetries + 1})`,
    );
    return plan.delayMs;
  }

  /** After an error status or a connection failure: the wait before the next attempt, or the error. */
  private retryAfterFailure(call: Call, result: AttemptResult, attempt: number): number {
    const f = this.facts(call, result, attempt);
    // An attempt whose time limit was shortened by the deadline and ran out: the deadline passed.
    if (result.kind === "network" && result.timedOut && result.timeoutMs < this.settings.requestTimeoutMs) {
      throw this.fail(call, "deadline", this.deadlineMessage(call, f, result.code), result, attempt);
    }
    const plan = planRetry(outcomeOf(result), attempt - 1, this.settings.retry, call.idempotent);
    if (!plan) throw this.finalFailure(call, f, result, attempt);
    if (Date.now() + plan.delayMs >= call.deadline) {
      const message =
        result.kind === "network"
          ? this.deadlineMessage(call, f, result.code)
          : exhaustedMessage(
              f,
              this.settings.deadlineMs,
              plan.source === "server" ? plan.delayMs : undefined,
            );
      throw this.fail(call, "deadline", message, result, attempt);
    }
    const why = result.kind === "response" ? `answered ${result.status}` : `failed (${result.code})`;
    this.log(
      "info",
      `${call.req.method} ${call.shownUrl} ${why}; retrying in ${plan.delayMs} ms ` +
        `(${plan.source === "server" ? "as the server asked" : "back-off"}, attempt ${attempt + 1} of ${this.settings.retry.maxRetries + 1})`,
    );
    return plan.delayMs;
  }

  /** The error for an outcome that is not retried: a final status, retries used up, or a connection failure. */
  private finalFailure(
    call: Call,
    f: FailureFacts,
    result: AttemptResult,
    attempt: number,
  ): AzureRequestError {
    if (result.kind === "network") {
      const message = networkMessage(f, result.code, {
        host: call.target.host,
        timeoutMs: result.timeoutMs,
        detail: result.detail,
        setBy: this.setBy(call.target),
      });
      return this.fail(call, result.timedOut ? "timeout" : "network", message, result, attempt);
    }
    const exhausted = RETRYABLE_STATUSES.has(result.status) && attempt > 1;
    return this.fail(call, "status", exhausted ? exhaustedMessage(f) : statusMessage(f), result, attempt);
  }

  /** The message for a connection failure or timeout that the deadline turned final. */
  private deadlineMessage(call: Call, f: FailureFacts, code: string): string {
    return networkMessage(f, code, {
      host: call.target.host,
      deadlineMs: this.settings.deadlineMs,
      setBy: this.setBy(call.target),
    });
  }

  /** What the messages need to know about the last attempt of a call. */
  private facts(call: Call, last: AttemptResult | undefined, attempts: number): FailureFacts {
    const { target, req, url } = call;
    const answer = last?.kind === "response" ? last : undefined;
    return {
      service: target.service,
      method: req.method,
      url: call.shownUrl,
      status: answer?.status,
      serviceError: answer ? this.serviceErrorOf(answer.text, call.secrets) : undefined,
      requestId: answer ? requestIdOf(answer.headers) : undefined,
      attempts,
      elapsedMs: Date.now() - call.started,
      identity: this.describeIdentity(answer?.scope),
      scope: answer?.scope,
      resource: req.resource ?? describePath(target.service, url.slice(target.base.length), target.vault),
      noChallenge:
        target.service === "keyVault" &&
        answer?.status === 401 &&
        !answer.claimsRefused &&
        !parseChallenge(answer.headers["www-authenticate"]),
      claimsRefused: answer?.claimsRefused === true,
    };
  }

  /** The error a call ends with, its message scrubbed of every secret the call knows. */
  private fail(
    call: Call,
    kind: AzureFailureKind,
    message: string,
    last: AttemptResult | undefined,
    attempts: number,
  ): AzureRequestError {
    const f = this.facts(call, last, attempts);
    return new AzureRequestError(this.scrubber.scrub(message, call.secrets), {
      kind,
      method: call.req.method,
      url: call.shownUrl,
      status: f.status,
      service: f.serviceError,
      requestId: f.requestId,
      correlationId: last?.kind === "response" ? last.headers["x-ms-correlation-request-id"] : undefined,
      attempts,
      elapsedMs: f.elapsedMs,
      networkCode: last?.kind === "network" ? last.code : undefined,
    });
  }

  // --- one attempt ------------------------------------------------------------------------------

  private async armAttempt(
    req: AzureRequest,
    url: string,
    deadline: number,
    signal: AbortSignal,
  ): Promise<AttemptResult> {
    return this.sendAuthorized(req, url, deadline, this.settings.cloud.armScope, undefined, signal);
  }

  /**
   * Sends the request with a token for `scope`. A 401 claims challenge (`error="insufficient_claims"`,
   * continuous access evaluation or a Conditional Access authentication context) is answered as
   * @azure/core-rest-pipeline's bearer token policy answers it: a token requested with the decoded
   * claims, past the cached one, and the request sent once more. Never twice: a second claims
   * challenge is the answer (`claimsRefused`). Resending is safe for any method: a 401 was not
   * processed.
   */
  private async sendAuthorized(
    req: AzureRequest,
    url: string,
    deadline: number,
    scope: string,
    tenantId: string | undefined,
    signal: AbortSignal,
  ): Promise<AttemptResult> {
    const token = await this.token(scope, tenantId, signal);
    if ("kind" in token) return token;
    const first: AttemptResult = { ...(await this.send(req, url, deadline, token.token, true)), scope };
    if (first.kind !== "response" || first.status !== 401) return first;
    const challenge = parseClaimsChallenge(first.headers["www-authenticate"]);
    if (!challenge) return first;
    if ("invalid" in challenge) {
      this.log(
        "warn",
        `${req.method} ${redactUrl(url)} answered 401 asking for more claims, but its claims do not decode as ` +
          "base64 JSON; not following it",
      );
      return first;
    }
    this.log(
      "info",
      `${req.method} ${redactUrl(url)} asked for more claims (insufficient_claims); requesting a new token ` +
        "with them and sending the request once more",
    );
    const fresh = await this.token(scope, tenantId, signal, challenge.claims);
    if ("kind" in fresh) return fresh;
    const second: AttemptResult = { ...(await this.send(req, url, deadline, fresh.token, true)), scope };
    if (
      second.kind === "response" &&
      second.status === 401 &&
      parseClaimsChallenge(second.headers["www-authenticate"])
    )
      return { ...second, claimsRefused: true };
    return second;
  }

  /**
   * Key Vault: with a verified challenge for the host, send with its token. Otherwise send the
   * request once without token and body; the 401 challenge names the scope (and tenant), which is
   * verified against the host before a token is requested and the request sent in full. Concurrent
   * first requests to a host wait for one probe instead of each probing.
   */
  private async keyVaultAttempt(
    target: Target,
    req: AzureRequest,
    url: string,
    deadline: number,
    signal: AbortSignal,
  ): Promise<AttemptResult> {
    const host = target.host.toLowerCase();
    for (;;) {
      const known = this.challenges.get(host);
      if (known) {
        const result = await this.sendWithChallenge(req, url, deadline, known, signal);
        if (result.kind !== "response" || result.status !== 401) return result;
        // The vault may have moved to another tenant or audience: follow a changed challenge once.
        const fresh = parseChallenge(result.headers["www-authenticate"]);
        if (!fresh || (fresh.scope === known.scope && fresh.tenantId === known.tenantId)) return result;
        this.acceptChallenge(host, fresh, req, url);
        return this.sendWithChallenge(req, url, deadline, fresh, signal);
      }
      const pending = this.discovering.get(host);
      if (pending) {
        await abandonable(pending, signal);
        continue;
      }
      let done!: () => void;
      this.discovering.set(host, new Promise<void>((resolve) => (done = resolve)));
      try {
        const probe = await this.send(req, url, deadline, undefined, false);
        if (probe.kind !== "response" || probe.status !== 401) {
          if (probe.kind === "response" && probe.status < 300 && req.body !== undefined) {
            throw this.refused(
              req.method,
              redactUrl(url),
              "the vault accepted a request without a token, so it is not a real Key Vault",
            );
          }
          return probe;
        }
        const challenge = parseChallenge(probe.headers["www-authenticate"]);
        if (!challenge) return probe;
        this.acceptChallenge(host, challenge, req, url);
      } finally {
        this.discovering.delete(host);
        done();
      }
    }
  }

  private acceptChallenge(host: string, challenge: KeyVaultChallenge, req: AzureRequest, url: string): void {
    const refusal = challengeRefusal(host, challenge, this.vaultTrust());
    if (refusal) {
      this.log("warn", `refused to send a Key Vault token to ${host}: ${refusal}`);
      throw this.refused(req.method, redactUrl(url), `a token may not go to this host: ${refusal}`);
    }
    this.log(
      "debug",
      `Key Vault ${host} challenge: scope ${challenge.scope}${challenge.tenantId ? `, tenant ${challenge.tenantId}` : ""}`,
    );
    this.challenges.set(host, challenge);
  }

  private async sendWithChallenge(
    req: AzureRequest,
    url: string,
    deadline: number,
    challenge: KeyVaultChallenge,
    signal: AbortSignal,
  ): Promise<AttemptResult> {
    return this.sendAuthorized(req, url, deadline, challenge.scope, this.tenantFor(challenge), signal);
  }

  /**
   * The tenant to ask for a Key Vault token. Like @azure/keyvault-common, the challenge's tenant is
   * used; the credential itself refuses a tenant other than its own unless it is listed in
   * `azure-native:auxiliaryTenantIds` / `AZURE_ADDITIONALLY_ALLOWED_TENANTS`. A challenge naming
   * the configured tenant (or none) asks for the default.
   */
  private tenantFor(challenge: KeyVaultChallenge): string | undefined {
    const configured = this.settings.credential.tenantId;
    const t = challenge.tenantId;
    if (!t || (configured && t.toLowerCase() === configured.toLowerCase())) return undefined;
    if (["common", "organizations", "consumers"].includes(t.toLowerCase())) return undefined;
    return t;
  }

  /**
   * Sends one HTTP request, limited to `azure-certs:requestTimeoutMs` and to what is left until the
   * deadline; never throws for HTTP statuses or connection failures.
   */
  private async send(
    req: AzureRequest,
    url: string,
    deadline: number,
    token: string | undefined,
    withBody: boolean,
  ): Promise<AttemptResult> {
    const timeoutMs = Math.max(1, Math.min(this.settings.requestTimeoutMs, deadline - Date.now()));
    const headers: Record<string, string> = {
      Accept: "application/json",
      "User-Agent": "pulumi-azure-certs",
    };
    for (const [name, value] of Object.entries(req.headers ?? {})) {
      if (name.toLowerCase() !== "authorization") headers[name] = value;
    }
    if (token) headers.Authorization = `Bearer ${token}`;
    const hasBody = withBody && req.body !== undefined;
    if (hasBody) headers["Content-Type"] = "application/json";
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const began = Date.now();
    try {
      const res = await this.http.request<string>({
        url,
        method: req.method,
        headers,
        data: hasBody ? JSON.stringify(req.body) : undefined,
        timeout: timeoutMs,
        signal: controller.signal,
      });
      const responseHeaders = flattenHeaders(res.headers as Record<string, unknown>);
      this.log("debug", `${req.method} ${redactUrl(url)} answered ${res.status} in ${Date.now() - began} ms`);
      return {
        kind: "response",
        status: res.status,
        headers: responseHeaders,
        text: typeof res.data === "string" ? res.data : "",
      };
    } catch (e) {
      const err = e as { code?: string; message?: string; cause?: { code?: string } };
      const isTimeout = timedOut || err.code === "ECONNABORTED" || err.code === "ETIMEDOUT";
      const code = isTimeout ? "ETIMEDOUT" : (err.cause?.code ?? err.code ?? "ERR_NETWORK");
      this.log("debug", `${req.method} ${redactUrl(url)} failed: ${code} after ${Date.now() - began} ms`);
      return {
        kind: "network",
        code,
        timedOut: isTimeout,
        detail: isTimeout ? undefined : err.message,
        timeoutMs,
      };
    } finally {
      clearTimeout(timer);
    }
  }

  // --- tokens -----------------------------------------------------------------------------------

  /**
   * A token for `scope`, or the attempt's result when none came in time: the token request did not
   * answer within `requestTimeoutMs` (the cache abandoned it), or the call's deadline (`signal`)
   * passed while waiting. Other failures (Entra ID said no) throw.
   */
  private async token(
    scope: string,
    tenantId: string | undefined,
    signal: AbortSignal,
    claims?: string,
  ): Promise<CachedToken | AttemptResult> {
    const began = Date.now();
    try {
      const token = await this.tokens.get(scope, tenantId, signal, { claims });
      this.identities.set(scope, token.identity);
      return token;
    } catch (e) {
      const timedOut = e instanceof TokenRequestTimeoutError;
      if (!timedOut && !signal.aborted) throw e;
      this.log(
        "debug",
        `token for ${scope}: no answer from ${this.tokenEndpoint(tenantId)} after ${Date.now() - began} ms` +
          (timedOut ? " (azure-certs:requestTimeoutMs)" : " (azure-certs:deadlineMs)"),
      );
      return {
        kind: "network",
        code: "ETIMEDOUT",
        timedOut: true,
        timeoutMs: this.settings.requestTimeoutMs,
        token: { scope, tenantId, deadline: !timedOut },
      };
    }
  }

  /** The Entra ID token endpoint of the configured authority host (no secret in it). */
  private tokenEndpoint(tenantId: string | undefined): string {
    const tenant = tenantId ?? this.settings.credential.tenantId ?? "organizations";
    return `${this.settings.authorityHost}/${tenant}/oauth2/v2.0/token`;
  }

  /** The error when no token came in time, after `attempts` token requests. */
  private tokenTimeout(
    method: string,
    shownUrl: string,
    wait: TokenWait,
    attempts: number,
    started: number,
    deadline: boolean,
  ): AzureRequestError {
    const elapsedMs = Date.now() - started;
    const tokenUrl = redactUrl(this.tokenEndpoint(wait.tenantId));
    const troubleKey = `${wait.tenantId ?? ""}\n${wait.scope}`;
    // Read, not taken: every call waiting on the same token request (one per resource of a stack)
    // is told what Entra ID answered. The record goes when a token request succeeds or is refused.
    const trouble = this.tokenTrouble.get(troubleKey);
    const message = tokenTimeoutMessage({
      answered:
        trouble?.lastStatus !== undefined
          ? { requests: trouble.requests, lastStatus: trouble.lastStatus }
          : undefined,
      method,
      url: shownUrl,
      scope: wait.scope,
      tokenUrl,
      authorityHost: this.settings.authorityHost,
      identity: describeCredential(this.settings.credential),
      credentialKind: this.settings.credential.kind,
      attempts,
      elapsedMs,
      timeoutMs: this.settings.requestTimeoutMs,
      deadlineMs: deadline ? this.settings.deadlineMs : undefined,
    });
    this.log("warn", message);
    return new AzureRequestError(this.scrubber.scrub(message), {
      kind: deadline ? "deadline" : "timeout",
      method: "POST",
      url: tokenUrl,
      attempts,
      elapsedMs,
      networkCode: "ETIMEDOUT",
    });
  }

  private async fetchToken(
    scope: string,
    tenantId: string | undefined,
    signal: AbortSignal,
    claims?: string,
  ): Promise<AccessToken> {
    let token: AccessToken | null;
    const troubleKey = `${tenantId ?? ""}\n${scope}`;
    const count: TokenRequestCount = this.tokenTrouble.get(troubleKey) ?? { requests: 0 };
    this.tokenTrouble.set(troubleKey, count);
    const before = count.requests;
    const began = Date.now();
    try {
      // Created inside the try: a certificate that cannot be read fails like a refused token.
      const credential = (this.credential ??= createCredential(this.settings, {
        onSecret: (v) => this.scrubber.add(v),
      }));
      // The signal is passed for credentials that honour it; MSAL-based ones do not (see
      // credentials.ts): the token cache abandons the request after requestTimeoutMs regardless.
      // Claims go with `enableCae`, as the SDK's bearer token policy sends them; MSAL skips its
      // cache for a request with claims.
      token = await countingTokenRequests(count, () =>
        credential.getToken(scope, {
          tenantId,
          abortSignal: signal,
          ...(claims ? { claims, enableCae: true } : {}),
        }),
      );
    } catch (e) {
      // The cache gave up on this request already: its callers were told; say nothing more.
      if (signal.aborted) throw e;
      this.tokenTrouble.delete(troubleKey);
      throw this.authenticationFailure(scope, tenantId, e, {
        attempts: Math.max(1, count.requests - before),
        elapsedMs: Date.now() - began,
      });
    }
    if (signal.aborted) {
      // A late answer to an abandoned request: a newer request is (or was) under way; drop this one.
      if (token) this.scrubber.add(token.token);
      throw signal.reason;
    }
    this.tokenTrouble.delete(troubleKey);
    if (!token)
      throw this.authenticationFailure(scope, tenantId, new Error("the credential returned no token"));
    this.scrubber.add(token.token);
    this.log(
      "debug",
      `got a token for ${scope}${tenantId ? ` in tenant ${tenantId}` : ""}, valid until ${new Date(token.expiresOnTimestamp).toISOString()}`,
    );
    return token;
  }

  /**
   * Wraps what @azure/identity threw. Entra's answer is found on `AuthenticationError`
   * (`statusCode`, `errorResponse`) or, for MSAL-based credentials, on the MSAL `ServerError` kept
   * as `cause` (`status`, `errorCode`, `errorMessage`).
   */
  private authenticationFailure(
    scope: string,
    tenantId: string | undefined,
    e: unknown,
    tries: { attempts: number; elapsedMs: number } = { attempts: 1, elapsedMs: 0 },
  ): AzureRequestError {
    type Failure = {
      name?: string;
      message?: string;
      statusCode?: number;
      errorResponse?: { error?: string; errorDescription?: string };
      cause?: { status?: number; errorCode?: string; errorMessage?: string };
    };
    const err = (e ?? {}) as Failure;
    // This package's own errors (the ID-token request, reading the certificate) say what to check.
    const own = findOwnError(e);
    const msal = typeof err.cause === "object" && err.cause !== null ? err.cause : undefined;
    const code = err.errorResponse?.error || msal?.errorCode || undefined;
    const description = err.errorResponse?.errorDescription ?? msal?.errorMessage;
    const serviceError: ServiceError | undefined = code
      ? { code, message: description && this.scrubber.scrub(description) }
      : undefined;
    const status = err.statusCode ?? (typeof msal?.status === "number" ? msal.status : undefined);
    const tenant = tenantId ?? this.settings.credential.tenantId;
    const tokenUrl = this.tokenEndpoint(tenantId);
    const message = authenticationMessage({
      scope,
      tenantId: tenant,
      identity: describeCredential(this.settings.credential),
      credentialKind: this.settings.credential.kind,
      status,
      serviceError,
      detail: own
        ? own.message
        : Array.isArray((e as { errors?: unknown })?.errors)
          ? `every credential of the chain failed: ${summarizeCredentialChain((e as { errors: unknown[] }).errors)}.`
          : `${err.name ?? "Error"}: ${err.message ?? String(e)}`,
      explained: own !== undefined,
      attempts: tries.attempts,
      elapsedMs: tries.elapsedMs,
      authorityHost: this.settings.authorityHost,
    });
    this.log("warn", message);
    return new AzureRequestError(this.scrubber.scrub(message), {
      kind: "authentication",
      method: "POST",
      url: redactUrl(tokenUrl),
      status,
      service: serviceError,
      attempts: tries.attempts,
      elapsedMs: tries.elapsedMs,
    });
  }

  // --- checks and helpers -----------------------------------------------------------------------

  private vaultTrust(): VaultTrust {
    return {
      keyVaultDnsSuffix: this.settings.cloud.keyVaultDnsSuffix,
      keyVaultResource: this.settings.cloud.keyVaultResource,
      trustedVaultHosts: this.settings.trustedVaultHosts,
    };
  }

  /** Bearer tokens go over https only (plain http only to loopback when allowed); vaults must be trusted. */
  private checkTransportSecurity(target: Target, req: AzureRequest, url: string): void {
    const parsed = new URL(url);
    if (parsed.protocol === "http:") {
      if (!isLoopbackHost(parsed.hostname)) {
        throw this.refused(req.method, redactUrl(url), "bearer tokens are only sent over https");
      }
      if (!this.settings.allowHttp) {
        throw this.refused(
          req.method,
          redactUrl(url),
          "bearer tokens are only sent over https; for a local emulator on loopback set azure-certs:allowHttp to true",
        );
      }
    } else if (parsed.protocol !== "https:") {
      throw this.refused(req.method, redactUrl(url), `unsupported scheme ${parsed.protocol}`);
    }
    if (target.service === "keyVault") {
      const refusal = vaultHostRefusal(target.host, this.vaultTrust());
      if (refusal) {
        this.log("warn", `refused to send a Key Vault token to ${target.host}: ${refusal}`);
        throw this.refused(
          req.method,
          redactUrl(url),
          `a Key Vault token may not go to this host: ${refusal}`,
        );
      }
    }
  }

  private buildUrl(target: Target, req: AzureRequest): string {
    let url: URL;
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(req.path)) {
      url = new URL(req.path);
      const baseOrigin = new URL(target.base).origin;
      if (url.origin !== baseOrigin) {
        throw this.refused(
          req.method,
          redactUrl(req.path),
          `the URL is not on ${baseOrigin}, and tokens for it may only go there`,
        );
      }
    } else {
      url = new URL(target.base + (req.path.startsWith("/") ? req.path : `/${req.path}`));
    }
    for (const [name, value] of Object.entries(req.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    if (req.apiVersion && !url.searchParams.has("api-version"))
      url.searchParams.set("api-version", req.apiVersion);
    return url.toString();
  }

  private refused(method: string, shownUrl: string, reason: string): AzureRequestError {
    return new AzureRequestError(this.scrubber.scrub(refusalMessage(method, shownUrl, reason)), {
      kind: "refused",
      method,
      url: shownUrl,
      attempts: 0,
      elapsedMs: 0,
    });
  }

  private serviceErrorOf(text: string, secrets: readonly string[]): ServiceError {
    const e = parseServiceError(text);
    const scrub = (s: string | undefined) => (s === undefined ? undefined : this.scrubber.scrub(s, secrets));
    return {
      code: scrub(e.code),
      message: scrub(e.message),
      innerCode: scrub(e.innerCode),
      details: e.details?.map((d) => this.scrubber.scrub(d, secrets)),
    };
  }
}

/** An error of this package's credential setup in `e`'s cause chain (identity wraps callback errors). */
function findOwnError(e: unknown): Error | undefined {
  for (let cur = e, depth = 0; cur && typeof cur === "object" && depth < 5; depth++) {
    const name = (cur as Error).name;
    if (name === "IdTokenRequestError" || name === "CredentialSetupError") return cur as Error;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * The last word of a body field's name that makes its string value secret: `data` (APIM's PFX),
 * `password`, `clientSecret`, `client_assertion`, `requestToken`, `privateKey`, ... The name is
 * split into words (camelCase, snake_case, kebab-case) and only its last word counts, so that what
 * merely names or points at a secret stays readable: `secretIdentifier` (a Key Vault URI, the one
 * value a user needs in "Cannot read ... : access denied"), `secret_props`, `tokenType`, `passwordId`.
 */
const SECRET_WORDS = new Set([
  "data",
  "password",
  "passphrase",
  "passwd",
  "pwd",
  "secret",
  "pfx",
  "token",
  "assertion",
]);

/** `true` when a body field named `key` holds a secret value (see {@link SECRET_WORDS}). */
function isSecretField(key: string): boolean {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .split(/[\s_.-]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
  const last = words[words.length - 1];
  if (last === undefined) return false;
  return SECRET_WORDS.has(last) || (last === "key" && words[words.length - 2] === "private");
}

/** String values of secret fields of a request body, to scrub from anything echoed back. */
function secretsInBody(body: unknown, key = ""): string[] {
  if (typeof body === "string") return isSecretField(key) ? [body] : [];
  if (Array.isArray(body)) return body.flatMap((v) => secretsInBody(v, key));
  if (typeof body === "object" && body !== null) {
    return Object.entries(body).flatMap(([k, v]) => secretsInBody(v, k));
  }
  return [];
}

/** The default log sink: one line per message on stderr, which Pulumi keeps in its verbose logs. */
function stderrLogger(level: string, message: string): void {
  process.stderr.write(`[pulumi-azure-certs] ${level}: ${message}\n`);
}

function flattenHeaders(headers: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || value === null) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : String(value);
  }
  return out;
}

function requestIdOf(headers: Record<string, string>): string | undefined {
  return headers["x-ms-request-id"] ?? headers["x-ms-correlation-request-id"];
}

function parseBody(text: string, contentType: string | undefined): unknown {
  if (text === "") return undefined;
  const looksJson = /json/i.test(contentType ?? "") || /^\s*[[{]/.test(text);
  if (!looksJson) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
