/**
 * The official Azure SDKs against the emulator, at their default service versions, with the client
 * options a user needs (emulator/README.md, "The official SDKs"): a real @azure/identity credential
 * with `disableInstanceDiscovery`, Key Vault clients with `disableChallengeResourceVerification`
 * (the vault is https://localhost:PORT, not *.vault.azure.net), and the ARM client with `endpoint`
 * and `credentialScopes` (a custom ARM endpoint has no default scope).
 */
import { ClientSecretCredential } from "@azure/identity";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import { type Emulator, type EmulatorOptions, startEmulator, trustEmulatorCa } from "../../emulator";

export const SUB = "00000000-0000-0000-0000-000000000000";

/** What one response carried, for assertions on headers the SDKs do not surface. */
export interface SeenResponse {
  method: string;
  url: string;
  status: number;
  headers: Record<string, string>;
  authorization?: string;
}

export interface Conformance {
  emu: Emulator;
  credential: ClientSecretCredential;
  vaultUrl: string;
  /** Every response the clients built with `recorder` received, oldest first. */
  seen: SeenResponse[];
  /** A per-retry pipeline policy (after authentication) that records into `seen`. */
  recorder: { policy: PipelinePolicy; position: "perRetry" };
  stop(): Promise<void>;
}

export async function startConformance(options: EmulatorOptions = {}): Promise<Conformance> {
  const emu = await startEmulator({ reuseKeys: true, ...options });
  const untrust = trustEmulatorCa(emu.caCertPem);
  const credential = new ClientSecretCredential(emu.tenantId, emu.clientId, emu.clientSecret, {
    authorityHost: emu.authorityHost,
    disableInstanceDiscovery: true,
  });
  const seen: SeenResponse[] = [];
  const policy: PipelinePolicy = {
    name: "conformanceRecorder",
    async sendRequest(request, next) {
      const response = await next(request);
      seen.push({
        method: request.method,
        url: request.url,
        status: response.status,
        headers: response.headers.toJSON(),
        authorization: request.headers.get("authorization"),
      });
      return response;
    },
  };
  return {
    emu,
    credential,
    vaultUrl: emu.vaults.demo,
    seen,
    recorder: { policy, position: "perRetry" },
    stop: async () => {
      untrust();
      await emu.stop();
    },
  };
}

/** Decodes a JWT's payload without verifying it. */
export function jwtPayload(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString("utf8"));
}

/** Collects an async iterable. */
export async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
