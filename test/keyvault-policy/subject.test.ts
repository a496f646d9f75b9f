import { canonicalDistinguishedName, parseDistinguishedName } from "../../provider/keyvault-policy/subject";

const CN = "2.5.4.3";
const O = "2.5.4.10";

const rdnsOf = (dn: string) => {
  const r = parseDistinguishedName(dn);
  if (!r.ok) throw new Error(`expected ${dn} to parse: ${r.error}`);
  return r.rdns;
};
const errorOf = (dn: string) => {
  const r = parseDistinguishedName(dn);
  if (r.ok) throw new Error(`expected ${dn} not to parse`);
  return r.error;
};

describe("X.500 names: what parses", () => {
  it("reads the two usual spellings", () => {
    expect(rdnsOf("CN=a, O=b")).toEqual([[{ oid: CN, value: "a" }], [{ oid: O, value: "b" }]]);
    expect(rdnsOf("CN=x,OU=y")).toEqual([[{ oid: CN, value: "x" }], [{ oid: "2.5.4.11", value: "y" }]]);
  });

  it("resolves RFC 4514 escapes: special characters, hex pairs as UTF-8, an escaped trailing space", () => {
    expect(rdnsOf("CN=Contoso\\, Ltd\\+Co")).toEqual([[{ oid: CN, value: "Contoso, Ltd+Co" }]]);
    expect(rdnsOf("CN=caf\\C3\\A9")).toEqual([[{ oid: CN, value: "café" }]]);
    expect(rdnsOf("CN=a\\2Cb")).toEqual([[{ oid: CN, value: "a,b" }]]);
    expect(rdnsOf("CN=\\#1")).toEqual([[{ oid: CN, value: "#1" }]]);
    expect(rdnsOf("CN=a\\ ")).toEqual([[{ oid: CN, value: "a " }]]);
    expect(rdnsOf("CN=a=b")).toEqual([[{ oid: CN, value: "a=b" }]]);
  });

  it("drops unescaped spaces around values and separators", () => {
    expect(rdnsOf("  CN = a b  ;  O=c ")).toEqual([[{ oid: CN, value: "a b" }], [{ oid: O, value: "c" }]]);
  });

  it("reads quoted values as .NET and Windows write them: a doubled quote is a quote, a backslash itself", () => {
    expect(rdnsOf('CN="Contoso, Ltd", O="a "" b"')).toEqual([
      [{ oid: CN, value: "Contoso, Ltd" }],
      [{ oid: O, value: 'a " b' }],
    ]);
    expect(rdnsOf('CN="C:\\dir\\", O=""')).toEqual([
      [{ oid: CN, value: "C:\\dir\\" }],
      [{ oid: O, value: "" }],
    ]);
  });

  it("reads multi-valued RDNs, #hex values, OIDs and aliases", () => {
    const E = "1.2.840.113549.1.9.1";
    expect(rdnsOf("CN=a+E=b@c.d")).toEqual([
      [
        { oid: CN, value: "a" },
        { oid: E, value: "b@c.d" },
      ],
    ]);
    expect(rdnsOf("CN=#0C0161")).toEqual([[{ oid: CN, value: "#0c0161" }]]);
    expect(rdnsOf("OID.2.5.4.3=a, 1.3.6.1.4.1.311.60.2.1.3=US")).toEqual([
      [{ oid: CN, value: "a" }],
      [{ oid: "1.3.6.1.4.1.311.60.2.1.3", value: "US" }],
    ]);
    expect(rdnsOf("S=WA, ST=OR, EMAIL=a@b.c, emailAddress=d@e.f, dc=contoso")).toEqual([
      [{ oid: "2.5.4.8", value: "WA" }],
      [{ oid: "2.5.4.8", value: "OR" }],
      [{ oid: E, value: "a@b.c" }],
      [{ oid: E, value: "d@e.f" }],
      [{ oid: "0.9.2342.19200300.100.1.25", value: "contoso" }],
    ]);
  });
});

describe("X.500 names: what does not parse, and why", () => {
  it.each<[string, string]>([
    ["", "the name is empty"],
    ["   ", "the name is empty"],
    ["KeyVaultTest", '"KeyVaultTest" has no "=" (expected TYPE=value)'],
    ["CN=a,,O=b", "a separator has nothing after it"],
    ["=a", "an attribute has no type before its '='"],
    ["C N=a", 'attribute type "C N" is neither a keyword nor a dotted OID'],
    [
      "XX=a",
      'unknown attribute type "XX" (use CN, O, OU, L, ST, C, E, DC, STREET, SERIALNUMBER ... or a dotted OID)',
    ],
    ["CN=", "CN has an empty value"],
    ["CN=  ,O=b", "CN has an empty value"],
    ["CN=a;", 'the name ends with a dangling ";"'],
    ["CN=a+", 'the name ends with a dangling "+"'],
    ["CN=a\\", "the value of CN ends with a lone backslash"],
    ["CN=a\\x", '"\\x" in the value of CN is not a valid escape (escape , + " \\ < > ; = # or use \\XX hex)'],
    ["CN=\\FF", "the escaped bytes in the value of CN are not valid UTF-8"],
    [
      'CN=a"b',
      "the value of CN has an unescaped '\"' (write \\\" or quote the whole value, doubling the quotes inside)",
    ],
    ['CN="a', "the quoted value of CN has no closing quote"],
    ['CN="a" b', 'unexpected "b" after the quoted value of CN'],
    [
      'CN="a \\" b"',
      'unexpected "b" after the quoted value of CN (inside quotes a backslash is itself: write a quote as "")',
    ],
    ["cn=", "cn has an empty value"],
    ["CN=#abc", 'the value of CN starts with "#" but is not an even number of hex digits (escape it as \\#)'],
    ["CN=#ab zz", 'the value of CN starts with "#" but is not hex digits (escape it as \\#)'],
  ])("%j: %s", (dn, error) => {
    expect(errorOf(dn)).toBe(error);
  });
});

describe("X.500 names: canonical form, for comparing subjects", () => {
  it("ignores spacing, separators, keyword case, aliases, OID spellings and RDN attribute order", () => {
    const forms = ["CN=a, O=b", "cn=a,o=b", "CN = a ; O = b", "2.5.4.3=a,OID.2.5.4.10=b", 'CN="a",O=b'];
    const canon = forms.map(canonicalDistinguishedName);
    expect(new Set(canon)).toEqual(new Set(["CN=a, O=b"]));
    expect(canonicalDistinguishedName("CN=a+O=b")).toBe(canonicalDistinguishedName("O=b+CN=a"));
  });

  it("keeps what changes the name: value case, RDN order, escaped characters", () => {
    expect(canonicalDistinguishedName("CN=a")).not.toBe(canonicalDistinguishedName("CN=A"));
    expect(canonicalDistinguishedName("CN=a,O=b")).not.toBe(canonicalDistinguishedName("O=b,CN=a"));
    expect(canonicalDistinguishedName("CN=a\\,O=b")).toBe('CN="a,O=b"');
    expect(canonicalDistinguishedName("CN=a\\ ")).toBe('CN="a "');
    expect(canonicalDistinguishedName('CN="a,O=b"')).toBe(canonicalDistinguishedName("CN=a\\2CO\\=b"));
  });

  it("is undefined for a string that is not a name", () => {
    expect(canonicalDistinguishedName("KeyVaultTest")).toBeUndefined();
  });
});
