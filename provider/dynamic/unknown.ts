/**
 * The value Pulumi passes to `check` and `diff` for an input not known yet during a preview
 * (`@pulumi/pulumi/runtime/rpc`'s `unknownValue`). Validation must let it through.
 */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export function isUnknown(v: unknown): boolean {
  return v === UNKNOWN;
}

/** A check failure: the property path as the user wrote it and what is wrong with it. */
export interface CheckFailure {
  property: string;
  reason: string;
}
