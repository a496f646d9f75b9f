// The inventory for machines (`--json`): the gate's verdict first, then every record. Pure.
import type { GateResult } from "./gate";
import type { Inventory } from "./inventory";
import type { InventoryRecord, ListingError } from "./types";

/** The document `--json` prints. */
export interface InventoryDocument {
  /** `--fail-within`: the window and the certificates that trip it (ids and reasons), or `null`. */
  failWithin: { days: number; tripped: Array<{ id: string; reasons: string[] }> } | null;
  /** When the inventory was taken (ISO 8601 UTC); `daysLeft` counts from it. */
  listedAt: string;
  /** Every certificate, soonest expiry first. */
  certificates: InventoryRecord[];
  /** Targets that could not be listed. */
  errors: ListingError[];
}

export function inventoryDocument(inventory: Inventory, gate?: GateResult): InventoryDocument {
  return {
    failWithin: gate
      ? { days: gate.withinDays, tripped: gate.hits.map((h) => ({ id: h.record.id, reasons: h.reasons })) }
      : null,
    listedAt: inventory.now.toISOString(),
    certificates: inventory.records,
    errors: inventory.errors,
  };
}
