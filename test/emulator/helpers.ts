/**
 * Shared pieces of the emulator tests: start an emulator and trust its CA in this process, get
 * tokens through real @azure/identity credentials, and talk over real HTTPS with axios.
 */
import axios, { type AxiosInstance } from "axios";
import { ClientSecretCredential } from "@azure/identity";
import type * as crypto from "node:crypto";
import { type Emulator, type EmulatorOptions, startEmulator, trustEmulatorCa } from "../../emulator";
import { generateKey } from "../../emulator/pki";

export const SUB = "00000000-0000-0000-0000-000000000000";
export const ARM_SCOPE = "https://management.azure.com/.default";
export const VAULT_SCOPE = "https://vault.azure.net/.default";

/** An emulator plus what tests need around it. */
export interface TestEmulator {
  emu: Emulator;
  http: AxiosInstance;
  credential: ClientSecretCredential;
  armToken(): Promise<string>;
  vaultToken(): Promise<string>;
  stop(): Promise<void>;
}

/** Starts an emulator (keys reused for speed unless told otherwise) and trusts its CA. */
export async function startTestEmulator(options: EmulatorOptions = {}): Promise<TestEmulator> {
  const emu = await startEmulator({ reuseKeys: true, ...options });
  const untrust = trustEmulatorCa(emu.caCertPem);
  const credential = new ClientSecretCredential(emu.tenantId, emu.clientId, emu.clientSecret, {
    authorityHost: emu.authorityHost,
    disableInstanceDiscovery: true,
  });
  // Every status is an answer to assert on, not an exception.
  const http = axios.create({ validateStatus: () => true });
  return {
    emu,
    http,
    credential,
    armToken: async () => (await credential.getToken(ARM_SCOPE)).token,
    vaultToken: async () => (await credential.getToken(VAULT_SCOPE)).token,
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

/** A path of an APIM certificate (or the collection when `id` is undefined). */
export function certPath(
  opts: { sub?: string; rg?: string; service?: string; id?: string; suffix?: string } = {},
): string {
  const base = `/subscriptions/${opts.sub ?? SUB}/resourceGroups/${opts.rg ?? "rg1"}/providers/Microsoft.ApiManagement/service/${opts.service ?? "apimService1"}/certificates`;
  return `${base}${opts.id === undefined ? "" : `/${encodeURIComponent(opts.id)}`}${opts.suffix ?? ""}`;
}

let sharedKey: Promise<crypto.KeyObject> | undefined;
/** One RSA 2048 key for all PFX fixtures of a test file: certificates still differ (serial, subject). */
export function fixtureKey(): Promise<crypto.KeyObject> {
  sharedKey ??= generateKey({ kty: "RSA", size: 2048 });
  return sharedKey;
}

/** Structure of a JSON value: objects keep their keys, leaves become their type name. */
export function shape(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(shape);
  if (v !== null && typeof v === "object")
    return Object.fromEntries(
      Object.entries(v as Record<string, unknown>)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, x]) => [k, shape(x)]),
    );
  return v === null ? "null" : typeof v;
}

/** Hex thumbprint from Key Vault's base64url x5t. */
export function x5tToThumbprint(x5t: string): string {
  return Buffer.from(x5t, "base64url").toString("hex").toUpperCase();
}
