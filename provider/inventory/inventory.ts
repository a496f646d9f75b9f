// One inventory run: every target listed (one failing target does not hide the others), the
// records mapped, linked and sorted by expiry.
import { listApimCertificates, listKeyVaultCertificates, type ListingTransport, type Progress } from "./list";
import { apimRecord, keyVaultRecord, linkRecords, sortByExpiry } from "./mappers";
import { type ApimServiceTarget, serviceId } from "./targets";
import type { InventoryRecord, ListingError } from "./types";

/** What to list. */
export interface InventoryTargets {
  apim: ApimServiceTarget[];
  /** Vault base URLs. */
  vaults: string[];
}

/** The outcome: the records, soonest expiry first, and the targets that could not be listed. */
export interface Inventory {
  records: InventoryRecord[];
  errors: ListingError[];
  /** The run's time, from which `daysLeft` counts. */
  now: Date;
}

/** Lists every target through `transport`; never rejects for a target's failure (see `errors`). */
export async function takeInventory(
  transport: ListingTransport,
  targets: InventoryTargets,
  options: { now?: Date; progress?: Progress; vaultDnsSuffix?: string } = {},
): Promise<Inventory> {
  const now = options.now ?? new Date();
  const progress = options.progress ?? (() => undefined);
  const errors: ListingError[] = [];
  const records: InventoryRecord[] = [];
  const fail = (target: string) => (e: unknown) => {
    errors.push({ target, message: (e as Error).message });
    progress(`${target}: failed`);
  };
  await Promise.all([
    ...targets.apim.map((t) =>
      listApimCertificates(transport, t, progress)
        .then((contracts) => records.push(...contracts.map((c) => apimRecord(c, now))))
        .catch(fail(serviceId(t))),
    ),
    ...targets.vaults.map((v) =>
      listKeyVaultCertificates(transport, v, progress)
        .then((listed) => records.push(...listed.map((l) => keyVaultRecord(l, now, options.vaultDnsSuffix))))
        .catch(fail(v)),
    ),
  ]);
  return { records: sortByExpiry(linkRecords(records)), errors, now };
}
