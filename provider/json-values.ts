// JSON-like values as the engine passes them (inputs, state) and as Azure answers: what counts as
// an object, what counts as set, and reading, writing and copying nested members.
import { isUnknown, UNKNOWN } from "./dynamic/unknown";

/** A plain object (not an array, not null). */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A value the user set: `undefined` and `null` both mean "not set, not managed". */
export const isSet = (v: unknown): boolean => v !== undefined && v !== null;

/**
 * Reads a nested value. Returns the unknown marker when a containing object is itself unknown
 * (during a preview a whole group can be unknown), and `undefined` when the path is absent.
 */
export function getPath(obj: unknown, path: readonly string[]): unknown {
  let cur: unknown = obj;
  for (const key of path) {
    if (isUnknown(cur)) return UNKNOWN;
    if (!isRecord(cur)) return undefined;
    cur = cur[key];
  }
  return cur;
}

/** Writes a nested value, creating the containing objects. */
export function setPath(obj: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let cur = obj;
  for (const key of path.slice(0, -1)) {
    if (!isRecord(cur[key])) cur[key] = {};
    cur = cur[key] as Record<string, unknown>;
  }
  cur[path[path.length - 1]] = value;
}

/** A deep copy of JSON-like data, so that outputs never share arrays with inputs. */
export function cloneJson<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

/** ISO 8601 UTC to the second (`2030-01-01T00:00:00Z`), as Azure writes dates and outputs show them. */
export function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}
