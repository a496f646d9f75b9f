// Check schemas: the inputs of each resource are described as valibot schemas (types, enumerations,
// required members, ranges, a message per property), and this file turns what valibot finds into
// check failures: the property path the user wrote and what is valid. It adds the three things the
// resources need beyond valibot's own schemas, as custom schemas in valibot's extension interface
// (a plain object with `~run`, see valibot.dev/guides/extend-valibot):
//   - `orUnknown`: the value a preview passes for an input not known yet is valid wherever it stands,
//     and the checks of the values next to it still run;
//   - `members`: a plain object whose unknown members are named with "did you mean" (all of them,
//     before the members' own failures), with outputs given as inputs refused;
//   - `checkedFirst`: a check on a whole value that reports before the checks of its parts.
// A message never shows the value of a member that may be a secret: those schemas give fixed
// messages, and a failure without one of ours reads "is not valid" (never valibot's default text,
// which quotes the value).
import * as v from "valibot";
import { isRecord } from "../json-values";
import { closest } from "./closest";
import { isUnknown, type CheckFailure } from "./unknown";

/** Any synchronous valibot schema. */
export type Schema = v.GenericSchema;
type Dataset = v.OutputDataset<unknown, v.BaseIssue<unknown>>;
type Issue = v.BaseIssue<unknown>;

/** How a value reads after "got": `1024`, `"rsa"`, `a string ("2048")`, `an object`, `null`. */
export function describeValue(value: unknown, withKind = false): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  const shown =
    typeof value === "string"
      ? JSON.stringify(value.length > 200 ? value.slice(0, 200) + "..." : value)
      : String(value);
  if (!withKind) return shown;
  const kind = typeof value;
  return `${/^[aeiou]/.test(kind) ? "an" : "a"} ${kind} (${shown})`;
}

/** A message `must be <what>; got <the value, with its kind>`, for members that hold no secret. */
export const mustBe =
  (what: string) =>
  (issue: Issue): string =>
    `must be ${what}; got ${describeValue(issue.input, true)}`;

/** The enumeration as messages list it: `EC, EC-HSM, RSA, RSA-HSM`. */
export const listed = (values: readonly (string | number)[]): string => values.join(", ");

/**
 * Why `input` is not one of an enumeration (case-sensitive, as Azure is):
 * `must be one of A, B; got "a" (did you mean A?)`, or `must be a string; got ...`.
 */
export function oneOfMessage(values: readonly string[], input: unknown): string {
  if (typeof input !== "string") return `must be a string; got ${describeValue(input, true)}`;
  const hint = closest(input, values);
  return (
    `must be one of ${listed(values)}; got ${describeValue(input)}` + (hint ? ` (did you mean ${hint}?)` : "")
  );
}

/** One of an enumeration, with {@link oneOfMessage}. */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return v.picklist(values, (issue) => oneOfMessage(values, issue.input));
}

/** `schema`, with the preview's unknown marker accepted as a valid value of it. */
export function orUnknown<S extends Schema>(schema: S): S {
  return v._standardSchema({
    ...schema,
    "~run"(dataset: v.UnknownDataset, config: v.Config<Issue>) {
      if (isUnknown(dataset.value)) return { typed: true, value: dataset.value } as Dataset;
      return schema["~run"](dataset, config);
    },
  } as S);
}

/**
 * `schema`, preceded by a check of the whole value that reports first (a list's length before its
 * elements) and never stops `schema`. `check` returns the reason, or `undefined` when it holds.
 */
export function checkedFirst<S extends Schema>(check: (value: unknown) => string | undefined, schema: S): S {
  return v._standardSchema({
    ...schema,
    "~run"(dataset: v.UnknownDataset, config: v.Config<Issue>) {
      const reason = check(dataset.value);
      const out = schema["~run"](dataset, config) as Dataset;
      if (reason === undefined) return out;
      const issue = newIssue("checked_first", dataset.value, reason);
      return { ...out, issues: [issue, ...(out.issues ?? [])] } as Dataset;
    },
  } as S);
}

/** What an object's members are checked against, besides the entries. */
export interface MembersOptions {
  /**
   * Why the value is refused when it is not an object; when this gives `undefined` (or is not
   * set): `must be an object with <members>; got <the value>`.
   */
  notAnObject?: (input: unknown) => string | undefined;
  /** The reason for a key that is no member; default: `is not a member of <the object's path>`. */
  unknownMember?: string;
  /** What introduces the members when no name is close; default `; allowed: `. */
  allowedIntro?: string;
  /** Outputs of the resource, refused with `reason` when given a value (the resource class passes them unset). */
  outputs?: { names: readonly string[]; reason: string };
  /** Keys passed through without a check: the serialized provider, keys that code after the schema checks. */
  ignored?: readonly string[];
  /** `null` means "not set": the member is checked as absent and left out of the output. */
  nullIsUnset?: boolean;
}

/** The requirement of an unknown-member issue: what the path formatter needs to finish its message. */
interface UnknownMember {
  readonly unknownMember: true;
  readonly reason: string | undefined;
  readonly suggestion: string | undefined;
  readonly allowed: string;
}

/**
 * A plain object with these members (an array is not one). Unknown members fail first, in the order
 * given, each with "did you mean" when a member is close; then every entry is checked, absent ones
 * as `undefined` (so `v.optional` and `v.nonOptional` say what is required). The output holds the
 * entries' outputs that are not `undefined`.
 */
export function members<const E extends v.ObjectEntries>(
  entries: E,
  options: MembersOptions = {},
): v.ObjectSchema<E, undefined> {
  const names = Object.keys(entries);
  const ignored = new Set(options.ignored ?? []);
  const outputs = options.outputs;
  const notAnObject = (input: unknown) =>
    options.notAnObject?.(input) ??
    `must be an object with ${names.join(", ")}; got ${describeValue(input, true)}`;
  const base = v.object(entries);
  return v._standardSchema({
    ...base,
    "~run"(dataset: v.UnknownDataset, config: v.Config<Issue>) {
      const input = dataset.value;
      if (!isRecord(input)) {
        return {
          typed: false,
          value: input,
          issues: [newIssue("members", input, notAnObject(input))],
        } as Dataset;
      }
      const issues: Issue[] = [];
      const at = (key: string, issue: Issue): Issue => {
        const item: v.ObjectPathItem = { type: "object", origin: "value", input, key, value: input[key] };
        return { ...issue, path: [item, ...(issue.path ?? [])] };
      };
      for (const key of Object.keys(input)) {
        if (Object.hasOwn(entries, key) || ignored.has(key)) continue;
        const value = input[key];
        if (outputs?.names.includes(key)) {
          if (value !== undefined && value !== null)
            issues.push(at(key, newIssue("output", value, outputs.reason)));
          continue;
        }
        const requirement: UnknownMember = {
          unknownMember: true,
          reason: options.unknownMember,
          suggestion: closest(key, names),
          allowed: (options.allowedIntro ?? "; allowed: ") + names.join(", "),
        };
        issues.push(at(key, { ...newIssue("unknown_member", key, ""), requirement }));
      }
      const value: Record<string, unknown> = {};
      let typed = true;
      for (const key of names) {
        const given = options.nullIsUnset && input[key] === null ? undefined : input[key];
        const out = entries[key]["~run"]({ value: given }, config) as Dataset;
        for (const issue of out.issues ?? []) issues.push(at(key, issue));
        if (!out.typed) typed = false;
        if (out.value !== undefined) value[key] = out.value;
      }
      if (issues.length === 0) return { typed: true, value } as Dataset;
      return { typed, value, issues } as Dataset;
    },
  } as v.ObjectSchema<E, undefined>);
}

function newIssue(type: string, input: unknown, message: string): Issue {
  return { kind: "schema", type, input, expected: null, received: "", message };
}

/** `a.b[0].c`, the path as the user wrote it. */
function pathOf(path: readonly v.IssuePathItem[] | undefined): string {
  let out = "";
  for (const item of path ?? []) {
    const key = item.key;
    out += typeof key === "number" ? `[${key}]` : out ? `.${String(key)}` : String(key);
  }
  return out;
}

function reasonOf(issue: Issue): string {
  const req = issue.requirement as UnknownMember | undefined;
  if (!req?.unknownMember) return issue.message;
  const parent = pathOf(issue.path?.slice(0, -1));
  const reason = req.reason ?? (parent ? `is not a member of ${parent}` : "is not a member");
  return reason + (req.suggestion ? ` (did you mean ${req.suggestion}?)` : req.allowed);
}

// What a failure says when a schema gives no message of its own: never valibot's default, which
// quotes the value.
const NO_DEFAULT_MESSAGE = { abortEarly: false, message: () => "is not valid" } as const;

/**
 * Checks `value` with `schema`: every failure, each named by the property path under `at` (the
 * path of `value` itself, `""` for a resource's inputs), and valibot's output.
 */
export function check<S extends Schema>(
  schema: S,
  value: unknown,
  at = "",
): { failures: CheckFailure[]; output: unknown; valid: boolean } {
  const out = schema["~run"]({ value }, NO_DEFAULT_MESSAGE) as Dataset;
  const failures = (out.issues ?? []).map((issue) => {
    const path = pathOf(issue.path);
    return {
      property: at && path ? (path.startsWith("[") ? at + path : `${at}.${path}`) : at || path,
      reason: reasonOf(issue),
    };
  });
  return { failures, output: out.value, valid: failures.length === 0 };
}
