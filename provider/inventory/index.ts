/**
 * `pulumi-azure-certs inventory`: what exists in API Management services and Key Vaults, its
 * expiry, an expiry gate for scheduled pipelines, and a program that adopts it. The command line
 * is provider/cli/inventory.ts; this folder is the implementation, importable without it.
 */
export { takeInventory, type Inventory, type InventoryTargets } from "./inventory";
export { listApimCertificates, listKeyVaultCertificates, type ListingTransport, type Progress } from "./list";
export {
  apimRecord,
  daysLeft,
  keyVaultRecord,
  linkRecords,
  renewalOf,
  sortByExpiry,
  vaultLabel,
} from "./mappers";
export { applyGate, describeExpiry, type GateHit, type GateResult } from "./gate";
export { describeRenewal, describeSource, renderTable, shouldColour, WARNING_DAYS } from "./table";
export { inventoryDocument, type InventoryDocument } from "./json";
export { adoptablePolicy, emitProgram, type EmitOptions, type EmittedProgram, type PfxSecret } from "./emit";
export {
  certificateListPath,
  parseApimTarget,
  parseVaultTarget,
  serviceId,
  TargetError,
  type ApimServiceTarget,
  type VaultHostRules,
} from "./targets";
export { readStackConfig, type StackConfig } from "./stack-config";
export type * from "./types";
