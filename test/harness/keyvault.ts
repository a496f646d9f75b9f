/**
 * What the KeyVaultCertificatePolicy engine tests read from the emulator on their own, independently
 * of the provider: the certificate bundle over the Key Vault REST API (its DER hashed and parsed with
 * node's crypto), the stored wire policy, the request log of one vault, and a resource's outputs
 * as the engine stored them.
 */
import axios from "axios";
import * as crypto from "crypto";
import type { RequestLogEntry } from "../../emulator";
import type { EmulatedAzure } from "./emulated-azure";
import type { EngineStack } from "./engine";

export const POLICY_TYPE = "pulumi-nodejs:dynamic/azure-certs:KeyVaultCertificatePolicy";
export const MUTATING = new Set(["PUT", "PATCH", "POST", "DELETE"]);

/** A certificate's current version, computed from its `cer` (DER), not from Key Vault's own fields. */
export interface CertificateFacts {
  /** Upper-case hex SHA-1 of the DER. */
  thumbprint: string;
  /** notAfter as ISO 8601 UTC without fractions. */
  expirationDate: string;
  /** notBefore as ISO 8601 UTC without fractions. */
  notBefore: string;
  /** Last segment of the bundle's id. */
  version: string;
}

const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, "Z");

/** GET /certificates/{name} with a Key Vault token, then hash and parse the DER. */
export async function certificateFacts(
  azure: EmulatedAzure,
  name: string,
  vault = "demo",
): Promise<CertificateFacts> {
  const token = azure.emu.admin.issueToken({ audience: "https://vault.azure.net" });
  const res = await axios.get<{ id: string; cer: string }>(
    `${azure.emu.vaults[vault]}/certificates/${name}?api-version=7.4`,
    { headers: { Authorization: `Bearer ${token}` } },
  );
  const der = Buffer.from(res.data.cer, "base64");
  const x509 = new crypto.X509Certificate(der);
  return {
    thumbprint: crypto.createHash("sha1").update(der).digest("hex").toUpperCase(),
    expirationDate: iso(new Date(x509.validTo)),
    notBefore: iso(new Date(x509.validFrom)),
    version: res.data.id.split("/").pop()!,
  };
}

/** The policy the emulator stores for a certificate, in wire shape (admin API: no request logged). */
export function wirePolicy(azure: EmulatedAzure, name: string, vault = "demo"): Record<string, unknown> {
  const info = azure.emu.admin.getKeyVaultCertificate(vault, name);
  if (!info) throw new Error(`no certificate ${name} in vault ${vault}`);
  return info.policy as Record<string, unknown>;
}

/** The requests one vault served since the last `clearLog`. */
export function vaultRequests(azure: EmulatedAzure, vault = "demo"): RequestLogEntry[] {
  return azure.requests().filter((r) => r.listener === vault);
}

/** `METHOD route` of the mutating requests any listener served since the last `clearLog`. */
export function mutatingCalls(azure: EmulatedAzure): string[] {
  return azure
    .requests()
    .filter((r) => r.listener !== "token" && MUTATING.has(r.method))
    .map((r) => `${r.method} ${r.path}`);
}

/** A resource as stored in the stack's state: id, inputs and outputs (secrets in plain text). */
export interface StoredResource {
  urn: string;
  type: string;
  id?: string;
  external?: boolean;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
}

/** The KeyVaultCertificatePolicy resources in state, by name. */
export async function storedPolicies(stack: EngineStack): Promise<Record<string, StoredResource>> {
  const deployment = await stack.stack.exportStack();
  const resources = (deployment.deployment.resources ?? []) as StoredResource[];
  const out: Record<string, StoredResource> = {};
  for (const r of resources) {
    if (r.type === POLICY_TYPE) out[r.urn.split("::").pop()!] = r;
  }
  return out;
}
