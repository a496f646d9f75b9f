/**
 * The emulator as engine tests use it: started in this (jest) process, its CA trusted here and
 * handed to the Pulumi CLI and provider processes through NODE_EXTRA_CA_CERTS, and the stack
 * configuration a user would set to point the package at it.
 */
import axios from "axios";
import type { ConfigMap } from "@pulumi/pulumi/automation";
import { startEmulator, trustEmulatorCa, type Emulator, type RequestLogEntry } from "../../emulator";

export const SUBSCRIPTION = "00000000-0000-0000-0000-000000000000";

export interface EmulatedAzure {
  emu: Emulator;
  /** Stack configuration pointing the package at the emulator (the client secret as a secret). */
  config: ConfigMap;
  /** Environment for the CLI and the provider plugin. */
  env: Record<string, string>;
  /** Requests the emulator served since the last `clearLog` (token requests included). */
  requests(): RequestLogEntry[];
  clearLog(): void;
  /** Creates a self-signed Key Vault certificate through the Key Vault REST API. */
  createKeyVaultCertificate(name: string, policy?: Record<string, unknown>, vault?: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startEmulatedAzure(): Promise<EmulatedAzure> {
  const emu = await startEmulator({ reuseKeys: true });
  const untrust = trustEmulatorCa(emu.caCertPem);
  const config: ConfigMap = {
    "azure-native:clientId": { value: emu.clientId },
    "azure-native:clientSecret": { value: emu.clientSecret, secret: true },
    "azure-native:tenantId": { value: emu.tenantId },
    "azure-native:subscriptionId": { value: SUBSCRIPTION },
    "azure-certs:armEndpoint": { value: emu.armEndpoint },
    "azure-certs:authorityHost": { value: emu.authorityHost },
    "azure-certs:trustedVaultHosts": { value: "localhost" },
    "azure-certs:retryDelayMs": { value: "100" },
  };
  return {
    emu,
    config,
    env: { NODE_EXTRA_CA_CERTS: emu.caCertPath },
    requests: () => emu.admin.requests(),
    clearLog: () => emu.admin.clearRequests(),
    async createKeyVaultCertificate(name, policy = {}, vault = "demo") {
      const token = emu.admin.issueToken({ audience: "https://vault.azure.net" });
      await axios.post(
        `${emu.vaults[vault]}/certificates/${name}/create?api-version=7.4`,
        {
          policy: {
            key_props: { kty: "RSA", key_size: 2048, exportable: true, reuse_key: false },
            secret_props: { contentType: "application/x-pkcs12" },
            x509_props: { subject: `CN=${name}.example.com`, validity_months: 12 },
            issuer: { name: "Self" },
            ...policy,
          },
        },
        { headers: { Authorization: `Bearer ${token}` } },
      );
    },
    async stop() {
      untrust();
      await emu.stop();
    },
  };
}
