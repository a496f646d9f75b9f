import type * as pulumi from "@pulumi/pulumi";
import { isUnknown } from "../dynamic/unknown";

type Raw = Record<string, unknown>;

/** Where the certificate lives: changing any of these means another certificate (ARM names ignore case). */
const APIM_IDENTITY_FIELDS = ["subscriptionId", "resourceGroupName", "serviceName", "certificateId"] as const;

const sameName = (a: unknown, b: unknown) =>
  typeof a === "string" && typeof b === "string" ? a.toLowerCase() === b.toLowerCase() : a === b;

const keyVaultOf = (v: unknown) => (v && typeof v === "object" ? (v as Raw) : undefined);

/**
 * Whether two Key Vault secret identifiers name the same secret as Azure reads them: scheme and host
 * ignore case (URLs), and so do Key Vault object names and versions; a trailing slash is no
 * difference. API Management may echo either spelling.
 */
export function sameSecretIdentifier(a: unknown, b: unknown): boolean {
  if (typeof a !== "string" || typeof b !== "string") return a === b;
  const canonical = (s: string) => s.trim().replace(/\/+$/, "").toLowerCase();
  return canonical(a) === canonical(b);
}

/** Whether two identity client ids are the same GUID (GUIDs ignore case); null and absent are the same. */
export function sameClientId(a: unknown, b: unknown): boolean {
  const x = a ?? null;
  const y = b ?? null;
  return typeof x === "string" && typeof y === "string" ? x.toLowerCase() === y.toLowerCase() : x === y;
}

/** Whether API Management held a certificate at the last call: a failed Key Vault fetch leaves none. */
export function fetched(oldOutputs: object): boolean {
  const olds = oldOutputs as Raw;
  const status = keyVaultOf(olds.keyVault)?.lastStatus as Raw | undefined;
  return olds.thumbprint !== undefined && (status?.code ?? "Success") === "Success";
}

/**
 * What changed in the certificate source, as names of inputs: a PFX by its certificate (thumbprint),
 * a Key Vault source by secret and identity. Empty when nothing that reaches APIM's PUT changed.
 */
export function sourceChanges(oldOutputs: object, newInputs: object): string[] {
  const olds = oldOutputs as Raw;
  const news = newInputs as Raw;
  if (news.data !== undefined) {
    const same = olds.keyVault === undefined && !isUnknown(news.data) && !isUnknown(news.thumbprint);
    return same && olds.thumbprint === news.thumbprint ? [] : ["data"];
  }
  const o = keyVaultOf(olds.keyVault);
  const n = keyVaultOf(news.keyVault);
  if (!o || !n || isUnknown(news.keyVault)) return ["keyVault"];
  const changes: string[] = [];
  if (!sameSecretIdentifier(o.secretIdentifier, n.secretIdentifier))
    changes.push("keyVault.secretIdentifier");
  if (!sameClientId(o.identityClientId, n.identityClientId)) changes.push("keyVault.identityClientId");
  return changes;
}

/**
 * Compares old outputs with new checked inputs. Only what reaches Azure counts: a PFX is compared
 * by the certificate it holds (its thumbprint), so a re-exported or re-encoded file is no change.
 * `changes` is always explicit so that a new version of this package never shows spurious updates.
 */
export function diffApim(olds: Raw, news: Raw): pulumi.dynamic.DiffResult {
  const replaces = APIM_IDENTITY_FIELDS.filter((k) => isUnknown(news[k]) || !sameName(olds[k], news[k]));
  const updates = sourceChanges(olds, news);
  // A Key Vault certificate API Management could not fetch last time is fetched again.
  if (news.keyVault !== undefined && !fetched(olds) && updates.length === 0) updates.push("keyVault");
  for (const key of ["refreshTrigger", "apiVersion", "expiryWarningDays"]) {
    if (isUnknown(news[key]) || (olds[key] ?? null) !== (news[key] ?? null)) updates.push(key);
  }
  return {
    changes: replaces.length > 0 || updates.length > 0,
    replaces: [...replaces],
    deleteBeforeReplace: false,
  };
}
