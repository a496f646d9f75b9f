/**
 * The transport of the provider process. Resource implementations call `configureTransport` from
 * their `configure(req)` and `getTransport()` from their CRUD methods. Nothing here is captured in
 * a serialized provider: the transport, its credential and its tokens live in the provider process
 * only, created on first use.
 */
import { createHash } from "crypto";
import { configFromRecord, resolveSettings, type ConfigSource } from "./settings";
import { AzureTransport, type TransportOptions } from "./transport";

let current: { transport: AzureTransport; fingerprint: string } | undefined;

/** Options of {@link configureTransport}. */
export interface ConfigureTransportOptions extends TransportOptions {
  /** The environment to read `ARM_*` / `AZURE_*` from; default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

/**
 * Sets up the process-wide transport from the stack configuration, as passed to a dynamic
 * provider's `configure(req)` (`req.config`), or from a plain `{ "namespace:key": value }` object.
 *
 * The engine configures each resource type's provider separately, with the same configuration:
 * configuring again with equal settings keeps the existing transport, so tokens and Key Vault
 * challenges stay cached for the whole run. Different settings replace it. Throws an `Error`
 * naming the key when the configuration is invalid.
 */
export function configureTransport(
  config: ConfigSource | Record<string, unknown>,
  options: ConfigureTransportOptions = {},
): AzureTransport {
  const settings = resolveSettings(toSource(config), options.env ?? process.env);
  // Held in memory only, hashed so that the settings (which hold the client secret) are not kept twice.
  const fingerprint = createHash("sha256")
    .update(JSON.stringify(settings))
    // A caller-supplied logger cannot be compared: such a configuration always gets a new transport.
    .update(options.logger ? String(Math.random()) : "")
    .digest("hex");
  if (current && current.fingerprint === fingerprint) return current.transport;
  current = { transport: new AzureTransport(settings, options), fingerprint };
  return current.transport;
}

/**
 * The process-wide transport. When no provider configured it (an older engine, or code run
 * outside a provider), it is configured from the environment alone.
 */
export function getTransport(): AzureTransport {
  return current?.transport ?? configureTransport({});
}

/** Creates a transport that is not the process-wide one (tests, tools). */
export function createTransport(
  config: ConfigSource | Record<string, unknown>,
  options: ConfigureTransportOptions = {},
): AzureTransport {
  return new AzureTransport(resolveSettings(toSource(config), options.env ?? process.env), options);
}

/**
 * The subscription configured for the stack (`azure-native:subscriptionId`, `ARM_SUBSCRIPTION_ID`,
 * `AZURE_SUBSCRIPTION_ID`), for resources whose inputs leave it out.
 */
export function defaultSubscriptionId(): string | undefined {
  return getTransport().subscriptionId;
}

/**
 * Where Key Vault tokens may go, for input validation: the cloud's vault DNS suffix and the
 * hosts trusted through `azure-certs:trustedVaultHosts`.
 */
export function keyVaultHosts(): { vaultDnsSuffix: string; trustedHosts: string[] } {
  return getTransport().keyVaultHosts;
}

/** Forgets the process-wide transport (tests only). */
export function resetTransport(): void {
  current = undefined;
}

function toSource(config: ConfigSource | Record<string, unknown>): ConfigSource {
  return typeof config.get === "function"
    ? (config as ConfigSource)
    : configFromRecord(config as Record<string, unknown>);
}
