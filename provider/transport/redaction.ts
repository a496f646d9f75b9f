/**
 * What may leave the transport in an error or a log line. URLs keep their path and `api-version`
 * (what a user needs to see which call failed) and lose every other query value (skip tokens, SAS
 * signatures) and any user info. Free text is scrubbed of known secrets and of anything shaped like
 * a token or a PFX before it is shown.
 */

/** Query parameters whose values are kept: they say which API was called and are never secret. */
const KEPT_QUERY_PARAMETERS = new Set(["api-version"]);

/**
 * A URL fit for an error message: scheme, host, port and path as sent, `api-version` kept, every
 * other query value replaced by `***`, user info and fragment dropped. A string that is not a URL
 * is returned with everything after `?` removed.
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url.replace(/[?#].*$/s, "");
  }
  const query = [...parsed.searchParams.entries()]
    .map(([name, value]) =>
      KEPT_QUERY_PARAMETERS.has(name.toLowerCase())
        ? `${encodeURIComponent(name)}=${encodeURIComponent(value)}`
        : `${encodeURIComponent(name)}=***`,
    )
    .join("&");
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}${query ? `?${query}` : ""}`;
}

// Shapes that are secret whoever produced them: a JWT (access tokens, client assertions), a bearer
// header, a long base64 run (a PFX or key), a PEM block.
const SECRET_SHAPES: RegExp[] = [
  /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g,
  /Bearer\s+[A-Za-z0-9._~+/=-]{8,}/gi,
  /-----BEGIN [A-Z ]+-----[\s\S]*?(-----END [A-Z ]+-----|$)/g,
  /[A-Za-z0-9+/]{120,}={0,2}/g,
];

/**
 * Secrets shorter than this are scrubbed only where they stand as a word of their own (not next to a
 * letter or digit): replacing every `a` of a message for a one-letter password would make the text
 * unreadable and, by the holes it leaves, show the password anyway. Longer ones go wherever they
 * appear, inside words too.
 */
const SHORT_SECRET_LENGTH = 4;

/**
 * Removes secrets from text. It knows the values it was told about (the client secret, client
 * assertions, tokens it handed out, values a request marks as secret), whatever their length, and
 * the shapes above.
 */
export class SecretScrubber {
  private readonly values = new Set<string>();

  /**
   * Remembers values that must never be shown, as written and as they would appear URL-encoded or
   * inside a JSON string; empty values are ignored.
   */
  add(...values: (string | undefined)[]): void {
    for (const v of values) {
      for (const form of variantsOf(v)) this.values.add(form);
    }
  }

  /** The text with every known secret and secret-shaped run replaced by `[redacted]`. */
  scrub(text: string, extra: readonly string[] = []): string {
    let out = text;
    const known = [...new Set([...this.values, ...extra.flatMap(variantsOf)])];
    // Longest first, so that a secret containing another is removed whole.
    known.sort((a, b) => b.length - a.length);
    for (const v of known) {
      out =
        v.length >= SHORT_SECRET_LENGTH
          ? out.split(v).join("[redacted]")
          : out.replace(new RegExp(`(?<![A-Za-z0-9])${escapeRegExp(v)}(?![A-Za-z0-9])`, "g"), "[redacted]");
    }
    for (const shape of SECRET_SHAPES) out = out.replace(shape, "[redacted]");
    return out;
  }
}

function variantsOf(value: string | undefined): string[] {
  if (!value) return [];
  return [...new Set([value, encodeURIComponent(value), JSON.stringify(value).slice(1, -1)])];
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
