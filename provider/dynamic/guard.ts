import type * as pulumi from "@pulumi/pulumi";

/**
 * The methods of a provider module that the dynamic-provider host calls, each guarded by
 * {@link guardProvider}. `configure` is among them: a configuration error is reported the same way.
 */
export const GUARDED_METHODS = ["configure", "check", "diff", "create", "read", "update", "delete"] as const;

/** Marks a guarded method, so that guarding twice is harmless and tests can tell. */
const GUARDED = Symbol.for("pulumi-azure-certs.guarded");

const LOG_LEVEL_KEY = "azure-certs:logLevel";
let debugLog = false;

/** `true` when `fn` is a method guarded by {@link guardProvider}. */
export function isGuarded(fn: unknown): boolean {
  return typeof fn === "function" && (fn as unknown as Record<symbol, unknown>)[GUARDED] === true;
}

/**
 * Routes every provider method a module exports through one error boundary, in place: call it
 * last in the module, as `guardProvider(module.exports)`. The module stays what the state contract
 * needs (the same path, the same exported names, plain functions Pulumi serializes as a
 * `require()`); only what a failure prints changes.
 *
 * Why: the dynamic-provider host (`@pulumi/pulumi/cmd/dynamic-provider`) prints
 * `${e}: ${e.stack}` on stderr when check, diff, read or delete fails, and the engine shows that
 * line to the user: the message twice, then 5-10 `at ...` frames with install paths. (create and
 * update send `e.message`, and a partial create's `id`, `properties` and `reasons`, over gRPC.)
 *
 * A guarded method that fails logs the error's stack at debug level (`azure-certs:logLevel`
 * debug, on the provider's stderr like the transport's log) and rethrows the same object cut
 * down by {@link withoutFrames}, so the host's line reads
 * `AzureRequestError: GET https://... gave up after 2 attempts ...`, once.
 */
export function guardProvider(moduleExports: Record<string, unknown>): void {
  for (const name of GUARDED_METHODS) {
    const method = moduleExports[name];
    if (typeof method !== "function" || isGuarded(method)) continue;
    const inner = method as (...args: unknown[]) => Promise<unknown>;
    const guarded = async (...args: unknown[]): Promise<unknown> => {
      if (name === "configure") debugLog = wantsDebug(args[0] as pulumi.dynamic.ConfigureRequest | undefined);
      try {
        return await inner(...args);
      } catch (e) {
        if (debugLog) logDebug(`${name} failed: ${stackOf(e)}`);
        throw withoutFrames(e);
      }
    };
    Object.defineProperty(guarded, GUARDED, { value: true });
    Object.defineProperty(guarded, "name", { value: inner.name });
    moduleExports[name] = guarded;
  }
}

/**
 * The thrown value as an error whose `stack` is its message alone and whose `toString()` is its
 * name, so that `${e}: ${e.stack}` reads `<name>: <message>`. An object is changed in place and
 * keeps its class, `name`, `message` and every field (an `AzureCertsError`'s `code`, `requestId`
 * and `cause`; an `AzureRequestError`'s `kind`, `status`; a partial create's `id`, `properties`,
 * `reasons`); anything else thrown becomes an `Error` with its text as message. The message stays
 * as it is: a user reads what to do there, the `code` is for code.
 */
export function withoutFrames(e: unknown): Error {
  const err =
    typeof e === "object" && e !== null && typeof (e as { message?: unknown }).message === "string"
      ? (e as Error)
      : new Error(String(e));
  const name = typeof err.name === "string" && err.name ? err.name : "Error";
  try {
    Object.defineProperty(err, "stack", { value: err.message, writable: true, configurable: true });
    Object.defineProperty(err, "toString", { value: () => name, writable: true, configurable: true });
    return err;
  } catch {
    // A frozen or non-extensible object: a plain copy of what the host and the engine read, named
    // before its toString is made (so that the host's line keeps the name).
    return withoutFrames(Object.assign(new Error(err.message), err, { name }));
  }
}

function stackOf(e: unknown): string {
  const stack = typeof e === "object" && e !== null ? (e as { stack?: unknown }).stack : undefined;
  return typeof stack === "string" && stack ? stack : String(e);
}

function wantsDebug(req: pulumi.dynamic.ConfigureRequest | undefined): boolean {
  try {
    const level = req?.config?.get(LOG_LEVEL_KEY);
    return typeof level === "string" && level.trim().toLowerCase() === "debug";
  } catch {
    return false;
  }
}

// The transport's log line format (provider/transport/transport.ts), for a reader grepping both.
function logDebug(message: string): void {
  process.stderr.write(`[pulumi-azure-certs] debug: ${message}\n`);
}
