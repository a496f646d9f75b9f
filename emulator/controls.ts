/**
 * Controls for tests and demos: injected faults and the request log. They sit in front of every
 * emulated service, like a gateway would, so a fault can hit any route of any listener.
 */
import * as crypto from "node:crypto";

/**
 * A fault to inject. Matching fields left out match anything. Faults are tried in the order they
 * were added; the first one that matches a request is used and its `times` counter goes down.
 */
export interface FaultSpec {
  /** Listener: "token", "arm", or a vault name. */
  listener?: string;
  /** HTTP method, e.g. "PUT". */
  method?: string;
  /** Regular expression source, tested (case-insensitively) against the request path. */
  path?: string;
  /** Route name as shown in the request log, e.g. "apim.certificate.put". */
  route?: string;
  /** How many matching requests to affect ("the next N"); default 1. */
  times?: number;
  /**
   * - "status": answer with `status` (default 500) in the service's error shape, e.g. 429 with
   *   `retryAfterSeconds`, 500, 503, 408.
   * - "reset": destroy the connection without answering.
   * - "delay": wait `delayMs`, then serve the request normally.
   * - "lose-answer": serve the request (its change is made), then destroy the connection instead
   *   of answering: the client cannot tell whether it was applied.
   * - "slow-answer": serve the request (its change is made), then wait `delayMs` before answering.
   */
  kind: "status" | "reset" | "delay" | "lose-answer" | "slow-answer";
  status?: number;
  /** Sent as `Retry-After` (seconds). */
  retryAfterSeconds?: number;
  /** Sent as both `retry-after-ms` and `x-ms-retry-after-ms`. */
  retryAfterMs?: number;
  delayMs?: number;
  /** Replaces the service-shaped error body. */
  body?: unknown;
  /** Extra response headers. */
  headers?: Record<string, string>;
}

/** A fault as stored: its spec, an id, and how many requests it will still affect. */
export interface Fault extends FaultSpec {
  id: string;
  remaining: number;
  /** Requests it has affected so far. */
  hits: number;
}

/** What a fault is matched against. */
export interface FaultTarget {
  listener: string;
  method: string;
  path: string;
  route?: string;
}

/** A fault spec that cannot work. */
export class FaultSpecError extends Error {
  override readonly name = "FaultSpecError";
}

/** Throws a readable {@link FaultSpecError} for a spec that cannot work. */
export function checkFaultSpec(spec: unknown): FaultSpec {
  const fail = (m: string): never => {
    throw new FaultSpecError(m);
  };
  if (typeof spec !== "object" || spec === null) fail("a fault must be a JSON object");
  const s = spec as FaultSpec;
  if (!["status", "reset", "delay", "lose-answer", "slow-answer"].includes(s.kind))
    fail("fault kind must be 'status', 'reset', 'delay', 'lose-answer' or 'slow-answer'");
  if (s.times !== undefined && (!Number.isInteger(s.times) || s.times < 1))
    fail("times must be an integer >= 1");
  if (s.status !== undefined && (!Number.isInteger(s.status) || s.status < 100 || s.status > 599))
    fail("status must be an HTTP status code from 100 to 599");
  if ((s.kind === "delay" || s.kind === "slow-answer") && (typeof s.delayMs !== "number" || s.delayMs < 0))
    fail(`a ${s.kind} fault needs delayMs >= 0`);
  if (s.path !== undefined) {
    try {
      new RegExp(s.path, "i");
    } catch (e) {
      fail(`path is not a valid regular expression: ${(e as Error).message}`);
    }
  }
  return s;
}

/** The list of pending faults. */
export class FaultRegistry {
  private faults: Fault[] = [];

  add(spec: FaultSpec): Fault {
    checkFaultSpec(spec);
    const fault: Fault = { ...spec, id: crypto.randomUUID(), remaining: spec.times ?? 1, hits: 0 };
    this.faults.push(fault);
    return { ...fault };
  }

  list(): Fault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  remove(id: string): boolean {
    const before = this.faults.length;
    this.faults = this.faults.filter((f) => f.id !== id);
    return this.faults.length < before;
  }

  clear(): void {
    this.faults = [];
  }

  /** Takes the first fault matching the request, counting it down. */
  take(target: FaultTarget): Fault | undefined {
    const fault = this.faults.find(
      (f) =>
        (f.listener === undefined || f.listener.toLowerCase() === target.listener.toLowerCase()) &&
        (f.method === undefined || f.method.toUpperCase() === target.method) &&
        (f.route === undefined || f.route === target.route) &&
        (f.path === undefined || new RegExp(f.path, "i").test(target.path)),
    );
    if (!fault) return undefined;
    fault.remaining -= 1;
    fault.hits += 1;
    if (fault.remaining <= 0) this.faults = this.faults.filter((f) => f !== fault);
    return { ...fault };
  }
}

/** How a token request authenticated the client. */
export type ClientCredentialKind = "secret" | "certificate" | "federated" | "managedIdentity";

/** One request as the emulator saw it. */
export interface RequestLogEntry {
  /** Increasing number, in arrival order. */
  seq: number;
  /** "token", "arm", "identity", or the vault name. */
  listener: string;
  method: string;
  path: string;
  /** Query parameters; values of secret-looking parameters are replaced by "REDACTED". */
  query: Record<string, string>;
  /** Route name, when the path matched one. */
  route?: string;
  /** Status sent; 0 when the connection was reset by a fault. */
  status: number;
  /** ISO 8601 time the request arrived. */
  startedAt: string;
  durationMs: number;
  /** `aud` of the bearer token presented; for token requests, the audience issued. */
  audience?: string;
  /** Client id of the token presented, or sending the token request. */
  clientId?: string;
  /** For token requests, the scope asked for. */
  scope?: string;
  /**
   * For token requests, how the client proved who it is: `secret`, `certificate` (assertion signed
   * by a registered certificate), `federated` (assertion of a trusted issuer, e.g. GitHub Actions)
   * or `managedIdentity` (IMDS or App Service endpoint).
   */
  credential?: ClientCredentialKind;
  /** For assertions, their `iss` and `sub` (never the assertion itself). */
  assertionIssuer?: string;
  assertionSubject?: string;
  /** `If-Match` header as sent. */
  ifMatch?: string;
  /** `x-ms-client-request-id` as sent, to correlate retries of one call. */
  clientRequestId?: string;
  /** Id of the fault applied, if any. */
  faultId?: string;
  faultKind?: FaultSpec["kind"];
  /** `x-ms-request-id` the emulator answered with. */
  requestId: string;
}

const SECRET_QUERY = /secret|password|pwd|sig|token|assertion|code|key/i;

/** Redacts values of query parameters that could carry secrets. */
export function redactQuery(query: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of query) out[k] = SECRET_QUERY.test(k) ? "REDACTED" : v;
  return out;
}

/** The request log, bounded so a long demo does not grow memory without end. */
export class RequestLog {
  private entries: RequestLogEntry[] = [];
  private seq = 0;

  constructor(private readonly limit = 10_000) {}

  start(entry: Omit<RequestLogEntry, "seq" | "status" | "durationMs">): RequestLogEntry {
    const full: RequestLogEntry = { ...entry, seq: ++this.seq, status: 0, durationMs: 0 };
    this.entries.push(full);
    if (this.entries.length > this.limit) this.entries.splice(0, this.entries.length - this.limit);
    return full;
  }

  list(filter: { listener?: string; route?: string; since?: number } = {}): RequestLogEntry[] {
    return this.entries
      .filter(
        (e) =>
          (filter.listener === undefined || e.listener.toLowerCase() === filter.listener.toLowerCase()) &&
          (filter.route === undefined || e.route === filter.route) &&
          (filter.since === undefined || e.seq > filter.since),
      )
      .map((e) => ({ ...e, query: { ...e.query } }));
  }

  clear(): void {
    this.entries = [];
  }
}
