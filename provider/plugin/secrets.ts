/**
 * Secrets across the plugin's boundary. The plugin answers Configure with `acceptSecrets: true`,
 * so the engine sends every secret value wrapped as
 * `{ "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value }` and stores
 * what the plugin returns as it is: a value returned unwrapped lands in state in plain text. The
 * provider modules work on plain values, so inputs are unwrapped on the way in (remembering which
 * top-level properties held a secret) and those properties, and the ones the schema marks secret,
 * are wrapped again on the way out.
 */
import { isRecord } from "../json-values";

/** The key that marks a special value in the engine's property format (`sig.Key`). */
export const SIGNATURE_KEY = "4dabf18193072939515e22adb298388d";
/** The signature of a secret (`sig.Secret`). */
export const SECRET_SIGNATURE = "1b47061264138c4ac30d75fd1eb44270";

type Raw = Record<string, unknown>;

export function isSecret(v: unknown): v is { value: unknown } {
  return isRecord(v) && v[SIGNATURE_KEY] === SECRET_SIGNATURE;
}

/** A value as the engine's wire format marks a secret. */
export function secret(value: unknown): Raw {
  return { [SIGNATURE_KEY]: SECRET_SIGNATURE, value };
}

/** The value with every secret wrapper inside it removed, and whether there was one. */
export function reveal(v: unknown): { value: unknown; secret: boolean } {
  if (isSecret(v)) return { value: reveal(v.value).value, secret: true };
  if (Array.isArray(v)) {
    const items = v.map(reveal);
    return { value: items.map((i) => i.value), secret: items.some((i) => i.secret) };
  }
  if (isRecord(v) && !(SIGNATURE_KEY in v)) {
    let found = false;
    const out: Raw = {};
    for (const [k, inner] of Object.entries(v)) {
      const r = reveal(inner);
      out[k] = r.value;
      found ||= r.secret;
    }
    return { value: out, secret: found };
  }
  return { value: v, secret: false };
}

/** Plain properties, and the names of the top-level properties that held a secret anywhere inside. */
export function unwrapProperties(props: Raw | undefined): { plain: Raw; secretKeys: Set<string> } {
  const plain: Raw = {};
  const secretKeys = new Set<string>();
  for (const [k, v] of Object.entries(props ?? {})) {
    const r = reveal(v);
    plain[k] = r.value;
    if (r.secret) secretKeys.add(k);
  }
  return { plain, secretKeys };
}

/** `props` with the values of `keys` (those present) wrapped as secrets; the rest as they are. */
export function wrapProperties(props: Raw, keys: Iterable<string>): Raw {
  const out: Raw = { ...props };
  for (const k of keys) {
    if (out[k] !== undefined && !isSecret(out[k])) out[k] = secret(out[k]);
  }
  return out;
}
