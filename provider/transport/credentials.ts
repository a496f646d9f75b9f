/**
 * The `@azure/identity` credential the settings call for. `@azure/identity` is loaded only when a
 * credential is first needed, inside the provider process: it cannot be serialized into a dynamic
 * provider, and the program side never needs it.
 */
import { AsyncLocalStorage } from "async_hooks";
import type {
  ClientAssertionCredentialOptions,
  TokenCredential,
  TokenCredentialOptions,
} from "@azure/identity";
import { requestIdToken } from "./oidc-request";
import type { CredentialSettings, TransportSettings } from "./settings";

/** Names the identity in error messages: the credential kind and the client id, never a secret. */
export function describeCredential(c: CredentialSettings): string {
  switch (c.kind) {
    case "clientSecret":
      return `ClientSecretCredential (client id ${c.clientId}, tenant ${c.tenantId})`;
    case "clientCertificate":
      return `ClientCertificateCredential from azure-native:clientCertificatePath (client id ${c.clientId}, tenant ${c.tenantId})`;
    case "workloadIdentity":
      return `WorkloadIdentityCredential (client id ${c.clientId}, tenant ${c.tenantId})`;
    case "clientAssertion":
      return `ClientAssertionCredential from azure-native:oidcToken (client id ${c.clientId}, tenant ${c.tenantId})`;
    case "oidcRequest":
      return `ClientAssertionCredential with an ID token from ${c.urlSource} (client id ${c.clientId}, tenant ${c.tenantId})`;
    case "managedIdentity":
      return (
        "ManagedIdentityCredential (" +
        (c.clientId ? `user-assigned, client id ${c.clientId}` : "system-assigned") +
        (c.msiEndpoint ? `, endpoint ${c.msiEndpoint}` : "") +
        ")"
      );
    case "default": {
      const parts = [c.clientId && `client id ${c.clientId}`, c.tenantId && `tenant ${c.tenantId}`].filter(
        Boolean,
      );
      return (
        "DefaultAzureCredential (environment, workload identity, managed identity or Azure CLI" +
        (parts.length > 0 ? `; ${parts.join(", ")}` : "") +
        ")"
      );
    }
  }
}

/** The secrets a credential setting holds, for the transport's scrubber. */
export function credentialSecrets(c: CredentialSettings): string[] {
  switch (c.kind) {
    case "clientSecret":
      return [c.clientSecret];
    case "clientAssertion":
      return [c.assertion];
    case "oidcRequest":
      return [c.requestToken];
    case "clientCertificate":
      return c.certificatePassword ? [c.certificatePassword] : [];
    default:
      return [];
  }
}

/** A credential that cannot be set up (certificate unreadable, conflicting settings); says what to check. */
export class CredentialSetupError extends Error {
  override readonly name = "CredentialSetupError";
}

/** Hooks the transport gives the credential it creates. */
interface CredentialHooks {
  /** A secret obtained while getting tokens (an ID token), to scrub from messages. */
  onSecret?(value: string): void;
}

/** Variables MSAL reads to pick a managed identity source other than IMDS (ManagedIdentityClient). */
const OTHER_MSI_SOURCES = [
  "IDENTITY_ENDPOINT",
  "IDENTITY_HEADER",
  "IDENTITY_SERVER_THUMBPRINT",
  "IMDS_ENDPOINT",
  "MSI_ENDPOINT",
  "MSI_SECRET",
];

/**
 * Points MSAL's IMDS source at `msiEndpoint`. MSAL reads the address only from the process
 * environment (`AZURE_POD_IDENTITY_AUTHORITY_HOST`, `Imds.tryCreate`), and picks a source once per
 * process (`ManagedIdentityClient.identitySource` is static): so the variable is set before the
 * first managed identity token request, and an environment that would make MSAL pick App Service,
 * Arc, Cloud Shell or Service Fabric instead is refused rather than silently winning.
 */
function pointImdsAt(msiEndpoint: string, env: NodeJS.ProcessEnv = process.env): void {
  const others = OTHER_MSI_SOURCES.filter((v) => env[v] !== undefined);
  if (others.length > 0) {
    throw new CredentialSetupError(
      `azure-native:msiEndpoint (ARM_MSI_ENDPOINT) is set, but so is ${others.join(", ")}, which makes ` +
        "@azure/identity use another managed identity source than IMDS: unset one of them.",
    );
  }
  env.AZURE_POD_IDENTITY_AUTHORITY_HOST = msiEndpoint;
}

/**
 * The PEM (certificate chain and unencrypted key) @azure/identity's ClientCertificateCredential
 * wants, made in memory from azure-native's PFX. Nothing is written to disk.
 */
function certificatePem(c: Extract<CredentialSettings, { kind: "clientCertificate" }>): string {
  // Loaded here: node-forge is not needed unless a certificate is used.
  const pki = require("../pki") as typeof import("../pki");
  const fs = require("fs") as typeof import("fs");
  const key = "azure-native:clientCertificatePath (ARM_CLIENT_CERTIFICATE_PATH)";
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(c.certificatePath);
  } catch (e) {
    throw new CredentialSetupError(
      `${key}: cannot read ${c.certificatePath} (${(e as NodeJS.ErrnoException).code ?? "error"}).`,
    );
  }
  let bundle: import("../pki").CertificateBundle;
  try {
    const text = bytes.toString("utf8");
    bundle = text.includes("-----BEGIN ")
      ? pki.parsePem(text, c.certificatePassword)
      : pki.parsePfx(bytes, c.certificatePassword ?? "");
  } catch (e) {
    const reason = (e as { reason?: string }).reason;
    throw new CredentialSetupError(
      reason === "password"
        ? `${key}: ${c.certificatePath} could not be opened with azure-native:clientCertificatePassword ` +
            "(ARM_CLIENT_CERTIFICATE_PASSWORD): the password is wrong or missing."
        : `${key}: ${c.certificatePath} is not a readable PFX (PKCS#12) file.`,
    );
  }
  if (!bundle.privateKey)
    throw new CredentialSetupError(`${key}: ${c.certificatePath} holds no private key.`);
  return pki.toPemBundle(bundle);
}

/** One entry of `additionalPolicies` (the type of `@azure/core-client`, reached through identity's options). */
type AdditionalPolicy = NonNullable<TokenCredentialOptions["additionalPolicies"]>[number];

/**
 * Gives every HTTP request of the credential's pipeline (MSAL's discovery and token requests go
 * through @azure/identity's `IdentityClient`) a time limit of `timeoutMs`, unless the credential set
 * a limit of its own (the managed identity probe sets 1 s). `getToken`'s `abortSignal` does not
 * reach those requests: MSAL takes no signal, and `IdentityClient` gives each request a signal of
 * its own that nothing aborts. Without this, a token endpoint that never answers holds the socket
 * open after the transport has given up on the request. An aborted request is not retried by the
 * pipeline (its retry policy rethrows anything that is not a `RestError`, and `AbortError` is not).
 */
function requestTimeoutPolicy(timeoutMs: number): AdditionalPolicy {
  return {
    position: "perRetry",
    policy: {
      name: "pulumiAzureCertsRequestTimeout",
      async sendRequest(request, next) {
        if (!(request.timeout > 0)) request.timeout = timeoutMs;
        // Per retry: every HTTP request the pipeline sends for the token, its own retries included.
        const count = /\/token$/i.test(new URL(request.url).pathname)
          ? tokenRequestCount.getStore()
          : undefined;
        if (count) count.requests++;
        const response = await next(request);
        if (count) count.lastStatus = response.status;
        return response;
      },
    },
  };
}

/** What one `getToken` call sent, counted by {@link requestTimeoutPolicy}. */
export interface TokenRequestCount {
  /** HTTP requests to a token endpoint (`.../token`), the pipeline's retries included. */
  requests: number;
  /** The status of the last answer, if any came. */
  lastStatus?: number;
}

/**
 * The count of the `getToken` call running in this async context. @azure/identity's pipeline
 * retries answers (5xx, 429, 408) inside one `getToken`, invisibly to its caller; the policy above
 * runs in that call's async context (MSAL and the pipeline only chain promises), so it can count
 * them for the message that reports the failure. Credentials that replace `additionalPolicies`
 * (managed identity) are not counted: the count stays 0.
 */
const tokenRequestCount = new AsyncLocalStorage<TokenRequestCount>();

/** Runs `fn` (a `getToken` call) with a fresh {@link TokenRequestCount} that it fills in. */
export function countingTokenRequests<T>(count: TokenRequestCount, fn: () => Promise<T>): Promise<T> {
  return tokenRequestCount.run(count, fn);
}

/** Creates the credential. Called once per transport, at the first token request. */
export function createCredential(settings: TransportSettings, hooks: CredentialHooks = {}): TokenCredential {
  // Loaded here, not at module scope: see the file comment.
  const identity = require("@azure/identity") as typeof import("@azure/identity");
  const common = {
    authorityHost: settings.authorityHost,
    disableInstanceDiscovery: settings.disableInstanceDiscovery,
    additionallyAllowedTenants: settings.additionallyAllowedTenants,
    // The pipeline's own retries (3 for these credentials, 5 for managed identity) stay: they cover
    // answers (408, 429, 5xx) and connection failures, which the transport does not retry for
    // tokens; the transport retries only requests that did not answer in time. See the README.
    additionalPolicies: [requestTimeoutPolicy(settings.requestTimeoutMs)],
  };
  const c = settings.credential;
  switch (c.kind) {
    case "clientSecret":
      return new identity.ClientSecretCredential(c.tenantId, c.clientId, c.clientSecret, common);
    case "clientCertificate":
      return new identity.ClientCertificateCredential(
        c.tenantId,
        c.clientId,
        { certificate: certificatePem(c) },
        common,
      );
    case "oidcRequest":
      return idTokenExchangeCredential(identity, c, settings.requestTimeoutMs, hooks, common);
    case "managedIdentity":
      if (c.msiEndpoint) pointImdsAt(c.msiEndpoint);
      // authorityHost and instance discovery do not apply; the pipeline options do.
      return new identity.ManagedIdentityCredential({
        ...(c.clientId ? { clientId: c.clientId } : {}),
        additionalPolicies: common.additionalPolicies,
      });
    case "workloadIdentity":
      return new identity.WorkloadIdentityCredential({
        ...common,
        tenantId: c.tenantId,
        clientId: c.clientId,
        tokenFilePath: c.tokenFilePath,
      });
    case "clientAssertion": {
      const assertion = c.assertion;
      return new identity.ClientAssertionCredential(c.tenantId, c.clientId, async () => assertion, common);
    }
    case "default":
      return new identity.DefaultAzureCredential({
        ...common,
        tenantId: c.tenantId,
        managedIdentityClientId: c.clientId,
        workloadIdentityClientId: c.clientId,
      });
  }
}

/**
 * A credential that exchanges an ID token requested from a CI endpoint (GitHub Actions'
 * `ACTIONS_ID_TOKEN_REQUEST_URL`) for an Entra ID token.
 */
function idTokenExchangeCredential(
  identity: typeof import("@azure/identity"),
  c: Extract<CredentialSettings, { kind: "oidcRequest" }>,
  requestTimeoutMs: number,
  hooks: CredentialHooks,
  options: ClientAssertionCredentialOptions,
): TokenCredential {
  const request = {
    requestUrl: c.requestUrl,
    requestToken: c.requestToken,
    audience: c.audience,
    urlSource: c.urlSource,
    tokenSource: c.tokenSource,
  };
  // MSAL Node 7 calls the assertion callback twice per acquireTokenByClientCredential (for the
  // request's assertion and again for the app's configured one), before looking at its cache.
  // One ID token per getToken call: each Entra exchange gets a fresh, short-lived ID token,
  // and GitHub is asked once for it, not twice.
  let call = 0;
  let current: { call: number; idToken: Promise<string> } | undefined;
  const assertion = (): Promise<string> => {
    if (current?.call !== call) {
      current = {
        call,
        idToken: requestIdToken(request, idTokenTimeoutMs(requestTimeoutMs), hooks.onSecret),
      };
    }
    return current.idToken;
  };
  const credential = new identity.ClientAssertionCredential(c.tenantId, c.clientId, assertion, options);
  return {
    getToken: (scopes, getTokenOptions) => {
      call++;
      return credential.getToken(scopes, getTokenOptions);
    },
  };
}

/**
 * The time limit of the ID-token request: half of `requestTimeoutMs`, so that the ID token and the
 * Entra exchange it feeds fit in one token request's limit and a hung CI endpoint is reported as
 * such (naming its setting) rather than as a silent Entra ID.
 */
function idTokenTimeoutMs(requestTimeoutMs: number): number {
  return Math.max(1, Math.floor(requestTimeoutMs / 2));
}
