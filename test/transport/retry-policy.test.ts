import { backoffDelay, planRetry, retryDelayFor } from "../../provider/transport";

const OPTIONS = { maxRetries: 5, retryDelayMs: 1000, maxRetryDelayMs: 60_000 };
const response = (status: number, headers: Record<string, string> = {}) => ({
  kind: "response" as const,
  status,
  headers,
});

describe("retryDelayFor", () => {
  const now = Date.parse("2026-01-01T00:00:00Z");

  test("reads retry-after-ms, then x-ms-retry-after-ms, then Retry-After in seconds", () => {
    expect(retryDelayFor({ "retry-after-ms": "250", "Retry-After": "9" })).toBe(250);
    expect(retryDelayFor({ "x-ms-retry-after-ms": "1500" })).toBe(1500);
    expect(retryDelayFor({ "Retry-After": "2" })).toBe(2000);
    expect(retryDelayFor({ "retry-after": "0.5" })).toBe(500);
  });

  test("reads Retry-After as an HTTP date, counted from now; a past date means no wait", () => {
    expect(retryDelayFor({ "retry-after": "Thu, 01 Jan 2026 00:00:07 GMT" }, now)).toBe(7000);
    expect(retryDelayFor({ "retry-after": "Wed, 31 Dec 2025 23:59:00 GMT" }, now)).toBe(0);
  });

  test("ignores missing, negative and unreadable values", () => {
    expect(retryDelayFor({})).toBeUndefined();
    expect(retryDelayFor({ "retry-after": "soon" })).toBeUndefined();
    expect(retryDelayFor({ "retry-after-ms": "-5", "retry-after": "1" })).toBe(1000);
  });
});

describe("backoffDelay", () => {
  test("doubles from the initial delay, keeps half and randomises half", () => {
    expect(backoffDelay(0, OPTIONS, () => 0)).toBe(500);
    expect(backoffDelay(0, OPTIONS, () => 0.999999)).toBe(1000);
    expect(backoffDelay(3, OPTIONS, () => 0)).toBe(4000);
    expect(backoffDelay(3, OPTIONS, () => 0.999999)).toBe(8000);
  });

  test("is capped at maxRetryDelayMs", () => {
    expect(backoffDelay(20, OPTIONS, () => 0.999999)).toBe(60_000);
    expect(backoffDelay(20, OPTIONS, () => 0)).toBe(30_000);
  });
});

describe("planRetry", () => {
  test("retries 408, 429, 500, 502, 503 and 504; honours the server's wait when given", () => {
    for (const status of [408, 429, 500, 502, 503, 504]) {
      expect(planRetry(response(status), 0, OPTIONS, true, () => 0)).toEqual({
        delayMs: 500,
        source: "backoff",
      });
      expect(planRetry(response(status, { "retry-after": "3" }), 0, OPTIONS, true)).toEqual({
        delayMs: 3000,
        source: "server",
      });
    }
  });

  test("never retries other statuses", () => {
    for (const status of [400, 401, 403, 404, 405, 409, 412, 501, 505]) {
      expect(planRetry(response(status, { "retry-after": "1" }), 0, OPTIONS, true)).toBeUndefined();
    }
  });

  test("retries connection failures, but not a host name that does not resolve", () => {
    for (const code of ["ECONNRESET", "ECONNREFUSED", "ETIMEDOUT", "EPIPE"]) {
      expect(planRetry({ kind: "network", code }, 0, OPTIONS, true)).toBeDefined();
    }
    expect(planRetry({ kind: "network", code: "ENOTFOUND" }, 0, OPTIONS, true)).toBeUndefined();
    expect(
      planRetry({ kind: "network", code: "DEPTH_ZERO_SELF_SIGNED_CERT" }, 0, OPTIONS, true),
    ).toBeUndefined();
  });

  test("stops after maxRetries", () => {
    expect(planRetry(response(503), 4, OPTIONS, true)).toBeDefined();
    expect(planRetry(response(503), 5, OPTIONS, true)).toBeUndefined();
  });

  test("a request that is not idempotent is retried only when Azure proves it was not processed", () => {
    expect(planRetry(response(500), 0, OPTIONS, false)).toBeUndefined();
    expect(planRetry(response(503, { "retry-after": "1" }), 0, OPTIONS, false)).toBeUndefined();
    expect(planRetry({ kind: "network", code: "ECONNRESET" }, 0, OPTIONS, false)).toBeUndefined();
    expect(planRetry({ kind: "network", code: "ETIMEDOUT" }, 0, OPTIONS, false)).toBeUndefined();
    expect(planRetry(response(429, { "retry-after": "1" }), 0, OPTIONS, false)).toEqual({
      delayMs: 1000,
      source: "server",
    });
    expect(planRetry(response(408), 0, OPTIONS, false)).toBeDefined();
    expect(planRetry({ kind: "network", code: "ECONNREFUSED" }, 0, OPTIONS, false)).toBeDefined();
  });
});
