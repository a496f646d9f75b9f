/**
 * The text a user reads when a call to Azure fails: what was called, what Azure said, and what to
 * do next. Pure functions of already-redacted facts; the transport scrubs the result once more.
 */
import type { ServiceError } from "./errors";
import type { CredentialSettings } from "./settings";

/** Which API a request went to; decides the advice on 401/403. */
export type AzureService = "arm" | "keyVault";

/** The facts a message is built from. */
export interface FailureFacts {
  service: AzureService;
  method: string;
  /** Redacted URL. */
  url: string;
  status?: number;
  serviceError?: ServiceError;
  requestId?: string;
  attempts: number;
  elapsedMs: number;
  /** The identity that called, e.g. `ClientSecretCredential (client id ..., tenant ...) [object id ...]`. */
  identity: string;
  /** The token scope used, when a token was sent. */
  scope?: string;
  /** What the request is about, e.g. `certificate "web" of API Management service "apim"`. */
  resource?: string;
  /** `true` when a Key Vault 401 carried no usable challenge. */
  noChallenge?: boolean;
  /** `true` when a 401 asked for claims again after a token with the claims it asked for was sent. */
  claimsRefused?: boolean;
}

/** The message for a final error status (retries not exhausted, or a status never retried). */
export function statusMessage(f: FailureFacts): string {
  return `${headline(f)} ${adviceFor(f)}`.trim();
}

/**
 * The message when every allowed attempt answered with a retryable status, or the deadline came
 * first (`deadlineMs`), possibly because the server asked to wait longer than the time left
 * (`serverWaitMs`).
 */
export function exhaustedMessage(f: FailureFacts, deadlineMs?: number, serverWaitMs?: number): string {
  const limit =
    deadlineMs !== undefined
      ? `did not succeed within the deadline of ${seconds(deadlineMs)} (azure-certs:deadlineMs)`
      : "gave up";
  const wait = serverWaitMs !== undefined ? `, asking to wait ${seconds(serverWaitMs)} more` : "";
  return (
    `${f.method} ${f.url} ${limit} after ${plural(f.attempts, "attempt")} over ${seconds(f.elapsedMs)}; ` +
    `the last answer was ${answer(f)}${wait}. Azure is throttling or temporarily unavailable: run the command ` +
    "again later, or raise azure-certs:maxRetries / azure-certs:deadlineMs."
  );
}

/** The message for a connection failure or timeout that ended the call. */
export function networkMessage(
  f: FailureFacts,
  code: string,
  opts: {
    host: string;
    timeoutMs?: number;
    deadlineMs?: number;
    detail?: string;
    /** The setting that chose this endpoint instead of the cloud's, e.g. `azure-certs:armEndpoint`. */
    setBy?: string;
  },
): string {
  const base = networkMessageBody(f, code, opts);
  return opts.setBy
    ? `${base} (The endpoint ${opts.host} comes from ${opts.setBy}: check that it is right, or remove it to use the cloud's.)`
    : base;
}

function networkMessageBody(
  f: FailureFacts,
  code: string,
  opts: { host: string; timeoutMs?: number; deadlineMs?: number; detail?: string },
): string {
  const tries = `${plural(f.attempts, "attempt")} over ${seconds(f.elapsedMs)}`;
  if (opts.deadlineMs !== undefined) {
    return (
      `${f.method} ${f.url} did not succeed within the deadline of ${seconds(opts.deadlineMs)} ` +
      `(azure-certs:deadlineMs): ${tries}, the last one ${code === "ETIMEDOUT" ? "timed out" : `failed (${code})`}. ` +
      "Run the command again later, or raise azure-certs:deadlineMs."
    );
  }
  if (code === "ETIMEDOUT" && opts.timeoutMs !== undefined) {
    return (
      `${f.method} ${f.url} timed out: no complete answer within ${seconds(opts.timeoutMs)} ` +
      `(azure-certs:requestTimeoutMs), ${tries}. Azure may be slow or unreachable from here; run the command ` +
      "again, or raise azure-certs:requestTimeoutMs."
    );
  }
  if (code === "ENOTFOUND") {
    return (
      `${f.method} ${f.url} failed: the host name "${opts.host}" does not resolve (ENOTFOUND). Check the ` +
      "vault name or endpoint, and that this machine can resolve Azure's DNS names."
    );
  }
  if (/CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO/i.test(code)) {
    return (
      `${f.method} ${f.url} failed: the TLS certificate of "${opts.host}" could not be verified (${code}). ` +
      "A proxy may be intercepting TLS; for a local emulator, trust its CA (NODE_EXTRA_CA_CERTS)."
    );
  }
  return (
    `${f.method} ${f.url} failed: could not talk to "${opts.host}" (${code}${opts.detail ? `: ${opts.detail}` : ""}) ` +
    `after ${tries}. Check the network path to Azure (proxy, firewall, private endpoint DNS) and run the ` +
    "command again."
  );
}

/**
 * One line per credential of a chain (DefaultAzureCredential's `AggregateAuthenticationError`):
 * `EnvironmentCredential: is unavailable; AzureCliCredential: Please run 'az login' ...`, each
 * reason cut to its first sentence, without the SDK's troubleshooting links and headers.
 */
export function summarizeCredentialChain(errors: readonly unknown[]): string {
  return errors
    .map((e) => {
      const text = String((e as { message?: unknown })?.message ?? e)
        .replace(/\s+/g, " ")
        .trim();
      const named = /^(\w*Credential)(?::\s*|\s+)(.*)$/.exec(text);
      const who = named?.[1] ?? (e as { name?: string })?.name ?? "a credential";
      let why = (named?.[2] ?? text).replace(/^Authentication failed\.?\s*/i, "");
      why = why.replace(/\s*(To troubleshoot|For more information|Message:|Error\(s\)).*$/i, "");
      why = /^[^.]*[.]/.exec(why)?.[0] ?? why;
      return `${who}: ${why.length > 160 ? `${why.slice(0, 157)}...` : why}`.replace(/[.]$/, "");
    })
    .join("; ");
}

/** What a token request that got no HTTP answer says (Node's and MSAL's codes). */
const UNREACHABLE =
  /\b(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ECONNRESET|endpoints_resolution_error|network_error)\b/;

/** What {@link authenticationMessage} is told about a token request Entra ID refused or never answered. */
interface AuthenticationFacts {
  scope: string;
  tenantId?: string;
  identity: string;
  /** The credential kind, which decides the advice. */
  credentialKind: CredentialSettings["kind"];
  status?: number;
  serviceError?: ServiceError;
  detail: string;
  /** `detail` already says what to check (this package's own error): no generic advice. */
  explained?: boolean;
  /**
   * HTTP requests made for this token, @azure/identity's own retries included (the transport does
   * not retry a token request that was answered), and the time they took.
   */
  attempts?: number;
  elapsedMs?: number;
  /** The Entra ID authority host the token was requested from (named when it could not be reached). */
  authorityHost?: string;
}

/** What to check when Entra ID (or the managed identity endpoint) refused a token, per credential kind. */
const CREDENTIAL_ADVICE: Readonly<Record<CredentialSettings["kind"], string>> = {
  clientSecret:
    "Check azure-native:clientId, azure-native:clientSecret and azure-native:tenantId (or ARM_CLIENT_ID / " +
    "ARM_CLIENT_SECRET / ARM_TENANT_ID, AZURE_CLIENT_ID / AZURE_CLIENT_SECRET / AZURE_TENANT_ID): the secret " +
    "may have expired or belong to another app or tenant.",
  workloadIdentity:
    "Check that the app registration has a federated credential whose issuer and subject match the token in " +
    "the federated token file, and the client id and tenant (azure-native:clientId / azure-native:tenantId, " +
    "AZURE_CLIENT_ID / AZURE_TENANT_ID).",
  clientAssertion:
    "Check that azure-native:oidcToken (ARM_OIDC_TOKEN) is current and matches a federated credential of the app.",
  clientCertificate:
    "Check that the certificate in azure-native:clientCertificatePath (ARM_CLIENT_CERTIFICATE_PATH) is registered " +
    "for the app (azure-native:clientId) in the tenant (azure-native:tenantId), has not expired, and opens with " +
    "azure-native:clientCertificatePassword (ARM_CLIENT_CERTIFICATE_PASSWORD).",
  oidcRequest:
    "Check that the app registration (azure-native:clientId) has a federated credential whose issuer, subject " +
    "(e.g. repo:<org>/<repo>:ref:refs/heads/<branch> or environment:<name>) and audience " +
    "(azure-native:oidcAudience, default api://AzureADTokenExchange) match the workflow's ID token, and that " +
    "the job has `permissions: id-token: write`.",
  managedIdentity:
    "Check that this machine has the managed identity (system-assigned, or the user-assigned one named by " +
    "azure-native:clientId), and azure-native:msiEndpoint (ARM_MSI_ENDPOINT) if set.",
  default:
    "No configured credential worked: set azure-native:clientId / clientSecret / tenantId (or ARM_* / AZURE_* " +
    "variables), use workload identity or a managed identity, or run `az login`.",
};

/** The message when Entra ID did not issue a token. */
export function authenticationMessage(opts: AuthenticationFacts): string {
  if (opts.explained) return `${tokenFailureHead(opts)}: ${opts.detail}`;
  // No answer at all (connection refused, no such host, or MSAL could not fetch the authority's
  // endpoints): the authority host is unreachable, which says nothing about the credential.
  if (
    opts.status === undefined &&
    !opts.serviceError &&
    opts.authorityHost &&
    opts.credentialKind !== "managedIdentity" &&
    UNREACHABLE.test(opts.detail)
  ) {
    return (
      `${tokenFailureHead(opts)}: the Entra ID authority host ${opts.authorityHost} could not be reached ` +
      `(${firstLines(opts.detail)}). It is chosen by azure-certs:authorityHost (or AZURE_AUTHORITY_HOST), ` +
      "else by azure-native:environment: check that it names the Entra ID authority host of your cloud (for the " +
      "emulator, the address it printed and that it is still running), and the network path from this machine " +
      "to it (proxy, firewall, DNS)."
    );
  }
  const said = opts.serviceError?.code
    ? `${opts.serviceError.code}: ${opts.serviceError.message ?? ""}`.trim()
    : opts.detail;
  // Entra's own words (AADSTS code and description) without MSAL's wrapping, trace ids and timestamps.
  const answerer = opts.credentialKind === "managedIdentity" ? "the managed identity endpoint" : "Entra ID";
  const aadsts = /AADSTS\d+:[\s\S]*?(?=\s+Trace ID:|\s+-\s+Correlation ID:|$)/.exec(said)?.[0];
  const answered = opts.status ? ` (${answerer} answered ${opts.status}${identityRetries(opts)})` : "";
  return (
    `${tokenFailureHead(opts)}${answered}: ${firstLines(aadsts ?? said)} ` +
    (unavailableAdvice(answerer, opts.status) ??
      `${otherTenantAdvice(said, opts.tenantId) || CREDENTIAL_ADVICE[opts.credentialKind]} ` +
        "Also check that azure-native:environment names the right cloud.")
  );
}

/** `Could not get an access token for <scope> in tenant <tenant> with <identity>`. */
function tokenFailureHead(opts: Pick<AuthenticationFacts, "scope" | "tenantId" | "identity">): string {
  return (
    `Could not get an access token for ${opts.scope}${opts.tenantId ? ` in tenant ${opts.tenantId}` : ""} ` +
    `with ${opts.identity}`
  );
}

/** How many HTTP requests @azure/identity made for the token, when it retried. */
function identityRetries(opts: Pick<AuthenticationFacts, "attempts" | "elapsedMs">): string {
  return opts.attempts !== undefined && opts.attempts > 1
    ? ` after ${plural(opts.attempts, "attempt")} over ${seconds(opts.elapsedMs ?? 0)}: 1 token request by the ` +
        `transport, retried ${plural(opts.attempts - 1, "time")} by @azure/identity`
    : "";
}

/** For a 5xx, 429 or 408 from the token endpoint: to run the command again later, not to check the secret. */
function unavailableAdvice(answerer: string, status: number | undefined): string | undefined {
  return status !== undefined && (status >= 500 || status === 429 || status === 408)
    ? `${capitalize(answerer)} is failing or unavailable: run the command again later. If it keeps failing, ` +
        "check the Azure status page and that azure-certs:authorityHost (or AZURE_AUTHORITY_HOST) and " +
        "azure-native:environment name your cloud."
    : undefined;
}

/** For a vault's challenge naming a tenant the credential is not allowed: which key to set. */
function otherTenantAdvice(said: string, tenantId: string | undefined): string {
  return /AdditionallyAllowedTenants/i.test(said)
    ? `The vault asked for a token from tenant ${tenantId ?? "(unknown)"}, which this identity is not ` +
        "configured for: if that is intended, add the tenant to azure-native:auxiliaryTenantIds (or " +
        "azure-certs:additionallyAllowedTenants / AZURE_ADDITIONALLY_ALLOWED_TENANTS)."
    : "";
}

/**
 * The message when no access token came in time: the token endpoint did not answer within
 * `requestTimeoutMs` on each of `attempts` tries, or the call's deadline (`deadlineMs`) passed while
 * waiting. Names the token endpoint (authority host and tenant; nothing secret) and what to check.
 */
export function tokenTimeoutMessage(opts: {
  /** The call that needed the token. */
  method: string;
  url: string;
  scope: string;
  /** The Entra ID token endpoint, e.g. `https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token`. */
  tokenUrl: string;
  authorityHost: string;
  identity: string;
  credentialKind: CredentialSettings["kind"];
  attempts: number;
  elapsedMs: number;
  timeoutMs: number;
  deadlineMs?: number;
  /**
   * The token endpoint did answer, with errors @azure/identity retries itself (5xx, 429, 408): the
   * HTTP requests made, its own retries included, and the last status.
   */
  answered?: { requests: number; lastStatus: number };
}): string {
  const tries = `${plural(opts.attempts, "attempt")} over ${seconds(opts.elapsedMs)}`;
  const limit = `${seconds(opts.timeoutMs)} (azure-certs:requestTimeoutMs)`;
  if (opts.answered) {
    const a = opts.answered;
    return (
      `Could not get an access token for ${opts.scope} to call ${opts.method} ${opts.url}: the token endpoint ` +
      `${opts.tokenUrl} answered ${a.lastStatus} (the last of ${plural(a.requests, "HTTP request")}, ` +
      `@azure/identity's own retries included) and gave no token within ${limit} per attempt, ${tries}` +
      (opts.deadlineMs !== undefined
        ? ` (deadline ${seconds(opts.deadlineMs)}, azure-certs:deadlineMs)`
        : "") +
      `, with ${opts.identity}. Entra ID is failing or unavailable: run the command again later. If it keeps ` +
      "failing, check that azure-certs:authorityHost (or AZURE_AUTHORITY_HOST) and azure-native:environment " +
      "name your cloud; raising azure-certs:requestTimeoutMs lets @azure/identity's retries finish and report " +
      "Entra ID's own error."
    );
  }
  const what =
    opts.deadlineMs !== undefined
      ? ` within the deadline of ${seconds(opts.deadlineMs)} (azure-certs:deadlineMs): the token endpoint ` +
        `${opts.tokenUrl} did not answer, ${tries} (each may take ${limit})`
      : `: the token endpoint ${opts.tokenUrl} did not answer within ${limit}, ${tries}`;
  let host = opts.authorityHost;
  try {
    host = new URL(opts.authorityHost).host;
  } catch {
    // keep it as configured
  }
  const otherSources =
    opts.credentialKind === "oidcRequest"
      ? " (The ID token request to the CI system's endpoint is part of each token request.)"
      : opts.credentialKind === "default"
        ? " (DefaultAzureCredential may also have been waiting for the managed identity endpoint or the Azure CLI.)"
        : "";
  return (
    `Could not get an access token for ${opts.scope} to call ${opts.method} ${opts.url}${what}, with ` +
    `${opts.identity}. Check the network path from this machine to ${host} (proxy, firewall, DNS) and that ` +
    "azure-certs:authorityHost (or AZURE_AUTHORITY_HOST) names the Entra ID authority host of your cloud " +
    "(azure-native:environment), then run the command again; if Entra ID is only slow, raise " +
    `azure-certs:requestTimeoutMs.${otherSources}`
  );
}

/** The message when the transport refuses to send a request or a token. */
export function refusalMessage(method: string, url: string, reason: string): string {
  return `Refusing to send ${method} ${url}: ${reason}.`;
}

function headline(f: FailureFacts): string {
  const retried =
    f.attempts > 1 ? ` (after ${plural(f.attempts, "attempt")} over ${seconds(f.elapsedMs)})` : "";
  return `${f.method} ${f.url} failed with ${answer(f)}${retried}.`;
}

/** `404 ResourceNotFound: message; details (request id ...)` */
function answer(f: FailureFacts): string {
  const e = f.serviceError ?? {};
  const code = [e.code, e.innerCode].filter(Boolean).join("/");
  const details = (e.details ?? []).join("; ");
  const text =
    e.message && details
      ? `${e.message}${e.message.endsWith(":") ? " " : "; "}${details}`
      : e.message || details;
  const parts = [`${f.status ?? "no answer"}${code ? ` ${code}` : ""}`];
  if (text) parts[0] += `: ${firstLines(text)}`;
  if (f.requestId) parts.push(`(request id ${f.requestId})`);
  return parts.join(" ");
}

function adviceFor(f: FailureFacts): string {
  const what = f.resource ? `the ${f.resource}` : "the resource";
  switch (f.status) {
    case 400:
      return "Azure rejected the request as invalid: correct the value it names and run `pulumi up` again.";
    case 401:
      if (f.claimsRefused)
        return (
          "Azure asked again for more claims (insufficient_claims) after a token with the claims it asked for " +
          `was sent: the sign-in of ${f.identity} does not satisfy a Conditional Access policy, or its access was ` +
          "revoked (continuous access evaluation). Check its sign-in logs and the tenant's Conditional Access " +
          "policies in Entra ID, then run the command again."
        );
      return (
        `Azure did not accept the token of ${f.identity}${f.scope ? ` for ${f.scope}` : ""}` +
        (f.noChallenge ? " (and the vault sent no usable authentication challenge)" : "") +
        ". Check that this identity belongs to the tenant that owns the " +
        (f.service === "arm" ? "subscription" : "vault") +
        " (azure-native:tenantId / ARM_TENANT_ID / AZURE_TENANT_ID) and that azure-native:environment names " +
        "the right cloud."
      );
    case 403:
      return f.service === "arm"
        ? `${f.identity} lacks permission for this on ${what}. Grant it a role that includes ` +
            "Microsoft.ApiManagement/service/certificates/* on the API Management service or its resource group " +
            '(for example "API Management Service Contributor"), then run `pulumi up` again.'
        : forbiddenOnVault(f);
    case 404:
      if (f.serviceError?.code === "ParentResourceNotFound") {
        const parent = /parent resource '([^']+)'/.exec(f.serviceError.message ?? "")?.[1];
        return (
          `Not found: ${parent ? `the parent resource ${parent}` : `the service, resource group or subscription of ${what}`} ` +
          "does not exist. Create it first (or let this resource depend on the resource that creates it), or " +
          "correct serviceId (or subscriptionId, resourceGroupName, serviceName), then run `pulumi up` again."
        );
      }
      return (
        `Not found: ${what} does not exist` +
        (f.service === "arm" ? " (or its service, resource group or subscription does not)" : "") +
        ". Check the names; if it was deleted outside Pulumi, run `pulumi refresh`."
      );
    case 409:
      return (
        `Conflict on ${what}: another operation may be changing it, or it already exists. Wait for the other ` +
        "operation and run `pulumi up` again, or `pulumi import` the existing resource."
      );
    case 412:
      return (
        `${capitalize(what)} changed elsewhere since Pulumi last read it (its ETag no longer matches). ` +
        "Run `pulumi refresh` to read the current state, then `pulumi up` again."
      );
    default:
      return "";
  }
}

function forbiddenOnVault(f: FailureFacts): string {
  const codes = `${f.serviceError?.code ?? ""} ${f.serviceError?.innerCode ?? ""}`;
  if (/Firewall|Connection|Network/i.test(codes)) {
    return (
      "The vault's network rules block this client's address: allow it in the vault's firewall (or run from a " +
      "network with access to its private endpoint)."
    );
  }
  return (
    `${f.identity} lacks permission for this on ${f.resource ? `the ${f.resource}` : "the vault"}. With Azure RBAC, ` +
    'grant it "Key Vault Certificates Officer" on the vault; with access policies, give it the certificate ' +
    'permissions "get" and "update". Then run `pulumi up` again.'
  );
}

function firstLines(text: string): string {
  const oneLine = text.replace(/\s*\r?\n\s*/g, " ").trim();
  return oneLine.length > 600 ? `${oneLine.slice(0, 600)}...` : oneLine;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

/**
 * What an ARM or Key Vault path is about, for messages: `certificate "web" of
 * Microsoft.ApiManagement/service "apim" (resource group "rg", subscription ...)`, or `certificate "web" (its policy) in
 * vault https://...`. `undefined` when the path says nothing recognisable.
 */
export function describePath(service: AzureService, path: string, vault?: string): string | undefined {
  const segments = path
    .split("?")[0]
    .split("/")
    .filter(Boolean)
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
  if (service === "keyVault") {
    const [collection, name, third] = segments;
    if (!collection || !name) return undefined;
    const kind = singular(collection);
    const where = vault ? ` in vault ${vault}` : "";
    if (third === "policy") return `${kind} "${name}" (its policy)${where}`;
    if (third) return `version ${third} of ${kind} "${name}"${where}`;
    return `${kind} "${name}"${where}`;
  }
  const lower = segments.map((s) => s.toLowerCase());
  const sub = segments[lower.indexOf("subscriptions") + 1];
  const rgIndex = lower.indexOf("resourcegroups");
  const rg = rgIndex >= 0 ? segments[rgIndex + 1] : undefined;
  const providers = lower.indexOf("providers");
  const scope = [
    rg && `resource group "${rg}"`,
    sub && lower.includes("subscriptions") && `subscription ${sub}`,
  ]
    .filter(Boolean)
    .join(", ");
  if (providers < 0 || !segments[providers + 1]) return scope || undefined;
  const namespace = segments[providers + 1];
  const pairs: [string, string][] = [];
  for (let i = providers + 2; i + 1 < segments.length; i += 2) pairs.push([segments[i], segments[i + 1]]);
  if (pairs.length === 0) return scope || undefined;
  const [first, ...rest] = pairs;
  const described = [`${namespace}/${first[0]} "${first[1]}"`];
  for (const [type, name] of rest) described.unshift(`${singular(type)} "${name}" of`);
  return `${described.join(" ")}${scope ? ` (${scope})` : ""}`;
}

function singular(type: string): string {
  return type.endsWith("ies") ? `${type.slice(0, -3)}y` : type.endsWith("s") ? type.slice(0, -1) : type;
}
