/**
 * The transport and identity layer: how the resources of this package reach ARM and Key Vault.
 * See README.md in this folder for the configuration keys, environment variables and defaults.
 */
export {
  configureTransport,
  createTransport,
  defaultSubscriptionId,
  getTransport,
  keyVaultHosts,
  resetTransport,
  type ConfigureTransportOptions,
} from "./process-transport";
export {
  AzureTransport,
  type AzureRequest,
  type AzureResponse,
  type HttpMethod,
  type TransportLogger,
  type TransportOptions,
} from "./transport";
export {
  AzureCertsError,
  AzureRequestError,
  isConflict,
  isNotFound,
  isPreconditionFailed,
  parseServiceError,
  type AzureCertsErrorOptions,
  type AzureFailureKind,
  type ServiceError,
} from "./errors";
export { AZURE_CLOUDS, cloudFor, type AzureCloud, type AzureCloudName } from "./clouds";
export { parseChallenge, challengeRefusal, isTrustedVaultHost, type KeyVaultChallenge } from "./challenge";
export { retryDelayFor, backoffDelay, planRetry, RETRYABLE_STATUSES } from "./retry";
export { redactUrl } from "./redaction";
export { completeOperation, isAsyncOperation, retryAfterMs, type OperationOptions } from "./long-running";
export {
  configFromRecord,
  resolveSettings,
  DEFAULTS,
  type ConfigSource,
  type LogLevel,
  type TransportSettings,
} from "./settings";
