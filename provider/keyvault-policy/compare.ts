/**
 * When two values of a policy member mean the same policy, as Key Vault reads them: subjects as
 * distinguished names, key usages, EKUs and SANs as sets (DNS names ignoring case), lifetime
 * actions in order. Used by `diff` (is a member changed?), `patch` (does Key Vault already hold
 * it?) and `outputs` (keep the value as written, or take Key Vault's?).
 */
import { isRecord } from "../json-values";
import type { PolicyMember } from "./members";
import { canonicalDistinguishedName } from "./subject";

function asSet(v: unknown, fold: (s: string) => string): string[] | undefined {
  if (!Array.isArray(v)) return undefined;
  return [...new Set(v.map((x) => (typeof x === "string" ? fold(x) : JSON.stringify(x))))].sort();
}

function sameLifetimeActions(o: unknown, n: unknown): boolean {
  if (!Array.isArray(o) || !Array.isArray(n) || o.length !== n.length) return false;
  return o.every((x, i) => {
    const y = n[i];
    if (!isRecord(x) || !isRecord(y)) return false;
    return (["action", "lifetimePercentage", "daysBeforeExpiry"] as const).every(
      (k) => (x[k] ?? null) === (y[k] ?? null),
    );
  });
}

/** Whether two set values of a member mean the same policy. */
export function sameMemberValue(m: PolicyMember, o: unknown, n: unknown): boolean {
  switch (m.kind) {
    case "scalar":
      return o === n;
    case "subject": {
      if (o === n) return true;
      const co = typeof o === "string" ? canonicalDistinguishedName(o) : undefined;
      const cn = typeof n === "string" ? canonicalDistinguishedName(n) : undefined;
      return co !== undefined && co === cn;
    }
    case "set":
    case "dnsSet": {
      const fold = m.kind === "dnsSet" ? (s: string) => s.toLowerCase() : (s: string) => s;
      const so = asSet(o, fold);
      const sn = asSet(n, fold);
      return so !== undefined && sn !== undefined && JSON.stringify(so) === JSON.stringify(sn);
    }
    case "lifetimeActions":
      return sameLifetimeActions(o, n);
  }
}
