/**
 * Turns the stack configuration (as the dynamic provider's `configure(req)` sees it) and the
 * environment into the transport's settings. Pure: no credential is created and nothing is read
 * from disk here, so it is cheap to call and easy to test.
 *
 * Precedence for each value: this package's own key (`azure-certs:*`, endpoints and limits only),
 * then the Azure native provider's key (`azure-native:*`), then `ARM_*`, then `AZURE_*` variables.
 */
import { isTrustedVaultHost } from "./challenge";
import { AZURE_CLOUDS, cloudFor, isKnownAuthorityHost, type AzureCloud } from "./clouds";
import { AzureCertsError } from "./errors";
import type { RetryOptions } from "./retry";

/** A configuration that cannot work; the message names the key (and where its value came from). */
function invalidConfiguration(message: string): AzureCertsError {
  return new AzureCertsError("InvalidConfiguration", message);
}

/** Anything with a `get(key)`: `pulumi.dynamic.ConfigureRequest.config`, or a plain map. */
export interface ConfigSource {
  get(key: string): unknown;
}

/** Which kind of credential the settings call for (created later, at call time). */
export type CredentialSettings =
  | { kind: "clientSecret"; tenantId: string; clientId: string; clientSecret: string }
  | {
      kind: "clientCertificate";
      tenantId: string;
      clientId: string;
      /** A PFX (PKCS#12) file, as azure-native takes it; a PEM file (certificate + key) is accepted too. */
      certificatePath: string;
      certificatePassword?: string;
    }
  | {
      kind: "workloadIdentity";
      tenantId: string;
      clientId: string;
      tokenFilePath: string;
      /** The setting that named the file, for messages. */
      source: string;
    }
  | { kind: "clientAssertion"; tenantId: string; clientId: string; assertion: string }
  | {
      kind: "oidcRequest";
      tenantId: string;
      clientId: string;
      /** GitHub Actions' `ACTIONS_ID_TOKEN_REQUEST_URL` (or `oidcRequestUrl`); `audience` is added to it. */
      requestUrl: string;
      /** Sent as `Authorization: Bearer ...` to `requestUrl`; a secret. */
      requestToken: string;
      /** Audience of the requested ID token; default `api://AzureADTokenExchange`. */
      audience: string;
      /** The settings that gave the URL and the token, for messages (names, never values). */
      urlSource: string;
      tokenSource: string;
    }
  | {
      kind: "managedIdentity";
      /** The configured tenant, if any (a managed identity's tokens come from its own tenant). */
      tenantId?: string;
      /** A user-assigned identity's client id; without it, the system-assigned identity. */
      clientId?: string;
      /** IMDS-style endpoint base (`https://host:port`), from `msiEndpoint`; default the platform's. */
      msiEndpoint?: string;
    }
  | { kind: "default"; tenantId?: string; clientId?: string };

/** The audience GitHub Actions (and Entra's federated credentials) use for the token exchange. */
export const TOKEN_EXCHANGE_AUDIENCE = "api://AzureADTokenExchange";

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
  /** ARM hosts other than the clouds' and loopback that `armEndpoint` may name (`host` or `host:port`). */
  trustedArmHosts: string[];
  /** Authority hosts other than the clouds' and loopback that `authorityHost` may name. */
  trustedAuthorityHosts: string[];
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
 * Resolves settings from a config source and an environment. Throws an `AzureCertsError`
 * (`InvalidConfiguration`) naming the key when a value is invalid or a credential is half
 * configured.
 */
export function resolveSettings(
  config: ConfigSource,
  env: NodeJS.ProcessEnv = process.env,
): TransportSettings {
  const r = settingReader(config, env);
  const endpoints = resolveEndpoints(r, env);
  const allowHttp = parseBool(r.own("allowHttp"), `${CONFIG_NAMESPACE}:allowHttp`) ?? false;
  const credential = chooseCredential(credentialInputs(r, env), allowHttp);
  // Managed identity is given no authority host (credentials.ts): an ambient AZURE_AUTHORITY_HOST
  // on such a machine is another tool's and must not fail this provider.
  if (credential.kind !== "managedIdentity")
    checkAuthorityHost(endpoints.authorityHost, endpoints.authoritySource, endpoints.trustedAuthorityHosts);
  const tenants = additionallyAllowedTenants(r, env);
  const logLevel = resolveLogLevel(r);
  return {
    cloud: endpoints.cloud,
    armEndpoint: endpoints.armEndpoint,
    authorityHost: endpoints.authorityHost,
    disableInstanceDiscovery: endpoints.disableInstanceDiscovery,
    credential,
    additionallyAllowedTenants: tenants,
    subscriptionId: r.native("subscriptionId", "ARM_SUBSCRIPTION_ID", "AZURE_SUBSCRIPTION_ID"),
    trustedVaultHosts: parseList(r.own("trustedVaultHosts"), `${CONFIG_NAMESPACE}:trustedVaultHosts`),
    trustedArmHosts: endpoints.trustedArmHosts,
    trustedAuthorityHosts: endpoints.trustedAuthorityHosts,
    allowHttp,
    ...resolveLimits(r),
    logLevel,
  };
}

/** Reads one setting, by precedence: see the module comment. */
interface SettingReader {
  /** Any config key, as a string. */
  read(key: string): string | undefined;
  /** `azure-certs:<name>`. */
  own(name: string): string | undefined;
  /** `azure-native:<name>`, else the first of `envNames` that is set. */
  native(name: string, ...envNames: string[]): string | undefined;
  /** The same, with the name of the setting it came from (config key or variable). */
  sourced(name: string, ...envNames: string[]): Sourced | undefined;
  /** A boolean `azure-native:<name>`, else `envName`; `false` when neither is set. */
  flag(name: string, envName: string): boolean;
}

function settingReader(config: ConfigSource, env: NodeJS.ProcessEnv): SettingReader {
  const read = (key: string): string | undefined => asString(config.get(key), key);
  const sourced = (name: string, ...envNames: string[]): Sourced | undefined => {
    const fromConfig = read(`azure-native:${name}`);
    if (fromConfig !== undefined) return { value: fromConfig, source: `azure-native:${name}` };
    for (const e of envNames) {
      const v = env[e]?.trim();
      if (v) return { value: v, source: e };
    }
    return undefined;
  };
  const native = (name: string, ...envNames: string[]) => sourced(name, ...envNames)?.value;
  return {
    read,
    own: (name) => read(`${CONFIG_NAMESPACE}:${name}`),
    native,
    sourced,
    flag: (name, envName) => parseBool(native(name, envName), `azure-native:${name} (${envName})`) === true,
  };
}

/** The cloud, the ARM endpoint and the authority host, each checked against where tokens may go. */
function resolveEndpoints(r: SettingReader, env: NodeJS.ProcessEnv) {
  const cloud = cloudFor(r.native("environment", "ARM_ENVIRONMENT", "AZURE_ENVIRONMENT"));
  const armEndpoint = endpoint(r.own("armEndpoint") ?? cloud.armEndpoint, `${CONFIG_NAMESPACE}:armEndpoint`);
  const ambientAuthority = env.AZURE_AUTHORITY_HOST?.trim() || undefined;
  const authoritySource =
    r.own("authorityHost") === undefined && ambientAuthority
      ? "AZURE_AUTHORITY_HOST"
      : `${CONFIG_NAMESPACE}:authorityHost`;
  const authorityHost = endpoint(
    r.own("authorityHost") ?? ambientAuthority ?? cloud.authorityHost,
    authoritySource,
  );
  const trustedArmHosts = parseList(r.own("trustedArmHosts"), `${CONFIG_NAMESPACE}:trustedArmHosts`);
  const trustedAuthorityHosts = parseList(
    r.own("trustedAuthorityHosts"),
    `${CONFIG_NAMESPACE}:trustedAuthorityHosts`,
  );
  checkArmEndpoint(armEndpoint, trustedArmHosts);
  const disableInstanceDiscovery =
    parseBool(
      r.native("disableInstanceDiscovery", "ARM_DISABLE_INSTANCE_DISCOVERY"),
      "azure-native:disableInstanceDiscovery (ARM_DISABLE_INSTANCE_DISCOVERY)",
    ) === true || !isKnownAuthorityHost(authorityHost);
  return {
    cloud,
    armEndpoint,
    authorityHost,
    authoritySource,
    trustedArmHosts,
    trustedAuthorityHosts,
    disableInstanceDiscovery,
  };
}

/** Every setting a login method may take, with where each came from. */
function credentialInputs(r: SettingReader, env: NodeJS.ProcessEnv): CredentialInputs {
  return {
    tenantId: r.native("tenantId", "ARM_TENANT_ID", "AZURE_TENANT_ID"),
    clientId: r.native("clientId", "ARM_CLIENT_ID", "AZURE_CLIENT_ID"),
    clientSecret: r.sourced("clientSecret", "ARM_CLIENT_SECRET", "AZURE_CLIENT_SECRET"),
    certificatePath: r.sourced("clientCertificatePath", "ARM_CLIENT_CERTIFICATE_PATH"),
    certificatePassword: r.sourced("clientCertificatePassword", "ARM_CLIENT_CERTIFICATE_PASSWORD"),
    useDefault: r.flag("useDefaultAzureCredential", "ARM_USE_DEFAULT_AZURE_CREDENTIAL"),
    useOidc: r.flag("useOidc", "ARM_USE_OIDC"),
    assertion: r.sourced("oidcToken", "ARM_OIDC_TOKEN"),
    tokenFilePath: r.sourced("oidcTokenFilePath", "ARM_OIDC_TOKEN_FILE_PATH"),
    ambientTokenFilePath: env.AZURE_FEDERATED_TOKEN_FILE?.trim() || undefined,
    requestUrl: r.sourced("oidcRequestUrl", "ARM_OIDC_REQUEST_URL"),
    requestToken: r.sourced("oidcRequestToken", "ARM_OIDC_REQUEST_TOKEN"),
    ambientRequestUrl: env.ACTIONS_ID_TOKEN_REQUEST_URL?.trim() || undefined,
    ambientRequestToken: env.ACTIONS_ID_TOKEN_REQUEST_TOKEN?.trim() || undefined,
    audience: r.sourced("oidcAudience", "ARM_OIDC_AUDIENCE"),
    useMsi: r.flag("useMsi", "ARM_USE_MSI"),
    msiEndpoint: r.sourced("msiEndpoint", "ARM_MSI_ENDPOINT"),
  };
}

/** Tenants a vault's challenge may name besides the configured one, from every setting that lists them. */
function additionallyAllowedTenants(r: SettingReader, env: NodeJS.ProcessEnv): string[] {
  const tenants = [
    ...parseList(r.read("azure-native:auxiliaryTenantIds"), "azure-native:auxiliaryTenantIds"),
    ...parseList(env.ARM_AUXILIARY_TENANT_IDS, "ARM_AUXILIARY_TENANT_IDS"),
    ...parseList(env.AZURE_ADDITIONALLY_ALLOWED_TENANTS, "AZURE_ADDITIONALLY_ALLOWED_TENANTS"),
    ...parseList(r.own("additionallyAllowedTenants"), `${CONFIG_NAMESPACE}:additionallyAllowedTenants`),
  ];
  return [...new Set(tenants)];
}

function resolveLogLevel(r: SettingReader): LogLevel {
  const logLevel = (r.own("logLevel") ?? DEFAULTS.logLevel).toLowerCase() as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw invalidConfiguration(
      `${CONFIG_NAMESPACE}:logLevel must be one of ${LOG_LEVELS.join(", ")}; got "${logLevel}".`,
    );
  }
  return logLevel;
}

/** Retries and time limits (`azure-certs:*` only). */
function resolveLimits(
  r: SettingReader,
): Pick<TransportSettings, "retry" | "deadlineMs" | "requestTimeoutMs"> {
  const integer = (name: Exclude<keyof typeof DEFAULTS, "logLevel">, min: number) =>
    parseInteger(r.own(name), name, DEFAULTS[name], min);
  return {
    retry: {
      maxRetries: integer("maxRetries", 0),
      retryDelayMs: integer("retryDelayMs", 0),
      maxRetryDelayMs: integer("maxRetryDelayMs", 0),
    },
    deadlineMs: integer("deadlineMs", 1),
    requestTimeoutMs: integer("requestTimeoutMs", 1),
  };
}

/** A {@link ConfigSource} over a plain object of `namespace:key` → value. */
export function configFromRecord(values: Record<string, unknown>): ConfigSource {
  return { get: (key) => values[key] };
}

/** A configured value and where it came from: a config key or an environment variable's name. */
interface Sourced {
  value: string;
  source: string;
}

interface CredentialInputs {
  tenantId?: string;
  clientId?: string;
  clientSecret?: Sourced;
  certificatePath?: Sourced;
  certificatePassword?: Sourced;
  useDefault: boolean;
  useOidc: boolean;
  assertion?: Sourced;
  tokenFilePath?: Sourced;
  /** `AZURE_FEDERATED_TOKEN_FILE`, which AKS workload identity sets for every pod. */
  ambientTokenFilePath?: string;
  requestUrl?: Sourced;
  requestToken?: Sourced;
  /** `ACTIONS_ID_TOKEN_REQUEST_URL` / `_TOKEN`, which GitHub sets for jobs with `id-token: write`. */
  ambientRequestUrl?: string;
  ambientRequestToken?: string;
  audience?: Sourced;
  useMsi: boolean;
  msiEndpoint?: Sourced;
}

const KEY_NAMES = {
  clientId: "azure-native:clientId (or ARM_CLIENT_ID / AZURE_CLIENT_ID)",
  tenantId: "azure-native:tenantId (or ARM_TENANT_ID / AZURE_TENANT_ID)",
  clientSecret: "azure-native:clientSecret (or ARM_CLIENT_SECRET / AZURE_CLIENT_SECRET)",
  certificatePath: "azure-native:clientCertificatePath (or ARM_CLIENT_CERTIFICATE_PATH)",
  certificatePassword: "azure-native:clientCertificatePassword (or ARM_CLIENT_CERTIFICATE_PASSWORD)",
  useOidc: "azure-native:useOidc (or ARM_USE_OIDC)",
  oidcToken: "azure-native:oidcToken (or ARM_OIDC_TOKEN)",
  oidcTokenFilePath:
    "azure-native:oidcTokenFilePath (or ARM_OIDC_TOKEN_FILE_PATH / AZURE_FEDERATED_TOKEN_FILE)",
  oidcRequestUrl: "azure-native:oidcRequestUrl (or ARM_OIDC_REQUEST_URL / ACTIONS_ID_TOKEN_REQUEST_URL)",
  oidcRequestToken:
    "azure-native:oidcRequestToken (or ARM_OIDC_REQUEST_TOKEN / ACTIONS_ID_TOKEN_REQUEST_TOKEN)",
  useMsi: "azure-native:useMsi (or ARM_USE_MSI)",
  msiEndpoint: "azure-native:msiEndpoint (or ARM_MSI_ENDPOINT)",
} as const;

/**
 * The credential, in the Azure native provider's order (`newSingleMethodAuthCredential` in
 * pulumi-azure-native), then this package's fall-backs:
 *
 * 1. `useDefaultAzureCredential` → DefaultAzureCredential;
 * 2. a client certificate (PFX) → ClientCertificateCredential;
 * 3. a client secret → ClientSecretCredential;
 * 4. `useOidc`: a literal `oidcToken`, else an `oidcTokenFilePath`, else an ID token requested from
 *    `oidcRequestUrl` with `oidcRequestToken` (GitHub Actions), else `AZURE_FEDERATED_TOKEN_FILE`;
 * 5. `useMsi` → ManagedIdentityCredential (`clientId` as the user-assigned identity, `msiEndpoint`);
 * 6. without `useOidc`: a federated token file (also AZURE_FEDERATED_TOKEN_FILE), then a literal
 *    OIDC token (this package has always read them without the flag);
 * 7. otherwise DefaultAzureCredential (environment, workload identity, managed identity, Azure CLI...).
 *
 * `useOidc` and `useMsi` say what the user wants, so they win over what the machine happens to
 * have (AZURE_CLIENT_SECRET, AZURE_FEDERATED_TOKEN_FILE, the managed identity probe of step 7):
 * with either flag set, only a secret or certificate given through `azure-native:*` or `ARM_*` comes
 * first, as in azure-native. A method that is chosen but half configured is an error naming what is
 * missing, never a silent fall-back to another identity.
 */
function chooseCredential(c: CredentialInputs, allowHttp: boolean): CredentialSettings {
  refuseStrayKeys(c);
  // With useOidc / useMsi, AZURE_* secrets are ambient (another tool's), not this stack's choice.
  const secret =
    (c.useOidc || c.useMsi) && c.clientSecret?.source === "AZURE_CLIENT_SECRET" ? undefined : c.clientSecret;
  if (c.useDefault) {
    return { kind: "default", tenantId: c.tenantId, clientId: c.clientId };
  }
  if (c.certificatePath) {
    return {
      kind: "clientCertificate",
      ...requireIds(
        c,
        "A client certificate (azure-native:clientCertificatePath / ARM_CLIENT_CERTIFICATE_PATH)",
      ),
      certificatePath: c.certificatePath.value,
      certificatePassword: c.certificatePassword?.value,
    };
  }
  if (secret) {
    return {
      kind: "clientSecret",
      ...requireIds(
        c,
        "A client secret (azure-native:clientSecret / ARM_CLIENT_SECRET / AZURE_CLIENT_SECRET)",
      ),
      clientSecret: secret.value,
    };
  }
  if (c.useOidc) return oidcCredential(c, allowHttp);
  if (c.useMsi) {
    return {
      kind: "managedIdentity",
      tenantId: c.tenantId,
      clientId: c.clientId,
      msiEndpoint: c.msiEndpoint ? msiEndpointBase(c.msiEndpoint, allowHttp) : undefined,
    };
  }
  return unflaggedCredential(c);
}

/** The client and tenant ids a method needs; an error naming the missing one(s) otherwise. */
function requireIds(c: CredentialInputs, what: string): { tenantId: string; clientId: string } {
  const missing = [
    c.clientId ? undefined : KEY_NAMES.clientId,
    c.tenantId ? undefined : KEY_NAMES.tenantId,
  ].filter(Boolean);
  if (missing.length > 0) {
    throw invalidConfiguration(`${what} is configured, but ${missing.join(" and ")} is missing.`);
  }
  return { tenantId: c.tenantId!, clientId: c.clientId! };
}

/** Keys that only make sense with another key or flag: an error rather than a key silently ignored. */
function refuseStrayKeys(c: CredentialInputs): void {
  if (c.certificatePassword && !c.certificatePath) {
    throw invalidConfiguration(
      `${KEY_NAMES.certificatePassword} is configured, but ${KEY_NAMES.certificatePath} (the PFX file) is missing.`,
    );
  }
  if (c.msiEndpoint && !c.useMsi && !c.useDefault) {
    throw invalidConfiguration(
      `${KEY_NAMES.msiEndpoint} is configured, but ${KEY_NAMES.useMsi} is not true.`,
    );
  }
  for (const [given, key] of [
    [c.requestUrl, KEY_NAMES.oidcRequestUrl],
    [c.requestToken, KEY_NAMES.oidcRequestToken],
  ] as const) {
    if (given && !c.useOidc && !c.useDefault) {
      throw invalidConfiguration(
        `${key} is configured (${given.source}), but ${KEY_NAMES.useOidc} is not true.`,
      );
    }
  }
}

/**
 * `useOidc` (step 4): a literal `oidcToken`, else an `oidcTokenFilePath`, else an ID token
 * requested from `oidcRequestUrl` with `oidcRequestToken` (GitHub Actions), else
 * `AZURE_FEDERATED_TOKEN_FILE`; an error saying what is missing when none is there.
 */
function oidcCredential(c: CredentialInputs, allowHttp: boolean): CredentialSettings {
  const ids = requireIds(c, "OIDC (azure-native:useOidc / ARM_USE_OIDC)");
  if (c.assertion) return { kind: "clientAssertion", ...ids, assertion: c.assertion.value };
  if (c.tokenFilePath)
    return {
      kind: "workloadIdentity",
      ...ids,
      tokenFilePath: c.tokenFilePath.value,
      source: c.tokenFilePath.source,
    };
  const url = c.requestUrl ?? ambient(c.ambientRequestUrl, "ACTIONS_ID_TOKEN_REQUEST_URL");
  const token = c.requestToken ?? ambient(c.ambientRequestToken, "ACTIONS_ID_TOKEN_REQUEST_TOKEN");
  if (url && token) {
    return {
      kind: "oidcRequest",
      ...ids,
      requestUrl: idTokenUrl(url, allowHttp),
      requestToken: token.value,
      audience: c.audience?.value ?? TOKEN_EXCHANGE_AUDIENCE,
      urlSource: url.source,
      tokenSource: token.source,
    };
  }
  if (c.ambientTokenFilePath)
    return {
      kind: "workloadIdentity",
      ...ids,
      tokenFilePath: c.ambientTokenFilePath,
      source: "AZURE_FEDERATED_TOKEN_FILE",
    };
  if (url || token) {
    const missing = url ? KEY_NAMES.oidcRequestToken : KEY_NAMES.oidcRequestUrl;
    throw invalidConfiguration(
      `${KEY_NAMES.useOidc} is true and ${(url || token)!.source} is set, but ${missing} is missing.`,
    );
  }
  throw invalidConfiguration(
    `${KEY_NAMES.useOidc} is true, but no OIDC token is configured: set ${KEY_NAMES.oidcToken}, ` +
      `${KEY_NAMES.oidcTokenFilePath}, or ${KEY_NAMES.oidcRequestUrl} with ${KEY_NAMES.oidcRequestToken} ` +
      "(GitHub Actions sets the ACTIONS_ID_TOKEN_REQUEST_* variables for a job with `permissions: id-token: write`).",
  );
}

/**
 * No flag (steps 6 and 7): a federated token file (also `AZURE_FEDERATED_TOKEN_FILE`), then a
 * literal OIDC token, otherwise DefaultAzureCredential.
 */
function unflaggedCredential(c: CredentialInputs): CredentialSettings {
  const tokenFile = c.tokenFilePath ?? ambient(c.ambientTokenFilePath, "AZURE_FEDERATED_TOKEN_FILE");
  if (tokenFile) {
    return {
      kind: "workloadIdentity",
      ...requireIds(
        c,
        "A federated token file (azure-native:oidcTokenFilePath / ARM_OIDC_TOKEN_FILE_PATH / AZURE_FEDERATED_TOKEN_FILE)",
      ),
      tokenFilePath: tokenFile.value,
      source: tokenFile.source,
    };
  }
  if (c.assertion) {
    return {
      kind: "clientAssertion",
      ...requireIds(c, "An OIDC token (azure-native:oidcToken / ARM_OIDC_TOKEN)"),
      assertion: c.assertion.value,
    };
  }
  return { kind: "default", tenantId: c.tenantId, clientId: c.clientId };
}

/** A value the machine set (not the stack), named by its variable. */
function ambient(value: string | undefined, variable: string): Sourced | undefined {
  return value ? { value, source: variable } : undefined;
}

/**
 * `true` for loopback addresses as written in a URL: `localhost`, `127.0.0.0/8` and `[::1]`. Stricter
 * than {@link isLoopbackHost} (no `*.localhost`, whose resolution depends on the resolver): this
 * decides where tokens and the client secret may go without any setting.
 */
export function isLoopbackAddress(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || h === "::1";
}

/**
 * Refuses an ARM endpoint that is not one of the clouds' Resource Manager endpoints (on their own
 * port), loopback, or a host listed in `azure-certs:trustedArmHosts`: it would receive ARM tokens.
 * All three clouds' endpoints are accepted whatever `environment` says: they are Microsoft's, and
 * one that does not match the token's audience answers 401 naming it.
 */
function checkArmEndpoint(armEndpoint: string, trusted: readonly string[]): void {
  const url = new URL(armEndpoint);
  const known = Object.values(AZURE_CLOUDS).map((c) => new URL(c.armEndpoint).host);
  if (
    known.includes(url.host) ||
    isLoopbackAddress(url.hostname) ||
    isTrustedVaultHost(hostPort(url), trusted)
  )
    return;
  const key = `${CONFIG_NAMESPACE}:armEndpoint`;
  throw invalidConfiguration(
    `${key} is ${armEndpoint}, which is not the Resource Manager endpoint of a known Azure cloud ` +
      `(${known.join(", ")}) nor a loopback address, so ARM tokens will not be sent there. If it really is ` +
      `your ARM endpoint (a proxy or an emulator on another machine), add ${url.hostname} (or ${hostPort(url)}) ` +
      `to ${CONFIG_NAMESPACE}:trustedArmHosts.`,
  );
}

/**
 * Refuses an authority host that MSAL does not know (see `isKnownAuthorityHost`), that is not
 * loopback and not listed in `azure-certs:trustedAuthorityHosts`: it would receive the client
 * secret or assertion, and instance discovery is turned off for it.
 */
function checkAuthorityHost(authorityHost: string, source: string, trusted: readonly string[]): void {
  const url = new URL(authorityHost);
  if (
    isKnownAuthorityHost(authorityHost) ||
    isLoopbackAddress(url.hostname) ||
    isTrustedVaultHost(hostPort(url), trusted)
  )
    return;
  const known = Object.values(AZURE_CLOUDS).map((c) => new URL(c.authorityHost).host);
  throw invalidConfiguration(
    `${source} is ${authorityHost}, which is not the Entra ID authority host of a known Azure cloud ` +
      `(${known.join(", ")}, ...) nor a loopback address, so the client secret or assertion and token requests ` +
      "will not be sent there. If it really is your authority host (an Azure Stack or emulator on another " +
      `machine), add ${url.hostname} (or ${hostPort(url)}) to ${CONFIG_NAMESPACE}:trustedAuthorityHosts.`,
  );
}

/** `host:port`, with the scheme's default port made explicit, as trusted-host entries may name it. */
function hostPort(url: URL): string {
  return `${url.hostname}:${url.port || (url.protocol === "http:" ? "80" : "443")}`;
}

/** Hosts a token may travel to over plain http when `azure-certs:allowHttp` is set. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h.endsWith(".localhost") || /^127\.\d+\.\d+\.\d+$/.test(h) || h === "::1";
}

/**
 * The GitHub Actions ID-token URL, checked: https, or http to a loopback host with
 * `azure-certs:allowHttp` (the request token is a bearer secret). It keeps its query (GitHub's has
 * `api-version`); messages show it through `redactUrl`.
 */
function idTokenUrl(url: Sourced, allowHttp: boolean): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url.value);
  } catch {
    parsed = undefined;
  }
  if (
    !parsed ||
    (parsed.protocol !== "https:" && parsed.protocol !== "http:") ||
    parsed.username ||
    parsed.password
  )
    throw invalidConfiguration(`${url.source} must be an absolute https URL (${KEY_NAMES.oidcRequestUrl}).`);
  if (parsed.protocol === "http:" && !(allowHttp && isLoopbackHost(parsed.hostname)))
    throw invalidConfiguration(
      `${url.source} must use https: the request token is a bearer secret (plain http is allowed only to ` +
        `loopback hosts, with ${CONFIG_NAMESPACE}:allowHttp).`,
    );
  return parsed.toString();
}

/** The IMDS link-local address, where plain http is the platform's own transport. */
const IMDS_HOST = "169.254.169.254";

/**
 * `msiEndpoint` as the base MSAL wants in `AZURE_POD_IDENTITY_AUTHORITY_HOST` (it appends
 * `/metadata/identity/oauth2/token`): a full IMDS token URL, as Terraform documents
 * `ARM_MSI_ENDPOINT`, is accepted and cut back to its origin.
 */
function msiEndpointBase(endpointSetting: Sourced, allowHttp: boolean): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(endpointSetting.value);
  } catch {
    parsed = undefined;
  }
  const key = `${endpointSetting.source} (${KEY_NAMES.msiEndpoint})`;
  if (!parsed || (parsed.protocol !== "https:" && parsed.protocol !== "http:"))
    throw invalidConfiguration(
      `${key} must be an absolute URL such as http://169.254.169.254; got "${endpointSetting.value}".`,
    );
  if (parsed.search || parsed.username || parsed.password)
    throw invalidConfiguration(`${key} must not carry a query or user info.`);
  const path = parsed.pathname.replace(/\/+$/, "");
  if (path !== "" && !/^\/metadata\/identity\/oauth2\/token$/i.test(path))
    throw invalidConfiguration(
      `${key} must be the IMDS address (https://host:port) or its token URL (.../metadata/identity/oauth2/token).`,
    );
  if (
    parsed.protocol === "http:" &&
    parsed.hostname !== IMDS_HOST &&
    !(allowHttp && isLoopbackHost(parsed.hostname))
  )
    throw invalidConfiguration(
      `${key} must use https (plain http is allowed for ${IMDS_HOST}, and for loopback hosts with ${CONFIG_NAMESPACE}:allowHttp).`,
    );
  return `${parsed.protocol}//${parsed.host}`;
}

/** Config values arrive as strings from the engine; tests and programs may pass real values. */
function asString(value: unknown, key: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value.trim() === "" ? undefined : value.trim();
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return JSON.stringify(value);
  throw invalidConfiguration(`Configuration key ${key} must be a string, number, boolean or list.`);
}

function endpoint(value: string, key: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== "https:" && url.protocol !== "http:")) {
    throw invalidConfiguration(
      `${key} must be an absolute URL such as https://localhost:8443; got "${value}".`,
    );
  }
  if (url.search || url.hash || url.username || url.password) {
    throw invalidConfiguration(`${key} must not carry a query, fragment or user info.`);
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
      throw invalidConfiguration(`${key} must be a JSON list of strings or a comma-separated list.`);
    }
    if (!Array.isArray(parsed) || parsed.some((v) => typeof v !== "string")) {
      throw invalidConfiguration(`${key} must be a list of strings.`);
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
  throw invalidConfiguration(`${key} must be true or false; got "${value}".`);
}

function parseInteger(value: string | undefined, name: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) {
    throw invalidConfiguration(`${CONFIG_NAMESPACE}:${name} must be an integer >= ${min}; got "${value}".`);
  }
  return n;
}
