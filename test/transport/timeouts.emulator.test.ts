/**
 * Every attempt has its own time limit and every call an overall deadline; the emulator's delay
 * faults hold answers back longer than those limits.
 */
import * as net from "net";
import { APIM_API, failureOf, servicePath, startFixture, type Fixture } from "./emulator-fixture";

let fx: Fixture;
beforeAll(async () => {
  fx = await startFixture();
});
afterAll(() => fx.stop());
beforeEach(() => fx.resetLog());

const logFor = (name: string) => fx.serviceLog(name);

test("an attempt slower than azure-certs:requestTimeoutMs fails with a timeout", async () => {
  fx.emu.admin.addFault({ listener: "arm", path: "/service/slow/", kind: "delay", delayMs: 4000 });
  const transport = fx.transport({ "azure-certs:requestTimeoutMs": "500", "azure-certs:maxRetries": "0" });
  const e = await failureOf(() =>
    transport.arm({ method: "GET", path: servicePath("slow"), apiVersion: APIM_API }),
  );
  expect(e).toMatchObject({
    kind: "timeout",
    code: "RequestTimeout",
    attempts: 1,
    networkCode: "ETIMEDOUT",
    status: undefined,
  });
  expect(e.elapsedMs as number).toBeGreaterThanOrEqual(490);
  expect(e.message).toMatch(
    new RegExp(
      `^GET https://localhost:\\d+${servicePath("slow")}\\?api-version=2024-05-01 timed out: no complete answer ` +
        "within 0\\.5 s \\(azure-certs:requestTimeoutMs\\), 1 attempt over \\d+\\.\\d s\\. Azure may be slow or " +
        "unreachable from here; run the command again, or raise azure-certs:requestTimeoutMs\\. " +
        "\\(The endpoint localhost:\\d+ comes from azure-certs:armEndpoint: check that it is right, or remove it " +
        "to use the cloud's\\.\\)$",
    ),
  );
  expect(logFor("slow")).toHaveLength(1);
});

test("a timed-out attempt is retried", async () => {
  fx.emu.admin.addFault({ listener: "arm", path: "/service/once-slow/", kind: "delay", delayMs: 4000 });
  const transport = fx.transport({ "azure-certs:requestTimeoutMs": "500" });
  const res = await transport.arm({ method: "GET", path: servicePath("once-slow"), apiVersion: APIM_API });
  expect(res.status).toBe(200);
  expect(logFor("once-slow")).toHaveLength(2);
});

test("the overall deadline ends retries that would go on", async () => {
  fx.emu.admin.addFault({
    listener: "arm",
    path: "/service/down/",
    kind: "status",
    status: 503,
    retryAfterMs: 300,
    times: 100,
  });
  const transport = fx.transport({ "azure-certs:deadlineMs": "1500", "azure-certs:maxRetries": "50" });
  const e = await failureOf(() =>
    transport.arm({ method: "GET", path: servicePath("down"), apiVersion: APIM_API }),
  );
  const attempts = logFor("down").length;
  expect(attempts).toBeGreaterThanOrEqual(2);
  expect(attempts).toBeLessThan(50);
  expect(e).toMatchObject({ kind: "deadline", status: 503, attempts });
  // Generous: the point is that 50 retries were not waited out (that would take 15 s).
  expect(e.elapsedMs as number).toBeLessThan(3000);
  expect(e.message).toMatch(
    new RegExp(
      `^GET https://localhost:\\d+${servicePath("down")}\\?api-version=2024-05-01 did not succeed within the ` +
        `deadline of 1\\.5 s \\(azure-certs:deadlineMs\\) after ${attempts} attempts over \\d\\.\\d s; the last ` +
        "answer was 503 ServiceUnavailable",
    ),
  );
});

test("a server wait longer than the time left fails at once instead of sleeping past the deadline", async () => {
  fx.emu.admin.addFault({
    listener: "arm",
    path: "/service/later/",
    kind: "status",
    status: 429,
    retryAfterSeconds: 30,
  });
  const transport = fx.transport({ "azure-certs:deadlineMs": "5000" });
  const e = await failureOf(() =>
    transport.arm({ method: "GET", path: servicePath("later"), apiVersion: APIM_API }),
  );
  // The last answer named its code: Azure's, not the transport's.
  expect(e).toMatchObject({ kind: "deadline", code: "TooManyRequests", status: 429, attempts: 1 });
  expect(e.message).toMatch(
    /did not succeed within the deadline of 5\.0 s \(azure-certs:deadlineMs\) after 1 attempt over \d\.\d s; the last answer was 429 TooManyRequests: .*\(request id [0-9a-f-]+\), asking to wait 30 s more\. Azure is throttling/,
  );
  expect(logFor("later")).toHaveLength(1);
});

test("the deadline also cuts short an attempt that is still waiting for its answer", async () => {
  fx.emu.admin.addFault({ listener: "arm", path: "/service/stuck/", kind: "delay", delayMs: 5000 });
  const transport = fx.transport({ "azure-certs:deadlineMs": "1000" });
  const e = await failureOf(() =>
    transport.arm({ method: "GET", path: servicePath("stuck"), apiVersion: APIM_API }),
  );
  expect(e).toMatchObject({ kind: "deadline", code: "DeadlineExceeded", attempts: 1 });
  expect(e.message).toMatch(
    /did not succeed within the deadline of 1\.0 s \(azure-certs:deadlineMs\): 1 attempt over \d\.\d s, the last one timed out\./,
  );
});

test("a refused connection is retried, then reported with the host and what to check", async () => {
  const closedPort = await new Promise<number>((resolve) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
  const transport = fx.transport({
    "azure-certs:armEndpoint": `https://localhost:${closedPort}`,
    "azure-certs:maxRetries": "1",
    "azure-certs:retryDelayMs": "10",
  });
  const e = await failureOf(() =>
    transport.arm({ method: "GET", path: servicePath("nowhere"), apiVersion: APIM_API }),
  );
  expect(e).toMatchObject({
    kind: "network",
    code: "NetworkError",
    networkCode: "ECONNREFUSED",
    attempts: 2,
  });
  expect(e.message).toMatch(
    new RegExp(
      `failed: could not talk to "localhost:${closedPort}" \\(ECONNREFUSED.*\\) after 2 attempts over \\d\\.\\d s\\. ` +
        "Check the network path to Azure",
    ),
  );
});
