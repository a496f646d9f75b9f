/**
 * Reliability through the real engine (Automation API, inline programs, real `pulumi
 * up/refresh/preview`) against the emulator's fault controls: no provider function is called
 * directly.
 *
 * 1. Every transient fault (429 with `Retry-After`, 429 with `retry-after-ms`, 500, 503, a reset
 *    connection, an answer slower than `azure-certs:requestTimeoutMs`) on every call the resources
 *    make (ApimCertificate PUT for create and update, POST refreshSecret, GET via refresh, DELETE;
 *    KeyVaultCertificatePolicy GET and PATCH; the Entra ID token request) converges within the
 *    engine operation that makes the call. To keep the suite fast, the six faults of one call go
 *    into one engine operation, on six resources ("lanes"), each fault matched by its resource's
 *    path; the token request is one per provider process, so each token case has its own refresh.
 * 2. Every persistent fault (`times: 100`) fails the engine operation within `deadlineMs`, naming
 *    the method, the status (or the reset, or the timeout) and the attempts; after the faults are
 *    cleared, the next operation converges and the next preview has nothing to do.
 * 3. A lost answer (applied, the answer never sent) on each write converges in the same operation,
 *    nothing duplicated, state equal to the emulator.
 * 4. A certificate changed elsewhere, before an update or while its PUT waits, fails the update with
 *    "changed elsewhere … run `pulumi refresh`"; after a refresh the update works.
 */
import axios from "axios";
import * as crypto from "crypto";
import type { Fault, FaultSpec, RequestLogEntry } from "../../emulator";
import { ApimCertificate, KeyVaultCertificatePolicy } from "../../provider";
import type { ConfigMap, PreviewResult } from "@pulumi/pulumi/automation";
import { EngineStack } from "../harness/engine";
import { startEmulatedAzure, SUBSCRIPTION, type EmulatedAzure } from "../harness/emulated-azure";
import { makePfx, type TestPfx } from "../harness/certs";
import { wirePolicy } from "../harness/keyvault";

const RESOURCE_GROUP = "rel";
const SERVICE_NAME = "rel";
const SERVICE = { subscriptionId: SUBSCRIPTION, resourceGroup: RESOURCE_GROUP, serviceName: SERVICE_NAME };
const serviceId = `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RESOURCE_GROUP}/providers/Microsoft.ApiManagement/service/${SERVICE_NAME}`;
const APIM_TYPE = "pulumi-nodejs:dynamic/azure-certs:ApimCertificate";
const POLICY_TYPE = "pulumi-nodejs:dynamic/azure-certs:KeyVaultCertificatePolicy";

// Small limits: a transient fault costs milliseconds, a persistent one at most the deadline.
const MAX_RETRIES = 4;
const REQUEST_TIMEOUT_MS = 1000;
const DEADLINE_MS = 3000;
/** What the engine itself adds to a failing operation (start, program, gRPC, summary): measured ~3 s. */
const ENGINE_MARGIN_MS = 9000;
const RELIABILITY_CONFIG: ConfigMap = {
  "azure-certs:maxRetries": { value: String(MAX_RETRIES) },
  "azure-certs:retryDelayMs": { value: "20" },
  "azure-certs:maxRetryDelayMs": { value: "100" },
  "azure-certs:requestTimeoutMs": { value: String(REQUEST_TIMEOUT_MS) },
  "azure-certs:deadlineMs": { value: String(DEADLINE_MS) },
};

const thumbprintOf = (pfx: TestPfx) => crypto.createHash("sha1").update(pfx.der).digest("hex").toUpperCase();

/** One lane: a certificate from a PFX, one from Key Vault, and the policy of that Key Vault certificate. */
interface Lane {
  /** `p-{key}`: absent until its create is under test, absent again once deleted. */
  pfx?: TestPfx;
  /** `v-{key}` and `pol-{key}` (on Key Vault certificate `kv-{key}`). */
  keyVault: boolean;
  trigger: string;
  validityInMonths: number;
}

let azure: EmulatedAzure;
let vault: string;

function program(lanes: Record<string, Lane>) {
  return async () => {
    for (const [key, lane] of Object.entries(lanes)) {
      if (lane.pfx) {
        new ApimCertificate(`p-${key}`, {
          serviceId,
          certificateId: `p-${key}`,
          data: lane.pfx.data,
          password: lane.pfx.password,
        });
      }
      if (lane.keyVault) {
        new ApimCertificate(`v-${key}`, {
          serviceId,
          certificateId: `v-${key}`,
          keyVault: { secretIdentifier: `${vault}/secrets/kv-${key}` },
          refreshTrigger: lane.trigger,
        });
        new KeyVaultCertificatePolicy(`pol-${key}`, {
          vaultBaseUrl: vault,
          certificateName: `kv-${key}`,
          importExisting: true,
          x509Properties: { validityInMonths: lane.validityInMonths },
        });
      }
    }
    return {};
  };
}

async function laneStack(lanes: Record<string, Lane>): Promise<EngineStack> {
  for (const [key, lane] of Object.entries(lanes)) {
    if (lane.keyVault) await azure.createKeyVaultCertificate(`kv-${key}`);
  }
  return EngineStack.create({
    program: program(lanes),
    config: { ...azure.config, ...RELIABILITY_CONFIG },
    env: azure.env,
  });
}

/** A resource as the engine stored it (outputs in plain text). */
async function stored(stack: EngineStack, name: string): Promise<Record<string, unknown> | undefined> {
  const deployment = await stack.stack.exportStack();
  const resources = (deployment.deployment.resources ?? []) as {
    urn: string;
    type: string;
    outputs: Record<string, unknown>;
  }[];
  return resources.find(
    (r) => (r.type === APIM_TYPE || r.type === POLICY_TYPE) && r.urn.endsWith(`::${name}`),
  )?.outputs;
}

const held = (certificateId: string) => azure.emu.admin.getApimCertificate({ ...SERVICE, certificateId });

function expectNoChanges(pre: PreviewResult): void {
  const { same, ...changes } = pre.changeSummary;
  expect(same).toBeGreaterThan(0);
  expect(Object.values(changes).filter((n) => (n ?? 0) > 0)).toEqual([]);
}

/** The request log as short lines, for failure messages and the report. */
const logLines = (entries: RequestLogEntry[]) =>
  entries.map(
    (r) =>
      `${r.seq} ${r.listener} ${r.method} ${r.path} ${r.status}${r.faultKind ? ` [${r.faultKind}]` : ""}${r.ifMatch ? ` If-Match ${r.ifMatch}` : ""}`,
  );

/** The error of an engine operation that must fail, with how long it took. */
async function failureOf(op: () => Promise<unknown>): Promise<{ message: string; elapsedMs: number }> {
  const started = Date.now();
  try {
    await op();
  } catch (e) {
    return { message: (e as Error).message, elapsedMs: Date.now() - started };
  }
  throw new Error("the engine operation succeeded; it was expected to fail");
}

/** A certificate uploaded to the same certificate id by someone else, through ARM's own API. */
async function uploadElsewhere(certificateId: string, pfx: TestPfx): Promise<void> {
  const token = azure.emu.admin.issueToken({ audience: "https://management.azure.com/" });
  await axios.put(
    `${azure.emu.armEndpoint}${serviceId}/certificates/${certificateId}?api-version=2024-05-01`,
    { properties: { data: pfx.data, password: pfx.password } },
    { headers: { Authorization: `Bearer ${token}` } },
  );
}

beforeAll(async () => {
  azure = await startEmulatedAzure();
  vault = azure.emu.vaults.demo;
}, 60_000);
afterAll(async () => {
  await azure?.stop();
});
afterEach(() => azure.emu.admin.clearFaults());

// ---------------------------------------------------------------------------------------------
// 1. Transient faults.

interface TransientFault {
  key: string;
  title: string;
  spec: Omit<FaultSpec, "listener" | "route" | "path" | "method">;
  /** The status the fault answered with in the request log (0: no answer). */
  loggedStatus: number | undefined;
}

const TRANSIENT: TransientFault[] = [
  {
    key: "t429s",
    title: "429 with Retry-After (seconds)",
    spec: { kind: "status", status: 429, retryAfterSeconds: 1 },
    loggedStatus: 429,
  },
  {
    key: "t429ms",
    title: "429 with retry-after-ms",
    spec: { kind: "status", status: 429, retryAfterMs: 150 },
    loggedStatus: 429,
  },
  { key: "t500", title: "500", spec: { kind: "status", status: 500 }, loggedStatus: 500 },
  { key: "t503", title: "503", spec: { kind: "status", status: 503 }, loggedStatus: 503 },
  { key: "treset", title: "a reset connection", spec: { kind: "reset" }, loggedStatus: 0 },
  {
    key: "tslow",
    title: "an answer slower than requestTimeoutMs",
    // Served after 1.5 s, when the client has given up after 1 s and retried.
    spec: { kind: "delay", delayMs: REQUEST_TIMEOUT_MS + 500 },
    loggedStatus: undefined,
  },
];

/** Where a call goes, for one lane: the fault's match. */
interface CallTarget {
  listener: string;
  route: string;
  path: (key: string) => string;
}

const apimPath = (id: string) => `/certificates/${id}$`;
const TARGETS = {
  put: { listener: "arm", route: "apim.certificate.put", path: (k: string) => apimPath(`p-${k}`) },
  refreshSecret: {
    listener: "arm",
    route: "apim.certificate.refreshSecret",
    path: (k: string) => `/certificates/v-${k}/refreshSecret$`,
  },
  get: { listener: "arm", route: "apim.certificate.get", path: (k: string) => apimPath(`p-${k}`) },
  delete: { listener: "arm", route: "apim.certificate.delete", path: (k: string) => apimPath(`p-${k}`) },
  policyGet: {
    listener: "demo",
    route: "kv.policy.get",
    path: (k: string) => `/certificates/kv-${k}/policy$`,
  },
  policyPatch: {
    listener: "demo",
    route: "kv.policy.update",
    path: (k: string) => `/certificates/kv-${k}/policy$`,
  },
  token: { listener: "token", route: "entra.token", path: () => "/oauth2/v2.0/token$" },
} satisfies Record<string, CallTarget>;

/**
 * The fault was hit (`times` requests answered by it, the fault consumed) and a later request of
 * the same call succeeded, within the same engine operation.
 */
function expectHitThenServed(fault: Fault, target: CallTarget, key: string, log: RequestLogEntry[]): void {
  const detail = logLines(log).join("\n");
  const hits = log.filter((r) => r.faultId === fault.id);
  expect({ hits: hits.length, detail }).toEqual({ hits: fault.times ?? 1, detail });
  expect(hits.every((r) => r.faultKind === fault.kind)).toBe(true);
  expect(azure.emu.admin.listFaults().map((f) => f.id)).not.toContain(fault.id);
  const path = new RegExp(target.path(key), "i");
  const served = log.filter(
    (r) =>
      r.route === target.route &&
      path.test(r.path) &&
      r.seq > hits[0].seq &&
      r.status >= 200 &&
      r.status < 300 &&
      !r.faultId,
  );
  expect({ served: served.length > 0, detail }).toEqual({ served: true, detail });
}

describe("a transient fault on each call converges in the same engine operation", () => {
  const lanes: Record<string, Lane> = Object.fromEntries(
    TRANSIENT.map((f) => [f.key, { keyVault: true, trigger: "1", validityInMonths: 12 }]),
  );
  let stack: EngineStack;
  /** The faults added for the operation under test, by lane. */
  let faults: Record<string, Fault> = {};
  let log: RequestLogEntry[] = [];

  function inject(target: CallTarget): void {
    faults = {};
    for (const f of TRANSIENT) {
      faults[f.key] = azure.emu.admin.addFault({
        ...f.spec,
        listener: target.listener,
        route: target.route,
        path: target.path(f.key),
        times: 1,
      });
    }
    azure.clearLog();
  }

  async function run(op: () => Promise<unknown>): Promise<void> {
    await op();
    log = azure.requests();
    // A request delayed past the client's timeout is still served once its delay is over: let it
    // land before the next operation, so that what it changes is part of this case.
    await new Promise((r) => setTimeout(r, 600));
  }

  beforeAll(async () => {
    stack = await laneStack(lanes);
    await stack.up();
  }, 120_000);
  afterAll(async () => {
    await stack?.dispose();
  }, 120_000);

  describe("ApimCertificate create (PUT)", () => {
    beforeAll(async () => {
      for (const f of TRANSIENT) lanes[f.key].pfx = makePfx({ cn: `${f.key}.create.contoso.com` });
      inject(TARGETS.put);
      await run(() => stack.up());
    });
    it.each(TRANSIENT)("$title", async (f) => {
      expectHitThenServed(faults[f.key], TARGETS.put, f.key, log);
      if (f.loggedStatus !== undefined)
        expect(log.find((r) => r.faultId === faults[f.key].id)?.status).toBe(f.loggedStatus);
      expect(held(`p-${f.key}`)?.thumbprint).toBe(thumbprintOf(lanes[f.key].pfx!));
      expect((await stored(stack, `p-${f.key}`))?.thumbprint).toBe(thumbprintOf(lanes[f.key].pfx!));
    });
  });

  describe("ApimCertificate update (PUT with If-Match)", () => {
    beforeAll(async () => {
      for (const f of TRANSIENT) lanes[f.key].pfx = makePfx({ cn: `${f.key}.update.contoso.com` });
      inject(TARGETS.put);
      await run(() => stack.up());
    });
    it.each(TRANSIENT)("$title", async (f) => {
      expectHitThenServed(faults[f.key], TARGETS.put, f.key, log);
      const puts = log.filter((r) => r.route === "apim.certificate.put" && r.path.endsWith(`/p-${f.key}`));
      expect(puts.every((r) => r.ifMatch && r.ifMatch !== "*")).toBe(true);
      expect(held(`p-${f.key}`)?.thumbprint).toBe(thumbprintOf(lanes[f.key].pfx!));
      expect((await stored(stack, `p-${f.key}`))?.thumbprint).toBe(thumbprintOf(lanes[f.key].pfx!));
    });
  });

  describe("ApimCertificate refreshSecret (POST, marked idempotent)", () => {
    const renewed: Record<string, string> = {};
    beforeAll(async () => {
      for (const f of TRANSIENT) {
        renewed[f.key] = (await azure.emu.admin.rotateCertificate("demo", `kv-${f.key}`)).thumbprint;
        lanes[f.key].trigger = "2";
      }
      inject(TARGETS.refreshSecret);
      await run(() => stack.up());
    });
    it.each(TRANSIENT)("$title", async (f) => {
      expectHitThenServed(faults[f.key], TARGETS.refreshSecret, f.key, log);
      // API Management fetched the renewed version from Key Vault.
      expect(held(`v-${f.key}`)?.thumbprint).toBe(renewed[f.key]);
      expect((await stored(stack, `v-${f.key}`))?.thumbprint).toBe(renewed[f.key]);
    });
  });

  describe("ApimCertificate read (GET, pulumi refresh)", () => {
    const etags: Record<string, string> = {};
    beforeAll(async () => {
      // Changed elsewhere (a new ETag), so that the refresh has something to read.
      for (const f of TRANSIENT)
        etags[f.key] = azure.emu.admin.touchApimCertificate({ ...SERVICE, certificateId: `p-${f.key}` });
      inject(TARGETS.get);
      await run(() => stack.refresh());
    });
    it.each(TRANSIENT)("$title", async (f) => {
      expectHitThenServed(faults[f.key], TARGETS.get, f.key, log);
      expect((await stored(stack, `p-${f.key}`))?.etag).toBe(etags[f.key]);
    });
  });

  describe("KeyVaultCertificatePolicy read (GET policy, pulumi refresh)", () => {
    const renewed: Record<string, string> = {};
    beforeAll(async () => {
      for (const f of TRANSIENT)
        renewed[f.key] = (await azure.emu.admin.rotateCertificate("demo", `kv-${f.key}`)).thumbprint;
      inject(TARGETS.policyGet);
      await run(() => stack.refresh());
    });
    it.each(TRANSIENT)("$title", async (f) => {
      expectHitThenServed(faults[f.key], TARGETS.policyGet, f.key, log);
      expect((await stored(stack, `pol-${f.key}`))?.thumbprint).toBe(renewed[f.key]);
    });
  });

  describe("KeyVaultCertificatePolicy update (PATCH policy)", () => {
    beforeAll(async () => {
      for (const f of TRANSIENT) lanes[f.key].validityInMonths = 24;
      inject(TARGETS.policyPatch);
      await run(() => stack.up());
    });
    it.each(TRANSIENT)("$title", async (f) => {
      expectHitThenServed(faults[f.key], TARGETS.policyPatch, f.key, log);
      const policy = wirePolicy(azure, `kv-${f.key}`) as { x509_props: { validity_months: number } };
      expect(policy.x509_props.validity_months).toBe(24);
      const outs = (await stored(stack, `pol-${f.key}`)) as { x509Properties: { validityInMonths: number } };
      expect(outs.x509Properties.validityInMonths).toBe(24);
    });
  });

  describe("ApimCertificate delete (DELETE)", () => {
    beforeAll(async () => {
      for (const f of TRANSIENT) lanes[f.key].pfx = undefined;
      inject(TARGETS.delete);
      await run(() => stack.up());
    });
    it.each(TRANSIENT)("$title", async (f) => {
      expectHitThenServed(faults[f.key], TARGETS.delete, f.key, log);
      expect(held(`p-${f.key}`)).toBeUndefined();
      expect(await stored(stack, `p-${f.key}`)).toBeUndefined();
    });
  });

  describe("Entra ID token request (the first of the provider process, in a pulumi refresh)", () => {
    it.each(TRANSIENT)("$title", async (f) => {
      const fault = azure.emu.admin.addFault({
        ...f.spec,
        listener: TARGETS.token.listener,
        route: TARGETS.token.route,
        times: 1,
      });
      azure.clearLog();
      const refresh = await stack.refresh();
      expect(refresh.summary.result).toBe("succeeded");
      const entries = azure.requests();
      // @azure/identity's pipeline retries answered failures and resets itself; the transport
      // retries a token request that did not answer within requestTimeoutMs. Either way, the next
      // token request is served and every call after it carries a token.
      expectHitThenServed(fault, TARGETS.token, f.key, entries);
      const calls = entries.filter((r) => r.listener !== "token");
      expect(calls.filter((r) => r.status >= 400 && r.status !== 401)).toEqual([]);
      expect(calls.filter((r) => r.audience).length).toBeGreaterThan(0);
    });
  });
});

// ---------------------------------------------------------------------------------------------
// 2-4. Persistent faults, lost answers, changes made elsewhere: a second stack.

describe("faults that last, answers that are lost, changes made elsewhere", () => {
  const lanes: Record<string, Lane> = {
    persist: { keyVault: true, trigger: "1", validityInMonths: 12 },
    lost: { keyVault: true, trigger: "1", validityInMonths: 12 },
    oob: { keyVault: false, trigger: "1", validityInMonths: 12, pfx: makePfx({ cn: "oob.contoso.com" }) },
  };
  let stack: EngineStack;

  beforeAll(async () => {
    stack = await laneStack(lanes);
    await stack.up();
  }, 120_000);
  afterAll(async () => {
    await stack?.dispose();
  }, 120_000);

  describe("a persistent fault fails within the deadline, naming the call, the status and the attempts; then it converges", () => {
    const lane = lanes.persist;
    let previous: TestPfx | undefined;
    let renewed = "";
    let etag = "";

    interface PersistentCase {
      call: string;
      target: CallTarget;
      spec: Omit<FaultSpec, "listener" | "route" | "path" | "method">;
      /** Sets the program (or Azure) up so that the next operation makes the call. */
      prepare: () => Promise<void> | void;
      op: "up" | "refresh";
      /** What the error names: the call and the status (or what happened instead). */
      names: RegExp[];
      /** What no line of the error may say. */
      never?: RegExp;
      /** Azure as the failed operation must leave it. */
      unchanged: () => Promise<void> | void;
      /** Azure and state once the next operation converged. */
      converged: () => Promise<void>;
    }

    const CASES: PersistentCase[] = [
      {
        call: "ApimCertificate create: PUT answered 503",
        target: TARGETS.put,
        spec: { kind: "status", status: 503 },
        prepare: () => {
          lane.pfx = makePfx({ cn: "persist.create.contoso.com" });
        },
        op: "up",
        names: [/PUT https:\/\/\S+\/certificates\/p-persist\?/, /503/],
        unchanged: () => expect(held("p-persist")).toBeUndefined(),
        converged: async () => {
          expect(held("p-persist")?.thumbprint).toBe(thumbprintOf(lane.pfx!));
          expect((await stored(stack, "p-persist"))?.etag).toBe(held("p-persist")?.etag);
        },
      },
      {
        call: "ApimCertificate update: PUT reset",
        target: TARGETS.put,
        spec: { kind: "reset" },
        prepare: () => {
          previous = lane.pfx;
          lane.pfx = makePfx({ cn: "persist.update.contoso.com" });
        },
        op: "up",
        names: [/PUT https:\/\/\S+\/certificates\/p-persist\?/, /ECONNRESET/],
        unchanged: () => expect(held("p-persist")?.thumbprint).toBe(thumbprintOf(previous!)),
        converged: async () => {
          expect(held("p-persist")?.thumbprint).toBe(thumbprintOf(lane.pfx!));
          expect((await stored(stack, "p-persist"))?.etag).toBe(held("p-persist")?.etag);
        },
      },
      {
        call: "ApimCertificate refreshSecret: POST answered 429 with retry-after-ms",
        target: TARGETS.refreshSecret,
        spec: { kind: "status", status: 429, retryAfterMs: 300 },
        prepare: async () => {
          renewed = (await azure.emu.admin.rotateCertificate("demo", "kv-persist")).thumbprint;
          lane.trigger = "2";
        },
        op: "up",
        names: [/POST https:\/\/\S+\/certificates\/v-persist\/refreshSecret\?/, /429/],
        unchanged: () => expect(held("v-persist")?.thumbprint).not.toBe(renewed),
        converged: async () => {
          expect(held("v-persist")?.thumbprint).toBe(renewed);
          expect((await stored(stack, "v-persist"))?.thumbprint).toBe(renewed);
        },
      },
      {
        call: "ApimCertificate read: GET slower than requestTimeoutMs",
        target: TARGETS.get,
        spec: { kind: "delay", delayMs: REQUEST_TIMEOUT_MS + 500 },
        prepare: () => {
          etag = azure.emu.admin.touchApimCertificate({ ...SERVICE, certificateId: "p-persist" });
        },
        op: "refresh",
        names: [/GET https:\/\/\S+\/certificates\/p-persist\?/, /timed out|did not answer/],
        unchanged: () => undefined,
        converged: async () => {
          expect((await stored(stack, "p-persist"))?.etag).toBe(etag);
        },
      },
      {
        call: "KeyVaultCertificatePolicy read: GET policy answered 503 with Retry-After",
        target: TARGETS.policyGet,
        spec: { kind: "status", status: 503, retryAfterSeconds: 1 },
        prepare: async () => {
          renewed = (await azure.emu.admin.rotateCertificate("demo", "kv-persist")).thumbprint;
        },
        op: "refresh",
        names: [/GET https:\/\/\S+\/certificates\/kv-persist\/policy\?/, /503/],
        unchanged: () => undefined,
        converged: async () => {
          expect((await stored(stack, "pol-persist"))?.thumbprint).toBe(renewed);
        },
      },
      {
        call: "KeyVaultCertificatePolicy update: PATCH answered 500",
        target: TARGETS.policyPatch,
        spec: { kind: "status", status: 500 },
        prepare: () => {
          lane.validityInMonths = 24;
        },
        op: "up",
        names: [/PATCH https:\/\/\S+\/certificates\/kv-persist\/policy\?/, /500/],
        unchanged: () =>
          expect(
            (wirePolicy(azure, "kv-persist") as { x509_props: { validity_months: number } }).x509_props,
          ).toMatchObject({ validity_months: 12 }),
        converged: async () => {
          expect(
            (wirePolicy(azure, "kv-persist") as { x509_props: { validity_months: number } }).x509_props,
          ).toMatchObject({ validity_months: 24 });
        },
      },
      {
        call: "ApimCertificate delete: DELETE answered 500",
        target: TARGETS.delete,
        spec: { kind: "status", status: 500 },
        prepare: () => {
          previous = lane.pfx;
          lane.pfx = undefined;
        },
        op: "up",
        names: [/DELETE https:\/\/\S+\/certificates\/p-persist\?/, /500/],
        unchanged: () => expect(held("p-persist")?.thumbprint).toBe(thumbprintOf(previous!)),
        converged: async () => {
          expect(held("p-persist")).toBeUndefined();
          expect(await stored(stack, "p-persist")).toBeUndefined();
        },
      },
      {
        call: "Entra ID token request answered 500",
        target: TARGETS.token,
        spec: { kind: "status", status: 500 },
        prepare: () => undefined,
        op: "refresh",
        names: [/Could not get an access token/, /500/],
        // Every resource of the stack waits on the same token request: each must be told that Entra
        // ID answered 500, none that it did not answer.
        never: /did not answer/,
        unchanged: () => undefined,
        converged: async () => {
          expect(azure.requests().filter((r) => r.route === "entra.token" && r.status === 200)).not.toEqual(
            [],
          );
        },
      },
    ];

    it.each(CASES)("$call", async (c) => {
      await c.prepare();
      const fault = azure.emu.admin.addFault({
        ...c.spec,
        listener: c.target.listener,
        route: c.target.route,
        path: c.target.path("persist"),
        times: 100,
      });
      azure.clearLog();
      const failure = await failureOf(() => (c.op === "up" ? stack.up() : stack.refresh()));
      const log = azure.requests();
      const detail = `${failure.message}\n${logLines(log).join("\n")}`;
      for (const re of c.names)
        expect({ matches: re.test(failure.message), re: String(re), detail }).toMatchObject({
          matches: true,
        });
      if (c.never)
        expect({ said: failure.message.match(c.never)?.[0], detail }).toMatchObject({ said: undefined });
      // The attempts made, and the time they took: within the deadline.
      const attempts = /(\d+) attempts?/.exec(failure.message);
      expect({ attempts: Number(attempts?.[1] ?? 0) > 1, detail }).toMatchObject({ attempts: true });
      const over = /attempts? over (\d+(?:\.\d+)?) s/.exec(failure.message);
      expect(Number(over?.[1] ?? Infinity)).toBeLessThanOrEqual(DEADLINE_MS / 1000 + 0.1);
      expect(failure.elapsedMs).toBeLessThan(DEADLINE_MS + ENGINE_MARGIN_MS);
      expect(log.filter((r) => r.faultId === fault.id).length).toBeGreaterThan(1);
      await c.unchanged();

      azure.emu.admin.clearFaults();
      azure.clearLog();
      const result = c.op === "up" ? await stack.up() : await stack.refresh();
      expect(result.summary.result).toBe("succeeded");
      await c.converged();
      expectNoChanges(await stack.preview());
    });
  });

  describe("a lost answer on each write converges in the same operation, nothing duplicated", () => {
    const lane = lanes.lost;
    const writes = (route: string, name: string) =>
      azure
        .requests()
        .filter((r) => r.route === route && r.path.includes(`/${name}`))
        .map((r) => `${r.method} ${r.status}${r.faultKind ? ` ${r.faultKind}` : ""}`);

    function loseAnswer(target: CallTarget): Fault {
      const fault = azure.emu.admin.addFault({
        kind: "lose-answer",
        listener: target.listener,
        route: target.route,
        path: target.path("lost"),
      });
      azure.clearLog();
      return fault;
    }

    it("create (PUT): applied, answer lost, the retry meets its own certificate", async () => {
      lane.pfx = makePfx({ cn: "lost.create.contoso.com" });
      loseAnswer(TARGETS.put);
      await stack.up();
      expect(writes("apim.certificate.put", "p-lost")).toEqual(["PUT 201 lose-answer", "PUT 200"]);
      expect(held("p-lost")?.thumbprint).toBe(thumbprintOf(lane.pfx));
      expect((await stored(stack, "p-lost"))?.etag).toBe(held("p-lost")?.etag);
    });

    it("update (PUT If-Match): the retry's 412 finds its own write, and the update is done", async () => {
      lane.pfx = makePfx({ cn: "lost.update.contoso.com" });
      loseAnswer(TARGETS.put);
      await stack.up();
      expect([
        ...writes("apim.certificate.put", "p-lost"),
        ...writes("apim.certificate.get", "p-lost"),
      ]).toEqual(["PUT 200 lose-answer", "PUT 412", "GET 200"]);
      expect(held("p-lost")?.thumbprint).toBe(thumbprintOf(lane.pfx));
      expect((await stored(stack, "p-lost"))?.etag).toBe(held("p-lost")?.etag);
    });

    it("refreshSecret (POST, idempotent): sent again, API Management holds the renewed version", async () => {
      const renewed = (await azure.emu.admin.rotateCertificate("demo", "kv-lost")).thumbprint;
      lane.trigger = "2";
      loseAnswer(TARGETS.refreshSecret);
      await stack.up();
      expect(writes("apim.certificate.refreshSecret", "v-lost")).toEqual([
        "POST 200 lose-answer",
        "POST 200",
      ]);
      expect(held("v-lost")?.thumbprint).toBe(renewed);
      const outs = await stored(stack, "v-lost");
      expect(outs).toMatchObject({ thumbprint: renewed, etag: held("v-lost")?.etag });
    });

    it("policy PATCH: sent again with the same policy, no certificate version issued", async () => {
      const versions = azure.emu.admin.getKeyVaultCertificate("demo", "kv-lost")!.versions.length;
      lane.validityInMonths = 24;
      loseAnswer(TARGETS.policyPatch);
      await stack.up();
      expect(writes("kv.policy.update", "kv-lost")).toEqual(["PATCH 200 lose-answer", "PATCH 200"]);
      const policy = wirePolicy(azure, "kv-lost") as { x509_props: { validity_months: number } };
      expect(policy.x509_props.validity_months).toBe(24);
      expect(azure.emu.admin.getKeyVaultCertificate("demo", "kv-lost")!.versions).toHaveLength(versions);
      const outs = (await stored(stack, "pol-lost")) as { effectivePolicy: unknown };
      expect(outs.effectivePolicy).toMatchObject({ x509Properties: { validityInMonths: 24 } });
    });

    it("delete (DELETE): the retry finds nothing to delete, and that is done", async () => {
      lane.pfx = undefined;
      loseAnswer(TARGETS.delete);
      await stack.up();
      // ARM answers 204 to a DELETE of a certificate that is not there (a 404 counts as done too).
      expect(writes("apim.certificate.delete", "p-lost")).toEqual(["DELETE 200 lose-answer", "DELETE 204"]);
      expect(held("p-lost")).toBeUndefined();
      expect(await stored(stack, "p-lost")).toBeUndefined();
      expectNoChanges(await stack.preview());
    });
  });

  describe("a certificate changed elsewhere fails the update (412, run `pulumi refresh`); after a refresh it works", () => {
    const lane = lanes.oob;
    const changedElsewhere = (message: string) => {
      expect(message).toMatch(/PUT https:\/\/\S+\/certificates\/p-oob\?\S* failed with 412/);
      expect(message).toMatch(/changed elsewhere/);
      expect(message).toMatch(/pulumi refresh/);
    };

    async function refreshThenUp(mine: TestPfx): Promise<void> {
      await stack.refresh();
      azure.clearLog();
      const up = await stack.up();
      expect(up.summary.resourceChanges?.update).toBe(1);
      expect(held("p-oob")?.thumbprint).toBe(thumbprintOf(mine));
      expect((await stored(stack, "p-oob"))?.etag).toBe(held("p-oob")?.etag);
    }

    it("before the update: another PFX uploaded to the same certificate id", async () => {
      const theirs = makePfx({ cn: "theirs.oob.contoso.com" });
      await uploadElsewhere("p-oob", theirs);
      const mine = makePfx({ cn: "mine.oob.contoso.com" });
      lane.pfx = mine;
      azure.clearLog();
      const failure = await failureOf(() => stack.up());
      changedElsewhere(failure.message);
      // Nothing overwritten.
      expect(held("p-oob")?.thumbprint).toBe(thumbprintOf(theirs));
      await refreshThenUp(mine);
    });

    it("while the PUT waits: another PFX uploaded during the PUT's delay", async () => {
      const mine = makePfx({ cn: "mine2.oob.contoso.com" });
      const theirs = makePfx({ cn: "theirs2.oob.contoso.com" });
      lane.pfx = mine;
      // Answered within requestTimeoutMs: the one PUT waits, is then served, and meets the change.
      const fault = azure.emu.admin.addFault({
        ...TARGETS.put,
        path: TARGETS.put.path("oob"),
        kind: "delay",
        delayMs: 700,
      });
      azure.clearLog();
      const failing = failureOf(() => stack.up());
      const started = Date.now();
      while (!azure.requests().some((r) => r.faultId === fault.id)) {
        if (Date.now() - started > 60_000) throw new Error("the PUT never arrived");
        await new Promise((r) => setTimeout(r, 10));
      }
      await uploadElsewhere("p-oob", theirs);
      const failure = await failing;
      changedElsewhere(failure.message);
      expect(held("p-oob")?.thumbprint).toBe(thumbprintOf(theirs));
      await refreshThenUp(mine);
      expectNoChanges(await stack.preview());
    });
  });
});
