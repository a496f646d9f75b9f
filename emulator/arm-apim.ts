/**
 * Azure Resource Manager in front of API Management certificates
 * (`Microsoft.ApiManagement/service/certificates`, api-versions 2022-08-01 and 2024-05-01):
 * list, HEAD, GET, PUT, DELETE and refreshSecret, with ARM's token checks and error shapes and
 * APIM's ETag rules. Synchronous by default (the spec declares no long-running operation here);
 * `setAsyncOperations` makes PUT, DELETE or refreshSecret answer as ARM's asynchronous-operation
 * contract allows (202 with `Azure-AsyncOperation` or `Location` and `Retry-After`), applying the
 * change only when the operation completes, so that clients which assume a synchronous answer fail.
 */
import {
  type Reply,
  type RequestContext,
  type Route,
  type Handler,
  decodeSegment,
  header,
  isObject,
  parseJsonBody,
} from "./http";
import { type EntraIdentity, tokenClientId } from "./entra";
import type { SecretResolution } from "./keyvault";
import { PkiError, describeCertificate, parsePfx, uploadedPfxLeaf } from "./pki";
import { FilterError, compileFilter } from "./odata";

// The emulator reads the ARM spec on its own (versions, name rules, dates): it is the oracle provider/ is checked against.
/** API versions served. */
export const APIM_API_VERSIONS = ["2022-08-01", "2024-05-01"];
/** Audiences ARM accepts, as listed in its own error message. */
const ARM_AUDIENCES = [
  "https://management.core.windows.net/",
  "https://management.core.windows.net",
  "https://management.azure.com/",
  "https://management.azure.com",
];
const CERT_TYPE = "Microsoft.ApiManagement/service/certificates";
const CERTIFICATE_ID = /^[^*#&+:<>?]+$/;
const SERVICE_NAME = /^[a-zA-Z](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Identifies an APIM service. */
export interface ApimServiceRef {
  subscriptionId: string;
  resourceGroup: string;
  serviceName: string;
}

/** Identifies an APIM certificate. */
export interface ApimCertificateRef extends ApimServiceRef {
  certificateId: string;
}

/** A stored certificate entity, as APIM keeps it (the PFX and its password are not kept). */
export interface ApimCertificateRecord {
  name: string;
  subject: string;
  thumbprint: string;
  expirationDate: string;
  keyVault?: {
    secretIdentifier: string;
    identityClientId: string | null;
    lastStatus: { code: string; message?: string; timeStampUtc: string };
  };
  etag: string;
}

interface ApimService {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  certificates: Map<string, ApimCertificateRecord>;
}

/** ARM's error body. */
export function armError(
  status: number,
  code: string,
  message: string,
  details?: Array<{ code: string; target?: string; message: string }>,
  headers?: Record<string, string>,
): Reply {
  return { status, headers, body: { error: { code, message, ...(details ? { details } : {}) } } };
}

function validationError(target: string, message: string): Reply {
  return armError(400, "ValidationError", "One or more fields contain incorrect values:", [
    { code: "ValidationError", target, message },
  ]);
}

/** `yyyy-MM-ddTHH:mm:ssZ`, as the spec documents expirationDate. */
function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** .NET's round-trip format (seven fractional digits), as APIM writes timeStampUtc. */
function isoTicks(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, ".$10000Z");
}

const stripQuotes = (etag: string): string =>
  etag
    .trim()
    .replace(/^W\//, "")
    .replace(/^"(.*)"$/, "$1");

/** What APIM needs to reach Key Vault. */
export interface ApimDeps {
  entra: EntraIdentity;
  authorityHost: string;
  armEndpoint: string;
  /** Resolves a Key Vault secret identifier against the emulator's vaults. */
  resolveSecret: (secretIdentifier: string) => SecretResolution;
  pageSize: number;
  /** APIM documents If-Match as required for updates; off by default (see README). */
  requireIfMatchOnUpdate: boolean;
}

/** How an operation answers when it is made asynchronous (see `setAsyncOperations`). */
export type AsyncStyle = "azure-asyncoperation" | "location";

/** Which operations answer asynchronously, and after how many polls they complete. */
export interface AsyncOperationSettings {
  put?: AsyncStyle;
  delete?: AsyncStyle;
  refreshSecret?: AsyncStyle;
  /** Polls answered "in progress" before the operation completes (default 1). */
  polls?: number;
  /** Sent as `Retry-After` on the 202 and on every in-progress poll, in seconds (default 0). */
  retryAfterSeconds?: number;
}

/** An accepted operation: what it will do, and what it did once complete. */
interface PendingOperation {
  style: AsyncStyle;
  remaining: number;
  run: () => Reply;
  result?: Reply;
}

/** The ARM listener's API Management surface. */
export class ApimEmulator {
  private readonly services = new Map<string, ApimService>();
  private asyncSettings: AsyncOperationSettings = {};
  private readonly operations = new Map<string, PendingOperation>();
  private operationCounter = 0;
  /** Services made "not existing" through the admin API. */
  private readonly absent = new Set<string>();
  private etagCounter = 0n;

  constructor(private readonly deps: ApimDeps) {}

  private static key(ref: ApimServiceRef): string {
    return `${ref.subscriptionId}/${ref.resourceGroup}/${ref.serviceName}`.toLowerCase();
  }

  private newEtag(): string {
    this.etagCounter += 1n;
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(this.etagCounter);
    return `"${b.toString("base64")}"`;
  }

  routes(): Route[] {
    const base =
      "^/subscriptions/([^/]+)/resourceGroups/([^/]+)/providers/Microsoft\\.ApiManagement/service/([^/]+)/certificates";
    const r = (
      name: string,
      method: string,
      suffix: string,
      fn: (ctx: RequestContext, svc: ApimService, id: string) => Reply,
    ): Route => ({
      name,
      method,
      pattern: new RegExp(`${base}${suffix}/?$`, "i"),
      handler: this.guard(fn),
    });
    return [
      r("apim.certificate.list", "GET", "", (c, s) => this.list(c, s)),
      r("apim.certificate.head", "HEAD", "/([^/]+)", (_c, s, id) => this.head(s, id)),
      r("apim.certificate.get", "GET", "/([^/]+)", (_c, s, id) => this.get(s, id)),
      r("apim.certificate.put", "PUT", "/([^/]+)", (c, s, id) =>
        this.maybeAsync("put", c, s, () => this.put(c, s, id)),
      ),
      r("apim.certificate.delete", "DELETE", "/([^/]+)", (c, s, id) =>
        this.maybeAsync("delete", c, s, () => this.remove(c, s, id)),
      ),
      r("apim.certificate.refreshSecret", "POST", "/([^/]+)/refreshSecret", (c, s, id) =>
        this.maybeAsync("refreshSecret", c, s, () => this.refresh(s, id)),
      ),
      {
        name: "apim.operation.get",
        method: "GET",
        pattern: new RegExp(
          "^/subscriptions/([^/]+)/resourceGroups/([^/]+)/providers/Microsoft\\.ApiManagement/service/([^/]+)/(operationStatuses|operationResults)/([^/]+)/?$",
          "i",
        ),
        handler: (ctx) => this.authorize(ctx) ?? this.poll(ctx.params[3].toLowerCase(), ctx.params[4]),
      },
    ];
  }

  /** Makes the given operations answer asynchronously from the next request on; `{}` turns it off. */
  setAsyncOperations(settings: AsyncOperationSettings): void {
    this.asyncSettings = { ...settings };
  }

  /**
   * Runs `run` now, or accepts it as an asynchronous operation: 202 with the polling header, the
   * change applied when a poll finds it complete. Requests that fail validation before any change
   * (a bad api-version, a missing service) never get here: the guard answers them first.
   */
  private maybeAsync(
    op: "put" | "delete" | "refreshSecret",
    ctx: RequestContext,
    svc: ApimService,
    run: () => Reply,
  ): Reply {
    const style = this.asyncSettings[op];
    if (!style) return run();
    const id = `op-${++this.operationCounter}`;
    this.operations.set(id, { style, remaining: this.asyncSettings.polls ?? 1, run });
    const base = `${this.deps.armEndpoint}/subscriptions/${svc.subscriptionId}/resourceGroups/${svc.resourceGroup}/providers/Microsoft.ApiManagement/service/${svc.name}`;
    const apiVersion = ctx.query.get("api-version") ?? "";
    const headers: Record<string, string> = {
      "retry-after": String(this.asyncSettings.retryAfterSeconds ?? 0),
    };
    if (style === "azure-asyncoperation") {
      headers["azure-asyncoperation"] = `${base}/operationStatuses/${id}?api-version=${apiVersion}`;
    } else {
      headers["location"] = `${base}/operationResults/${id}?api-version=${apiVersion}`;
    }
    return { status: 202, headers };
  }

  /** A poll of an accepted operation, in the shape its style defines. */
  private poll(kind: string, id: string): Reply {
    const op = this.operations.get(id);
    if (!op || (kind === "operationstatuses") !== (op.style === "azure-asyncoperation"))
      return armError(404, "OperationNotFound", `The operation '${id}' was not found.`);
    const retry = { "retry-after": String(this.asyncSettings.retryAfterSeconds ?? 0) };
    if (!op.result && op.remaining > 0) {
      op.remaining--;
      return op.style === "azure-asyncoperation"
        ? { status: 200, headers: retry, body: { id, name: id, status: "InProgress" } }
        : { status: 202, headers: retry };
    }
    op.result ??= op.run();
    const ok = op.result.status < 400;
    if (op.style === "location") return op.result;
    return {
      status: 200,
      body: ok
        ? { id, name: id, status: "Succeeded" }
        : {
            id,
            name: id,
            status: "Failed",
            error: (op.result.body as { error?: unknown } | undefined)?.error,
          },
    };
  }

  /** ARM's front door: token, api-version, names, then the parent service. */
  private guard(fn: (ctx: RequestContext, svc: ApimService, id: string) => Reply): Handler {
    return (ctx) => {
      const denied = this.authorize(ctx);
      if (denied) return denied;
      const apiVersion = ctx.query.get("api-version");
      if (!apiVersion)
        return armError(
          400,
          "MissingApiVersionParameter",
          "The api-version query parameter (?api-version=) is required for all requests.",
        );
      if (!APIM_API_VERSIONS.includes(apiVersion))
        return armError(
          400,
          "InvalidApiVersionParameter",
          `The api-version '${apiVersion}' is invalid. The supported versions are '${APIM_API_VERSIONS.join(",")}'.`,
        );
      const [sub, rg, svcName, rawId] = ctx.params.map(decodeSegment);
      // 2024-05-01 declares subscriptionId as a UUID; 2022-08-01 does not (its examples use "subid").
      if (apiVersion >= "2024-05-01" && !UUID.test(sub))
        return armError(
          400,
          "InvalidSubscriptionId",
          `The provided subscription identifier '${sub}' is malformed or invalid.`,
        );
      if (svcName.length > 50 || !SERVICE_NAME.test(svcName))
        return validationError(
          "serviceName",
          `The service name '${svcName}' is invalid: 1-50 letters, digits and hyphens, starting with a letter and ending with a letter or digit.`,
        );
      if (rawId !== undefined && (rawId.length < 1 || rawId.length > 80 || !CERTIFICATE_ID.test(rawId)))
        return validationError(
          "certificateId",
          `The certificate id '${rawId}' is invalid: 1-80 characters, none of * # & + : < > ?.`,
        );
      const ref = { subscriptionId: sub, resourceGroup: rg, serviceName: svcName };
      const service = this.service(ref);
      if (!service)
        return armError(
          404,
          "ParentResourceNotFound",
          `Failed to perform '${ctx.method === "GET" || ctx.method === "HEAD" ? "read" : "write"}' on resource(s) of type 'service/certificates', because the parent resource '/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.ApiManagement/service/${svcName}' could not be found.`,
        );
      return fn(ctx, service, rawId ?? "");
    };
  }

  /** A pending claims demand (see {@link requireClaims}). */
  private claimsDemand?: { value: string; remaining: number };

  /**
   * Makes the next `times` requests whose token lacks the authentication context `value` (the
   * `acrs` claim; default "c1") answer 401 with a claims challenge, as ARM does under continuous
   * access evaluation or a Conditional Access authentication context:
   * `WWW-Authenticate: Bearer ..., error="insufficient_claims", claims="<base64 of
   * {"access_token":{"acrs":{"essential":true,"value":"c1"}}}>"`. Entra issues a token with
   * `acrs` when a token request carries those claims. Requests whose token has it pass and do not
   * count; `times: 0` ends the demand.
   */
  requireClaims(settings: { value?: string; times?: number }): void {
    const remaining = settings.times ?? 1;
    this.claimsDemand = remaining > 0 ? { value: settings.value ?? "c1", remaining } : undefined;
  }

  /** ARM's 401 answers; `undefined` when the token is acceptable. */
  private authorize(ctx: RequestContext): Reply | undefined {
    const fail = (code: string, message: string, description: string): Reply =>
      armError(401, code, message, undefined, {
        "www-authenticate": `Bearer authorization_uri="${this.deps.authorityHost}/${this.deps.entra.tenantId}", error="invalid_token", error_description="${description}"`,
      });
    const auth = header(ctx.headers, "authorization");
    if (!auth)
      return fail(
        "AuthenticationFailed",
        "Authentication failed. The 'Authorization' header is missing.",
        "The authentication failed because of missing 'Authorization' header.",
      );
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (!m)
      return fail(
        "AuthenticationFailed",
        "Authentication failed. The 'Authorization' header is provided in an invalid format.",
        "The authentication failed because of an invalid 'Authorization' header.",
      );
    const check = this.deps.entra.verify(m[1]);
    if (check.claims) {
      ctx.auth.audience = typeof check.claims.aud === "string" ? check.claims.aud : undefined;
      ctx.auth.clientId = tokenClientId(check.claims);
    }
    if (!check.ok) {
      if (check.reason === "expired") {
        const exp = new Date((check.claims?.exp ?? 0) * 1000).toISOString();
        return fail(
          "ExpiredAuthenticationToken",
          `The access token expiry UTC time '${exp}' is earlier than current UTC time '${new Date().toISOString()}'.`,
          "The access token has expired.",
        );
      }
      if (check.reason === "signature" || check.reason === "unknownKey")
        return fail(
          "InvalidAuthenticationToken",
          "The access token has invalid signature.",
          "The access token is invalid.",
        );
      return fail(
        "InvalidAuthenticationToken",
        "The access token is invalid.",
        "The access token is invalid.",
      );
    }
    if (!ARM_AUDIENCES.includes(check.claims.aud))
      return fail(
        "InvalidAuthenticationTokenAudience",
        `The access token has been obtained for wrong audience or resource '${check.claims.aud}'. It should exactly match with one of the allowed audiences ${ARM_AUDIENCES.map((a) => `'${a}'`).join(",")}.`,
        "The access token is invalid.",
      );
    const demand = this.claimsDemand;
    const acrs = check.claims.acrs;
    if (demand && !(Array.isArray(acrs) && acrs.includes(demand.value))) {
      if (--demand.remaining <= 0) this.claimsDemand = undefined;
      const claims = Buffer.from(
        JSON.stringify({ access_token: { acrs: { essential: true, value: demand.value } } }),
      ).toString("base64");
      return armError(
        401,
        "InvalidAuthenticationToken",
        "Continuous access evaluation resulted in challenge with result: InteractionRequired and code: TokenCreatedWithOutdatedPolicies",
        undefined,
        {
          "www-authenticate": `Bearer authorization_uri="${this.deps.authorityHost}/${this.deps.entra.tenantId}", error="insufficient_claims", claims="${claims}"`,
        },
      );
    }
    return undefined;
  }

  /** The service, created on first use unless the admin API made it absent. */
  private service(ref: ApimServiceRef): ApimService | undefined {
    const key = ApimEmulator.key(ref);
    if (this.absent.has(key)) return undefined;
    let svc = this.services.get(key);
    if (!svc) {
      svc = {
        subscriptionId: ref.subscriptionId,
        resourceGroup: ref.resourceGroup,
        name: ref.serviceName,
        certificates: new Map(),
      };
      this.services.set(key, svc);
    }
    return svc;
  }

  private contract(svc: ApimService, c: ApimCertificateRecord): Record<string, unknown> {
    return {
      id: `/subscriptions/${svc.subscriptionId}/resourceGroups/${svc.resourceGroup}/providers/Microsoft.ApiManagement/service/${svc.name}/certificates/${c.name}`,
      type: CERT_TYPE,
      name: c.name,
      properties: {
        subject: c.subject,
        thumbprint: c.thumbprint,
        expirationDate: c.expirationDate,
        ...(c.keyVault ? { keyVault: structuredClone(c.keyVault) } : {}),
      },
    };
  }

  private notFound(): Reply {
    return armError(404, "ResourceNotFound", "Certificate not found.");
  }

  private list(ctx: RequestContext, svc: ApimService): Reply {
    const top = ctx.query.get("$top");
    const skip = ctx.query.get("$skip");
    const filter = ctx.query.get("$filter");
    const refreshFailed = ctx.query.get("isKeyVaultRefreshFailed");
    if (top !== null && (!/^\d+$/.test(top) || Number(top) < 1))
      return validationError("$top", "'$top' must be an integer of at least 1.");
    if (skip !== null && !/^\d+$/.test(skip))
      return validationError("$skip", "'$skip' must be an integer of at least 0.");
    if (refreshFailed !== null && !/^(true|false)$/i.test(refreshFailed))
      return validationError("isKeyVaultRefreshFailed", "'isKeyVaultRefreshFailed' must be true or false.");
    let rows = [...svc.certificates.values()].sort((a, b) =>
      a.name.toLowerCase().localeCompare(b.name.toLowerCase()),
    );
    if (filter) {
      try {
        const predicate = compileFilter(filter, ["name", "subject", "thumbprint", "expirationDate"]);
        rows = rows.filter((c) =>
          predicate({
            name: c.name,
            subject: c.subject,
            thumbprint: c.thumbprint,
            expirationDate: c.expirationDate,
          }),
        );
      } catch (e) {
        if (e instanceof FilterError)
          return validationError("$filter", `Invalid filter clause specified: ${e.message}`);
        throw e;
      }
    }
    if (refreshFailed !== null) {
      const failed = refreshFailed.toLowerCase() === "true";
      rows = rows.filter(
        (c) => (c.keyVault !== undefined && c.keyVault.lastStatus.code !== "Success") === failed,
      );
    }
    const start = skip === null ? 0 : Number(skip);
    const size = top === null ? this.deps.pageSize : Number(top);
    const page = rows.slice(start, start + size);
    let nextLink: string | undefined;
    if (start + size < rows.length) {
      const q = new URLSearchParams(ctx.query);
      q.set("$skip", String(start + size));
      q.set("$top", String(size));
      nextLink = `${this.deps.armEndpoint}${ctx.path}?${q.toString()}`;
    }
    return {
      status: 200,
      body: {
        value: page.map((c) => this.contract(svc, c)),
        count: rows.length,
        ...(nextLink ? { nextLink } : {}),
      },
    };
  }

  private head(svc: ApimService, id: string): Reply {
    const c = svc.certificates.get(id.toLowerCase());
    return c ? { status: 200, headers: { etag: c.etag } } : { status: 404 };
  }

  private get(svc: ApimService, id: string): Reply {
    const c = svc.certificates.get(id.toLowerCase());
    return c ? { status: 200, headers: { etag: c.etag }, body: this.contract(svc, c) } : this.notFound();
  }

  private put(ctx: RequestContext, svc: ApimService, id: string): Reply {
    let body: unknown;
    try {
      body = parseJsonBody(ctx.body);
    } catch (e) {
      return armError(
        400,
        "InvalidRequestContent",
        `The request content was invalid and could not be deserialized: '${(e as Error).message}'.`,
      );
    }
    if (!isObject(body) || !isObject(body.properties))
      return validationError(
        "properties",
        "The request body must be a JSON object with a 'properties' object.",
      );
    const p = body.properties;
    const given = (v: unknown): boolean => v !== undefined && v !== null;
    const hasData = given(p.data);
    const hasKeyVault = given(p.keyVault);
    if (hasData && hasKeyVault)
      return validationError(
        "properties",
        "Specify either 'data' (with 'password') or 'keyVault', not both.",
      );
    if (!hasData && !hasKeyVault)
      return given(p.password)
        ? validationError("data", "'password' was given without 'data': send the base64 PFX in 'data'.")
        : validationError(
            "properties",
            "Either 'data' (a base64 PFX, with 'password') or 'keyVault.secretIdentifier' is required.",
          );

    const facts = hasData ? this.readPfx(p.data, p.password) : this.readKeyVault(p.keyVault);
    if ("status" in facts) return facts;

    const existing = svc.certificates.get(id.toLowerCase());
    const ifMatch = header(ctx.headers, "if-match");
    const precondition = this.checkIfMatch(ifMatch, existing, false);
    if (precondition) return precondition;
    if (existing && ifMatch === undefined && this.deps.requireIfMatchOnUpdate)
      return validationError(
        "If-Match",
        "The If-Match header is required when updating an existing certificate.",
      );

    const record: ApimCertificateRecord = {
      name: existing?.name ?? id,
      ...facts.record,
      etag: this.newEtag(),
    };
    svc.certificates.set(id.toLowerCase(), record);
    return { status: existing ? 200 : 201, headers: { etag: record.etag }, body: this.contract(svc, record) };
  }

  /** 412 when If-Match does not fit; `*` fits any existing entity. */
  private checkIfMatch(
    ifMatch: string | undefined,
    existing: ApimCertificateRecord | undefined,
    deleting: boolean,
  ): Reply | undefined {
    if (ifMatch === undefined) return undefined;
    const failed = (): Reply =>
      armError(
        412,
        "PreconditionFailed",
        existing
          ? "The certificate was modified since it was read: the If-Match ETag does not match the current one. Read it again (GET) and retry with the new ETag."
          : "The If-Match header was given but the certificate does not exist.",
      );
    if (!existing) return deleting ? undefined : failed();
    const wanted = ifMatch.split(",").map(stripQuotes);
    if (wanted.includes("*") || wanted.includes(stripQuotes(existing.etag))) return undefined;
    return failed();
  }

  private readPfx(
    data: unknown,
    password: unknown,
  ): { record: Omit<ApimCertificateRecord, "name" | "etag"> } | Reply {
    if (typeof data !== "string" || !/^[A-Za-z0-9+/=\s]+$/.test(data))
      return validationError("data", "'data' must be the base64 of a PKCS#12 (PFX) file.");
    if (password !== undefined && password !== null && typeof password !== "string")
      return validationError("password", "'password' must be a string.");
    try {
      const leaf = uploadedPfxLeaf(Buffer.from(data, "base64"), (password as string | undefined) ?? "");
      if (!leaf)
        return validationError(
          "data",
          "The certificate has no private key: upload a PFX that includes the private key.",
        );
      const facts = describeCertificate(leaf);
      return {
        record: {
          subject: facts.subject,
          thumbprint: facts.thumbprint,
          expirationDate: isoSeconds(facts.notAfter),
        },
      };
    } catch (e) {
      if (e instanceof PkiError && e.reason === "password")
        return validationError("password", "The password is incorrect: it does not open the PFX in 'data'.");
      if (e instanceof PkiError)
        return validationError("data", `'data' is not a valid PKCS#12 (PFX) file: ${e.message}.`);
      throw e;
    }
  }

  private readKeyVault(kv: unknown): { record: Omit<ApimCertificateRecord, "name" | "etag"> } | Reply {
    if (!isObject(kv) || typeof kv.secretIdentifier !== "string" || kv.secretIdentifier === "")
      return validationError("keyVault.secretIdentifier", "'keyVault.secretIdentifier' is required.");
    const identityClientId = kv.identityClientId ?? null;
    if (identityClientId !== null && typeof identityClientId !== "string")
      return validationError(
        "keyVault.identityClientId",
        "'keyVault.identityClientId' must be a string or null.",
      );
    const resolved = this.fromKeyVault(kv.secretIdentifier);
    if ("failure" in resolved) return validationError("keyVault.secretIdentifier", resolved.failure.message);
    return {
      record: {
        ...resolved.facts,
        keyVault: {
          secretIdentifier: kv.secretIdentifier,
          identityClientId,
          lastStatus: { code: "Success", timeStampUtc: isoTicks(new Date()) },
        },
      },
    };
  }

  /** Reads the certificate behind a secret identifier, as APIM's identity would. */
  private fromKeyVault(
    secretIdentifier: string,
  ):
    | { facts: { subject: string; thumbprint: string; expirationDate: string } }
    | { failure: { code: string; message: string } } {
    const r = this.deps.resolveSecret(secretIdentifier);
    if (!r.ok) return { failure: { code: r.code, message: r.message } };
    if (r.contentType !== "application/x-pkcs12")
      return {
        failure: {
          code: "UnsupportedSecretContentType",
          message: `The Key Vault secret has content type '${r.contentType}'; API Management needs 'application/x-pkcs12'.`,
        },
      };
    try {
      const bundle = parsePfx(Buffer.from(r.value, "base64"), "");
      if (!bundle.privateKey)
        return {
          failure: {
            code: "PrivateKeyMissing",
            message: "The Key Vault secret holds no private key (is the certificate's key non-exportable?).",
          },
        };
      const f = describeCertificate(bundle.certificates[0]);
      return {
        facts: { subject: f.subject, thumbprint: f.thumbprint, expirationDate: isoSeconds(f.notAfter) },
      };
    } catch (e) {
      return {
        failure: {
          code: "InvalidSecret",
          message: `The Key Vault secret is not a readable PFX: ${(e as Error).message}`,
        },
      };
    }
  }

  private remove(ctx: RequestContext, svc: ApimService, id: string): Reply {
    const ifMatch = header(ctx.headers, "if-match");
    if (ifMatch === undefined || ifMatch.trim() === "")
      return validationError(
        "If-Match",
        "The If-Match header is required to delete a certificate; use '*' to delete unconditionally.",
      );
    const existing = svc.certificates.get(id.toLowerCase());
    if (!existing) return { status: 204 };
    const precondition = this.checkIfMatch(ifMatch, existing, true);
    if (precondition) return precondition;
    svc.certificates.delete(id.toLowerCase());
    return { status: 200 };
  }

  private refresh(svc: ApimService, id: string): Reply {
    const c = svc.certificates.get(id.toLowerCase());
    if (!c) return this.notFound();
    if (!c.keyVault)
      return validationError(
        "keyVault",
        `Certificate '${c.name}' was uploaded as 'data', not from Key Vault: there is no secret to refresh.`,
      );
    const r = this.fromKeyVault(c.keyVault.secretIdentifier);
    const stamp = isoTicks(new Date());
    c.etag = this.newEtag();
    if ("failure" in r) {
      // The entity keeps its certificate and records the failure, which isKeyVaultRefreshFailed lists.
      c.keyVault.lastStatus = { code: r.failure.code, message: r.failure.message, timeStampUtc: stamp };
      return validationError("keyVault.secretIdentifier", r.failure.message);
    }
    Object.assign(c, r.facts);
    c.keyVault.lastStatus = { code: "Success", timeStampUtc: stamp };
    return { status: 200, headers: { etag: c.etag }, body: this.contract(svc, c) };
  }

  // -------------------------------------------------------------------------------------------
  // Admin

  /** The stored entity, or `undefined` (admin). */
  getCertificate(ref: ApimCertificateRef): (ApimCertificateRecord & { id: string }) | undefined {
    const svc = this.services.get(ApimEmulator.key(ref));
    const c = svc?.certificates.get(ref.certificateId.toLowerCase());
    return svc && c ? { ...structuredClone(c), id: this.contract(svc, c).id as string } : undefined;
  }

  /** Deletes out of band; `false` if there was nothing (admin). */
  deleteCertificate(ref: ApimCertificateRef): boolean {
    return (
      this.services.get(ApimEmulator.key(ref))?.certificates.delete(ref.certificateId.toLowerCase()) ?? false
    );
  }

  /** Gives the entity a new ETag, as a change made elsewhere would (admin). Returns it. */
  touchCertificate(ref: ApimCertificateRef, etag?: string): string {
    const c = this.services.get(ApimEmulator.key(ref))?.certificates.get(ref.certificateId.toLowerCase());
    if (!c) throw new Error(`certificate '${ref.certificateId}' does not exist`);
    c.etag = etag ? `"${stripQuotes(etag)}"` : this.newEtag();
    return c.etag;
  }

  /** Makes a service exist (again) or not exist (404 ParentResourceNotFound); admin. */
  setServiceExists(ref: ApimServiceRef, exists: boolean): void {
    const key = ApimEmulator.key(ref);
    if (exists) this.absent.delete(key);
    else {
      this.absent.add(key);
      this.services.delete(key);
    }
  }

  clear(): void {
    this.services.clear();
    this.absent.clear();
    this.operations.clear();
    this.asyncSettings = {};
    this.claimsDemand = undefined;
  }
}
