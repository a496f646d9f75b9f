/**
 * ARM's asynchronous operations, as the Resource Manager RPC contract defines them
 * (azure-resource-manager-rpc, "Asynchronous Operations"): a PUT, DELETE or POST may answer 201 or
 * 202 and carry `Azure-AsyncOperation` (a status resource: `{status, error}`, polled until
 * `Succeeded`, `Failed` or `Canceled`) and/or `Location` (polled until it stops answering 202),
 * each with `Retry-After`. When the operation has ended, a PUT or POST reads the resource again
 * for its final state; a DELETE is done.
 *
 * The polls go through the transport (tokens, retries, time limits, redaction); their URLs must
 * be on the ARM endpoint, like a `nextLink`: a token is never sent anywhere else.
 */
import { AzureRequestError, parseServiceError } from "./errors";
import { redactUrl } from "./redaction";
import type { AzureResponse, AzureTransport } from "./transport";

/** How the caller reads the final state, and how long it waits. */
export interface OperationOptions {
  /** The request that started the operation, e.g. `PUT`; named in messages. */
  method: string;
  /** What it is about, e.g. `API Management certificate "web"`. */
  resource: string;
  apiVersion?: string;
  /** The resource to read once the operation has succeeded (PUT, POST); none for a DELETE. */
  finalGet?: string;
  /** Longest wait for the operation as a whole (default 10 minutes). */
  timeoutMs?: number;
  /** Wait between polls when Azure sends no `Retry-After` (default 2 s). */
  defaultPollMs?: number;
}

const TERMINAL_FAILURES = new Set(["failed", "canceled", "cancelled"]);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Seconds of `Retry-After` (a number or an HTTP date) as milliseconds; `undefined` when absent. */
export function retryAfterMs(headers: Record<string, string>, now = Date.now()): number | undefined {
  const value = headers["retry-after"];
  if (value === undefined || value.trim() === "") return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Whether an answer started an asynchronous operation that has to be awaited. */
export function isAsyncOperation(res: AzureResponse): boolean {
  return (
    (res.status === 201 || res.status === 202) &&
    (res.headers["azure-asyncoperation"] !== undefined || res.headers["location"] !== undefined)
  );
}

/**
 * Waits for the operation `res` started, if it started one, and returns the final state: the
 * answer itself for a synchronous one, the resource read again after a PUT or POST, `undefined`
 * after a DELETE. A failed or canceled operation throws an `AzureRequestError` with Azure's code
 * and message; one that outlasts `timeoutMs` throws one of kind `deadline`.
 */
export async function completeOperation<T>(
  transport: AzureTransport,
  res: AzureResponse<T>,
  opts: OperationOptions,
): Promise<AzureResponse<T> | undefined> {
  if (!isAsyncOperation(res)) return res;
  const started = Date.now();
  const timeoutMs = opts.timeoutMs ?? 600_000;
  const statusUrl = res.headers["azure-asyncoperation"];
  const pollUrl = statusUrl ?? res.headers["location"];
  let wait = retryAfterMs(res.headers) ?? opts.defaultPollMs ?? 2000;
  let polls = 0;
  for (;;) {
    if (Date.now() - started + wait > timeoutMs) {
      throw operationError(opts, pollUrl, "deadline", started, polls, {
        message: `the operation did not finish within ${Math.round(timeoutMs / 1000)} s`,
      });
    }
    await sleep(wait);
    const poll = await transport.arm<Record<string, unknown>>({
      method: "GET",
      path: pollUrl,
      resource: `the ${opts.method} operation on ${opts.resource}`,
    });
    polls++;
    wait = retryAfterMs(poll.headers) ?? opts.defaultPollMs ?? 2000;
    if (statusUrl) {
      const status = typeof poll.data?.status === "string" ? poll.data.status.toLowerCase() : "";
      if (TERMINAL_FAILURES.has(status)) {
        const service = parseServiceError(poll.data);
        const said = [service.message, ...(service.details ?? [])].filter(Boolean).join(": ");
        throw operationError(opts, pollUrl, "status", started, polls, {
          code: service.code ?? (status === "failed" ? "OperationFailed" : "OperationCanceled"),
          message: `the operation ended as ${poll.data?.status}${said ? `: ${said}` : ""}`,
          requestId: poll.requestId,
        });
      }
      if (status !== "succeeded") continue;
    } else if (poll.status === 202) continue;
    break;
  }
  if (!opts.finalGet) return undefined;
  return transport.arm<T>({
    method: "GET",
    path: opts.finalGet,
    apiVersion: opts.apiVersion,
    resource: opts.resource,
  });
}

function operationError(
  opts: OperationOptions,
  url: string,
  kind: "status" | "deadline",
  started: number,
  polls: number,
  what: { code?: string; message: string; requestId?: string },
): AzureRequestError {
  const elapsedMs = Date.now() - started;
  return new AzureRequestError(
    `${opts.method} of ${opts.resource} was accepted by Azure, but ${what.message}` +
      `${what.code ? ` (${what.code})` : ""}; polled ${polls} time(s) over ${Math.round(elapsedMs / 1000)} s ` +
      `(${redactUrl(url)}${what.requestId ? `, request id ${what.requestId}` : ""}). ` +
      "Run `pulumi refresh` to see what Azure holds now, then `pulumi up` again.",
    {
      kind,
      method: opts.method,
      url: redactUrl(url),
      service: { code: what.code, message: what.message },
      requestId: what.requestId,
      attempts: polls,
      elapsedMs,
    },
  );
}
