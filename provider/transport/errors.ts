/**
 * The errors of this package, one family: every failure the resources report is an
 * {@link AzureCertsError} with a stable `code` (the table in README.md in this folder lists them),
 * and every failed call to Azure (an error status, a network failure, a timeout, exhausted
 * retries, a token that could not be obtained or was refused to a host) is its subclass
 * {@link AzureRequestError}. Messages are written for the person reading a failed `pulumi up`; the
 * fields are for code (and tests) that decide what a failure means.
 */
import { isRecord } from "../json-values";

/** Marks every error of the family across copies of this module (several copies of the package may be loaded). */
const FAMILY_MARKER = Symbol.for("pulumi-azure-certs.AzureCertsError");
/** Marks an {@link AzureRequestError} across copies of this module. */
const MARKER = Symbol.for("pulumi-azure-certs.AzureRequestError");
/** The `name`s of the family, by which a copy without the marker (a plain copy of a frozen error) is recognised. */
const FAMILY_NAMES: ReadonlySet<unknown> = new Set(["AzureCertsError", "AzureRequestError"]);

/** What else an {@link AzureCertsError} carries besides its code and message. */
export interface AzureCertsErrorOptions {
  /** The failure this one reports, kept as `cause`; an `AzureRequestError` lends its request ids. */
  cause?: unknown;
  /** `x-ms-request-id` of the Azure answer that caused this failure; default: the cause's. */
  requestId?: string;
  /** `x-ms-correlation-request-id` of that answer (ARM); default: the cause's. */
  correlationId?: string;
}

/**
 * A failure of this package: recognised by `instanceof`, by `name` (`AzureCertsError`, or
 * `AzureRequestError` for the subclass) and by {@link AzureCertsError.isInstance}, which also works
 * across copies of this package. `code` is what to match, never the message.
 */
export class AzureCertsError extends Error {
  override readonly name: string = "AzureCertsError";
  /**
   * What failed, stable across releases: `PolicyManagedElsewhere`, `CertificateChangedElsewhere`,
   * ... (README.md in this folder). For an {@link AzureRequestError}, Azure's own code when it gave one.
   */
  readonly code: string;
  /** `x-ms-request-id` of the Azure answer that caused the failure (what Azure support asks for). */
  readonly requestId?: string;
  /** `x-ms-correlation-request-id` of that answer (ARM). */
  readonly correlationId?: string;

  constructor(code: string, message: string, options: AzureCertsErrorOptions = {}) {
    super(message, "cause" in options ? { cause: options.cause } : undefined);
    Object.defineProperty(this, FAMILY_MARKER, { value: true });
    const azure = AzureRequestError.isInstance(options.cause) ? options.cause : undefined;
    this.code = code;
    this.requestId = options.requestId ?? azure?.requestId;
    this.correlationId = options.correlationId ?? azure?.correlationId;
  }

  /** `true` for an error of this family (`AzureRequestError` included) from any copy of this package. */
  static isInstance(e: unknown): e is AzureCertsError {
    return isMarked(e, FAMILY_MARKER) || (isObject(e) && FAMILY_NAMES.has(e.name));
  }
}

/** Why a request failed, in the transport's terms. */
export type AzureFailureKind =
  /** Azure answered with a non-retryable error status, or the last of the retries. */
  | "status"
  /** The connection failed (reset, refused, DNS, TLS). */
  | "network"
  /** A single attempt took longer than `azure-certs:requestTimeoutMs`. */
  | "timeout"
  /** The overall deadline (`azure-certs:deadlineMs`) passed before Azure answered successfully. */
  | "deadline"
  /** Entra ID did not issue a token (bad secret, unknown client, no credential available). */
  | "authentication"
  /** The transport refused to send the request (plain http, untrusted vault host, bad challenge). */
  | "refused";

/** What Azure said about the failure, from the error body of ARM, Key Vault or Entra ID. */
export interface ServiceError {
  /** `error.code` (ARM, Key Vault) or `error` (Entra ID), e.g. `ResourceNotFound`, `invalid_client`. */
  code?: string;
  /** `error.message` (ARM, Key Vault) or `error_description` (Entra ID). */
  message?: string;
  /** Key Vault's `error.innererror.code`, e.g. `ForbiddenByPolicy`. */
  innerCode?: string;
  /** ARM's `error.details[].message`, each `target: message` when a target is named. */
  details?: string[];
}

/** The fields of an {@link AzureRequestError}. */
export interface AzureRequestErrorInit {
  kind: AzureFailureKind;
  method: string;
  /** The request URL; must already be redacted (see `redactUrl`). */
  url: string;
  status?: number;
  service?: ServiceError;
  requestId?: string;
  correlationId?: string;
  attempts: number;
  elapsedMs: number;
  /** A Node.js error code such as `ECONNRESET` for network failures. */
  networkCode?: string;
}

/**
 * The `code` of an {@link AzureRequestError} when Azure named none (a network failure, a timeout, a
 * refusal, an error status with an empty body).
 */
const CODE_BY_KIND: Readonly<Record<AzureFailureKind, string>> = {
  status: "HttpError",
  network: "NetworkError",
  timeout: "RequestTimeout",
  deadline: "DeadlineExceeded",
  authentication: "AuthenticationFailed",
  refused: "RequestRefused",
};

/**
 * A failed request to Azure. Recognised by `instanceof`, by `name === "AzureRequestError"`, and by
 * {@link AzureRequestError.isInstance}, which also works across copies of this package. Its `code`
 * is Azure's (`ResourceNotFound`, `CertificateNotFound`, `PreconditionFailed`, `invalid_client`)
 * when the answer named one, else {@link CODE_BY_KIND}'s; `requestId` and `correlationId` are
 * those of the last answer.
 */
export class AzureRequestError extends AzureCertsError {
  override readonly name: string = "AzureRequestError";
  /** Why the request failed. */
  readonly kind: AzureFailureKind;
  /** HTTP method of the request, e.g. `PUT`. */
  readonly method: string;
  /** The request URL without secrets: only `api-version` keeps its value in the query. */
  readonly url: string;
  /** The last HTTP status Azure answered with, if it answered at all. */
  readonly status?: number;
  /** The service's own error message, scrubbed of secrets. */
  readonly serviceMessage?: string;
  /** How many times the request was sent. */
  readonly attempts: number;
  /** Milliseconds from the first attempt to the failure. */
  readonly elapsedMs: number;
  /** Node.js error code of a network failure, e.g. `ECONNRESET`. */
  readonly networkCode?: string;

  constructor(message: string, init: AzureRequestErrorInit) {
    super(init.service?.code ?? CODE_BY_KIND[init.kind], message, {
      requestId: init.requestId,
      correlationId: init.correlationId,
    });
    Object.defineProperty(this, MARKER, { value: true });
    this.kind = init.kind;
    this.method = init.method;
    this.url = init.url;
    this.status = init.status;
    this.serviceMessage = init.service?.message;
    this.attempts = init.attempts;
    this.elapsedMs = init.elapsedMs;
    this.networkCode = init.networkCode;
  }

  /** `true` for an `AzureRequestError` from any copy of this package. */
  static override isInstance(e: unknown): e is AzureRequestError {
    return isMarked(e, MARKER) || (isObject(e) && e.name === "AzureRequestError");
  }
}

/** `true` when Azure answered 404: the resource (or its parent) does not exist. */
export function isNotFound(e: unknown): e is AzureRequestError {
  return AzureRequestError.isInstance(e) && e.kind === "status" && e.status === 404;
}

/** `true` when Azure answered 412: the resource changed since its ETag was read. */
export function isPreconditionFailed(e: unknown): e is AzureRequestError {
  return AzureRequestError.isInstance(e) && e.kind === "status" && e.status === 412;
}

/** `true` when Azure answered 409: a conflicting operation or an existing resource. */
export function isConflict(e: unknown): e is AzureRequestError {
  return AzureRequestError.isInstance(e) && e.kind === "status" && e.status === 409;
}

/**
 * Reads the error body of ARM (`{error:{code,message,details}}`), Key Vault
 * (`{error:{code,message,innererror}}`) or Entra ID (`{error, error_description}`). Returns an
 * empty object for anything else; never throws.
 */
export function parseServiceError(body: unknown): ServiceError {
  let value = body;
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch {
      return {};
    }
  }
  if (!isRecord(value)) return {};
  const error = value.error;
  if (typeof error === "string") {
    return { code: error, message: stringOr(value.error_description) };
  }
  if (!isRecord(error)) {
    // Some ARM answers put code and message at the top level.
    return value.code || value.message
      ? { code: stringOr(value.code), message: stringOr(value.message) }
      : {};
  }
  const result: ServiceError = { code: stringOr(error.code), message: stringOr(error.message) };
  if (isRecord(error.innererror)) result.innerCode = stringOr(error.innererror.code);
  if (Array.isArray(error.details)) {
    const details = error.details
      .filter(isRecord)
      .map((d) => {
        const message = stringOr(d.message) ?? stringOr(d.code);
        const target = stringOr(d.target);
        return message && target ? `${target}: ${message}` : message;
      })
      .filter((m): m is string => !!m);
    if (details.length > 0) result.details = details;
  }
  return result;
}

function isObject(v: unknown): v is Record<PropertyKey, unknown> {
  return typeof v === "object" && v !== null;
}

function isMarked(v: unknown, marker: symbol): boolean {
  return isObject(v) && v[marker] === true;
}

function stringOr(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}
