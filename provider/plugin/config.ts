/**
 * The plugin's provider configuration (`azure-certs:*` in the stack, or the arguments of an
 * explicit `azure-certs` provider resource), turned into what `provider/transport/settings.ts`
 * reads. The dynamic resources' provider sees the whole stack configuration, so it takes
 * credentials from `azure-native:*`; a resource plugin only ever receives its own package's keys,
 * so the plugin offers the same credential settings under its own namespace and hands them on
 * under `azure-native:*`. `ARM_*` / `AZURE_*` environment variables work as for the dynamic resources.
 */
import type { ConfigSource } from "../transport/settings";

/** A provider setting: its type in the schema, whether it is secret, and what it does. */
export interface ConfigKey {
  type: "string" | "boolean" | "integer" | "array";
  secret?: boolean;
  description: string;
}

/** Keys that `settings.ts` reads as `azure-certs:<name>`: endpoints, trust and limits. */
export const OWN_KEYS: Record<string, ConfigKey> = {
  armEndpoint: {
    type: "string",
    description: "ARM endpoint to call instead of the cloud's (the emulator's, for example).",
  },
  authorityHost: {
    type: "string",
    description: "Entra ID authority host instead of the cloud's (also AZURE_AUTHORITY_HOST).",
  },
  trustedArmHosts: {
    type: "array",
    description: "ARM hosts besides the clouds' and loopback that armEndpoint may name (host or host:port).",
  },
  trustedAuthorityHosts: {
    type: "array",
    description: "Authority hosts besides the clouds' and loopback that authorityHost may name.",
  },
  trustedVaultHosts: {
    type: "array",
    description: "Vault hosts outside the cloud's vault DNS suffix that may receive Key Vault tokens.",
  },
  additionallyAllowedTenants: {
    type: "array",
    description:
      "Tenants besides the configured one that tokens may be requested for (Key Vault challenges).",
  },
  allowHttp: {
    type: "boolean",
    description: "Allow plain http:// to loopback hosts only (never elsewhere).",
  },
  maxRetries: { type: "integer", description: "Retries of a throttled or failed request (default 5)." },
  retryDelayMs: { type: "integer", description: "First retry delay in milliseconds (default 1000)." },
  maxRetryDelayMs: { type: "integer", description: "Longest retry delay in milliseconds (default 60000)." },
  deadlineMs: {
    type: "integer",
    description: "Time allowed for one call, retries and waits included, in milliseconds (default 300000).",
  },
  requestTimeoutMs: {
    type: "integer",
    description:
      "Time allowed for a single attempt, token requests included, in milliseconds (default 60000).",
  },
  logLevel: {
    type: "string",
    description: "off, error, warn (default), info or debug, on the plugin's stderr.",
  },
};

/**
 * Keys that `settings.ts` reads as `azure-native:<name>` (the dynamic resources share them with
 * the azure-native provider): the cloud, the subscription and the credential.
 */
export const CREDENTIAL_KEYS: Record<string, ConfigKey> = {
  environment: {
    type: "string",
    description: "The cloud: public (default), china or usgovernment (ARM_ENVIRONMENT).",
  },
  subscriptionId: {
    type: "string",
    description: "Default subscription of ApimCertificate (ARM_SUBSCRIPTION_ID / AZURE_SUBSCRIPTION_ID).",
  },
  tenantId: { type: "string", description: "Entra ID tenant (ARM_TENANT_ID / AZURE_TENANT_ID)." },
  clientId: {
    type: "string",
    description: "Client id of the service principal or identity (ARM_CLIENT_ID).",
  },
  clientSecret: { type: "string", secret: true, description: "Client secret (ARM_CLIENT_SECRET)." },
  clientCertificatePath: {
    type: "string",
    description: "A client certificate file, PFX or PEM (ARM_CLIENT_CERTIFICATE_PATH).",
  },
  clientCertificatePassword: {
    type: "string",
    secret: true,
    description: "Password of the client certificate (ARM_CLIENT_CERTIFICATE_PASSWORD).",
  },
  useDefaultAzureCredential: {
    type: "boolean",
    description: "Use the Azure SDK's DefaultAzureCredential chain (ARM_USE_DEFAULT_AZURE_CREDENTIAL).",
  },
  useOidc: {
    type: "boolean",
    description: "Log in with an OIDC token, workload identity federation (ARM_USE_OIDC).",
  },
  oidcToken: { type: "string", secret: true, description: "An OIDC token (ARM_OIDC_TOKEN)." },
  oidcTokenFilePath: {
    type: "string",
    description: "A file holding the OIDC token (ARM_OIDC_TOKEN_FILE_PATH / AZURE_FEDERATED_TOKEN_FILE).",
  },
  oidcRequestUrl: {
    type: "string",
    description: "Where to request an OIDC token, GitHub Actions' (ARM_OIDC_REQUEST_URL).",
  },
  oidcRequestToken: {
    type: "string",
    secret: true,
    description: "Bearer token for oidcRequestUrl (ARM_OIDC_REQUEST_TOKEN).",
  },
  oidcAudience: { type: "string", description: "Audience of the requested OIDC token (ARM_OIDC_AUDIENCE)." },
  useMsi: { type: "boolean", description: "Log in with a managed identity (ARM_USE_MSI)." },
  msiEndpoint: { type: "string", description: "Managed identity endpoint (ARM_MSI_ENDPOINT)." },
  disableInstanceDiscovery: {
    type: "boolean",
    description: "Skip MSAL instance discovery (ARM_DISABLE_INSTANCE_DISCOVERY).",
  },
  auxiliaryTenantIds: {
    type: "array",
    description: "Auxiliary tenants tokens may be requested for (ARM_AUXILIARY_TENANT_IDS).",
  },
};

/**
 * The configuration the provider modules' `configure` reads, from the plugin's own keys by their
 * bare names (`clientId`, `armEndpoint`: the Configure request's `args`, secrets unwrapped). A
 * name the plugin does not know is ignored, as the engine's own config check would let it pass.
 */
export function moduleConfig(args: Record<string, unknown>): ConfigSource & { keys: string[] } {
  const values: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(args)) {
    if (value === undefined || value === null) continue;
    if (name in OWN_KEYS) values[`azure-certs:${name}`] = value;
    else if (name in CREDENTIAL_KEYS) values[`azure-native:${name}`] = value;
  }
  return { get: (key) => values[key], keys: Object.keys(values) };
}

/**
 * The Configure request's `variables` (`azure-certs:config:<name>` → string, JSON for lists and
 * booleans) as bare names, for an engine that sends no `args`.
 */
/**
 * A message in the plugin's terms: the modules name credential keys as the dynamic resources read
 * them (`azure-native:clientId`), which a plugin user sets as `azure-certs:clientId`.
 */
export function inPluginTerms(message: string): string {
  return message.replace(/\bazure-native:([A-Za-z]+)\b/g, (whole, name: string) =>
    name in CREDENTIAL_KEYS ? `azure-certs:${name}` : whole,
  );
}

export function argsFromVariables(variables: Iterable<[string, string]>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of variables) {
    const m = /^azure-certs:config:(.+)$/.exec(key);
    if (m) out[m[1]] = value;
  }
  return out;
}
