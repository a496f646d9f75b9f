/**
 * X.500 distinguished names in string form, read and written the way .NET and Windows do (and so
 * Key Vault and API Management): most specific RDN first, ", " between RDNs, " + " between the
 * attributes of a multi-valued RDN, known types by keyword and others as `OID.<dotted>`, a value
 * in double quotes when it needs them, and a quote inside quotes written twice (`CN="a ""b"""`).
 *
 * The one contract: whatever `formatDistinguishedName` writes, `parseDistinguishedName` reads back
 * to the same attributes (test/unit/distinguished-name.test.ts holds it over awkward values). The
 * certificate descriptions (pki.ts) and the Key Vault policy's `subject` (keyvault-policy/) both
 * use this module.
 *
 * What the readers accept, from their sources (X500NameEncoder.cs in dotnet/runtime, the
 * CertStrToName and CertNameToStr documentation):
 * - .NET and Windows: `,` or `;` between RDNs, spaces around types, `=`, values and separators
 *   ignored, quoted values in which `""` is a quote and nothing else is special (a backslash is
 *   itself), `OID.` prefixes. Windows also reads `+` as the separator of a multi-valued RDN (.NET's
 *   own parser on Linux does not) and a value starting with `#` as hex.
 * - Key Vault: unquoted commas inside a value are refused ("Invalid X.500 distinguished name");
 *   the documented fix is to quote the value (`O="Contoso, Ltd."`).
 * Beyond those, an unquoted value here may use RFC 4514 escapes (`\,`, `\2C`, `\ `), which
 * OpenSSL and LDAP users write. Whether Key Vault reads them we could not find out (.NET's parser
 * does not: it keeps the backslash); this module reads them as RFC 4514 says and never writes them
 * (the formatter quotes any value holding a backslash instead, which every reader above takes
 * literally). A `#hex` value (RFC 4514: the BER encoding of the value; Windows: an octet string;
 * .NET: text) is kept as `#` + lower-case hex rather than guessed at.
 */

/** One attribute of a distinguished name. */
export interface DnAttribute {
  /** Dotted OID of the attribute type (`2.5.4.3` for CN). */
  oid: string;
  /** The value, with quotes and escapes resolved; a `#hex` value is kept as `#` + lower-case hex. */
  value: string;
}

/** A relative distinguished name: one attribute, or several for a multi-valued RDN (`CN=a + O=b`). */
export type Rdn = DnAttribute[];

/** The outcome of parsing: the RDNs in written order, or why the text is not a name. */
export type DnParseResult = { ok: true; rdns: Rdn[] } | { ok: false; error: string };

// The names .NET and Windows write for these OIDs (any other type is written `OID.<dotted>`).
// Kept to the set this package has always written, so that a certificate's `subject` output does
// not change under a stack.
const WRITTEN_NAMES: Record<string, string> = {
  "2.5.4.3": "CN",
  "2.5.4.11": "OU",
  "2.5.4.10": "O",
  "2.5.4.7": "L",
  "2.5.4.8": "S",
  "2.5.4.6": "C",
  "2.5.4.9": "STREET",
  "2.5.4.12": "T",
  "2.5.4.5": "SERIALNUMBER",
  "2.5.4.42": "G",
  "2.5.4.4": "SN",
  "1.2.840.113549.1.9.1": "E",
  "0.9.2342.19200300.100.1.25": "DC",
  "0.9.2342.19200300.100.1.1": "UID",
};

// Keywords read, with the aliases .NET, Windows, OpenSSL and RFC 4519 use, upper-cased.
const KEYWORD_OIDS: Record<string, string> = {
  CN: "2.5.4.3",
  COMMONNAME: "2.5.4.3",
  C: "2.5.4.6",
  COUNTRYNAME: "2.5.4.6",
  L: "2.5.4.7",
  LOCALITYNAME: "2.5.4.7",
  ST: "2.5.4.8",
  S: "2.5.4.8",
  STATEORPROVINCENAME: "2.5.4.8",
  O: "2.5.4.10",
  ORGANIZATIONNAME: "2.5.4.10",
  OU: "2.5.4.11",
  ORGANIZATIONALUNITNAME: "2.5.4.11",
  STREET: "2.5.4.9",
  STREETADDRESS: "2.5.4.9",
  DC: "0.9.2342.19200300.100.1.25",
  DOMAINCOMPONENT: "0.9.2342.19200300.100.1.25",
  UID: "0.9.2342.19200300.100.1.1",
  USERID: "0.9.2342.19200300.100.1.1",
  E: "1.2.840.113549.1.9.1",
  EMAIL: "1.2.840.113549.1.9.1",
  EMAILADDRESS: "1.2.840.113549.1.9.1",
  SN: "2.5.4.4",
  SURNAME: "2.5.4.4",
  G: "2.5.4.42",
  GN: "2.5.4.42",
  GIVENNAME: "2.5.4.42",
  I: "2.5.4.43",
  INITIALS: "2.5.4.43",
  T: "2.5.4.12",
  TITLE: "2.5.4.12",
  SERIALNUMBER: "2.5.4.5",
  DESCRIPTION: "2.5.4.13",
  POSTALCODE: "2.5.4.17",
  POBOX: "2.5.4.18",
  POSTOFFICEBOX: "2.5.4.18",
  PHONE: "2.5.4.20",
  TELEPHONENUMBER: "2.5.4.20",
  X21ADDRESS: "2.5.4.24",
  DNQUALIFIER: "2.5.4.46",
  DNQ: "2.5.4.46",
  NAME: "2.5.4.41",
  GENERATIONQUALIFIER: "2.5.4.44",
  PSEUDONYM: "2.5.4.65",
  BUSINESSCATEGORY: "2.5.4.15",
  ORGANIZATIONIDENTIFIER: "2.5.4.97",
  UNSTRUCTUREDNAME: "1.2.840.113549.1.9.2",
};

// ---------------------------------------------------------------------------------------------
// Writing

// .NET quotes a value holding any of , + = " \n < > # ; or starting or ending with white space
// (X500NameEncoder's NeedsQuoting). A backslash is added here: this module's reader takes a
// backslash in an unquoted value as an RFC 4514 escape, and inside quotes every reader takes it
// literally.
const NEEDS_QUOTES = /[,+="\n<>#;\\]/;
const EDGE_SPACE = /^[\t-\r ]|[\t-\r ]$/;

function formatValue(value: string): string {
  if (value.length > 0 && !NEEDS_QUOTES.test(value) && !EDGE_SPACE.test(value)) return value;
  return `"${value.replace(/"/g, '""')}"`;
}

function formatAttribute(a: DnAttribute): string {
  return `${WRITTEN_NAMES[a.oid] ?? `OID.${a.oid}`}=${formatValue(a.value)}`;
}

/**
 * Writes a name the .NET way. Each entry is one RDN, most specific first: an attribute, or the
 * attributes of a multi-valued RDN in their order.
 */
export function formatDistinguishedName(rdns: readonly (DnAttribute | readonly DnAttribute[])[]): string {
  return rdns
    .map((rdn) =>
      ((Array.isArray(rdn) ? rdn : [rdn]) as readonly DnAttribute[]).map(formatAttribute).join(" + "),
    )
    .join(", ");
}

/**
 * One string per name, for comparing two subjects: the name as `formatDistinguishedName` writes
 * it, with the attributes of a multi-valued RDN sorted. Two spellings Key Vault would treat alike
 * (`CN=a, O=b` and `cn=a;o=b`) give the same string; values are compared exactly. `undefined` if
 * the text is not a name.
 */
export function canonicalDistinguishedName(dn: string): string | undefined {
  const parsed = parseDistinguishedName(dn);
  if (!parsed.ok) return undefined;
  const byOidThenValue = (a: DnAttribute, b: DnAttribute) =>
    a.oid < b.oid ? -1 : a.oid > b.oid ? 1 : a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
  return formatDistinguishedName(parsed.rdns.map((rdn) => [...rdn].sort(byOidThenValue)));
}

// ---------------------------------------------------------------------------------------------
// Reading

const OID = /^[0-2](?:\.(?:0|[1-9][0-9]*))+$/;
const KEYWORD = /^[A-Za-z][A-Za-z0-9-]*$/;
const HEX = /^[0-9A-Fa-f]$/;
// Characters RFC 4514 lets a backslash escape, plus space (escaped leading/trailing spaces).
const ESCAPABLE = new Set([",", "+", '"', "\\", "<", ">", ";", "=", "#", " "]);
const SEPARATORS = new Set([",", ";", "+"]);

class DnSyntaxError extends Error {}

/** A cursor over the text being parsed. */
interface Cursor {
  dn: string;
  i: number;
}

const skipSpaces = (c: Cursor) => {
  while (c.dn[c.i] === " ") c.i++;
};

function attributeOid(raw: string): string {
  const text = raw.trim();
  const oid = text.replace(/^oid\./i, "");
  if (OID.test(oid)) return oid;
  if (text.length === 0) throw new DnSyntaxError("an attribute has no type before its '='");
  if (!KEYWORD.test(text))
    throw new DnSyntaxError(`attribute type "${text}" is neither a keyword nor a dotted OID`);
  const known = KEYWORD_OIDS[text.toUpperCase()];
  if (!known) {
    throw new DnSyntaxError(
      `unknown attribute type "${text}" (use CN, O, OU, L, ST, C, E, DC, STREET, SERIALNUMBER ... or a dotted OID)`,
    );
  }
  return known;
}

/** Reads `TYPE =`: the type's OID, and the type as written, which messages name. */
function readType(c: Cursor): { oid: string; label: string } {
  const eq = c.dn.indexOf("=", c.i);
  const seps = [...SEPARATORS].map((s) => c.dn.indexOf(s, c.i)).filter((p) => p >= 0);
  const sepBeforeEq = seps.length > 0 && (eq < 0 || Math.min(...seps) < eq);
  if (eq < 0 || sepBeforeEq) {
    const text = c.dn.slice(c.i, sepBeforeEq ? Math.min(...seps) : c.dn.length).trim();
    throw new DnSyntaxError(
      text.length > 0 ? `"${text}" has no "=" (expected TYPE=value)` : "a separator has nothing after it",
    );
  }
  const label = c.dn.slice(c.i, eq).trim();
  const oid = attributeOid(label);
  c.i = eq + 1;
  skipSpaces(c);
  return { oid, label };
}

function expectSeparatorOrEnd(c: Cursor, what: string): void {
  skipSpaces(c);
  if (c.i < c.dn.length && !SEPARATORS.has(c.dn[c.i])) throw new DnSyntaxError(what);
}

function readHexValue(c: Cursor, label: string): string {
  const m = /^#([0-9A-Fa-f]*)/.exec(c.dn.slice(c.i))!;
  if (m[1].length === 0 || m[1].length % 2 !== 0) {
    throw new DnSyntaxError(
      `the value of ${label} starts with "#" but is not an even number of hex digits (escape it as \\#)`,
    );
  }
  c.i += m[0].length;
  expectSeparatorOrEnd(c, `the value of ${label} starts with "#" but is not hex digits (escape it as \\#)`);
  return "#" + m[1].toLowerCase();
}

/** A quoted value, the .NET and Windows way: `""` is a quote, everything else is itself. */
function readQuotedValue(c: Cursor, label: string): string {
  let value = "";
  c.i++;
  for (;;) {
    const end = c.dn.indexOf('"', c.i);
    if (end < 0) throw new DnSyntaxError(`the quoted value of ${label} has no closing quote`);
    value += c.dn.slice(c.i, end);
    c.i = end + 1;
    if (c.dn[c.i] !== '"') break;
    value += '"';
    c.i++;
  }
  skipSpaces(c);
  if (c.i < c.dn.length && !SEPARATORS.has(c.dn[c.i])) {
    const hint = value.endsWith("\\") ? ' (inside quotes a backslash is itself: write a quote as "")' : "";
    throw new DnSyntaxError(`unexpected "${c.dn[c.i]}" after the quoted value of ${label}${hint}`);
  }
  return value;
}

/** An unquoted value, with RFC 4514 escapes; unescaped spaces at its end are dropped (RFC 1779). */
function readPlainValue(c: Cursor, label: string): string {
  const bytes: number[] = [];
  const push = (s: string) => bytes.push(...Buffer.from(s, "utf8"));
  let trailingSpaces = 0;
  while (c.i < c.dn.length && !SEPARATORS.has(c.dn[c.i])) {
    const ch = c.dn[c.i];
    if (ch === "\\") {
      const a = c.dn[c.i + 1];
      const b = c.dn[c.i + 2];
      if (a !== undefined && b !== undefined && HEX.test(a) && HEX.test(b)) {
        bytes.push(parseInt(a + b, 16));
        c.i += 3;
      } else if (a !== undefined && ESCAPABLE.has(a)) {
        push(a);
        c.i += 2;
      } else if (a === undefined) {
        throw new DnSyntaxError(`the value of ${label} ends with a lone backslash`);
      } else {
        throw new DnSyntaxError(
          `"\\${a}" in the value of ${label} is not a valid escape (escape , + " \\ < > ; = # or use \\XX hex)`,
        );
      }
      trailingSpaces = 0;
      continue;
    }
    if (ch === '"') {
      throw new DnSyntaxError(
        `the value of ${label} has an unescaped '"' (write \\" or quote the whole value, doubling the quotes inside)`,
      );
    }
    // Whole code points: a character outside the BMP is two UTF-16 units, neither valid alone.
    const char = String.fromCodePoint(c.dn.codePointAt(c.i)!);
    push(char);
    trailingSpaces = char === " " ? trailingSpaces + 1 : 0;
    c.i += char.length;
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(
      Uint8Array.from(bytes.slice(0, bytes.length - trailingSpaces)),
    );
  } catch {
    throw new DnSyntaxError(`the escaped bytes in the value of ${label} are not valid UTF-8`);
  }
}

function readAttribute(c: Cursor): DnAttribute {
  const { oid, label } = readType(c);
  if (c.dn[c.i] === '"') return { oid, value: readQuotedValue(c, label) };
  const value = c.dn[c.i] === "#" ? readHexValue(c, label) : readPlainValue(c, label);
  if (value.length === 0) throw new DnSyntaxError(`${label} has an empty value`);
  return { oid, value };
}

/**
 * Parses a distinguished name such as `CN=contoso.com, O=Contoso` or `CN=x;OU=y`. An empty string,
 * an attribute without `=`, an unknown attribute type, an unquoted empty value, a bad escape or a
 * dangling separator are errors, with a message that says which.
 */
export function parseDistinguishedName(dn: string): DnParseResult {
  if (dn.trim().length === 0) return { ok: false, error: "the name is empty" };
  const c: Cursor = { dn, i: 0 };
  const rdns: Rdn[] = [];
  let rdn: Rdn = [];
  try {
    for (;;) {
      rdn.push(readAttribute(c));
      if (c.i >= dn.length) {
        rdns.push(rdn);
        return { ok: true, rdns };
      }
      const sep = dn[c.i++];
      if (sep !== "+") {
        rdns.push(rdn);
        rdn = [];
      }
      skipSpaces(c);
      if (c.i >= dn.length) throw new DnSyntaxError(`the name ends with a dangling "${sep}"`);
    }
  } catch (e) {
    if (e instanceof DnSyntaxError) return { ok: false, error: e.message };
    throw e;
  }
}
