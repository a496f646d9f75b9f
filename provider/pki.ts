/**
 * What the resources need of certificates: open a PFX (or a PEM bundle) and describe its leaf
 * certificate in the forms Azure reports (thumbprint, .NET-style subject, validity).
 *
 * Nothing here builds certificates or keys: the emulator (emulator/pki.ts) and the tests do that
 * with code of their own, so the oracle does not share this code. node-forge is used only for its
 * PKCS#12 parser and ASN.1 decoder (#14 replaces the PFX reading with Node's crypto).
 */
import * as crypto from "node:crypto";
import forge from "node-forge";

const asn1 = forge.asn1;
type Asn1 = forge.asn1.Asn1;
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
// ASN.1 reading. forge represents bytes as "binary" strings; these keep Buffers outside.

const bin = (b: Buffer): string => b.toString("binary");
const buf = (s: string): Buffer => Buffer.from(s, "binary");
const toDer = (a: Asn1): Buffer => buf(asn1.toDer(a).getBytes());
// decodeBitStrings:false keeps BIT STRING contents raw (key usage bits, public keys).
const fromDer = (b: Buffer): Asn1 =>
  (asn1.fromDer as (b: string, o: unknown) => Asn1)(bin(b), { strict: false, decodeBitStrings: false });
const children = (a: Asn1): Asn1[] => (Array.isArray(a.value) ? a.value : []);
const raw = (a: Asn1): string => (typeof a.value === "string" ? a.value : "");

function readTime(a: Asn1): Date {
  return a.type === T.UTCTIME ? asn1.utcTimeToDate(raw(a)) : asn1.generalizedTimeToDate(raw(a));
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

const DN_NAMES: Record<string, string> = {
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

/** One attribute of a distinguished name. */
export interface DnAttribute {
  oid: string;
  value: string;
}

/** Formats attributes (given in the order written) the .NET way. */
export function formatDistinguishedName(attrs: DnAttribute[]): string {
  return attrs
    .map((a) => {
      const name = DN_NAMES[a.oid] ?? `OID.${a.oid}`;
      const needsQuotes = /[,+=<>#;"\n\r]/.test(a.value) || /^\s|\s$/.test(a.value);
      return `${name}=${needsQuotes ? `"${a.value.replace(/"/g, '""')}"` : a.value}`;
    })
    .join(", ");
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

/** Reads a DER certificate. Throws `PkiError("format")` if it is not one. */
export function describeCertificate(der: Buffer): CertificateFacts {
  let tbs: Asn1[];
  try {
    new crypto.X509Certificate(der);
    tbs = children(children(fromDer(der))[0]);
  } catch (e) {
    throw new PkiError("format", `not an X.509 certificate: ${(e as Error).message}`);
  }
  const at = tbs[0].tagClass === CTX && tbs[0].type === 0 ? 1 : 0;
  const validity = children(tbs[at + 3]);
  return {
    der,
    subject: formatDistinguishedName(decodeName(tbs[at + 4])),
    issuer: formatDistinguishedName(decodeName(tbs[at + 2])),
    thumbprint: crypto.createHash("sha1").update(der).digest("hex").toUpperCase(),
    notBefore: readTime(validity[0]),
    notAfter: readTime(validity[1]),
  };
}

// ---------------------------------------------------------------------------------------------
// PKCS#12 and PEM

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
