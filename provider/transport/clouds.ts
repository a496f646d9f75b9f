/**
 * The Azure clouds this package can talk to: where ARM lives, which audience its tokens carry, where
 * Entra ID issues them, and under which DNS suffix Key Vaults live.
 */
import { AzureCertsError } from "./errors";

/** One sovereign cloud. Endpoint overrides (a local emulator) change endpoints, never audiences. */
export interface AzureCloud {
  /** The name Azure CLI and ARM use: `AzureCloud`, `AzureChinaCloud` or `AzureUSGovernment`. */
  readonly name: AzureCloudName;
  /** Resource Manager endpoint, without a trailing slash. */
  readonly armEndpoint: string;
  /** The scope to ask Entra ID for when calling ARM. */
  readonly armScope: string;
  /** Entra ID authority host, without a trailing slash. */
  readonly authorityHost: string;
  /** Every vault of the cloud lives under this DNS suffix (`{vault}.vault.azure.net`). */
  readonly keyVaultDnsSuffix: string;
  /** The Key Vault audience (`resource=` of its challenge); the scope is this plus `/.default`. */
  readonly keyVaultResource: string;
}

export type AzureCloudName = "AzureCloud" | "AzureChinaCloud" | "AzureUSGovernment";

/** Endpoints as published by Azure (`az cloud show`, `AzureAuthorityHosts` in @azure/identity). */
export const AZURE_CLOUDS: Readonly<Record<AzureCloudName, AzureCloud>> = {
  AzureCloud: {
    name: "AzureCloud",
    armEndpoint: "https://management.azure.com",
    armScope: "https://management.azure.com/.default",
    authorityHost: "https://login.microsoftonline.com",
    keyVaultDnsSuffix: "vault.azure.net",
    keyVaultResource: "https://vault.azure.net",
  },
  AzureChinaCloud: {
    name: "AzureChinaCloud",
    armEndpoint: "https://management.chinacloudapi.cn",
    armScope: "https://management.chinacloudapi.cn/.default",
    authorityHost: "https://login.chinacloudapi.cn",
    keyVaultDnsSuffix: "vault.azure.cn",
    keyVaultResource: "https://vault.azure.cn",
  },
  AzureUSGovernment: {
    name: "AzureUSGovernment",
    armEndpoint: "https://management.usgovcloudapi.net",
    armScope: "https://management.usgovcloudapi.net/.default",
    authorityHost: "https://login.microsoftonline.us",
    keyVaultDnsSuffix: "vault.usgovcloudapi.net",
    keyVaultResource: "https://vault.usgovcloudapi.net",
  },
};

// The names azure-native (`public`, `china`, `usgovernment`), Azure CLI and ARM use for each cloud.
const ALIASES: Record<string, AzureCloudName> = {
  public: "AzureCloud",
  azurecloud: "AzureCloud",
  azurepubliccloud: "AzureCloud",
  china: "AzureChinaCloud",
  azurechinacloud: "AzureChinaCloud",
  usgovernment: "AzureUSGovernment",
  usgov: "AzureUSGovernment",
  azureusgovernment: "AzureUSGovernment",
  azureusgovernmentcloud: "AzureUSGovernment",
};

/**
 * The cloud for a name as users write it in `azure-native:environment` or `ARM_ENVIRONMENT`
 * (case-insensitive); the public cloud when the name is empty. Throws on an unknown name, listing
 * the accepted ones, rather than sending credentials to the wrong cloud.
 */
export function cloudFor(name: string | undefined): AzureCloud {
  const key = (name ?? "").trim().toLowerCase();
  if (key === "") return AZURE_CLOUDS.AzureCloud;
  const cloud = ALIASES[key];
  if (!cloud) {
    throw new AzureCertsError(
      "InvalidConfiguration",
      `Unknown Azure environment "${name}". Use one of: public (AzureCloud), china (AzureChinaCloud), ` +
        "usgovernment (AzureUSGovernment).",
    );
  }
  return AZURE_CLOUDS[cloud];
}

/** `true` when an authority host is one MSAL knows without instance discovery (a public cloud). */
export function isKnownAuthorityHost(authorityHost: string): boolean {
  const host = hostOf(authorityHost);
  return (
    Object.values(AZURE_CLOUDS).some((c) => hostOf(c.authorityHost) === host) ||
    // Also published by @azure/identity (AzureAuthorityHosts) and MSAL's known-cloud list.
    host === "login.windows.net" ||
    host === "login.microsoft.com" ||
    host === "sts.windows.net"
  );
}

function hostOf(url: string): string {
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return url.toLowerCase();
  }
}
