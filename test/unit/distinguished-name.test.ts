import {
  type DnAttribute,
  type Rdn,
  canonicalDistinguishedName,
  formatDistinguishedName,
  parseDistinguishedName,
} from "../../provider/distinguished-name";

const CN = "2.5.4.3";
const O = "2.5.4.10";
const OU = "2.5.4.11";

const parse = (dn: string): Rdn[] => {
  const r = parseDistinguishedName(dn);
  if (!r.ok) throw new Error(`expected ${JSON.stringify(dn)} to parse: ${r.error}`);
  return r.rdns;
};

describe("distinguished names: written the .NET way", () => {
  it.each<[DnAttribute[] | Rdn[], string]>([
    [
      [
        { oid: CN, value: "contoso.com" },
        { oid: O, value: "Contoso" },
        { oid: "2.5.4.6", value: "US" },
      ],
      "CN=contoso.com, O=Contoso, C=US",
    ],
    [
      [
        { oid: "2.5.4.8", value: "WA" },
        { oid: "1.2.840.113549.1.9.1", value: "a@b.c" },
      ],
      "S=WA, E=a@b.c",
    ],
    [[{ oid: "1.3.6.1.4.1.311.60.2.1.3", value: "US" }], "OID.1.3.6.1.4.1.311.60.2.1.3=US"],
    [[{ oid: CN, value: 'a"b, c' }], 'CN="a""b, c"'],
    [[{ oid: CN, value: "Contoso, Ltd." }], 'CN="Contoso, Ltd."'],
    [[{ oid: CN, value: " padded " }], 'CN=" padded "'],
    [[{ oid: CN, value: "" }], 'CN=""'],
    [[{ oid: CN, value: "#1" }], 'CN="#1"'],
    [[{ oid: CN, value: "a\\b" }], 'CN="a\\b"'],
    [[{ oid: CN, value: "café ünïcode 東京" }], "CN=café ünïcode 東京"],
    [
      [
        [
          { oid: CN, value: "a" },
          { oid: OU, value: "b" },
        ],
        [{ oid: O, value: "c" }],
      ],
      "CN=a + OU=b, O=c",
    ],
  ])("%j is written %s", (rdns, written) => {
    expect(formatDistinguishedName(rdns)).toBe(written);
  });
});

describe("distinguished names: what is written reads back to the same attributes", () => {
  const nasty = [
    "plain",
    "a,b",
    'a"b',
    '"quoted"',
    '""',
    "a+b",
    "a=b",
    "=",
    " leading",
    "trailing ",
    "  both  ",
    " ",
    "#hash",
    "#0C0161",
    "mid#dle",
    "back\\slash",
    "\\",
    "ends with \\",
    "\\2C",
    "semi;colon",
    "<angle>",
    "new\nline",
    "tab\tin",
    "\ttab edge",
    "carriage\rreturn",
    "café",
    "東京都",
    "emoji 😀",
    "",
    'all ,+="\n<>#;\\ of them ',
  ];

  it.each(nasty)("%j", (value) => {
    const rdns: Rdn[] = [[{ oid: CN, value }], [{ oid: O, value }], [{ oid: "1.2.3.4", value }]];
    expect(parse(formatDistinguishedName(rdns))).toEqual(rdns);
  });

  it("multi-valued RDNs, with every awkward value in one name", () => {
    const rdns: Rdn[] = nasty.map((value, i) =>
      i % 3 === 0
        ? [
            { oid: CN, value },
            { oid: OU, value: `${value}+` },
          ]
        : [{ oid: i % 2 ? O : "2.5.4.5", value }],
    );
    expect(parse(formatDistinguishedName(rdns))).toEqual(rdns);
  });

  it("random values over an alphabet of separators, quotes, escapes, spaces and non-ASCII", () => {
    const alphabet = [..." ,;+=\"'\\#<>\n\tabcAZ09é東😀"];
    let seed = 42;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let n = 0; n < 500; n++) {
      const value = Array.from({ length: next() % 12 }, () => alphabet[next() % alphabet.length]).join("");
      const rdns: Rdn[] = [[{ oid: CN, value }], [{ oid: O, value: value + "x" }]];
      const written = formatDistinguishedName(rdns);
      expect({ written, read: parse(written) }).toEqual({ written, read: rdns });
    }
  });
});

describe("distinguished names: one reading for the spellings users and .NET write", () => {
  it("reads what .NET writes, and RFC 4514 escapes in unquoted values", () => {
    expect(parse('CN="a""b, c"')).toEqual([[{ oid: CN, value: 'a"b, c' }]]);
    expect(parse("CN=a\\2Cb")).toEqual([[{ oid: CN, value: "a,b" }]]);
    expect(parse("CN=a\\,b")).toEqual([[{ oid: CN, value: "a,b" }]]);
    expect(parse('CN="a\\2Cb"')).toEqual([[{ oid: CN, value: "a\\2Cb" }]]);
    expect(parse("CN=a + OU=b, O=c")).toEqual([
      [
        { oid: CN, value: "a" },
        { oid: OU, value: "b" },
      ],
      [{ oid: O, value: "c" }],
    ]);
  });

  it("gives one canonical form to spellings of the same name, and different ones to different names", () => {
    const same = ["CN=a\\,b, O=c", 'cn="a,b";o=c', "2.5.4.3=a\\2Cb , OID.2.5.4.10=c"];
    expect(new Set(same.map(canonicalDistinguishedName))).toEqual(new Set(['CN="a,b", O=c']));
    expect(canonicalDistinguishedName("CN=a+OU=b")).toBe(canonicalDistinguishedName("OU=b + CN=a"));
    expect(canonicalDistinguishedName("CN=a,b=c")).toBeUndefined();
    expect(canonicalDistinguishedName('CN="a,b"')).not.toBe(canonicalDistinguishedName("CN=a, CN=b"));
  });
});
