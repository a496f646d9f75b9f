import type * as pulumi from "@pulumi/pulumi";
import { isUnknown } from "../dynamic/unknown";

type Raw = Record<string, unknown>;

/** Where the certificate lives: changing any of these means another certificate (ARM names ignore case). */
export const APIM_IDENTITY_FIELDS = [
  "subscriptionId",
  "resourceGroupName",
  "serviceName",
  "certificateId",
] as const;

const sameName = (a: unknown, b: unknown) =>
  typeof a === "string" && typeof b === "string" ? a.toLowerCase() === b.toLowerCase() : a === b;

const keyVaultOf = (v: unknown) => (v && typeof v === "object" ? (v as Raw) : undefined);

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
  if (o.secretIdentifier !== n.secretIdentifier) changes.push("keyVault.secretIdentifier");
  if ((o.identityClientId ?? null) !== (n.identityClientId ?? null))
    changes.push("keyVault.identityClientId");
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
  for (const key of ["refreshTrigger", "apiVersion", "expiryWarningDays"]) {
    if (isUnknown(news[key]) || (olds[key] ?? null) !== (news[key] ?? null)) updates.push(key);
  }
  return {
    changes: replaces.length > 0 || updates.length > 0,
    replaces: [...replaces],
    deleteBeforeReplace: false,
  };
}
