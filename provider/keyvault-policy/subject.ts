// A small parser for X.500 distinguished names in string form: RFC 4514 (`CN=a,O=b`, `\,` and
// `\2C` escapes, `#hex` values, multi-valued RDNs with `+`) plus what RFC 1779 and Windows also
// accept, since Key Vault is fed names written for either: spaces around separators, `;` as a
// separator, quoted values and `OID.` prefixes. node-forge builds names from attribute lists but
// does not parse their string form, hence this file.

/** Attribute type keywords and their aliases, mapped to one canonical keyword. */
const KEYWORDS: Record<string, string> = {
  CN: "CN",
  COMMONNAME: "CN",
  C: "C",
  COUNTRYNAME: "C",
  L: "L",
  LOCALITYNAME: "L",
  ST: "ST",
  S: "ST",
  STATEORPROVINCENAME: "ST",
  O: "O",
  ORGANIZATIONNAME: "O",
  OU: "OU",
  ORGANIZATIONALUNITNAME: "OU",
  STREET: "STREET",
  STREETADDRESS: "STREET",
  DC: "DC",
  DOMAINCOMPONENT: "DC",
  UID: "UID",
  USERID: "UID",
  E: "E",
  EMAIL: "E",
  EMAILADDRESS: "E",
  SN: "SN",
  SURNAME: "SN",
  G: "G",
  GN: "G",
  GIVENNAME: "G",
  I: "I",
  INITIALS: "I",
  T: "T",
  TITLE: "T",
  SERIALNUMBER: "SERIALNUMBER",
  DESCRIPTION: "DESCRIPTION",
  POSTALCODE: "POSTALCODE",
  POBOX: "POBOX",
  POSTOFFICEBOX: "POBOX",
  PHONE: "PHONE",
  TELEPHONENUMBER: "PHONE",
  X21ADDRESS: "X21ADDRESS",
  DNQUALIFIER: "DNQUALIFIER",
  DNQ: "DNQUALIFIER",
  NAME: "NAME",
  GENERATIONQUALIFIER: "GENERATIONQUALIFIER",
  PSEUDONYM: "PSEUDONYM",
  BUSINESSCATEGORY: "BUSINESSCATEGORY",
  ORGANIZATIONIDENTIFIER: "ORGANIZATIONIDENTIFIER",
  UNSTRUCTUREDNAME: "UNSTRUCTUREDNAME",
};

/** OIDs of the keywords above, so that `2.5.4.3=a` and `CN=a` compare equal. */
const OID_KEYWORDS: Record<string, string> = {
  "2.5.4.3": "CN",
  "2.5.4.6": "C",
  "2.5.4.7": "L",
  "2.5.4.8": "ST",
  "2.5.4.10": "O",
  "2.5.4.11": "OU",
  "2.5.4.9": "STREET",
  "0.9.2342.19200300.100.1.25": "DC",
  "0.9.2342.19200300.100.1.1": "UID",
  "1.2.840.113549.1.9.1": "E",
  "2.5.4.4": "SN",
  "2.5.4.42": "G",
  "2.5.4.43": "I",
  "2.5.4.12": "T",
  "2.5.4.5": "SERIALNUMBER",
  "2.5.4.13": "DESCRIPTION",
  "2.5.4.17": "POSTALCODE",
  "2.5.4.18": "POBOX",
  "2.5.4.20": "PHONE",
  "2.5.4.24": "X21ADDRESS",
  "2.5.4.46": "DNQUALIFIER",
  "2.5.4.41": "NAME",
  "2.5.4.44": "GENERATIONQUALIFIER",
  "2.5.4.65": "PSEUDONYM",
  "2.5.4.15": "BUSINESSCATEGORY",
  "2.5.4.97": "ORGANIZATIONIDENTIFIER",
  "1.2.840.113549.1.9.2": "UNSTRUCTUREDNAME",
};

const OID = /^[0-2](?:\.(?:0|[1-9][0-9]*))+$/;
const KEYWORD = /^[A-Za-z][A-Za-z0-9-]*$/;
const HEX = /^[0-9A-Fa-f]$/;
// Characters RFC 4514 lets a backslash escape, plus space (escaped leading/trailing spaces).
const ESCAPABLE = new Set([",", "+", '"', "\\", "<", ">", ";", "=", "#", " "]);

/** One attribute of a relative distinguished name, with its type in canonical form. */
export interface DnAttribute {
  /** Canonical keyword (`CN`, `O`, `ST`, `E`, ...) or a dotted OID for types without a keyword. */
  type: string;
  /** The value with escapes and quotes resolved; `#hex` values are kept as `#` + lower-case hex. */
  value: string;
}

/** The outcome of parsing: the RDNs in written order, or why the text is not a name. */
export type DnParseResult = { ok: true; rdns: DnAttribute[][] } | { ok: false; error: string };

function canonicalType(raw: string): string | { error: string } {
  const text = raw.trim();
  const oid = text.replace(/^oid\./i, "");
  if (OID.test(oid)) return OID_KEYWORDS[oid] ?? oid;
  if (text.length === 0) return { error: "an attribute has no type before its '='" };
  if (!KEYWORD.test(text)) return { error: `attribute type "${text}" is neither a keyword nor a dotted OID` };
  const keyword = KEYWORDS[text.toUpperCase()];
  if (!keyword) {
    return {
      error: `unknown attribute type "${text}" (use CN, O, OU, L, ST, C, E, DC, STREET, SERIALNUMBER ... or a dotted OID)`,
    };
  }
  return keyword;
}

const SEPARATORS = new Set([",", ";", "+"]);

/**
 * Parses a distinguished name such as `CN=contoso.com, O=Contoso` or `CN=x,OU=y`. An empty string,
 * an attribute without `=`, an unknown attribute type, an empty value, a bad escape or a dangling
 * separator are errors.
 */
export function parseDistinguishedName(dn: string): DnParseResult {
  if (dn.trim().length === 0) return { ok: false, error: "the name is empty" };
  const rdns: DnAttribute[][] = [];
  let rdn: DnAttribute[] = [];
  let i = 0;
  const fail = (error: string): DnParseResult => ({ ok: false, error });

  for (;;) {
    // Attribute type, up to '='.
    const eq = dn.indexOf("=", i);
    const nextSep = [...SEPARATORS].map((s) => dn.indexOf(s, i)).filter((p) => p >= 0);
    const sepBeforeEq = nextSep.length > 0 && (eq < 0 || Math.min(...nextSep) < eq);
    if (eq < 0 || sepBeforeEq) {
      const end = sepBeforeEq ? Math.min(...nextSep) : dn.length;
      const text = dn.slice(i, end).trim();
      return fail(
        text.length > 0 ? `"${text}" has no "=" (expected TYPE=value)` : "a separator has nothing after it",
      );
    }
    const type = canonicalType(dn.slice(i, eq));
    if (typeof type !== "string") return fail(type.error);
    i = eq + 1;
    while (dn[i] === " ") i++;

    // Value.
    let value: string;
    if (dn[i] === "#") {
      const m = /^#([0-9A-Fa-f]*)/.exec(dn.slice(i))!;
      if (m[1].length === 0 || m[1].length % 2 !== 0) {
        return fail(
          `the value of ${type} starts with "#" but is not an even number of hex digits (escape it as \\#)`,
        );
      }
      value = "#" + m[1].toLowerCase();
      i += m[0].length;
      while (dn[i] === " ") i++;
      if (i < dn.length && !SEPARATORS.has(dn[i])) {
        return fail(`the value of ${type} starts with "#" but is not hex digits (escape it as \\#)`);
      }
    } else {
      const bytes: number[] = [];
      const push = (s: string) => bytes.push(...Buffer.from(s, "utf8"));
      let trailingSpaces = 0; // unescaped spaces at the end, dropped as RFC 1779 allows
      if (dn[i] === '"') {
        i++;
        for (;;) {
          if (i >= dn.length) return fail(`the quoted value of ${type} has no closing quote`);
          const c = dn[i];
          if (c === '"') break;
          if (c === "\\") {
            if (i + 1 >= dn.length) return fail(`the value of ${type} ends with a lone backslash`);
            push(dn[i + 1]);
            i += 2;
            continue;
          }
          push(c);
          i++;
        }
        i++;
        while (dn[i] === " ") i++;
        if (i < dn.length && !SEPARATORS.has(dn[i])) {
          return fail(`unexpected "${dn[i]}" after the quoted value of ${type}`);
        }
      } else {
        while (i < dn.length && !SEPARATORS.has(dn[i])) {
          const c = dn[i];
          if (c === "\\") {
            const a = dn[i + 1];
            const b = dn[i + 2];
            if (a !== undefined && b !== undefined && HEX.test(a) && HEX.test(b)) {
              bytes.push(parseInt(a + b, 16));
              i += 3;
            } else if (a !== undefined && ESCAPABLE.has(a)) {
              push(a);
              i += 2;
            } else if (a === undefined) {
              return fail(`the value of ${type} ends with a lone backslash`);
            } else {
              return fail(
                `"\\${a}" in the value of ${type} is not a valid escape (escape , + " \\ < > ; = # or use \\XX hex)`,
              );
            }
            trailingSpaces = 0;
            continue;
          }
          if (c === '"')
            return fail(`the value of ${type} has an unescaped '"' (write \\" or quote the whole value)`);
          push(c);
          trailingSpaces = c === " " ? trailingSpaces + 1 : 0;
          i++;
        }
      }
      const kept = bytes.slice(0, bytes.length - trailingSpaces);
      try {
        value = new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.from(kept));
      } catch {
        return fail(`the escaped bytes in the value of ${type} are not valid UTF-8`);
      }
    }
    if (value.length === 0) return fail(`${type} has an empty value`);
    rdn.push({ type, value });

    if (i >= dn.length) {
      rdns.push(rdn);
      return { ok: true, rdns };
    }
    const sep = dn[i];
    i++;
    if (sep !== "+") {
      rdns.push(rdn);
      rdn = [];
    }
    while (dn[i] === " ") i++;
    if (i >= dn.length) return fail(`the name ends with a dangling "${sep}"`);
  }
}

function escapeValue(v: string): string {
  if (v.startsWith("#")) return v;
  return v.replace(/[,+"\\<>;=]/g, (c) => "\\" + c).replace(/^ | $/g, (c) => "\\" + c);
}

/**
 * One canonical string per name: canonical types, RFC 4514 escaping, no optional spaces,
 * attributes of a multi-valued RDN sorted. Two subjects Key Vault would treat alike (`CN=a, O=b`
 * and `cn=a,o=b`) give the same string; values are compared exactly. `undefined` if not a name.
 */
export function canonicalDistinguishedName(dn: string): string | undefined {
  const parsed = parseDistinguishedName(dn);
  if (!parsed.ok) return undefined;
  return parsed.rdns
    .map((rdn) =>
      rdn
        .map((a) => `${a.type}=${escapeValue(a.value)}`)
        .sort()
        .join("+"),
    )
    .join(",");
}
