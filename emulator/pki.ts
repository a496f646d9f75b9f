/**
 * The emulator's own certificates, keys and PKCS#12 files, built and read for real. The emulator is
 * an oracle for the provider, so it shares none of provider/pki.ts: it issues certificates (its TLS
 * authority, Key Vault's self-signed and CA-signed certificates, the PFX files tests upload) and
 * opens the PFX files clients send (APIM's PUT, Key Vault's import) with code of its own.
 *
 * Keys come from Node's crypto (OpenSSL: fast, and RSA and EC alike), and Node's X509Certificate
 * reads certificates (thumbprint, validity, SANs, EKUs, key). node-forge supplies the ASN.1 encoder,
 * the PKCS#12 password primitives and parser: its own certificate and PKCS#12 builders know RSA
 * only, and Key Vault policies also ask for EC keys, so certificates and PFX files are assembled here
 * from ASN.1 and signed with Node.
 */
import * as crypto from "node:crypto";
import * as tls from "node:tls";
import forge from "node-forge";

const asn1 = forge.asn1;
type Asn1 = forge.asn1.Asn1;
const U = asn1.Class.UNIVERSAL;
const CTX = asn1.Class.CONTEXT_SPECIFIC;
const T = asn1.Type;

/** Why a certificate input was refused; the services map each reason to their own error. */
export class PkiError extends Error {
  override readonly name = "PkiError";
  constructor(
    readonly reason: "password" | "format" | "noKey" | "keyMismatch",
    message: string,
  ) {
    super(message);
  }
}

// ---------------------------------------------------------------------------------------------
// ASN.1 building blocks. forge represents bytes as "binary" strings; these keep Buffers outside.

const bin = (b: Buffer): string => b.toString("binary");
const buf = (s: string): Buffer => Buffer.from(s, "binary");
const seq = (...v: Asn1[]): Asn1 => asn1.create(U, T.SEQUENCE, true, v);
const setOf = (...v: Asn1[]): Asn1 => asn1.create(U, T.SET, true, v);
const oid = (o: string): Asn1 => asn1.create(U, T.OID, false, asn1.oidToDer(o).getBytes());
const nul = (): Asn1 => asn1.create(U, T.NULL, false, "");
const bool = (b: boolean): Asn1 => asn1.create(U, T.BOOLEAN, false, b ? "\xff" : "\x00");
const int = (n: number): Asn1 => asn1.create(U, T.INTEGER, false, asn1.integerToDer(n).getBytes());
const octets = (b: Buffer): Asn1 => asn1.create(U, T.OCTETSTRING, false, bin(b));
const bits = (b: Buffer, unused = 0): Asn1 =>
  asn1.create(U, T.BITSTRING, false, String.fromCharCode(unused) + bin(b));
const explicit = (tag: number, v: Asn1): Asn1 => asn1.create(CTX, tag, true, [v]);
const toDer = (a: Asn1): Buffer => buf(asn1.toDer(a).getBytes());
// decodeBitStrings:false keeps BIT STRING contents raw (key usage bits, public keys).
const fromDer = (b: Buffer): Asn1 =>
  (asn1.fromDer as (b: string, o: unknown) => Asn1)(bin(b), { strict: false, decodeBitStrings: false });
const children = (a: Asn1): Asn1[] => (Array.isArray(a.value) ? a.value : []);
const raw = (a: Asn1): string => (typeof a.value === "string" ? a.value : "");

function positiveInteger(b: Buffer): Asn1 {
  const bytes = b[0] & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b;
  return asn1.create(U, T.INTEGER, false, bin(bytes));
}

function time(d: Date): Asn1 {
  // RFC 5280: UTCTime through 2049, GeneralizedTime from 2050.
  return d.getUTCFullYear() < 2050
    ? asn1.create(U, T.UTCTIME, false, asn1.dateToUtcTime(d))
    : asn1.create(U, T.GENERALIZEDTIME, false, asn1.dateToGeneralizedTime(d));
}

function readString(a: Asn1): string {
  const v = raw(a);
  if (a.type === T.UTF8) return forge.util.decodeUtf8(v);
  if (a.type === T.BMPSTRING) {
    let out = "";
    for (let i = 0; i + 1 < v.length; i += 2)
      out += String.fromCharCode((v.charCodeAt(i) << 8) | v.charCodeAt(i + 1));
    return out;
  }
  return v;
}

/** PEM armour for DER bytes. */
export function toPem(der: Buffer, label: string): string {
  const b64 = der
    .toString("base64")
    .replace(/(.{64})/g, "$1\n")
    .replace(/\n$/, "");
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

// ---------------------------------------------------------------------------------------------
// Distinguished names, written the way .NET (and so APIM and Key Vault) writes them:
// most specific first, ", " between attributes, e.g. "CN=contoso.com, O=Contoso, C=US".

interface DnType {
  short: string;
  oid: string;
  aliases: string[];
  string: number;
}

const DN_TYPES: DnType[] = [
  { short: "CN", oid: "2.5.4.3", aliases: [], string: T.UTF8 },
  { short: "OU", oid: "2.5.4.11", aliases: [], string: T.UTF8 },
  { short: "O", oid: "2.5.4.10", aliases: [], string: T.UTF8 },
  { short: "L", oid: "2.5.4.7", aliases: [], string: T.UTF8 },
  { short: "S", oid: "2.5.4.8", aliases: ["ST"], string: T.UTF8 },
  { short: "C", oid: "2.5.4.6", aliases: [], string: T.PRINTABLESTRING },
  { short: "STREET", oid: "2.5.4.9", aliases: [], string: T.UTF8 },
  { short: "T", oid: "2.5.4.12", aliases: ["TITLE"], string: T.UTF8 },
  { short: "SERIALNUMBER", oid: "2.5.4.5", aliases: [], string: T.PRINTABLESTRING },
  { short: "G", oid: "2.5.4.42", aliases: ["GN", "GIVENNAME"], string: T.UTF8 },
  { short: "SN", oid: "2.5.4.4", aliases: [], string: T.UTF8 },
  { short: "E", oid: "1.2.840.113549.1.9.1", aliases: ["EMAIL", "EMAILADDRESS"], string: T.IA5STRING },
  { short: "DC", oid: "0.9.2342.19200300.100.1.25", aliases: [], string: T.IA5STRING },
  { short: "UID", oid: "0.9.2342.19200300.100.1.1", aliases: [], string: T.UTF8 },
];

/** One attribute of a distinguished name. */
export interface DnAttribute {
  oid: string;
  value: string;
}

/**
 * Parses "CN=a, O=b" (commas or semicolons between attributes, double quotes or backslashes to
 * escape). Returns the attributes in the order written. Throws on unknown attribute names.
 */
export function parseDistinguishedName(text: string): DnAttribute[] {
  const out: DnAttribute[] = [];
  let i = 0;
  const s = text.trim();
  while (i < s.length) {
    const eq = s.indexOf("=", i);
    if (eq < 0) throw new PkiError("format", `'${text}' is not a distinguished name (expected NAME=value)`);
    const name = s.slice(i, eq).trim().toUpperCase();
    const type = DN_TYPES.find((t) => t.short === name || t.aliases.includes(name));
    const oidMatch = /^OID\.((?:\d+\.)+\d+)$/.exec(name) ?? /^((?:\d+\.)+\d+)$/.exec(name);
    if (!type && !oidMatch)
      throw new PkiError("format", `unknown attribute '${name}' in distinguished name '${text}'`);
    i = eq + 1;
    while (s[i] === " ") i++;
    let value = "";
    if (s[i] === '"') {
      i++;
      while (i < s.length && s[i] !== '"') {
        if (s[i] === '"' && s[i + 1] === '"') i++;
        value += s[i++];
      }
      i++;
      while (i < s.length && s[i] !== "," && s[i] !== ";") i++;
    } else {
      while (i < s.length && s[i] !== "," && s[i] !== ";") {
        if (s[i] === "\\" && i + 1 < s.length) i++;
        value += s[i++];
      }
      value = value.trim();
    }
    i++;
    while (s[i] === " ") i++;
    out.push({ oid: type ? type.oid : oidMatch![1], value });
  }
  if (out.length === 0) throw new PkiError("format", "empty distinguished name");
  return out;
}

/** Formats attributes (given in the order written) the .NET way. */
export function formatDistinguishedName(attrs: DnAttribute[]): string {
  return attrs
    .map((a) => {
      const type = DN_TYPES.find((t) => t.oid === a.oid);
      const name = type ? type.short : `OID.${a.oid}`;
      const needsQuotes = /[,+=<>#;"\n\r]/.test(a.value) || /^\s|\s$/.test(a.value);
      return `${name}=${needsQuotes ? `"${a.value.replace(/"/g, '""')}"` : a.value}`;
    })
    .join(", ");
}

function encodeName(written: DnAttribute[]): Asn1 {
  // The written order is most specific first; X.509 encodes the root first.
  const rdns = [...written].reverse().map((a) => {
    const type = DN_TYPES.find((t) => t.oid === a.oid);
    const stringType = type?.string ?? T.UTF8;
    const value = stringType === T.UTF8 ? forge.util.encodeUtf8(a.value) : a.value;
    return setOf(seq(oid(a.oid), asn1.create(U, stringType, false, value)));
  });
  return seq(...rdns);
}

function decodeName(name: Asn1): DnAttribute[] {
  const attrs: DnAttribute[] = [];
  for (const rdn of children(name)) {
    for (const atv of children(rdn)) {
      const [o, v] = children(atv);
      attrs.push({ oid: asn1.derToOid(raw(o)), value: readString(v) });
    }
  }
  return attrs.reverse();
}

// ---------------------------------------------------------------------------------------------
// Keys

/** A key as Key Vault describes it: RSA with a size, or EC with a curve. */
export type KeySpec = { kty: "RSA"; size: number } | { kty: "EC"; curve: EcCurve };
export type EcCurve = "P-256" | "P-256K" | "P-384" | "P-521";

const CURVES: Record<EcCurve, { openssl: string; bits: number; hash: string; sigOid: string }> = {
  "P-256": { openssl: "prime256v1", bits: 256, hash: "sha256", sigOid: "1.2.840.10045.4.3.2" },
  "P-256K": { openssl: "secp256k1", bits: 256, hash: "sha256", sigOid: "1.2.840.10045.4.3.2" },
  "P-384": { openssl: "secp384r1", bits: 384, hash: "sha384", sigOid: "1.2.840.10045.4.3.3" },
  "P-521": { openssl: "secp521r1", bits: 521, hash: "sha512", sigOid: "1.2.840.10045.4.3.4" },
};

/** Bits of an EC curve, as Key Vault reports `key_size` for EC keys. */
export function curveBits(curve: EcCurve): number {
  return CURVES[curve].bits;
}

/** Generates a private key off the main thread (RSA 4096 takes about a second). */
export function generateKey(spec: KeySpec): Promise<crypto.KeyObject> {
  return new Promise((resolve, reject) => {
    const done = (err: Error | null, _pub: crypto.KeyObject, priv: crypto.KeyObject) =>
      err ? reject(err) : resolve(priv);
    if (spec.kty === "RSA") crypto.generateKeyPair("rsa", { modulusLength: spec.size }, done);
    else crypto.generateKeyPair("ec", { namedCurve: CURVES[spec.curve].openssl }, done);
  });
}

/** Describes a key the way Key Vault's `key_props` does. */
export function describeKey(key: crypto.KeyObject): KeySpec {
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === "rsa") return { kty: "RSA", size: details.modulusLength ?? 0 };
  if (key.asymmetricKeyType === "ec") {
    const curve = (Object.keys(CURVES) as EcCurve[]).find((c) => CURVES[c].openssl === details.namedCurve);
    if (curve) return { kty: "EC", curve };
  }
  throw new PkiError("format", `unsupported key type ${key.asymmetricKeyType ?? "unknown"}`);
}

function signatureAlgorithm(key: crypto.KeyObject): { hash: string; algorithm: Asn1 } {
  const spec = describeKey(key);
  if (spec.kty === "RSA") return { hash: "sha256", algorithm: seq(oid("1.2.840.113549.1.1.11"), nul()) };
  const c = CURVES[spec.curve];
  return { hash: c.hash, algorithm: seq(oid(c.sigOid)) };
}

function publicKeyInfo(key: crypto.KeyObject): Asn1 {
  const pub = key.type === "private" ? crypto.createPublicKey(key) : key;
  return fromDer(pub.export({ type: "spki", format: "der" }));
}

/** SHA-1 of the subjectPublicKey bits: the usual subject key identifier (RFC 5280 4.2.1.2). */
function keyIdentifier(key: crypto.KeyObject): Buffer {
  const spki = children(publicKeyInfo(key));
  return crypto
    .createHash("sha1")
    .update(buf(raw(spki[1]).slice(1)))
    .digest();
}

/** `true` when the private key belongs to the certificate. */
export function keyMatchesCertificate(key: crypto.KeyObject, certDer: Buffer): boolean {
  const fromKey = crypto.createPublicKey(key).export({ type: "spki", format: "der" });
  const fromCert = new crypto.X509Certificate(certDer).publicKey.export({ type: "spki", format: "der" });
  return fromKey.equals(fromCert);
}

// ---------------------------------------------------------------------------------------------
// Certificates

/** Key usage names as Key Vault spells them, in X.509 bit order. */
export const KEY_USAGES = [
  "digitalSignature",
  "nonRepudiation",
  "keyEncipherment",
  "dataEncipherment",
  "keyAgreement",
  "keyCertSign",
  "cRLSign",
  "encipherOnly",
  "decipherOnly",
] as const;

const UPN_OID = "1.3.6.1.4.1.311.20.2.3";

/** Subject alternative names. */
export interface AltNames {
  dns?: string[];
  emails?: string[];
  upns?: string[];
  ips?: string[];
}

/** What to put in a certificate. */
export interface CertificateSpec {
  /** Written order, most specific first. */
  subject: DnAttribute[];
  /** The certificate's own key (only its public half is used). */
  key: crypto.KeyObject;
  /** Issuing CA; absent for a self-signed certificate. */
  issuer?: { subject: DnAttribute[]; key: crypto.KeyObject };
  notBefore: Date;
  notAfter: Date;
  serial?: Buffer;
  ca?: boolean;
  keyUsage?: readonly string[];
  ekus?: readonly string[];
  sans?: AltNames;
}

function extension(id: string, critical: boolean, value: Asn1): Asn1 {
  return critical ? seq(oid(id), bool(true), octets(toDer(value))) : seq(oid(id), octets(toDer(value)));
}

function keyUsageBits(names: readonly string[]): Asn1 {
  let mask = 0;
  for (const n of names) {
    const i = KEY_USAGES.indexOf(n as (typeof KEY_USAGES)[number]);
    if (i < 0) throw new PkiError("format", `unknown key usage '${n}'`);
    mask |= 1 << i;
  }
  // DER: as few bytes as needed, trailing zero bits declared unused.
  const bytes = mask > 0xff ? [0, 0] : [0];
  for (let i = 0; i < 9; i++) if (mask & (1 << i)) bytes[i >> 3] |= 0x80 >> (i & 7);
  let highest = -1;
  for (let i = 0; i < 9; i++) if (mask & (1 << i)) highest = i;
  const used = highest + 1;
  const unused = used === 0 ? 0 : (8 - (used % 8)) % 8;
  return bits(Buffer.from(bytes.slice(0, Math.max(1, Math.ceil(used / 8)))), unused);
}

function ipBytes(ip: string): Buffer {
  if (!ip.includes(":")) return Buffer.from(ip.split(".").map(Number));
  const [head, tail] = ip.split("::");
  const h = head ? head.split(":") : [];
  const t = tail ? tail.split(":") : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill("0"), ...t];
  return Buffer.from(groups.flatMap((g) => [parseInt(g, 16) >> 8, parseInt(g, 16) & 0xff]));
}

function generalNames(sans: AltNames): Asn1 {
  const names: Asn1[] = [];
  for (const e of sans.emails ?? []) names.push(asn1.create(CTX, 1, false, e));
  for (const d of sans.dns ?? []) names.push(asn1.create(CTX, 2, false, d));
  for (const u of sans.upns ?? [])
    names.push(
      asn1.create(CTX, 0, true, [
        oid(UPN_OID),
        explicit(0, asn1.create(U, T.UTF8, false, forge.util.encodeUtf8(u))),
      ]),
    );
  for (const ip of sans.ips ?? []) names.push(asn1.create(CTX, 7, false, bin(ipBytes(ip))));
  return seq(...names);
}

function extensions(spec: CertificateSpec, subjectKey: crypto.KeyObject): Asn1[] {
  const list: Asn1[] = [];
  if (spec.ca) list.push(extension("2.5.29.19", true, seq(bool(true))));
  if (spec.keyUsage && spec.keyUsage.length > 0)
    list.push(extension("2.5.29.15", true, keyUsageBits(spec.keyUsage)));
  if (spec.ekus && spec.ekus.length > 0) list.push(extension("2.5.29.37", false, seq(...spec.ekus.map(oid))));
  const sans = spec.sans ?? {};
  const sanCount =
    (sans.dns?.length ?? 0) + (sans.emails?.length ?? 0) + (sans.upns?.length ?? 0) + (sans.ips?.length ?? 0);
  if (sanCount > 0) list.push(extension("2.5.29.17", false, generalNames(sans)));
  list.push(extension("2.5.29.14", false, octets(keyIdentifier(subjectKey))));
  if (spec.issuer)
    list.push(
      extension("2.5.29.35", false, seq(asn1.create(CTX, 0, false, bin(keyIdentifier(spec.issuer.key))))),
    );
  return list;
}

/** Builds and signs an X.509 v3 certificate; returns its DER. */
export function buildCertificate(spec: CertificateSpec): Buffer {
  const signingKey = spec.issuer?.key ?? spec.key;
  const sig = signatureAlgorithm(signingKey);
  const serial = spec.serial ?? crypto.randomBytes(16);
  const tbs = seq(
    explicit(0, int(2)),
    positiveInteger(serial),
    sig.algorithm,
    encodeName(spec.issuer?.subject ?? spec.subject),
    seq(time(spec.notBefore), time(spec.notAfter)),
    encodeName(spec.subject),
    publicKeyInfo(spec.key),
    explicit(3, seq(...extensions(spec, spec.key))),
  );
  const tbsDer = toDer(tbs);
  const signature = crypto.sign(sig.hash, tbsDer, signingKey);
  return toDer(seq(tbs, sig.algorithm, bits(signature)));
}

/** Builds a PKCS#10 request (Key Vault returns one in every certificate operation). */
export function buildCsr(subject: DnAttribute[], key: crypto.KeyObject): Buffer {
  const sig = signatureAlgorithm(key);
  const info = seq(int(0), encodeName(subject), publicKeyInfo(key), asn1.create(CTX, 0, true, []));
  const infoDer = toDer(info);
  return toDer(seq(info, sig.algorithm, bits(crypto.sign(sig.hash, infoDer, key))));
}

/** Facts about a certificate, in the forms Azure reports them. */
export interface CertificateFacts {
  der: Buffer;
  /** .NET style, e.g. "CN=contoso.com, O=Contoso". */
  subject: string;
  issuer: string;
  /** Uppercase hex SHA-1 of the DER, as APIM and Windows show it. */
  thumbprint: string;
  /** base64url SHA-1 of the DER, as Key Vault's `x5t`. */
  x5t: string;
  notBefore: Date;
  notAfter: Date;
  sans: { dns: string[]; emails: string[]; upns: string[] };
  ekus: string[];
  keyUsage: string[];
  key: KeySpec;
}

/** Splits Node's `subjectAltName` text ("DNS:a, email:b"; values with special characters quoted as JSON). */
function altNameEntries(text: string | undefined): [string, string][] {
  const out: [string, string][] = [];
  const re = /([^:,\s][^:]*?):("(?:[^"\\]|\\.)*"|[^,]*)(?:, |$)/g;
  for (const m of (text ?? "").matchAll(re)) {
    let value = m[2];
    if (value.startsWith('"')) value = JSON.parse(value) as string;
    out.push([m[1], value]);
  }
  return out;
}

/**
 * Reads a DER certificate. Throws `PkiError("format")` if it is not one. Node's X509Certificate
 * gives the thumbprint, validity, SANs, EKUs and key; the names (formatted the .NET way, which
 * needs their attribute types and order) and the key usage bits are read from the ASN.1.
 */
export function describeCertificate(der: Buffer): CertificateFacts {
  let x509: crypto.X509Certificate;
  let tbs: Asn1[];
  try {
    x509 = new crypto.X509Certificate(der);
    tbs = children(children(fromDer(der))[0]);
  } catch (e) {
    throw new PkiError("format", `not an X.509 certificate: ${(e as Error).message}`);
  }
  const at = tbs[0].tagClass === CTX && tbs[0].type === 0 ? 1 : 0;
  const sans: CertificateFacts["sans"] = { dns: [], emails: [], upns: [] };
  for (const [kind, value] of altNameEntries(x509.subjectAltName)) {
    if (kind === "DNS") sans.dns.push(value);
    else if (kind === "email") sans.emails.push(value);
    else if (kind === "othername" && value.startsWith("UPN:")) sans.upns.push(value.slice(4));
  }
  const facts: CertificateFacts = {
    der,
    subject: formatDistinguishedName(decodeName(tbs[at + 4])),
    issuer: formatDistinguishedName(decodeName(tbs[at + 2])),
    thumbprint: x509.fingerprint.replace(/:/g, "").toUpperCase(),
    x5t: Buffer.from(x509.fingerprint.replace(/:/g, ""), "hex").toString("base64url"),
    notBefore: new Date(x509.validFrom),
    notAfter: new Date(x509.validTo),
    sans,
    ekus: x509.keyUsage ?? [],
    keyUsage: [],
    key: describeKey(x509.publicKey),
  };
  const extContainer = tbs.slice(at + 6).find((a) => a.tagClass === CTX && a.type === 3);
  for (const ext of extContainer ? children(children(extContainer)[0]) : []) {
    const parts = children(ext);
    if (asn1.derToOid(raw(parts[0])) !== "2.5.29.15") continue;
    const bytes = buf(raw(fromDer(buf(raw(parts[parts.length - 1])))).slice(1));
    facts.keyUsage = KEY_USAGES.filter((_, i) => (bytes[i >> 3] ?? 0) & (0x80 >> (i & 7)));
  }
  return facts;
}

// ---------------------------------------------------------------------------------------------
// PKCS#12

const OID = {
  data: "1.2.840.113549.1.7.1",
  certBag: "1.2.840.113549.1.12.10.1.3",
  shroudedKeyBag: "1.2.840.113549.1.12.10.1.2",
  x509Certificate: "1.2.840.113549.1.9.22.1",
  localKeyId: "1.2.840.113549.1.9.21",
  sha256: "2.16.840.1.101.3.4.2.1",
};

/** What goes into a PFX. */
export interface PfxContents {
  /** Leaf first, then any chain. */
  certificates: Buffer[];
  /** Left out for a certificate-only PFX. */
  privateKey?: crypto.KeyObject;
  password: string;
  /**
   * Key encryption: AES-256-CBC with PBKDF2-SHA256 (what OpenSSL 3 writes) or 3DES (what older
   * Windows writes). Both open with `openssl pkcs12` without `-legacy`; RC2 is never used.
   */
  encryption?: "aes256" | "3des";
}

/** Builds a PKCS#12 file with a SHA-256 MAC. */
export function buildPfx(contents: PfxContents): Buffer {
  const localKeyId = crypto.createHash("sha1").update(contents.certificates[0]).digest();
  const keyIdAttr = setOf(seq(oid(OID.localKeyId), setOf(octets(localKeyId))));
  const certBags = contents.certificates.map((der, i) => {
    const bag = [oid(OID.certBag), explicit(0, seq(oid(OID.x509Certificate), explicit(0, octets(der))))];
    if (i === 0 && contents.privateKey) bag.push(keyIdAttr);
    return seq(...bag);
  });
  const safes = [seq(oid(OID.data), explicit(0, octets(toDer(seq(...certBags)))))];
  if (contents.privateKey) {
    const pkcs8 = fromDer(contents.privateKey.export({ type: "pkcs8", format: "der" }));
    const encrypted = forge.pki.encryptPrivateKeyInfo(pkcs8, contents.password, {
      algorithm: contents.encryption ?? "aes256",
      count: 2048,
      prfAlgorithm: "sha256",
    });
    const keyBag = seq(oid(OID.shroudedKeyBag), explicit(0, encrypted), keyIdAttr);
    safes.push(seq(oid(OID.data), explicit(0, octets(toDer(seq(keyBag))))));
  }
  const authSafe = toDer(seq(...safes));
  const salt = crypto.randomBytes(8);
  const iterations = 2048;
  const macKey = forge.pkcs12.generateKey(
    contents.password,
    forge.util.createBuffer(bin(salt)),
    3,
    iterations,
    32,
    forge.md.sha256.create(),
  );
  const mac = crypto.createHmac("sha256", buf(macKey.getBytes())).update(authSafe).digest();
  return toDer(
    seq(
      int(3),
      seq(oid(OID.data), explicit(0, octets(authSafe))),
      seq(seq(seq(oid(OID.sha256), nul()), octets(mac)), octets(salt), int(iterations)),
    ),
  );
}

/** What a PFX or PEM bundle holds. */
export interface CertificateBundle {
  /** Leaf first (the one matching the key when there is a key). */
  certificates: Buffer[];
  privateKey?: crypto.KeyObject;
}

function leafFirst(certificates: Buffer[], privateKey?: crypto.KeyObject): Buffer[] {
  if (!privateKey || certificates.length < 2) return certificates;
  const leaf = certificates.find((c) => keyMatchesCertificate(privateKey, c));
  return leaf ? [leaf, ...certificates.filter((c) => c !== leaf)] : certificates;
}

/**
 * Opens a PFX. Throws `PkiError` with reason "password" for a wrong password and "format" for
 * anything that is not a readable PKCS#12 file.
 */
export function parsePfx(pfx: Buffer, password: string): CertificateBundle {
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    p12 = forge.pkcs12.pkcs12FromAsn1(fromDer(pfx), false, password);
  } catch (e) {
    const message = (e as Error).message ?? String(e);
    if (/MAC could not be verified|wrong password|Invalid password/i.test(message))
      throw new PkiError("password", "the password does not open the PKCS#12 data (MAC check failed)");
    throw new PkiError("format", `PKCS#12 parse error: ${message}`);
  }
  const certificates: Buffer[] = [];
  let privateKey: crypto.KeyObject | undefined;
  try {
    for (const safe of p12.safeContents) {
      for (const bag of safe.safeBags) {
        if (bag.type === forge.pki.oids.certBag) {
          certificates.push(toDer(bag.cert ? forge.pki.certificateToAsn1(bag.cert) : bag.asn1));
        } else if (bag.type === forge.pki.oids.keyBag || bag.type === forge.pki.oids.pkcs8ShroudedKeyBag) {
          const info = bag.key ? forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(bag.key)) : bag.asn1;
          privateKey = crypto.createPrivateKey({ key: toDer(info), format: "der", type: "pkcs8" });
        }
      }
    }
  } catch (e) {
    throw new PkiError("format", `not a readable PKCS#12 (PFX) file: ${(e as Error).message}`);
  }
  if (certificates.length === 0) throw new PkiError("format", "the PKCS#12 data holds no certificate");
  return { certificates: leafFirst(certificates, privateKey), privateKey };
}

/**
 * The leaf of an uploaded PFX, as API Management reads one: the certificate its private key belongs
 * to, or `undefined` when the PFX holds no key. Throws `PkiError` as `parsePfx` does.
 *
 * Read first through OpenSSL (Node's TLS layer loads the PFX, checking the MAC and that the key
 * matches a certificate, and hands back that certificate): about 1 ms, where node-forge takes
 * 20-30 ms, which at 50 uploads in one `pulumi up` made the emulator, not the client, the slowest
 * part of a deployment (issue #14). OpenSSL is a third implementation, shared with neither
 * provider/ nor node-forge. `getCertificate` is not a documented method of Node's SecureContext,
 * so anything else (no such method, RC2 files that OpenSSL 3 refuses, no key, any other error but
 * a failed MAC) is read by `parsePfx`, with its messages.
 */
export function uploadedPfxLeaf(pfx: Buffer, password: string): Buffer | undefined {
  const viaOpenSsl = leafThroughOpenSsl(pfx, password);
  if (viaOpenSsl) return viaOpenSsl;
  const bundle = parsePfx(pfx, password);
  return bundle.privateKey ? bundle.certificates[0] : undefined;
}

function leafThroughOpenSsl(pfx: Buffer, password: string): Buffer | undefined {
  let context: { getCertificate?: () => unknown } | undefined;
  try {
    context = (tls.createSecureContext({ pfx, passphrase: password }) as { context?: typeof context })
      .context;
  } catch (e) {
    if (/mac verify failure/i.test((e as Error).message ?? ""))
      throw new PkiError("password", "the password does not open the PKCS#12 data (MAC check failed)");
    return undefined;
  }
  const der = typeof context?.getCertificate === "function" ? context.getCertificate() : undefined;
  return Buffer.isBuffer(der) && der.length > 0 ? der : undefined;
}

/**
 * Reads PEM text holding certificates and at most one private key (optionally encrypted). Like
 * provider/pki.ts's parsePem, and kept apart from it on purpose: the oracle shares no code with
 * what it checks (CONTRIBUTING.md, design notes).
 */
export function parsePem(text: string, password?: string): CertificateBundle {
  const certificates = [
    ...text.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g),
  ].map((m) => Buffer.from(m[1].replace(/\s+/g, ""), "base64"));
  if (certificates.length === 0) throw new PkiError("format", "the PEM text holds no certificate");
  const keyBlock = /-----BEGIN ((?:RSA |EC |ENCRYPTED )?PRIVATE KEY)-----[\s\S]*?-----END \1-----/.exec(text);
  let privateKey: crypto.KeyObject | undefined;
  if (keyBlock) {
    try {
      privateKey = crypto.createPrivateKey({ key: keyBlock[0], format: "pem", passphrase: password ?? "" });
    } catch (e) {
      const encrypted = keyBlock[1].startsWith("ENCRYPTED");
      throw new PkiError(
        encrypted ? "password" : "format",
        `cannot read the private key: ${(e as Error).message}`,
      );
    }
  }
  for (const c of certificates) describeCertificate(c);
  return { certificates: leafFirst(certificates, privateKey), privateKey };
}

/** PEM text of a key and its certificates, as Key Vault serves `application/x-pem-file` secrets. */
export function toPemBundle(bundle: CertificateBundle): string {
  const key = bundle.privateKey
    ? toPem(bundle.privateKey.export({ type: "pkcs8", format: "der" }), "PRIVATE KEY")
    : "";
  return key + bundle.certificates.map((c) => toPem(c, "CERTIFICATE")).join("");
}

// ---------------------------------------------------------------------------------------------
// The emulator's own TLS authority

/** A certificate authority: its certificate and key. */
export interface CertificateAuthority {
  subject: DnAttribute[];
  key: crypto.KeyObject;
  der: Buffer;
  pem: string;
}

/** Creates a CA valid for ten years (RSA 2048, generated synchronously: it is needed before listening). */
export function createAuthority(commonName: string): CertificateAuthority {
  const { privateKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
  const subject = [{ oid: "2.5.4.3", value: commonName }];
  const now = Date.now();
  const der = buildCertificate({
    subject,
    key: privateKey,
    notBefore: new Date(now - 60 * 60 * 1000),
    notAfter: new Date(now + 10 * 365 * 24 * 60 * 60 * 1000),
    ca: true,
    keyUsage: ["digitalSignature", "keyCertSign", "cRLSign"],
  });
  return { subject, key: privateKey, der, pem: toPem(der, "CERTIFICATE") };
}

/** Issues a TLS server certificate for the given host names and IP addresses. */
export function issueServerCertificate(
  ca: CertificateAuthority,
  hosts: string[],
): { cert: string; key: string } {
  const { privateKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
  const ips = hosts.filter((h) => /^[\d.]+$/.test(h) || h.includes(":"));
  const dns = hosts.filter((h) => !ips.includes(h));
  const now = Date.now();
  const der = buildCertificate({
    subject: [{ oid: "2.5.4.3", value: dns[0] ?? ips[0] }],
    key: privateKey,
    issuer: { subject: ca.subject, key: ca.key },
    notBefore: new Date(now - 60 * 60 * 1000),
    notAfter: new Date(now + 365 * 24 * 60 * 60 * 1000),
    keyUsage: ["digitalSignature", "keyEncipherment"],
    ekus: ["1.3.6.1.5.5.7.3.1"],
    sans: { dns, ips },
  });
  return {
    cert: toPem(der, "CERTIFICATE") + ca.pem,
    key: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
  };
}

// ---------------------------------------------------------------------------------------------
// A helper for tests and demos that need a PFX to upload

/** Options of {@link createSelfSignedPfx}. */
export interface SelfSignedPfxOptions {
  /** Default "CN=contoso.com". */
  subject?: string;
  dnsNames?: string[];
  /** Default "P@ssw0rd-emulator". An empty string makes a PFX opened with an empty password. */
  password?: string;
  /** Default: now + 365 days. */
  notAfter?: Date;
  notBefore?: Date;
  /** Reuse a key (fast); otherwise an RSA 2048 key is generated. */
  key?: crypto.KeyObject;
  /** Leave the private key out, as a PFX that APIM must refuse. */
  omitPrivateKey?: boolean;
  encryption?: "aes256" | "3des";
}

/** A self-signed certificate packed as PFX, with the facts APIM will report for it. */
export interface SelfSignedPfx {
  pfx: Buffer;
  pfxBase64: string;
  password: string;
  thumbprint: string;
  subject: string;
  notAfter: Date;
  certificateDer: Buffer;
  privateKey: crypto.KeyObject;
}

/** Makes a self-signed certificate and its PFX, e.g. to upload to the emulated APIM. */
export async function createSelfSignedPfx(options: SelfSignedPfxOptions = {}): Promise<SelfSignedPfx> {
  const key = options.key ?? (await generateKey({ kty: "RSA", size: 2048 }));
  const password = options.password ?? "P@ssw0rd-emulator";
  const notBefore = options.notBefore ?? new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
  const notAfter =
    options.notAfter ?? new Date(Math.floor(Date.now() / 1000) * 1000 + 365 * 24 * 60 * 60 * 1000);
  const subject = parseDistinguishedName(options.subject ?? "CN=contoso.com");
  const der = buildCertificate({
    subject,
    key,
    notBefore,
    notAfter,
    keyUsage: ["digitalSignature", "keyEncipherment"],
    ekus: ["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"],
    sans: { dns: options.dnsNames },
  });
  const pfx = buildPfx({
    certificates: [der],
    privateKey: options.omitPrivateKey ? undefined : key,
    password,
    encryption: options.encryption,
  });
  const facts = describeCertificate(der);
  return {
    pfx,
    pfxBase64: pfx.toString("base64"),
    password,
    thumbprint: facts.thumbprint,
    subject: facts.subject,
    notAfter: facts.notAfter,
    certificateDer: der,
    privateKey: key,
  };
}
