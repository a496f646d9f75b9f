// The expiry gate of `--fail-within <days>`: which certificates trip it, and why. Pure.
import type { InventoryRecord } from "./types";

const DAY = 24 * 60 * 60 * 1000;

/** A certificate that trips the gate, with the reasons in words. */
export interface GateHit {
  record: InventoryRecord;
  reasons: string[];
}

/** The gate's verdict. */
export interface GateResult {
  /** The window, in days. */
  withinDays: number;
  /** The certificates inside the window or whose Key Vault fetch failed, soonest first. */
  hits: GateHit[];
}

/** `expires in 9 days (2026-12-10)`, `expires today`, `expired 3 days ago (...)`. */
export function describeExpiry(record: InventoryRecord): string | undefined {
  if (!record.expirationDate || record.daysLeft === undefined) return undefined;
  const date = record.expirationDate.slice(0, 10);
  const d = record.daysLeft;
  if (d < 0) return `expired ${-d} day${d === -1 ? "" : "s"} ago (${date})`;
  if (d === 0) return `expires within a day (${date})`;
  return `expires in ${d} day${d === 1 ? "" : "s"} (${date})`;
}

/**
 * A certificate trips the gate when it expires within `withinDays` days of `now` (an expired one
 * included), or when API Management's last fetch of it from Key Vault failed. A certificate
 * whose expiry is not known (a pending Key Vault certificate) trips it only by a failed fetch.
 */
export function applyGate(records: InventoryRecord[], withinDays: number, now: Date): GateResult {
  const limit = now.getTime() + withinDays * DAY;
  const hits: GateHit[] = [];
  for (const record of records) {
    const reasons: string[] = [];
    const expires = record.expirationDate ? new Date(record.expirationDate).getTime() : NaN;
    if (!Number.isNaN(expires) && expires <= limit) reasons.push(describeExpiry(record) ?? "expires soon");
    const source = record.apim?.source;
    if (source?.fetchFailed) {
      const code =
        source.lastStatus?.code && source.lastStatus.code !== "Success"
          ? source.lastStatus.code
          : "no certificate";
      reasons.push(`API Management's last fetch from Key Vault failed (${code})`);
    }
    if (reasons.length > 0) hits.push({ record, reasons });
  }
  return { withinDays, hits };
}
