/**
 * What the resources need of certificates: open a PFX (or a PEM bundle) and describe its leaf
 * certificate in the forms Azure reports (thumbprint, .NET-style subject, validity).
 *
 * Node's crypto does the cryptography (`X509Certificate`, `createPrivateKey`, and in pkcs12.ts the
 * PKCS#12 key derivations, MACs and ciphers). asn1js reads a certificate's names, and
 * @peculiar's ASN.1 schema packages (over asn1js) the PKCS#12 structures in pkcs12.ts; both are
 * loaded on first use, so that a process that only needs `KEY_USAGES` loads neither. Nothing here
 * builds certificates or keys: the emulator (emulator/pki.ts) and the tests do that with code of
 * their own, so the oracle does not share this code.
 */
import * as crypto from "node:crypto";
import * as tls from "node:tls";
import type * as asn1js from "asn1js";
import { type DnAttribute, type Rdn, formatDistinguishedName } from "./distinguished-name";

export { type DnAttribute, formatDistinguishedName };

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

/**
 * The certificate a PFX's private key belongs to, read by OpenSSL through Node's TLS layer: the
 * MAC, the decryption, the key and that it matches the certificate are all checked in C, in about
 * 0.7 ms for an openssl-default PFX where `parsePfx` takes 3 (issue #14: 50 certificates are opened
 * at every preview that changes them). `undefined` whenever that way is not open: OpenSSL refused
 * the file (RC2 `-legacy` bags, a wrong password, no key, a key of another certificate...) or this
 * Node's SecureContext has no `getCertificate`, a method Node does not document. Callers then read
 * the PFX with `parsePfx`, which says what is wrong; test/unit/pki-pfx.test.ts holds both ways to
 * the same answers and fails if this one stops being taken.
 */
export function pfxLeafThroughOpenSsl(pfx: Buffer, password: string): Buffer | undefined {
  try {
    const { context } = tls.createSecureContext({ pfx, passphrase: password }) as unknown as {
      context?: { getCertificate?: () => unknown };
    };
    const der = typeof context?.getCertificate === "function" ? context.getCertificate() : undefined;
    return Buffer.isBuffer(der) && der.length > 0 ? der : undefined;
  } catch {
    return undefined;
  }
}

/** PEM armour for DER bytes. */
export function toPem(der: Buffer, label: string): string {
  const b64 = der
    .toString("base64")
    .replace(/(.{64})/g, "$1\n")
    .replace(/\n$/, "");
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

/** `true` when the private key belongs to the certificate. */
export function keyMatchesCertificate(key: crypto.KeyObject, certDer: Buffer): boolean {
  return keyMatches(key, new crypto.X509Certificate(certDer));
}

function keyMatches(key: crypto.KeyObject, cert: crypto.X509Certificate): boolean {
  const fromKey = crypto.createPublicKey(key).export({ type: "spki", format: "der" });
  return fromKey.equals(cert.publicKey.export({ type: "spki", format: "der" }));
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

/** Facts about a certificate, in the forms Azure reports them. */
export interface CertificateFacts {
  der: Buffer;
  /** .NET style, e.g. "CN=contoso.com, O=Contoso". */
  subject: string;
  issuer: string;
  /** Uppercase hex SHA-1 of the DER, as APIM and Windows show it. */
  thumbprint: string;
  notBefore: Date;
  notAfter: Date;
}

/**
 * An attribute value as text: the X.520 string types decoded, anything else (an unknown type, or
 * one of the rarer string types) as RFC 4514 `#hex` of its DER.
 */
function attributeText(asn1: typeof asn1js, v: asn1js.AsnType): string {
  const decoded = [
    asn1.Utf8String,
    asn1.PrintableString,
    asn1.IA5String,
    asn1.BmpString,
    asn1.UniversalString,
    asn1.TeletexString,
    asn1.NumericString,
    asn1.VisibleString,
  ].some((type) => v instanceof type);
  const text = decoded ? (v as asn1js.Utf8String).valueBlock.value : undefined;
  if (typeof text === "string") return text;
  return "#" + Buffer.from(v.toBER(false)).toString("hex");
}

/** The parts of a constructed value (a SEQUENCE or SET), as asn1js read them. */
const partsOf = (v: asn1js.AsnType): asn1js.AsnType[] => (v as asn1js.Sequence).valueBlock.value;

/** The RDNs of a Name most specific first, as .NET writes them (X.509 stores the root first). */
const rdnsOf = (asn1: typeof asn1js, name: asn1js.AsnType): Rdn[] =>
  [...partsOf(name)].reverse().map((rdn) =>
    partsOf(rdn).map((atv) => {
      const [type, value] = partsOf(atv);
      return {
        oid: (type as asn1js.ObjectIdentifier).valueBlock.toString(),
        value: attributeText(asn1, value),
      };
    }),
  );

/**
 * Subject and issuer from the DER, which `X509Certificate` has already accepted: asn1js reads the
 * structure (RFC 5280 4.1: TBSCertificate is version [0] optional, serialNumber, signature, issuer,
 * validity, subject, ...), and only the two names are walked. asn1js alone loads in about 3 ms,
 * against about 25 ms for @peculiar's X.509 schemas, and this runs for every new PFX (issue #14).
 */
function certificateNames(der: Buffer): { subject: Rdn[]; issuer: Rdn[] } {
  const asn1 = require("asn1js") as typeof asn1js;
  const parsed = asn1.fromBER(der);
  if (parsed.offset === -1) throw new Error(parsed.result.error);
  const tbs = partsOf(partsOf(parsed.result)[0]);
  const at = tbs[0].idBlock.tagClass === 3 ? 1 : 0;
  return { issuer: rdnsOf(asn1, tbs[at + 2]), subject: rdnsOf(asn1, tbs[at + 4]) };
}

/** Node 22.10 and later have the `Date`s; before, the text (`Dec  1 15:38:21 2027 GMT`) is parsed. */
const validity = (x509: crypto.X509Certificate, key: "validFrom" | "validTo"): number =>
  (x509[`${key}Date`] as Date | undefined)?.getTime() ?? Date.parse(x509[key]);

/** Reads a DER certificate. Throws `PkiError("format")` if it is not one. */
export function describeCertificate(der: Buffer): CertificateFacts {
  let names: ReturnType<typeof certificateNames>;
  let x509: crypto.X509Certificate;
  try {
    x509 = new crypto.X509Certificate(der);
    names = certificateNames(der);
  } catch {
    throw new PkiError("format", "not an X.509 certificate");
  }
  return {
    der,
    subject: formatDistinguishedName(names.subject),
    issuer: formatDistinguishedName(names.issuer),
    thumbprint: crypto.createHash("sha1").update(der).digest("hex").toUpperCase(),
    notBefore: new Date(validity(x509, "validFrom")),
    notAfter: new Date(validity(x509, "validTo")),
  };
}

// ---------------------------------------------------------------------------------------------
// PKCS#12 and PEM

/** What a PFX or PEM bundle holds. */
export interface CertificateBundle {
  /** Leaf first (the one matching the key when there is a key), then its issuers up the chain. */
  certificates: Buffer[];
  privateKey?: crypto.KeyObject;
}

/**
 * Orders certificates leaf first whatever their order in the file: the one the key belongs to,
 * else the first that issued none of the others; then each one's issuer, then any others as found.
 */
function leafFirst(certificates: Buffer[], privateKey?: crypto.KeyObject): Buffer[] {
  if (certificates.length < 2) return certificates;
  const certs = certificates.map((der) => ({ der, x509: new crypto.X509Certificate(der) }));
  const issuedAnother = (c: (typeof certs)[number]) =>
    certs.some((o) => o !== c && o.x509.checkIssued(c.x509));
  const leaf =
    (privateKey && certs.find((c) => keyMatches(privateKey, c.x509))) ??
    certs.find((c) => !issuedAnother(c)) ??
    certs[0];
  const ordered = [leaf];
  const rest = certs.filter((c) => c !== leaf);
  for (let at = leaf; ;) {
    const issuer = rest.find((c) => !ordered.includes(c) && at.x509.checkIssued(c.x509));
    if (!issuer) break;
    ordered.push(issuer);
    at = issuer;
  }
  return [...ordered, ...rest.filter((c) => !ordered.includes(c))].map((c) => c.der);
}

/**
 * Opens a PFX. Throws `PkiError` with reason "password" for a wrong password (the MAC does not
 * verify, or in a PFX without MAC an encrypted part does not decrypt) and "format" for anything
 * that is not a readable PKCS#12 file. The messages never include the data or the password.
 */
export function parsePfx(pfx: Buffer, password: string): CertificateBundle {
  const { openPkcs12, Pkcs12Error } = require("./pkcs12") as typeof import("./pkcs12");
  let opened: import("./pkcs12").Pkcs12Contents;
  try {
    opened = openPkcs12(pfx, password);
  } catch (e) {
    if (e instanceof Pkcs12Error) throw new PkiError(e.reason, e.message);
    throw new PkiError("format", "not a readable PKCS#12 (PFX) file");
  }
  const { certificates, keys } = opened;
  if (certificates.length === 0) throw new PkiError("format", "the PKCS#12 data holds no certificate");
  try {
    // Several keys are rare; the one that belongs to a certificate wins, else the last.
    const x509 = certificates.map((c) => new crypto.X509Certificate(c));
    const privateKey = keys.find((k) => x509.some((c) => keyMatches(k, c))) ?? keys[keys.length - 1];
    return { certificates: leafFirst(certificates, privateKey), privateKey };
  } catch {
    throw new PkiError("format", "a certificate in the PKCS#12 data is not a readable X.509 certificate");
  }
}

/** Reads PEM text holding certificates and at most one private key (optionally encrypted). */
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
