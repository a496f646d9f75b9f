/**
 * The `@azure/identity` credential the settings call for. `@azure/identity` is loaded only when a
 * credential is first needed, inside the provider process: it cannot be serialized into a dynamic
 * provider, and the program side never needs it.
 */
import type { TokenCredential, TokenCredentialOptions } from "@azure/identity";
import type { CredentialSettings, TransportSettings } from "./settings";

/** Names the identity in error messages: the credential kind and the client id, never a secret. */
export function describeCredential(c: CredentialSettings): string {
  switch (c.kind) {
    case "clientSecret":
      return `ClientSecretCredential (client id ${c.clientId}, tenant ${c.tenantId})`;
    case "workloadIdentity":
      return `WorkloadIdentityCredential (client id ${c.clientId}, tenant ${c.tenantId})`;
    case "clientAssertion":
      return `ClientAssertionCredential from azure-native:oidcToken (client id ${c.clientId}, tenant ${c.tenantId})`;
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
export function requestTimeoutPolicy(timeoutMs: number): AdditionalPolicy {
  return {
    position: "perRetry",
    policy: {
      name: "pulumiAzureCertsRequestTimeout",
      sendRequest(request, next) {
        if (!(request.timeout > 0)) request.timeout = timeoutMs;
        return next(request);
      },
    },
  };
}

/** Creates the credential. Called once per transport, at the first token request. */
export function createCredential(settings: TransportSettings): TokenCredential {
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
