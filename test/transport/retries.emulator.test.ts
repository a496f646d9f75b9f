/**
 * What is retried, after how long, and what is not: checked from the emulator's request log (each
 * request's arrival time), with short server waits so the tests stay quick.
 */
import { AzureRequestError } from "../../provider/transport";
import {
  APIM_API,
  CERTIFICATES_PATH,
  failureOf,
  gapMs,
  KV_API,
  servicePath,
  startFixture,
  type Fixture,
} from "./emulator-fixture";

/** Node timers may fire a millisecond or two early against the wall clock the log records. */
const TIMER_SLACK_MS = 5;

let fx: Fixture;
beforeAll(async () => {
  fx = await startFixture();
});
afterAll(() => fx.stop());
beforeEach(() => fx.resetLog());

const logFor = (name: string) => fx.serviceLog(name);

test("each retryable status is retried after the wait the server asked for", async () => {
  const retryAt = Math.floor((Date.now() + 2500) / 1000) * 1000;
  const cases: { status: number; fault: Record<string, unknown>; waitMs: number }[] = [
    { status: 408, fault: { retryAfterSeconds: 1 }, waitMs: 1000 },
    { status: 429, fault: { retryAfterSeconds: 1 }, waitMs: 1000 },
    { status: 500, fault: { headers: { "x-ms-retry-after-ms": "1000" } }, waitMs: 1000 },
    { status: 502, fault: { headers: { "retry-after": new Date(retryAt).toUTCString() } }, waitMs: 0 },
    { status: 503, fault: { retryAfterMs: 1000 }, waitMs: 1000 },
    { status: 504, fault: { headers: { "retry-after-ms": "1200" } }, waitMs: 1200 },
  ];
  for (const c of cases) {
    fx.emu.admin.addFault({
      listener: "arm",
      path: `/service/s${c.status}/`,
      kind: "status",
      status: c.status,
      ...c.fault,
    });
  }
  const transport = fx.transport();
  const results = await Promise.all(
    cases.map((c) =>
      transport.arm({ method: "GET", path: servicePath(`s${c.status}`), apiVersion: APIM_API }),
    ),
  );
  expect(results.map((r) => r.status)).toEqual(cases.map(() => 200));
  expect(new Set(cases.map((c) => logFor(`s${c.status}`)[0].clientRequestId)).size).toBe(cases.length);
  for (const c of cases) {
    const log = logFor(`s${c.status}`);
    expect(log.map((r) => r.status)).toEqual([c.status, 200]);
    // Both attempts are one call to Azure: they share the client request id.
    expect(log[1].clientRequestId).toBe(log[0].clientRequestId);
    expect(gapMs(log[0], log[1])).toBeGreaterThanOrEqual(c.waitMs - TIMER_SLACK_MS);
    expect(gapMs(log[0], log[1])).toBeLessThan(c.waitMs + 20_000);
  }
  // The HTTP-date form: the retry did not arrive before the date named.
  expect(Date.parse(logFor("s502")[1].startedAt)).toBeGreaterThanOrEqual(retryAt - TIMER_SLACK_MS);
});

test("without a server wait, retries back off exponentially from azure-certs:retryDelayMs", async () => {
  fx.emu.admin.addFault({
    listener: "arm",
    path: "/service/backoff/",
    kind: "status",
    status: 503,
    times: 2,
  });
  const transport = fx.transport({ "azure-certs:retryDelayMs": "200" });
  await transport.arm({ method: "GET", path: servicePath("backoff"), apiVersion: APIM_API });
  const log = logFor("backoff");
  expect(log.map((r) => r.status)).toEqual([503, 503, 200]);
  // Half of each wait is fixed: at least 100 ms, then at least 200 ms.
  expect(gapMs(log[0], log[1])).toBeGreaterThanOrEqual(100 - TIMER_SLACK_MS);
  expect(gapMs(log[1], log[2])).toBeGreaterThanOrEqual(200 - TIMER_SLACK_MS);
  expect(
    fx.logs.some((l) =>
      /^info: GET .*\/service\/backoff\/.* answered 503; retrying in \d+ ms \(back-off, attempt 2 of 6\)$/.test(
        l,
      ),
    ),
  ).toBe(true);
});

test("a reset connection is retried", async () => {
  fx.emu.admin.addFault({ listener: "arm", path: "/service/reset/", kind: "reset" });
  const res = await fx.transport().arm({ method: "GET", path: servicePath("reset"), apiVersion: APIM_API });
  expect(res.status).toBe(200);
  expect(logFor("reset").map((r) => [r.status, r.faultKind])).toEqual([
    [0, "reset"],
    [200, undefined],
  ]);
});

test("400, 401, 403, 404, 409 and 412 are sent exactly once, even with a Retry-After", async () => {
  const statuses = [400, 401, 403, 404, 409, 412];
  for (const status of statuses) {
    fx.emu.admin.addFault({
      listener: "arm",
      path: `/service/n${status}/`,
      kind: "status",
      status,
      retryAfterSeconds: 1,
    });
  }
  const transport = fx.transport();
  const errors = await Promise.all(
    statuses.map((s) =>
      failureOf(() => transport.arm({ method: "GET", path: servicePath(`n${s}`), apiVersion: APIM_API })),
    ),
  );
  statuses.forEach((status, i) => {
    expect(AzureRequestError.isInstance(errors[i])).toBe(true);
    expect(errors[i]).toMatchObject({ kind: "status", status, attempts: 1 });
    expect(logFor(`n${status}`)).toHaveLength(1);
  });
});

test("retries stop after azure-certs:maxRetries, saying how many attempts over how long and the last answer", async () => {
  fx.emu.admin.addFault({
    listener: "arm",
    path: "/service/busy/",
    kind: "status",
    status: 503,
    retryAfterMs: 100,
    times: 10,
  });
  const transport = fx.transport({ "azure-certs:maxRetries": "2" });
  const e = await failureOf(() =>
    transport.arm({ method: "GET", path: servicePath("busy"), apiVersion: APIM_API }),
  );
  expect(logFor("busy")).toHaveLength(3);
  expect(e).toMatchObject({ kind: "status", status: 503, attempts: 3, code: "ServiceUnavailable" });
  expect(e.message).toMatch(
    new RegExp(
      `^GET https://localhost:\\d+${servicePath("busy")}\\?api-version=2024-05-01 gave up after 3 attempts over ` +
        "\\d+\\.\\d s; the last answer was 503 ServiceUnavailable: Injected by the emulator \\(fault [0-9a-f-]+\\): " +
        "503 ServiceUnavailable \\(request id [0-9a-f-]+\\)\\. Azure is throttling or temporarily unavailable: run " +
        "the command again later, or raise azure-certs:maxRetries / azure-certs:deadlineMs\\.$",
    ),
  );
});

test("a POST is retried only when Azure proves it was not processed, unless marked idempotent", async () => {
  const refresh = `${CERTIFICATES_PATH}/post-cert/refreshSecret`;
  const transport = fx.transport();
  const post = (idempotent?: boolean) =>
    failureOf(() => transport.arm({ method: "POST", path: refresh, apiVersion: APIM_API, idempotent }));
  const count = () =>
    fx
      .requests("arm")
      .filter((r) => r.path.endsWith("/refreshSecret"))
      .map((r) => r.status);

  fx.emu.admin.addFault({ listener: "arm", method: "POST", kind: "status", status: 500 });
  expect(await post()).toMatchObject({ status: 500, attempts: 1 });
  expect(count()).toEqual([500]);

  fx.resetLog();
  fx.emu.admin.addFault({ listener: "arm", method: "POST", kind: "status", status: 429, retryAfterMs: 100 });
  // Throttled first, then processed: the certificate does not exist, so APIM answers 404.
  expect(await post()).toMatchObject({ status: 404, attempts: 2 });
  expect(count()).toEqual([429, 404]);

  fx.resetLog();
  fx.emu.admin.addFault({ listener: "arm", method: "POST", kind: "status", status: 500 });
  expect(await post(true)).toMatchObject({ status: 404, attempts: 2 });
  expect(count()).toEqual([500, 404]);
});

test("Key Vault: a throttled challenge probe is retried, then the challenge is answered", async () => {
  fx.emu.admin.addFault({ listener: "demo", kind: "status", status: 429, retryAfterMs: 200 });
  const res = await fx
    .transport()
    .keyVault(fx.emu.vaults.demo, { method: "GET", path: "/certificates", apiVersion: KV_API });
  expect(res.status).toBe(200);
  const log = fx.requests("demo");
  expect(log.map((r) => r.status)).toEqual([429, 401, 200]);
  expect(gapMs(log[0], log[1])).toBeGreaterThanOrEqual(200 - TIMER_SLACK_MS);
});
