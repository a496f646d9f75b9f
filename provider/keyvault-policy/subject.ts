// The policy's `subject` is read with the package's one distinguished-name module
// (provider/distinguished-name.ts, which also writes certificate subjects): `check` reports its
// parse errors, and the diff compares subjects by their canonical form.
export {
  type DnAttribute,
  type DnParseResult,
  canonicalDistinguishedName,
  parseDistinguishedName,
} from "../distinguished-name";
