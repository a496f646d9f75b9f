/**
 * The token cache's own rules, on an injected clock: when a token is renewed, what happens when a
 * renewal fails, and that one caller giving up does not cancel a token request others wait for.
 * (Counting real token requests is done against the emulator in token-caching.emulator.test.ts.)
 */
import type { AccessToken } from "@azure/identity";
import { TokenCache, TokenRequestTimeoutError } from "../../provider/transport/token-cache";

const MINUTE = 60_000;

/** A cache on a hand-moved clock whose token requests give the `answers` in turn. */
function cacheWith(answers: ((now: number) => Promise<AccessToken>)[]) {
  let now = 1_000_000;
  let calls = 0;
  const fetcher = async () => answers[calls++](now);
  return {
    clocked: new TokenCache(fetcher, () => now),
    realClock: new TokenCache(fetcher),
    advance: (ms: number) => (now += ms),
    calls: () => calls,
  };
}

const issue =
  (token: string, lifetime: number, refreshAfter?: number) =>
  async (now: number): Promise<AccessToken> => ({
    token,
    expiresOnTimestamp: now + lifetime,
    refreshAfterTimestamp: refreshAfter === undefined ? undefined : now + refreshAfter,
  });

test("a token is renewed 5 minutes before expiry, or at half its life when that is shorter", async () => {
  const c = cacheWith([issue("a", 60 * MINUTE), issue("b", 60 * MINUTE)]);
  expect((await c.clocked.get("s", undefined)).token).toBe("a");
  c.advance(54 * MINUTE);
  expect((await c.clocked.get("s", undefined)).token).toBe("a");
  c.advance(2 * MINUTE);
  expect((await c.clocked.get("s", undefined)).token).toBe("b");
  expect(c.calls()).toBe(2);

  const short = cacheWith([issue("short-1", 4000), issue("short-2", 4000)]);
  expect((await short.clocked.get("s", undefined)).token).toBe("short-1");
  short.advance(1900);
  expect((await short.clocked.get("s", undefined)).token).toBe("short-1");
  short.advance(200);
  expect((await short.clocked.get("s", undefined)).token).toBe("short-2");
});

test("refreshAfterTimestamp from the credential is honoured; tokens are kept per tenant and scope", async () => {
  const c = cacheWith([
    issue("a", 60 * MINUTE, 30 * MINUTE),
    issue("other-tenant", 60 * MINUTE),
    issue("b", 60 * MINUTE),
  ]);
  expect((await c.clocked.get("s", undefined)).token).toBe("a");
  expect((await c.clocked.get("s", "tenant-2")).token).toBe("other-tenant");
  c.advance(31 * MINUTE);
  expect((await c.clocked.get("s", undefined)).token).toBe("b");
  expect((await c.clocked.get("s", "tenant-2")).token).toBe("other-tenant");
});

test("a failed renewal falls back to the current token while it is valid, and fails once it is not", async () => {
  const c = cacheWith([
    issue("a", 60 * MINUTE),
    async () => Promise.reject(new Error("token endpoint down")),
    async () => Promise.reject(new Error("token endpoint still down")),
  ]);
  await c.clocked.get("s", undefined);
  c.advance(56 * MINUTE);
  expect((await c.clocked.get("s", undefined)).token).toBe("a");
  c.advance(4 * MINUTE);
  await expect(c.clocked.get("s", undefined)).rejects.toThrow("token endpoint still down");
});

test("one caller giving up does not cancel the token request the others share", async () => {
  let release!: (t: AccessToken) => void;
  const c = cacheWith([() => new Promise<AccessToken>((r) => (release = r))]);
  const impatient = new AbortController();
  const first = c.realClock.get("s", undefined, impatient.signal);
  const second = c.realClock.get("s", undefined);
  impatient.abort(new Error("deadline"));
  await expect(first).rejects.toThrow("deadline");
  release({ token: "shared", expiresOnTimestamp: Date.now() + 60 * MINUTE });
  expect((await second).token).toBe("shared");
  expect(c.calls()).toBe(1);
});

test("a token request that does not settle in time is abandoned: the next caller starts a fresh one, a late answer is ignored", async () => {
  let releaseFirst!: (t: AccessToken) => void;
  let firstSignal!: AbortSignal;
  let calls = 0;
  const fetcher = (
    _scope: string,
    _tenant: string | undefined,
    signal: AbortSignal,
  ): Promise<AccessToken> => {
    calls++;
    if (calls === 1) {
      firstSignal = signal;
      return new Promise<AccessToken>((r) => (releaseFirst = r));
    }
    return Promise.resolve({ token: "fresh", expiresOnTimestamp: Date.now() + 60 * MINUTE });
  };
  const cache = new TokenCache(fetcher, Date.now, 5 * MINUTE, 100);
  const a = cache.get("s", undefined);
  const b = cache.get("s", undefined);
  await expect(a).rejects.toBeInstanceOf(TokenRequestTimeoutError);
  await expect(b).rejects.toMatchObject({ name: "TokenRequestTimeoutError", scope: "s", timeoutMs: 100 });
  expect(calls).toBe(1);
  // The credential is told, for what it is worth (MSAL-based credentials do not listen).
  expect(firstSignal.aborted).toBe(true);
  expect(firstSignal.reason).toBeInstanceOf(TokenRequestTimeoutError);

  expect((await cache.get("s", undefined)).token).toBe("fresh");
  expect(calls).toBe(2);
  releaseFirst({ token: "late", expiresOnTimestamp: Date.now() + 90 * MINUTE });
  await new Promise((r) => setImmediate(r));
  expect((await cache.get("s", undefined)).token).toBe("fresh");
  expect(calls).toBe(2);
});

test("a renewal that does not answer in time falls back to the current token while it is valid", async () => {
  let now = 1_000_000;
  let calls = 0;
  const fetcher = (): Promise<AccessToken> =>
    ++calls === 1
      ? Promise.resolve({ token: "current", expiresOnTimestamp: now + 60 * MINUTE })
      : new Promise<AccessToken>(() => undefined);
  const cache = new TokenCache(fetcher, () => now, 5 * MINUTE, 50);
  expect((await cache.get("s", undefined)).token).toBe("current");
  now += 56 * MINUTE;
  expect((await cache.get("s", undefined)).token).toBe("current");
  expect(calls).toBe(2);
});
