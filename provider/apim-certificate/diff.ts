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
 * Compares old outputs with new checked inputs. Only what reaches Azure counts: a PFX is compared
 * by the certificate it holds (its thumbprint), so a re-exported or re-encoded file is no change.
 * `changes` is always explicit so that a new version of this package never shows spurious updates.
 */
export function diffApim(olds: Raw, news: Raw): pulumi.dynamic.DiffResult {
  const replaces = APIM_IDENTITY_FIELDS.filter((k) => isUnknown(news[k]) || !sameName(olds[k], news[k]));
  const updates: string[] = [];
  if (news.data !== undefined) {
    if (olds.keyVault !== undefined || isUnknown(news.data) || isUnknown(news.thumbprint))
      updates.push("data");
    else if (olds.thumbprint !== news.thumbprint) updates.push("data");
  } else {
    const o = keyVaultOf(olds.keyVault);
    const n = keyVaultOf(news.keyVault);
    if (!o || !n || isUnknown(news.keyVault)) updates.push("keyVault");
    else {
      if (o.secretIdentifier !== n.secretIdentifier) updates.push("keyVault.secretIdentifier");
      if ((o.identityClientId ?? null) !== (n.identityClientId ?? null))
        updates.push("keyVault.identityClientId");
    }
  }
  for (const key of ["refreshTrigger", "apiVersion", "expiryWarningDays"]) {
    if (isUnknown(news[key]) || (olds[key] ?? null) !== (news[key] ?? null)) updates.push(key);
  }
  return {
    changes: replaces.length > 0 || updates.length > 0,
    replaces: [...replaces],
    deleteBeforeReplace: false,
  };
}
