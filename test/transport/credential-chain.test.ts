import { AggregateAuthenticationError, CredentialUnavailableError } from "@azure/identity";
import { authenticationMessage, summarizeCredentialChain } from "../../provider/transport/messages";

// The errors DefaultAzureCredential's chain throws on a machine with no identity, as @azure/identity
// 4.x words them (its own error classes).
const chain = new AggregateAuthenticationError(
  [
    new CredentialUnavailableError(
      "EnvironmentCredential is unavailable. No underlying credential could be used. To troubleshoot, visit https://aka.ms/azsdk/js/identity/environmentcredential/troubleshoot.",
    ),
    new CredentialUnavailableError(
      'WorkloadIdentityCredential: is unavailable. tenantId, clientId, and federatedTokenFilePath are required parameters. In DefaultAzureCredential and ManagedIdentityCredential, these can be provided as environment variables - "AZURE_TENANT_ID", "AZURE_CLIENT_ID" and "AZURE_FEDERATED_TOKEN_FILE". See the troubleshooting guide for more information: https://aka.ms/azsdk/js/identity/workloadidentitycredential/troubleshoot',
    ),
    new CredentialUnavailableError(
      "ManagedIdentityCredential: Authentication failed. Message Attempted to use the IMDS endpoint, but it is not available. Error(s): ...",
    ),
    new CredentialUnavailableError(
      "AzureCliCredential: Please run 'az login' from a command prompt to authenticate before using this credential.",
    ),
  ],
  "ChainedTokenCredential authentication failed.",
);

describe("a failed credential chain", () => {
  it("is summarised one credential per clause, without the SDK's links", () => {
    expect(summarizeCredentialChain(chain.errors)).toBe(
      "EnvironmentCredential: is unavailable; WorkloadIdentityCredential: is unavailable; " +
        "ManagedIdentityCredential: Message Attempted to use the IMDS endpoint, but it is not available; " +
        "AzureCliCredential: Please run 'az login' from a command prompt to authenticate before using this credential",
    );
  });

  it("gives the advice once", () => {
    const message = authenticationMessage({
      scope: "https://management.azure.com/.default",
      identity: "DefaultAzureCredential (environment, workload identity, managed identity or Azure CLI)",
      credentialKind: "default",
      detail: `every credential of the chain failed: ${summarizeCredentialChain(chain.errors)}.`,
    });
    expect(message.match(/No configured credential worked/g)).toHaveLength(1);
    expect(message).not.toMatch(/aka\.ms|AggregateAuthenticationError|CredentialUnavailableError/);
    expect(message).toMatch(/every credential of the chain failed: EnvironmentCredential: is unavailable;/);
  });
});
