import * as pulumi from "@pulumi/pulumi";

/** `azure-native:*` keys that name a credential (or a way to get one). */
const CREDENTIAL_CONFIG = [
  "clientId",
  "clientSecret",
  "useOidc",
  "useMsi",
  "clientCertificatePath",
  "oidcToken",
  "oidcTokenFilePath",
  "useDefaultAzureCredential",
] as const;

/** The variables the transport reads for a credential (provider/transport/settings.ts). */
const CREDENTIAL_ENV = [
  "ARM_CLIENT_ID",
  "AZURE_CLIENT_ID",
  "ARM_CLIENT_SECRET",
  "AZURE_CLIENT_SECRET",
  "ARM_CLIENT_CERTIFICATE_PATH",
  "ARM_USE_OIDC",
  "ARM_OIDC_TOKEN",
  "ARM_OIDC_TOKEN_FILE_PATH",
  "AZURE_FEDERATED_TOKEN_FILE",
  "ARM_OIDC_REQUEST_URL",
  "ARM_OIDC_REQUEST_TOKEN",
  "ARM_USE_MSI",
  "ARM_MSI_ENDPOINT",
  "ARM_USE_DEFAULT_AZURE_CREDENTIAL",
] as const;

export const NO_CREDENTIALS_WARNING =
  "no Azure credentials are configured for this stack: `pulumi up` will try DefaultAzureCredential " +
  "(managed identity, Azure CLI); set azure-native:clientId with azure-native:clientSecret (secret), " +
  "azure-native:useOidc or azure-native:useMsi (or the ARM_* / AZURE_* variables) to choose one (see README " +
  "Authentication).";

/** The runs already warned about: the SDK's per-run store (inline programs share one process). */
const warned = new WeakSet<object>();
let warnedWithoutStore = false;

function runStore(): object | undefined {
  try {
    const state = require("@pulumi/pulumi/runtime/state") as { getStore?: () => unknown };
    const store = state.getStore?.();
    return typeof store === "object" && store !== null ? store : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the stack configuration or the environment names any credential (no network call). */
function credentialsConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  const fromConfig = CREDENTIAL_CONFIG.some(
    (key) => (pulumi.runtime.getConfig(`azure-native:${key}`) ?? "").trim() !== "",
  );
  return fromConfig || CREDENTIAL_ENV.some((name) => (env[name] ?? "").trim() !== "");
}

/**
 * At preview, once per program run: a warning when no credential is configured at all, so that the
 * `up` that would fail is announced before it. Never fails the preview.
 */
export function warnIfNoCredentials(resource: pulumi.Resource): void {
  if (!pulumi.runtime.isDryRun()) return;
  const store = runStore();
  if (store ? warned.has(store) : warnedWithoutStore) return;
  if (store) warned.add(store);
  else warnedWithoutStore = true;
  if (credentialsConfigured()) return;
  void pulumi.log.warn(NO_CREDENTIALS_WARNING, resource);
}
