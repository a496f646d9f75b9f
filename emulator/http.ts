/**
 * The few HTTP pieces every emulated service needs: a reply value, a route table, body reading and
 * the code that writes a reply. Each service builds its own error bodies (Entra, ARM and Key Vault
 * all shape errors differently), so nothing here knows about error formats.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";

/** What a handler answers; `body` objects are sent as JSON. */
export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/** What a handler gets about the request it serves. */
export interface RequestContext {
  method: string;
  /** Path as sent (still percent-encoded), without the query string. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Capture groups of the matched route, URL-decoded. */
  params: string[];
  /** `Host` header as sent, used where a document must echo the address the client used. */
  host: string;
  /** Set by handlers so the request log can say which token audience and client were used. */
  auth: {
    audience?: string;
    clientId?: string;
    scope?: string;
    credential?: "secret" | "certificate" | "federated" | "managedIdentity";
    assertionIssuer?: string;
    assertionSubject?: string;
  };
}

export type Handler = (ctx: RequestContext) => Reply | Promise<Reply>;

/** One entry of a route table. `name` is what faults and the request log refer to. */
export interface Route {
  name: string;
  method: string;
  pattern: RegExp;
  handler: Handler;
}

export type RouteMatch =
  | { kind: "found"; route: Route; params: string[] }
  | { kind: "wrongMethod"; allowed: string[] }
  | { kind: "none" };

/** Finds the route for a method and path; paths are matched case-insensitively like Azure does. */
export function matchRoute(routes: readonly Route[], method: string, path: string): RouteMatch {
  const allowed: string[] = [];
  for (const route of routes) {
    const m = route.pattern.exec(path);
    if (!m) continue;
    if (route.method !== method) {
      allowed.push(route.method);
      continue;
    }
    return { kind: "found", route, params: m.slice(1).map((p) => (p === undefined ? "" : p)) };
  }
  return allowed.length > 0 ? { kind: "wrongMethod", allowed } : { kind: "none" };
}

/** Reads the whole request body; refuses bodies over `limit` bytes so a bad client cannot exhaust memory. */
export function readBody(req: IncomingMessage, limit = 16 * 1024 * 1024): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new Error(`request body larger than ${limit} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** Parses a JSON body; `undefined` for an empty body, a thrown `SyntaxError` for malformed JSON. */
export function parseJsonBody(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  return JSON.parse(body.toString("utf8"));
}

/** Writes a reply. HEAD answers carry headers only. */
export function sendReply(res: ServerResponse, method: string, reply: Reply): void {
  const headers: Record<string, string> = { ...(reply.headers ?? {}) };
  let payload: Buffer | undefined;
  if (reply.body !== undefined) {
    if (Buffer.isBuffer(reply.body)) {
      payload = reply.body;
    } else if (typeof reply.body === "string") {
      payload = Buffer.from(reply.body, "utf8");
      headers["content-type"] ??= "text/plain; charset=utf-8";
    } else {
      payload = Buffer.from(JSON.stringify(reply.body), "utf8");
      headers["content-type"] ??= "application/json; charset=utf-8";
    }
  }
  headers["content-length"] = String(payload?.length ?? 0);
  res.writeHead(reply.status, headers);
  if (method === "HEAD" || payload === undefined) res.end();
  else res.end(payload);
}

/** The first value of a header, whatever Node made of it. */
export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

// The emulator's own (provider/json-values.ts has the provider's): it shares no code with what it checks.
/** `true` for a plain JSON object (not an array, not null). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Decodes one path segment; a malformed escape is kept as typed rather than failing the request. */
export function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
