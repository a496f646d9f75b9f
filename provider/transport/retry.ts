/**
 * When to send a request again and how long to wait first, as two small strategies tried in turn
 * (the shape of @azure/core-rest-pipeline's throttling and exponential strategies):
 *
 * 1. **server wait**: a retryable answer that says how long to wait (`retry-after-ms`,
 *    `x-ms-retry-after-ms`, `Retry-After` in seconds or as an HTTP date) is retried after exactly
 *    that wait;
 * 2. **back-off**: any other retryable answer or connection failure waits
 *    `initial * 2^retry`, capped, with jitter (half fixed, half random) so that many clients
 *    throttled together do not come back together.
 *
 * Everything else (400, 401, 403, 404, 409, 412, ...) is final. The limits (attempts, deadline)
 * are applied by the caller, which knows the clock.
 */

/** Statuses worth sending again: the request was not (or not fully) processed. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);

/**
 * Statuses that prove the request was not processed, so even a non-idempotent request may be sent
 * again: 408 (the server gave up waiting for it) and 429 (throttled before processing).
 */
export const UNPROCESSED_STATUSES: ReadonlySet<number> = new Set([408, 429]);

/**
 * Connection failures worth retrying. `ENOTFOUND` is not among them: a host name that does not
 * resolve is a configuration error, and waiting will not fix it.
 */
export const RETRYABLE_NETWORK_CODES: ReadonlySet<string> = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "ETIMEDOUT",
  "ESOCKETTIMEDOUT",
  "EPIPE",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ERR_SOCKET_CONNECTION_TIMEOUT",
]);

/** Network failures that happen before the request reaches the server (safe for any method). */
export const UNSENT_NETWORK_CODES: ReadonlySet<string> = new Set(["ECONNREFUSED", "EAI_AGAIN"]);

/** Retry limits; see the README for the config keys and defaults. */
export interface RetryOptions {
  /** Retries after the first attempt (so at most `maxRetries + 1` attempts). */
  maxRetries: number;
  /** First back-off wait; doubles on each retry. */
  retryDelayMs: number;
  /** Cap on a computed back-off wait (server-requested waits are honoured up to the deadline). */
  maxRetryDelayMs: number;
}

/** What happened on one attempt, as far as retrying is concerned. */
export type AttemptOutcome =
  | { kind: "response"; status: number; headers: Record<string, string | undefined> }
  /** A connection failure or a per-request timeout (`code` is `ETIMEDOUT` for the latter). */
  | { kind: "network"; code: string };

/** A retry decision: wait `delayMs`, saying whether the server asked for it. */
export interface RetryPlan {
  delayMs: number;
  /** `server`: the answer named the wait; `backoff`: computed. */
  source: "server" | "backoff";
}

/** A strategy answers with a plan, or `undefined` to leave the decision to the next one. */
export type RetryStrategy = (
  outcome: AttemptOutcome,
  retryCount: number,
  options: RetryOptions,
  random: () => number,
) => RetryPlan | undefined;

/**
 * The wait, in milliseconds, an answer asks for: `retry-after-ms`, then `x-ms-retry-after-ms`, then
 * `Retry-After` (seconds, or an HTTP date counted from `now`). `undefined` when none is present or
 * readable. Header names are matched case-insensitively.
 */
export function retryDelayFor(
  headers: Record<string, string | string[] | undefined>,
  now: number = Date.now(),
): number | undefined {
  const get = (name: string): string | undefined => {
    for (const [k, v] of Object.entries(headers)) {
      if (k.toLowerCase() === name) return (Array.isArray(v) ? v[0] : v)?.trim();
    }
    return undefined;
  };
  for (const name of ["retry-after-ms", "x-ms-retry-after-ms"]) {
    const ms = parseNonNegativeNumber(get(name));
    if (ms !== undefined) return Math.ceil(ms);
  }
  const retryAfter = get("retry-after");
  if (!retryAfter) return undefined;
  const seconds = parseNonNegativeNumber(retryAfter);
  if (seconds !== undefined) return Math.ceil(seconds * 1000);
  const date = Date.parse(retryAfter);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}

/** Strategy 1: a retryable status whose answer says how long to wait. */
export const serverWaitStrategy: RetryStrategy = (outcome) => {
  if (outcome.kind !== "response" || !RETRYABLE_STATUSES.has(outcome.status)) return undefined;
  const delayMs = retryDelayFor(outcome.headers);
  return delayMs === undefined ? undefined : { delayMs, source: "server" };
};

/** Strategy 2: exponential back-off with jitter for any retryable status or connection failure. */
export const backoffStrategy: RetryStrategy = (outcome, retryCount, options, random) => {
  const retryable =
    outcome.kind === "response"
      ? RETRYABLE_STATUSES.has(outcome.status)
      : RETRYABLE_NETWORK_CODES.has(outcome.code);
  if (!retryable) return undefined;
  return { delayMs: backoffDelay(retryCount, options, random), source: "backoff" };
};

/** `initial * 2^retryCount`, capped at `maxRetryDelayMs`, then half kept and half randomised. */
export function backoffDelay(
  retryCount: number,
  options: RetryOptions,
  random: () => number = Math.random,
): number {
  const exponential = options.retryDelayMs * Math.pow(2, Math.max(0, retryCount));
  const capped = Math.min(options.maxRetryDelayMs, exponential);
  return Math.round(capped / 2 + random() * (capped / 2));
}

/** The strategies in the order they are asked. */
export const RETRY_STRATEGIES: readonly RetryStrategy[] = [serverWaitStrategy, backoffStrategy];

/**
 * Whether to retry after `outcome` (the `retryCount`-th retry would be next, counting from 0), and
 * how long to wait. A request that is not idempotent is only retried when the outcome proves it was
 * not processed (408, 429, or a connection that was never made). `undefined`: do not retry.
 */
export function planRetry(
  outcome: AttemptOutcome,
  retryCount: number,
  options: RetryOptions,
  idempotent: boolean,
  random: () => number = Math.random,
): RetryPlan | undefined {
  if (retryCount >= options.maxRetries) return undefined;
  if (!idempotent) {
    const unprocessed =
      outcome.kind === "response"
        ? UNPROCESSED_STATUSES.has(outcome.status)
        : UNSENT_NETWORK_CODES.has(outcome.code);
    if (!unprocessed) return undefined;
  }
  for (const strategy of RETRY_STRATEGIES) {
    const plan = strategy(outcome, retryCount, options, random);
    if (plan) return plan;
  }
  return undefined;
}

function parseNonNegativeNumber(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+(\.\d+)?$/.test(value)) return undefined;
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}
