/**
 * The emulator as the transport tests use it: started once per test file, its CA trusted in this
 * process, and transports configured against it the way a stack would be (`azure-native:*` for
 * the identity, `azure-certs:*` for the emulator's endpoints), with every log line captured.
 */
import { startEmulator, trustEmulatorCa, type Emulator, type EmulatorOptions } from "../../emulator";
import type { RequestLogEntry } from "../../emulator";
import {
  createTransport,
  type AzureTransport,
  type ConfigureTransportOptions,
} from "../../provider/transport";

export const SUBSCRIPTION = "00000000-0000-0000-0000-000000000000";
export const SERVICE_PATH = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg/providers/Microsoft.ApiManagement/service/svc`;
export const CERTIFICATES_PATH = `${SERVICE_PATH}/certificates`;
/** The certificates of an APIM service of its own, so that a fault can target one test's calls. */
export const servicePath = (name: string): string =>
  `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg/providers/Microsoft.ApiManagement/service/${name}/certificates`;
export const APIM_API = "2024-05-01";
export const KV_API = "7.4";

export interface Fixture {
  emu: Emulator;
  /** Every line any transport of this fixture logged. */
  logs: string[];
  /** Stack configuration for the emulator, with overrides (`undefined` removes a key). */
  config(overrides?: Record<string, unknown>): Record<string, unknown>;
  /** A fresh transport (own credential and token cache) on the emulator; `env` is empty by default. */
  transport(overrides?: Record<string, unknown>, options?: ConfigureTransportOptions): AzureTransport;
  /** Clears the request log, the token counts and the faults. */
  resetLog(): void;
  /** Logged requests of one listener ("token", "arm" or a vault name) after `resetLog`. */
  requests(listener?: string): RequestLogEntry[];
  /** Logged ARM requests for the service of `servicePath(name)`. */
  serviceLog(name: string): RequestLogEntry[];
  stop(): Promise<void>;
}

export async function startFixture(options: EmulatorOptions = {}): Promise<Fixture> {
  const emu = await startEmulator({ reuseKeys: true, ...options });
  const untrust = trustEmulatorCa(emu.caCertPem);
  const logs: string[] = [];
  const config = (overrides: Record<string, unknown> = {}): Record<string, unknown> => {
    const all: Record<string, unknown> = {
      "azure-native:clientId": emu.clientId,
      "azure-native:clientSecret": emu.clientSecret,
      "azure-native:tenantId": emu.tenantId,
      "azure-native:subscriptionId": SUBSCRIPTION,
      "azure-certs:armEndpoint": emu.armEndpoint,
      "azure-certs:authorityHost": emu.authorityHost,
      "azure-certs:trustedVaultHosts": "localhost",
      "azure-certs:logLevel": "debug",
      "azure-certs:retryDelayMs": "50",
      ...overrides,
    };
    for (const [k, v] of Object.entries(all)) if (v === undefined) delete all[k];
    return all;
  };
  return {
    emu,
    logs,
    config,
    transport: (overrides = {}, options = {}) =>
      createTransport(config(overrides), {
        env: {},
        logger: (level, message) => logs.push(`${level}: ${message}`),
        ...options,
      }),
    resetLog: () => {
      emu.admin.clearFaults();
      emu.admin.clearRequests();
      emu.admin.resetTokenCounts();
    },
    requests: (listener) => emu.admin.requests(listener ? { listener } : {}),
    serviceLog: (name) =>
      emu.admin.requests({ listener: "arm" }).filter((r) => r.path.includes(`/service/${name}/`)),
    stop: async () => {
      untrust();
      await emu.stop();
    },
  };
}

/** Runs `fn`, which must reject, and returns what it rejected with. */
export async function failureOf(fn: () => Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await fn();
  } catch (e) {
    return e as Error & Record<string, unknown>;
  }
  throw new Error("expected the call to fail, but it succeeded");
}

/** Milliseconds between two log entries' arrival times. */
export function gapMs(a: RequestLogEntry, b: RequestLogEntry): number {
  return Date.parse(b.startedAt) - Date.parse(a.startedAt);
}

/** A minimal self-signed certificate policy the emulator can issue from. */
export function selfSignedPolicy(subject: string): Record<string, unknown> {
  return { policy: { issuer: { name: "Self" }, x509_props: { subject } } };
}
