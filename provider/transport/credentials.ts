/**
 * The `@azure/identity` credential the settings call for. `@azure/identity` is loaded only when a
 * credential is first needed, inside the provider process: it cannot be serialized into a dynamic
 * provider, and the program side never needs it.
 */
import type { TokenCredential } from "@azure/identity";
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

/** Creates the credential. Called once per transport, at the first token request. */
export function createCredential(settings: TransportSettings): TokenCredential {
  // Loaded here, not at module scope: see the file comment.
  const identity = require("@azure/identity") as typeof import("@azure/identity");
  const common = {
    authorityHost: settings.authorityHost,
    disableInstanceDiscovery: settings.disableInstanceDiscovery,
    additionallyAllowedTenants: settings.additionallyAllowedTenants,
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
