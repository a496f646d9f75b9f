/**
 * provider/pki.ts opening PFX files in every format the openssl CLI writes, checked against what
 * openssl itself reads from the certificates (an independent oracle: fingerprint, subject, issuer,
 * validity). The files are made here, at run time, in a temporary folder.
 */
import { execFileSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { buildPfx } from "../../emulator/pki";
import { type Rdn, parseDistinguishedName } from "../../provider/distinguished-name";
import {
  PkiError,
  describeCertificate,
  keyMatchesCertificate,
  parsePem,
  parsePfx,
  pfxLeafThroughOpenSsl,
  toPemBundle,
} from "../../provider/pki";

let dir: string;
const file = (name: string) => path.join(dir, name);
const openssl = (...args: string[]) =>
  execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] }).toString("utf8");

/** What openssl reads from a PEM certificate. */
interface OpensslFacts {
  thumbprint: string;
  subject: string;
  issuer: string;
  notBefore: Date;
  notAfter: Date;
}

function opensslFacts(pem: string): OpensslFacts {
  const out = openssl("x509", "-in", pem, "-noout", "-fingerprint", "-sha1", "-subject", "-issuer");
  const dates = openssl("x509", "-in", pem, "-noout", "-dates");
  const names = openssl("x509", "-in", pem, "-noout", "-subject", "-issuer", "-nameopt", "RFC2253");
  const field = (text: string, key: string) => new RegExp(`^${key}=(.*)$`, "mi").exec(text)![1];
  expect(out).toMatch(/fingerprint=/i);
  return {
    thumbprint: field(out, "sha1 Fingerprint").replace(/:/g, ""),
    subject: field(names, "subject"),
    issuer: field(names, "issuer"),
    notBefore: new Date(field(dates, "notBefore")),
    notAfter: new Date(field(dates, "notAfter")),
  };
}

/** A name as attributes, each RDN's attributes sorted, so that two spellings compare. */
function attributesOf(dn: string): Rdn[] {
  const parsed = parseDistinguishedName(dn);
  if (!parsed.ok) throw new Error(`${JSON.stringify(dn)} does not parse: ${parsed.error}`);
  return parsed.rdns.map((rdn) => [...rdn].sort((a, b) => (a.oid < b.oid ? -1 : 1)));
}

const thumbprintOf = (der: Buffer) => crypto.createHash("sha1").update(der).digest("hex").toUpperCase();
const spki = (key: crypto.KeyObject) =>
  crypto.createPublicKey(key).export({ type: "spki", format: "der" }).toString("hex");
const keyFile = (name: string) => crypto.createPrivateKey(fs.readFileSync(file(name)));

let facts: Record<"root" | "intermediate" | "leaf" | "ec" | "other", OpensslFacts>;
let pbmac1: boolean;

beforeAll(() => {
  const version = execFileSync("openssl", ["version"]).toString();
  expect(version).toMatch(/^OpenSSL 3\./); // -legacy, -keypbe NONE and PBES2 defaults are OpenSSL 3's
  const help = (() => {
    try {
      return execFileSync("openssl", ["pkcs12", "-help"], { stdio: ["ignore", "pipe", "pipe"] }).toString();
    } catch (e) {
      return String((e as { stderr?: Buffer }).stderr ?? "");
    }
  })();
  pbmac1 = help.includes("pbmac1_pbkdf2"); // OpenSSL >= 3.4
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "pac-pki-"));
  fs.writeFileSync(
    file("ca.ext"),
    "basicConstraints=critical,CA:TRUE\nkeyUsage=keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n",
  );
  fs.writeFileSync(
    file("leaf.ext"),
    "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nsubjectAltName=DNS:leaf.contoso.com\nauthorityKeyIdentifier=keyid\n",
  );
  const rsa = ["-newkey", "rsa:2048", "-nodes"];
  openssl(
    "req",
    "-x509",
    ...rsa,
    "-keyout",
    "root.key",
    "-out",
    "root.pem",
    "-subj",
    "/O=Contoso/CN=Test Root",
    "-days",
    "30",
  );
  openssl("req", ...rsa, "-keyout", "int.key", "-out", "int.csr", "-subj", "/O=Contoso/CN=Test Intermediate");
  openssl(
    "x509",
    "-req",
    "-in",
    "int.csr",
    "-CA",
    "root.pem",
    "-CAkey",
    "root.key",
    "-set_serial",
    "2",
    "-days",
    "20",
    "-extfile",
    "ca.ext",
    "-out",
    "int.pem",
  );
  // A leaf subject with what needs quoting or escaping: a comma, quotes, a multi-valued RDN, UTF-8.
  openssl(
    "req",
    ...rsa,
    "-keyout",
    "leaf.key",
    "-out",
    "leaf.csr",
    "-utf8",
    "-subj",
    '/C=US/L=Zürich/O=Contoso, Ltd. "Q"/CN=leaf.contoso.com+OU=Web',
  );
  openssl(
    "x509",
    "-req",
    "-in",
    "leaf.csr",
    "-CA",
    "int.pem",
    "-CAkey",
    "int.key",
    "-set_serial",
    "3",
    "-days",
    "10",
    "-extfile",
    "leaf.ext",
    "-out",
    "leaf.pem",
  );
  openssl(
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-nodes",
    "-keyout",
    "ec.key",
    "-out",
    "ec.pem",
    "-subj",
    "/CN=ec.contoso.com",
    "-days",
    "5",
  );
  openssl(
    "req",
    "-x509",
    ...rsa,
    "-keyout",
    "other.key",
    "-out",
    "other.pem",
    "-subj",
    "/CN=other",
    "-days",
    "5",
  );
  // The chain after the leaf, root first: the result must still be leaf, intermediate, root.
  fs.writeFileSync(
    file("chain.pem"),
    fs.readFileSync(file("root.pem")) + fs.readFileSync(file("int.pem")).toString(),
  );
  fs.writeFileSync(
    file("all.pem"),
    fs.readFileSync(file("chain.pem")) + fs.readFileSync(file("leaf.pem")).toString(),
  );
  facts = {
    root: opensslFacts("root.pem"),
    intermediate: opensslFacts("int.pem"),
    leaf: opensslFacts("leaf.pem"),
    ec: opensslFacts("ec.pem"),
    other: opensslFacts("other.pem"),
  };
}, 60_000);

afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** Makes a PFX with `openssl pkcs12 -export` and returns its bytes. */
function exportPfx(name: string, password: string, args: string[]): Buffer {
  openssl("pkcs12", "-export", ...args, "-passout", `pass:${password}`, "-out", `${name}.p12`);
  return fs.readFileSync(file(`${name}.p12`));
}

/** One DER element at `at`: its tag, where its content starts and ends. */
function element(b: Buffer, at: number) {
  let p = at + 2;
  let length = b[at + 1];
  if (length & 0x80) {
    const n = length & 0x7f;
    length = b.subarray(p, p + n).reduce((acc, x) => acc * 256 + x, 0);
    p += n;
  }
  return { tag: b[at], start: p, end: p + length, whole: b.subarray(at, p + length) };
}

const children = (b: Buffer, e: { start: number; end: number }) => {
  const out = [];
  for (let p = e.start; p < e.end; p = element(b, p).end) out.push(element(b, p));
  return out;
};

/**
 * Re-encodes an openssl (DER) PFX the BER way: PFX, authSafe and its [0] with indefinite lengths,
 * the authSafe OCTET STRING as a constructed one in 500-byte chunks. The MAC covers the octets,
 * not their encoding, so it still verifies.
 */
function toIndefiniteBer(der: Buffer): Buffer {
  const indefinite = (tag: number, ...parts: Buffer[]) =>
    Buffer.concat([Buffer.from([tag, 0x80]), ...parts, Buffer.alloc(2)]);
  const definite = (tag: number, content: Buffer) => {
    const n = content.length;
    const len = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
    return Buffer.concat([Buffer.from([tag, ...len]), content]);
  };
  const pfx = element(der, 0);
  const [version, authSafe, mac] = children(der, pfx);
  const [oid, explicit] = children(der, authSafe);
  const octets = children(der, explicit)[0];
  const content = der.subarray(octets.start, octets.end);
  const chunks: Buffer[] = [];
  for (let i = 0; i < content.length; i += 500) chunks.push(definite(0x04, content.subarray(i, i + 500)));
  const ci = indefinite(0x30, oid.whole, indefinite(0xa0, indefinite(0x24, ...chunks)));
  return indefinite(0x30, version.whole, ci, mac.whole);
}

const RSA_CHAIN = ["-inkey", "leaf.key", "-in", "leaf.pem", "-certfile", "chain.pem"];
const NON_ASCII = "pässwörd-東京-😀";

interface Case {
  name: string;
  args: string[];
  password: string;
  /** Certificates expected, in order. */
  certs: (keyof typeof facts)[];
  key?: string;
  /** Whether the file carries a MAC (a wrong password is then told by the MAC check). */
  mac?: boolean;
}

const cases: Case[] = [
  {
    name: "openssl-3-default",
    args: RSA_CHAIN,
    password: "s3cret",
    certs: ["leaf", "intermediate", "root"],
    key: "leaf.key",
  },
  {
    name: "legacy",
    args: ["-legacy", ...RSA_CHAIN],
    password: "s3cret",
    certs: ["leaf", "intermediate", "root"],
    key: "leaf.key",
  },
  {
    name: "sha1-3des",
    args: ["-keypbe", "PBE-SHA1-3DES", "-certpbe", "PBE-SHA1-3DES", ...RSA_CHAIN],
    password: "s3cret",
    certs: ["leaf", "intermediate", "root"],
    key: "leaf.key",
  },
  {
    name: "certpbe-none",
    args: ["-certpbe", "NONE", ...RSA_CHAIN],
    password: "s3cret",
    certs: ["leaf", "intermediate", "root"],
    key: "leaf.key",
  },
  {
    name: "nomac",
    args: ["-nomac", ...RSA_CHAIN],
    password: "s3cret",
    certs: ["leaf", "intermediate", "root"],
    key: "leaf.key",
    mac: false,
  },
  {
    name: "legacy-nomac",
    args: ["-legacy", "-nomac", ...RSA_CHAIN],
    password: "s3cret",
    certs: ["leaf", "intermediate", "root"],
    key: "leaf.key",
    mac: false,
  },
  {
    name: "empty-password",
    args: RSA_CHAIN,
    password: "",
    certs: ["leaf", "intermediate", "root"],
    key: "leaf.key",
  },
  {
    name: "empty-password-legacy",
    args: ["-legacy", ...RSA_CHAIN],
    password: "",
    certs: ["leaf", "intermediate", "root"],
    key: "leaf.key",
  },
  {
    name: "non-ascii-password",
    args: RSA_CHAIN,
    password: NON_ASCII,
    certs: ["leaf", "intermediate", "root"],
    key: "leaf.key",
  },
  {
    name: "non-ascii-password-legacy",
    args: ["-legacy", ...RSA_CHAIN],
    password: NON_ASCII,
    certs: ["leaf", "intermediate", "root"],
    key: "leaf.key",
  },
  {
    name: "macalg-sha512",
    args: ["-macalg", "sha512", ...RSA_CHAIN],
    password: "s3cret",
    certs: ["leaf", "intermediate", "root"],
    key: "leaf.key",
  },
  {
    name: "ec-p256",
    args: ["-inkey", "ec.key", "-in", "ec.pem"],
    password: "s3cret",
    certs: ["ec"],
    key: "ec.key",
  },
  {
    name: "no-private-key",
    args: ["-nokeys", "-in", "all.pem"],
    password: "s3cret",
    certs: ["leaf", "intermediate", "root"],
  },
  {
    name: "pbmac1",
    args: ["-pbmac1_pbkdf2", ...RSA_CHAIN],
    password: "s3cret",
    certs: ["leaf", "intermediate", "root"],
    key: "leaf.key",
  },
];

describe("parsePfx: the formats openssl writes", () => {
  it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    if (c.name === "pbmac1" && !pbmac1) {
      console.warn(
        `openssl ${execFileSync("openssl", ["version"]).toString().trim()} cannot write PBMAC1: not checked`,
      );
      return;
    }
    const pfx = exportPfx(c.name, c.password, c.args);
    const bundle = parsePfx(pfx, c.password);

    // Which certificates, in which order (leaf first, then up the chain), by openssl's fingerprints.
    expect(bundle.certificates.map(thumbprintOf)).toEqual(c.certs.map((k) => facts[k].thumbprint));
    for (const [i, k] of c.certs.entries()) {
      const d = describeCertificate(bundle.certificates[i]);
      const o = facts[k];
      expect({
        thumbprint: d.thumbprint,
        subject: attributesOf(d.subject),
        issuer: attributesOf(d.issuer),
        notBefore: d.notBefore.toISOString(),
        notAfter: d.notAfter.toISOString(),
      }).toEqual({
        thumbprint: o.thumbprint,
        subject: attributesOf(o.subject),
        issuer: attributesOf(o.issuer),
        notBefore: o.notBefore.toISOString(),
        notAfter: o.notAfter.toISOString(),
      });
    }
    if (c.key) {
      expect(bundle.privateKey).toBeDefined();
      expect(spki(bundle.privateKey!)).toBe(spki(keyFile(c.key)));
      expect(keyMatchesCertificate(bundle.privateKey!, bundle.certificates[0])).toBe(true);
    } else {
      expect(bundle.privateKey).toBeUndefined();
    }

    // The wrong password is reason "password", told by the MAC or, without one, by decryption.
    const wrong = (() => {
      try {
        parsePfx(pfx, c.password + "x");
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(wrong).toBeInstanceOf(PkiError);
    expect((wrong as PkiError).reason).toBe("password");
    expect((wrong as PkiError).message).toMatch(c.mac === false ? /decryption failed/ : /MAC check failed/);
    expect((wrong as PkiError).message).not.toContain(c.password + "x");
  });

  it.each(cases.filter((c) => c.name !== "pbmac1").map((c) => [c.name, c] as const))(
    "%s, through OpenSSL: the leaf parsePfx reads, or undefined (then parsePfx is used)",
    (_name, c) => {
      const pfx = exportPfx(c.name, c.password, c.args);
      const leaf = pfxLeafThroughOpenSsl(pfx, c.password);
      // What OpenSSL opens, it opens right; without a key it opens nothing. OpenSSL 3 opens every
      // file with a key and no RC2: the fast way must be taken for those (a -legacy file without
      // MAC may open too).
      if (leaf !== undefined) expect(thumbprintOf(leaf)).toBe(facts[c.certs[0]].thumbprint);
      if (c.key === undefined) expect(leaf).toBeUndefined();
      if (c.key !== undefined && !c.args.includes("-legacy")) expect(leaf).toBeDefined();
      expect(pfxLeafThroughOpenSsl(pfx, c.password + "x")).toBeUndefined();
    },
  );

  it("writes the leaf's subject the .NET way: most specific first, quoted where needed, + for a multi-valued RDN", () => {
    const bundle = parsePfx(exportPfx("subject", "s3cret", RSA_CHAIN), "s3cret");
    const d = describeCertificate(bundle.certificates[0]);
    expect(d.subject).toBe('OU=Web + CN=leaf.contoso.com, O="Contoso, Ltd. ""Q""", L=Zürich, C=US');
    expect(d.issuer).toBe("CN=Test Intermediate, O=Contoso");
  });

  it("reads the string types older tools write in names: PrintableString, T61String, BMPString", () => {
    // OpenSSL's `default` string mask picks the narrowest type: T61String for "@" or Latin-1
    // letters, BMPString beyond Latin-1 (UTF8String is the modern default, tested above).
    fs.writeFileSync(file("strings.cnf"), "[req]\ndistinguished_name=dn\nstring_mask=default\n[dn]\n");
    openssl(
      ...["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "strings.key", "-out", "strings.pem"],
      ...["-days", "30", "-config", "strings.cnf", "-utf8"],
      ...["-subj", "/C=US/L=Zürich/O=Ωmega Corp/OU=a@b/serialNumber=12345/CN=plain"],
    );
    const types = openssl("asn1parse", "-in", "strings.pem").match(/PRINTABLESTRING|T61STRING|BMPSTRING/g);
    expect(new Set(types)).toEqual(new Set(["PRINTABLESTRING", "T61STRING", "BMPSTRING"]));
    const d = describeCertificate(parsePem(fs.readFileSync(file("strings.pem"), "utf8")).certificates[0]);
    expect(d.subject).toBe("CN=plain, SERIALNUMBER=12345, OU=a@b, O=Ωmega Corp, L=Zürich, C=US");
    expect(d.issuer).toBe(d.subject);
    const o = opensslFacts(file("strings.pem"));
    expect([d.thumbprint, d.notBefore.toISOString(), d.notAfter.toISOString()]).toEqual([
      o.thumbprint,
      o.notBefore.toISOString(),
      o.notAfter.toISOString(),
    ]);
  });

  it("reads a version 1 certificate (no version field before the serial number)", () => {
    openssl("req", "-new", "-key", "leaf.key", "-subj", "/O=Old Tools/CN=v1.contoso.com", "-out", "v1.csr");
    openssl("x509", "-req", "-in", "v1.csr", "-key", "leaf.key", "-days", "2", "-out", "v1.pem");
    expect(openssl("x509", "-in", "v1.pem", "-noout", "-text")).toMatch(/Version: 1 \(0x0\)/);
    const d = describeCertificate(parsePem(fs.readFileSync(file("v1.pem"), "utf8")).certificates[0]);
    expect([d.subject, d.issuer]).toEqual([
      "CN=v1.contoso.com, O=Old Tools",
      "CN=v1.contoso.com, O=Old Tools",
    ]);
    expect(d.notAfter.toISOString()).toBe(opensslFacts(file("v1.pem")).notAfter.toISOString());
  });

  it("a PFX whose key belongs to another certificate: the key and the certificate as they are", () => {
    // openssl refuses to write such a file, so the emulator's own PKCS#12 writer (node-forge) does.
    const leaf = describeCertificate(parsePem(fs.readFileSync(file("leaf.pem"), "utf8")).certificates[0]).der;
    const pfx = buildPfx({ certificates: [leaf], privateKey: keyFile("other.key"), password: "s3cret" });
    const bundle = parsePfx(pfx, "s3cret");
    expect(bundle.certificates.map(thumbprintOf)).toEqual([facts.leaf.thumbprint]);
    expect(spki(bundle.privateKey!)).toBe(spki(keyFile("other.key")));
    expect(keyMatchesCertificate(bundle.privateKey!, bundle.certificates[0])).toBe(false);
  });

  it("a PFX in BER (indefinite lengths, its content in chunks), as some older tools write it", () => {
    const der = exportPfx("ber", "s3cret", RSA_CHAIN);
    const ber = toIndefiniteBer(der);
    expect(ber.equals(der)).toBe(false);
    const a = parsePfx(der, "s3cret");
    const b = parsePfx(ber, "s3cret");
    expect(b.certificates.map(thumbprintOf)).toEqual(a.certificates.map(thumbprintOf));
    expect(spki(b.privateKey!)).toBe(spki(a.privateKey!));
    expect(() => parsePfx(ber, "wrong")).toThrow(expect.objectContaining({ reason: "password" }));
  });

  it("the PEM bundle made from a PFX reads back to the same key and chain", () => {
    const bundle = parsePfx(exportPfx("pem", "s3cret", RSA_CHAIN), "s3cret");
    const again = parsePem(toPemBundle(bundle));
    expect(again.certificates.map(thumbprintOf)).toEqual(bundle.certificates.map(thumbprintOf));
    expect(spki(again.privateKey!)).toBe(spki(bundle.privateKey!));
  });
});

describe("parsePfx: what is not a PFX", () => {
  const refusal = (data: Buffer, password = "s3cret") => {
    try {
      parsePfx(data, password);
    } catch (e) {
      return e as PkiError;
    }
    throw new Error("expected parsePfx to refuse the data");
  };

  it.each<[string, () => Buffer]>([
    ["garbage bytes", () => crypto.randomBytes(512)],
    ["an empty file", () => Buffer.alloc(0)],
    ["a truncated PFX", () => exportPfx("truncate", "s3cret", RSA_CHAIN).subarray(0, 700)],
    ["the DER of a certificate", () => parsePem(fs.readFileSync(file("leaf.pem"), "utf8")).certificates[0]],
    [
      "the base64 of PEM text, decoded once",
      () => Buffer.from(fs.readFileSync(file("leaf.pem")).toString("base64"), "base64"),
    ],
    [
      "JSON decoded as base64",
      () => Buffer.from(Buffer.from('{"not":"a pfx"}').toString("base64"), "base64"),
    ],
  ])("%s: reason format, a short message without the input", (_what, make) => {
    const data = make();
    const e = refusal(data);
    expect(e).toBeInstanceOf(PkiError);
    expect(e.reason).toBe("format");
    expect(e.message.length).toBeLessThan(120);
    expect(e.message).not.toMatch(/\n|\s+at\s/);
    expect(e.message).not.toContain("s3cret");
    if (data.length >= 8) {
      expect(e.message).not.toContain(data.subarray(0, 8).toString("hex"));
      expect(e.message).not.toContain(data.subarray(0, 6).toString("base64"));
    }
  });
});
