/**
 * Turns the stack configuration (as the dynamic provider's `configure(req)` sees it) and the
 * environment into the transport's settings. Pure: no credential is created and nothing is read
 * from disk here, so it is cheap to call and easy to test.
 *
 * Precedence for each value: this package's own key (`azure-certs:*`, endpoints and limits only),
 * then the Azure native provider's key (`azure-native:*`), then `ARM_*`, then `AZURE_*` variables.
 */
import { cloudFor, isKnownAuthorityHost, type AzureCloud } from "./clouds";
import type { RetryOptions } from "./retry";

/** Anything with a `get(key)`: `pulumi.dynamic.ConfigureRequest.config`, or a plain map. */
export interface ConfigSource {
  get(key: string): unknown;
}

/** Which kind of credential the settings call for (created later, at call time). */
export type CredentialSettings =
  | { kind: "clientSecret"; tenantId: string; clientId: string; clientSecret: string }
  | { kind: "workloadIdentity"; tenantId: string; clientId: string; tokenFilePath: string }
  | { kind: "clientAssertion"; tenantId: string; clientId: string; assertion: string }
  | { kind: "default"; tenantId?: string; clientId?: string };

export type LogLevel = "off" | "error" | "warn" | "info" | "debug";

/** Everything the transport needs to know, resolved from config and environment. */
export interface TransportSettings {
  /** The cloud whose audiences and vault suffix apply. */
  cloud: AzureCloud;
  /** ARM endpoint actually called (the cloud's, or `azure-certs:armEndpoint`), no trailing slash. */
  armEndpoint: string;
  /** Entra ID authority host actually used, no trailing slash. */
  authorityHost: string;
  /** Skip MSAL instance discovery: needed for any authority host that is not a public cloud's. */
  disableInstanceDiscovery: boolean;
  credential: CredentialSettings;
  /** Tenants other than the configured one that tokens may be requested for (Key Vault challenges). */
  additionallyAllowedTenants: string[];
  /** Subscription from `azure-native:subscriptionId` / `ARM_SUBSCRIPTION_ID` / `AZURE_SUBSCRIPTION_ID`. */
  subscriptionId?: string;
  /** Vault hosts outside the cloud's vault suffix that may receive Key Vault tokens. */
  trustedVaultHosts: string[];
  /** Allow plain `http://` to loopback hosts (never anywhere else). */
  allowHttp: boolean;
  retry: RetryOptions;
  /** Overall time allowed for one call, retries and waits included. */
  deadlineMs: number;
  /** Time allowed for a single attempt (and for a single token request). */
  requestTimeoutMs: number;
  logLevel: LogLevel;
}

/** The package's own config namespace. */
export const CONFIG_NAMESPACE = "azure-certs";

/** Defaults of the `azure-certs:*` limits (documented in README.md). */
export const DEFAULTS = {
  maxRetries: 5,
  retryDelayMs: 1000,
  maxRetryDelayMs: 60_000,
  deadlineMs: 300_000,
  requestTimeoutMs: 60_000,
  logLevel: "warn" as LogLevel,
};

const LOG_LEVELS: readonly LogLevel[] = ["off", "error", "warn", "info", "debug"];

/**
 * Resolves settings from a config source and an environment. Throws an `Error` naming the key
 * when a value is invalid or a credential is half configured.
 */
export function resolveSettings(
  config: ConfigSource,
  env: NodeJS.ProcessEnv = process.env,
): TransportSettings {
  const read = (key: string): string | undefined => asString(config.get(key), key);
  const own = (name: string) => read(`${CONFIG_NAMESPACE}:${name}`);
  const native = (name: string, ...envNames: string[]): string | undefined => {
    const fromConfig = read(`azure-native:${name}`);
    if (fromConfig !== undefined) return fromConfig;
    for (const e of envNames) {
      const v = env[e]?.trim();
      if (v) return v;
    }
    return undefined;
  };

  const cloud = cloudFor(native("environment", "ARM_ENVIRONMENT", "AZURE_ENVIRONMENT"));
  const armEndpoint = endpoint(own("armEndpoint") ?? cloud.armEndpoint, `${CONFIG_NAMESPACE}:armEndpoint`);
  const authorityHost = endpoint(
    own("authorityHost") ?? (env.AZURE_AUTHORITY_HOST?.trim() || undefined) ?? cloud.authorityHost,
    `${CONFIG_NAMESPACE}:authorityHost`,
  );
  const disableInstanceDiscovery =
    parseBool(native("disableInstanceDiscovery"), "azure-native:disableInstanceDiscovery") === true ||
    !isKnownAuthorityHost(authorityHost);

  const tenantId = native("tenantId", "ARM_TENANT_ID", "AZURE_TENANT_ID");
  const clientId = native("clientId", "ARM_CLIENT_ID", "AZURE_CLIENT_ID");
  const clientSecret = native("clientSecret", "ARM_CLIENT_SECRET", "AZURE_CLIENT_SECRET");
  const tokenFilePath = native("oidcTokenFilePath", "ARM_OIDC_TOKEN_FILE_PATH", "AZURE_FEDERATED_TOKEN_FILE");
  const assertion = native("oidcToken", "ARM_OIDC_TOKEN");

  const credential = chooseCredential({ tenantId, clientId, clientSecret, tokenFilePath, assertion });

  const additionallyAllowedTenants = [
    ...parseList(read("azure-native:auxiliaryTenantIds"), "azure-native:auxiliaryTenantIds"),
    ...parseList(env.ARM_AUXILIARY_TENANT_IDS, "ARM_AUXILIARY_TENANT_IDS"),
    ...parseList(env.AZURE_ADDITIONALLY_ALLOWED_TENANTS, "AZURE_ADDITIONALLY_ALLOWED_TENANTS"),
    ...parseList(own("additionallyAllowedTenants"), `${CONFIG_NAMESPACE}:additionallyAllowedTenants`),
  ];

  const logLevel = (own("logLevel") ?? DEFAULTS.logLevel).toLowerCase() as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new Error(
      `${CONFIG_NAMESPACE}:logLevel must be one of ${LOG_LEVELS.join(", ")}; got "${logLevel}".`,
    );
  }

  return {
    cloud,
    armEndpoint,
    authorityHost,
    disableInstanceDiscovery,
    credential,
    additionallyAllowedTenants: [...new Set(additionallyAllowedTenants)],
    subscriptionId: native("subscriptionId", "ARM_SUBSCRIPTION_ID", "AZURE_SUBSCRIPTION_ID"),
    trustedVaultHosts: parseList(own("trustedVaultHosts"), `${CONFIG_NAMESPACE}:trustedVaultHosts`),
    allowHttp: parseBool(own("allowHttp"), `${CONFIG_NAMESPACE}:allowHttp`) ?? false,
    retry: {
      maxRetries: parseInteger(own("maxRetries"), "maxRetries", DEFAULTS.maxRetries, 0),
      retryDelayMs: parseInteger(own("retryDelayMs"), "retryDelayMs", DEFAULTS.retryDelayMs, 0),
      maxRetryDelayMs: parseInteger(own("maxRetryDelayMs"), "maxRetryDelayMs", DEFAULTS.maxRetryDelayMs, 0),
    },
    deadlineMs: parseInteger(own("deadlineMs"), "deadlineMs", DEFAULTS.deadlineMs, 1),
    requestTimeoutMs: parseInteger(own("requestTimeoutMs"), "requestTimeoutMs", DEFAULTS.requestTimeoutMs, 1),
    logLevel,
  };
}

/** A {@link ConfigSource} over a plain object of `namespace:key` → value. */
export function configFromRecord(values: Record<string, unknown>): ConfigSource {
  return { get: (key) => values[key] };
}

interface CredentialInputs {
  tenantId?: string;
  clientId?: string;
  clientSecret?: string;
  tokenFilePath?: string;
  assertion?: string;
}

/**
 * A client secret wins, then a federated token file (workload identity), then a literal OIDC
 * token; anything else is left to `DefaultAzureCredential`. A secret or federated token without
 * its client id or tenant is an error rather than a silent fall-back to another identity.
 */
function chooseCredential(c: CredentialInputs): CredentialSettings {
  const requireBoth = (what: string): { tenantId: string; clientId: string } => {
    const missing = [
      c.clientId ? undefined : "azure-native:clientId (or ARM_CLIENT_ID / AZURE_CLIENT_ID)",
      c.tenantId ? undefined : "azure-native:tenantId (or ARM_TENANT_ID / AZURE_TENANT_ID)",
    ].filter(Boolean);
    if (missing.length > 0) {
      throw new Error(`${what} is configured, but ${missing.join(" and ")} is missing.`);
    }
    return { tenantId: c.tenantId!, clientId: c.clientId! };
  };
  if (c.clientSecret) {
    return {
      kind: "clientSecret",
      ...requireBoth("A client secret (azure-native:clientSecret / ARM_CLIENT_SECRET / AZURE_CLIENT_SECRET)"),
      clientSecret: c.clientSecret,
    };
  }
  if (c.tokenFilePath) {
    return {
      kind: "workloadIdentity",
      ...requireBoth(
        "A federated token file (azure-native:oidcTokenFilePath / ARM_OIDC_TOKEN_FILE_PATH / AZURE_FEDERATED_TOKEN_FILE)",
      ),
      tokenFilePath: c.tokenFilePath,
    };
  }
  if (c.assertion) {
    return {
      kind: "clientAssertion",
      ...requireBoth("An OIDC token (azure-native:oidcToken / ARM_OIDC_TOKEN)"),
      assertion: c.assertion,
    };
  }
  return { kind: "default", tenantId: c.tenantId, clientId: c.clientId };
}

/** Config values arrive as strings from the engine; tests and programs may pass real values. */
function asString(value: unknown, key: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value.trim() === "" ? undefined : value.trim();
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return JSON.stringify(value);
  throw new Error(`Configuration key ${key} must be a string, number, boolean or list.`);
}

function endpoint(value: string, key: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== "https:" && url.protocol !== "http:")) {
    throw new Error(`${key} must be an absolute URL such as https://localhost:8443; got "${value}".`);
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new Error(`${key} must not carry a query, fragment or user info.`);
  }
  return `${url.protocol}//${url.host}${url.pathname}`.replace(/\/+$/, "");
}

/** A list as a JSON array (`["a","b"]`) or separated by commas, semicolons or whitespace. */
function parseList(value: string | undefined, key: string): string[] {
  if (value === undefined) return [];
  const text = value.trim();
  if (text.startsWith("[")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new Error(`${key} must be a JSON list of strings or a comma-separated list.`);
    }
    if (!Array.isArray(parsed) || parsed.some((v) => typeof v !== "string")) {
      throw new Error(`${key} must be a list of strings.`);
    }
    return (parsed as string[]).map((s) => s.trim()).filter(Boolean);
  }
  return text
    .split(/[\s,;]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

function parseBool(value: string | undefined, key: string): boolean | undefined {
  if (value === undefined) return undefined;
  const v = value.toLowerCase();
  if (v === "true" || v === "1" || v === "yes") return true;
  if (v === "false" || v === "0" || v === "no") return false;
  throw new Error(`${key} must be true or false; got "${value}".`);
}

function parseInteger(value: string | undefined, name: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) {
    throw new Error(`${CONFIG_NAMESPACE}:${name} must be an integer >= ${min}; got "${value}".`);
  }
  return n;
}
