/**
 * Opening a PKCS#12 (PFX) file on Node's crypto: the ASN.1 structures come from @peculiar's schema
 * packages, the key derivations, MACs and ciphers from `node:crypto` (RFC 7292, RFC 8018,
 * RFC 9579). pki.ts loads this module on first use, so a process that never opens a PFX does not
 * load the schema packages.
 *
 * Kept working, each with a test made by the openssl CLI (test/unit/pki-pfx.test.ts): OpenSSL 3's
 * default (PBES2 with PBKDF2-HMAC-SHA256 and AES-256-CBC, MAC SHA-256), `-legacy` (RC2-40 and
 * 3DES with the PKCS#12 key derivation, MAC SHA-1), unencrypted bags, no MAC, other MAC digests,
 * PBMAC1, empty and non-ASCII passwords.
 */
import * as crypto from "node:crypto";
import { AsnConvert, AsnProp, AsnPropTypes, AsnType, AsnTypeTypes, OctetString } from "@peculiar/asn1-schema";
import { EncryptedContentInfo } from "@peculiar/asn1-cms";
import {
  AuthenticatedSafe,
  CertBag,
  PFX,
  SafeContents,
  id_certBag,
  id_keyBag,
  id_pkcs8ShroudedKeyBag,
  id_SafeContents,
  id_x509Certificate,
  type MacData,
} from "@peculiar/asn1-pfx";
import { EncryptedPrivateKeyInfo } from "@peculiar/asn1-pkcs8";
import { AlgorithmIdentifier } from "@peculiar/asn1-x509";

/** Why a PFX did not open: the wrong password, or data that is not a readable PKCS#12 file. */
export class Pkcs12Error extends Error {
  constructor(
    readonly reason: "password" | "format",
    message: string,
  ) {
    super(message);
  }
}

const formatError = (message: string) => new Pkcs12Error("format", message);

/** The certificates (DER, in file order) and private keys a PFX holds. */
export interface Pkcs12Contents {
  certificates: Buffer[];
  keys: crypto.KeyObject[];
}

// ---------------------------------------------------------------------------------------------
// Structures @peculiar's packages do not define, declared with their schema decorators (called as
// functions: the project compiles without TypeScript's experimental decorators).

function sequence<T>(type: new () => T, props: Record<string, Parameters<typeof AsnProp>[0]>): void {
  AsnType({ type: AsnTypeTypes.Sequence })(type);
  for (const [name, options] of Object.entries(props)) AsnProp(options)(type.prototype as object, name);
}

/** RFC 7292 appendix C: `pkcs-12PbeParams ::= SEQUENCE { salt OCTET STRING, iterations INTEGER }`. */
class Pkcs12PbeParams {
  salt = new OctetString();
  iterations: number | string = 0;
}
sequence(Pkcs12PbeParams, { salt: { type: OctetString }, iterations: { type: AsnPropTypes.Integer } });

/** RFC 8018 A.2 (the `specified` salt only; `otherSource` is reserved). */
class Pbkdf2Params {
  salt = new OctetString();
  iterationCount: number | string = 0;
  keyLength?: number | string;
  prf?: AlgorithmIdentifier;
}
sequence(Pbkdf2Params, {
  salt: { type: OctetString },
  iterationCount: { type: AsnPropTypes.Integer },
  keyLength: { type: AsnPropTypes.Integer, optional: true },
  prf: { type: AlgorithmIdentifier, optional: true },
});

/** RFC 8018 A.4 (PBES2) and RFC 9579 (PBMAC1) share this shape: a key derivation, then a scheme. */
class KdfAndScheme {
  keyDerivationFunc = new AlgorithmIdentifier();
  scheme = new AlgorithmIdentifier();
}
sequence(KdfAndScheme, {
  keyDerivationFunc: { type: AlgorithmIdentifier },
  scheme: { type: AlgorithmIdentifier },
});

/** RFC 5652 8: `EncryptedData ::= SEQUENCE { version, encryptedContentInfo, unprotectedAttrs [1] OPTIONAL }`. */
class EncryptedData {
  version: number | string = 0;
  encryptedContentInfo = new EncryptedContentInfo();
  unprotectedAttrs?: ArrayBuffer;
}
sequence(EncryptedData, {
  version: { type: AsnPropTypes.Integer },
  encryptedContentInfo: { type: EncryptedContentInfo },
  unprotectedAttrs: { type: AsnPropTypes.Any, context: 1, implicit: true, optional: true },
});

function parseAs<T>(data: ArrayBuffer | Uint8Array, type: new () => T, what: string): T {
  try {
    return AsnConvert.parse(data, type);
  } catch {
    throw formatError(`${what} is not valid ASN.1 of the expected shape`);
  }
}

const bytes = (o: OctetString | ArrayBuffer) => Buffer.from(o instanceof OctetString ? o.buffer : o);
const integer = (n: number | string | undefined) => (n === undefined ? undefined : Number(n));

/**
 * The value of an OCTET STRING given as its whole encoding: primitive, or constructed from parts
 * (BER, definite or indefinite length), which @peculiar's `OctetString` reads as empty.
 */
function octetStringValue(tlv: Buffer): Buffer {
  const parts: Buffer[] = [];
  const read = (at: number): number => {
    const tag = tlv[at];
    if (tag !== 0x04 && tag !== 0x24) throw formatError("an OCTET STRING was expected");
    let p = at + 1;
    let length = tlv[p++];
    if (length === 0x80) {
      if (tag !== 0x24) throw formatError("a primitive OCTET STRING has an indefinite length");
      while (!(tlv[p] === 0 && tlv[p + 1] === 0)) {
        if (p >= tlv.length) throw formatError("an OCTET STRING is truncated");
        p = read(p);
      }
      return p + 2;
    }
    if (length > 0x80) {
      const n = length & 0x7f;
      if (n > 4 || p + n > tlv.length) throw formatError("an OCTET STRING has a bad length");
      length = tlv.subarray(p, p + n).reduce((acc, b) => acc * 256 + b, 0);
      p += n;
    }
    const end = p + length;
    if (end > tlv.length) throw formatError("an OCTET STRING is truncated");
    if (tag === 0x04) parts.push(tlv.subarray(p, end));
    else while (p < end) p = read(p);
    return end;
  };
  read(0);
  return parts.length === 1 ? parts[0] : Buffer.concat(parts);
}

// ---------------------------------------------------------------------------------------------
// Key derivation

const DIGESTS: Record<string, { name: string; blockBytes: number }> = {
  "1.3.14.3.2.26": { name: "sha1", blockBytes: 64 },
  "2.16.840.1.101.3.4.2.4": { name: "sha224", blockBytes: 64 },
  "2.16.840.1.101.3.4.2.1": { name: "sha256", blockBytes: 64 },
  "2.16.840.1.101.3.4.2.2": { name: "sha384", blockBytes: 128 },
  "2.16.840.1.101.3.4.2.3": { name: "sha512", blockBytes: 128 },
  "2.16.840.1.101.3.4.2.5": { name: "sha512-224", blockBytes: 128 },
  "2.16.840.1.101.3.4.2.6": { name: "sha512-256", blockBytes: 128 },
};

const HMACS: Record<string, string> = {
  "1.2.840.113549.2.7": "sha1",
  "1.2.840.113549.2.8": "sha224",
  "1.2.840.113549.2.9": "sha256",
  "1.2.840.113549.2.10": "sha384",
  "1.2.840.113549.2.11": "sha512",
  "1.2.840.113549.2.12": "sha512-224",
  "1.2.840.113549.2.13": "sha512-256",
};

/**
 * The PKCS#12 password forms: a BMPString with a two-byte terminator (RFC 7292 B.1). An empty
 * password is also tried as no bytes at all, as Windows writes it and OpenSSL accepts it.
 */
function bmpPasswords(password: string): Buffer[] {
  const bmp = Buffer.alloc(password.length * 2 + 2);
  for (let i = 0; i < password.length; i++) bmp.writeUInt16BE(password.charCodeAt(i), i * 2);
  return password.length === 0 ? [bmp, Buffer.alloc(0)] : [bmp];
}

/** RFC 7292 appendix B.2: `id` 1 derives a key, 2 an IV, 3 a MAC key. */
function pkcs12Kdf(
  digestOid: string,
  password: Buffer,
  salt: Buffer,
  iterations: number,
  id: 1 | 2 | 3,
  n: number,
) {
  const digest = DIGESTS[digestOid];
  if (!digest) throw formatError(`unsupported PKCS#12 digest ${digestOid}`);
  const v = digest.blockBytes;
  const fill = (b: Buffer) => {
    const out = Buffer.alloc(b.length === 0 ? 0 : v * Math.ceil(b.length / v));
    for (let i = 0; i < out.length; i++) out[i] = b[i % b.length];
    return out;
  };
  const D = Buffer.alloc(v, id);
  const I = Buffer.concat([fill(salt), fill(password)]);
  const out: Buffer[] = [];
  for (let got = 0; got < n;) {
    let A = crypto.hash(digest.name, Buffer.concat([D, I]), "buffer");
    for (let r = 1; r < iterations; r++) A = crypto.hash(digest.name, A, "buffer");
    out.push(A);
    got += A.length;
    if (got >= n) break;
    const B = fill(A.subarray(0, v)).subarray(0, v);
    for (let j = 0; j < I.length; j += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        carry += I[j + k] + B[k];
        I[j + k] = carry & 0xff;
        carry >>= 8;
      }
    }
  }
  return Buffer.concat(out).subarray(0, n);
}

function pbkdf2(params: ArrayBuffer | null | undefined, password: string, defaultLength?: number) {
  const p = parseAs(params ?? new ArrayBuffer(0), Pbkdf2Params, "PBKDF2 parameters");
  const prfOid = p.prf?.algorithm ?? "1.2.840.113549.2.7";
  const prf = HMACS[prfOid];
  if (!prf) throw formatError(`unsupported PBKDF2 pseudo-random function ${prfOid}`);
  const length = integer(p.keyLength) ?? defaultLength;
  if (length === undefined) throw formatError("PBKDF2 parameters without a key length");
  return crypto.pbkdf2Sync(
    Buffer.from(password, "utf8"),
    bytes(p.salt),
    integer(p.iterationCount)!,
    length,
    prf,
  );
}

// ---------------------------------------------------------------------------------------------
// MAC

const ID_PBMAC1 = "1.2.840.113549.1.5.14";

/**
 * Checks the MAC over the authenticated safe. Returns the PKCS#12 password forms that passed (the
 * encrypted parts use the same form); throws reason "password" when none does.
 */
function verifyMac(mac: MacData, authSafe: Buffer, password: string): Buffer[] {
  const expected = bytes(mac.mac.digest);
  const matches = (computed: Buffer) =>
    computed.length === expected.length && crypto.timingSafeEqual(computed, expected);
  const algorithm = mac.mac.digestAlgorithm;
  if (algorithm.algorithm === ID_PBMAC1) {
    // RFC 9579: PBKDF2 over the UTF-8 password keys the HMAC; the PKCS#12 salt and count are unused.
    const p = parseAs(algorithm.parameters ?? new ArrayBuffer(0), KdfAndScheme, "PBMAC1 parameters");
    const hmac = HMACS[p.scheme.algorithm];
    if (p.keyDerivationFunc.algorithm !== "1.2.840.113549.1.5.12" || !hmac)
      throw formatError("unsupported PBMAC1 parameters");
    const key = pbkdf2(p.keyDerivationFunc.parameters, password);
    if (matches(crypto.createHmac(hmac, key).update(authSafe).digest())) return bmpPasswords(password);
  } else {
    const digest = DIGESTS[algorithm.algorithm];
    if (!digest) throw formatError(`unsupported MAC digest ${algorithm.algorithm}`);
    const salt = bytes(mac.macSalt);
    const iterations = integer(mac.iterations) ?? 1;
    for (const form of bmpPasswords(password)) {
      const key = pkcs12Kdf(algorithm.algorithm, form, salt, iterations, 3, expected.length);
      if (matches(crypto.createHmac(digest.name, key).update(authSafe).digest())) return [form];
    }
  }
  throw new Pkcs12Error("password", "the password does not open the PKCS#12 data (MAC check failed)");
}

// ---------------------------------------------------------------------------------------------
// Decryption

// RFC 7292 appendix C, key derivation with SHA-1. RC4 (.1, .2) is not offered by Node's OpenSSL 3.
const PKCS12_PBE: Record<string, { cipher: string; keyBytes: number }> = {
  "1.2.840.113549.1.12.1.3": { cipher: "des-ede3-cbc", keyBytes: 24 },
  "1.2.840.113549.1.12.1.4": { cipher: "des-ede-cbc", keyBytes: 16 },
  "1.2.840.113549.1.12.1.5": { cipher: "rc2-128", keyBytes: 16 },
  "1.2.840.113549.1.12.1.6": { cipher: "rc2-40", keyBytes: 5 },
};

// RFC 8018 B.2 and RFC 3565: the PBES2 encryption schemes whose parameter is the IV.
const PBES2_CIPHERS: Record<string, { cipher: string; keyBytes: number }> = {
  "2.16.840.1.101.3.4.1.2": { cipher: "aes-128-cbc", keyBytes: 16 },
  "2.16.840.1.101.3.4.1.22": { cipher: "aes-192-cbc", keyBytes: 24 },
  "2.16.840.1.101.3.4.1.42": { cipher: "aes-256-cbc", keyBytes: 32 },
  "1.2.840.113549.3.7": { cipher: "des-ede3-cbc", keyBytes: 24 },
};

/**
 * RC2-CBC, which Node's OpenSSL 3 has only in its legacy provider (not loaded: `createDecipheriv`
 * throws ERR_OSSL_EVP_UNSUPPORTED). `-legacy` PFX files encrypt their certificates with it, so
 * node-forge (a dependency anyway, for the emulator) decrypts those, loaded only here.
 */
function rc2Decrypt(key: Buffer, iv: Buffer, data: Buffer): Buffer {
  const forge = require("node-forge") as typeof import("node-forge");
  const decipher = forge.rc2.createDecryptionCipher(
    forge.util.createBuffer(key.toString("binary")),
    key.length * 8,
  );
  decipher.start(forge.util.createBuffer(iv.toString("binary")));
  decipher.update(forge.util.createBuffer(data.toString("binary")));
  if (!decipher.finish()) throw new Error("bad padding");
  return Buffer.from(decipher.output.getBytes(), "binary");
}

function decipher(cipher: string, key: Buffer, iv: Buffer, data: Buffer): Buffer {
  if (cipher.startsWith("rc2-")) return rc2Decrypt(key, iv, data);
  const d = crypto.createDecipheriv(cipher, key, iv);
  return Buffer.concat([d.update(data), d.final()]);
}

/** One way to decrypt: for PKCS#12 PBE one per password form, for PBES2 exactly one. */
type Attempt = () => Buffer;

function decryptionAttempts(
  alg: AlgorithmIdentifier,
  data: Buffer,
  password: string,
  forms: Buffer[],
): Attempt[] {
  const pbe = PKCS12_PBE[alg.algorithm];
  if (pbe) {
    const p = parseAs(alg.parameters ?? new ArrayBuffer(0), Pkcs12PbeParams, "PKCS#12 PBE parameters");
    const salt = bytes(p.salt);
    const iterations = integer(p.iterations)!;
    const sha1 = "1.3.14.3.2.26";
    return forms.map((form) => () => {
      const key = pkcs12Kdf(sha1, form, salt, iterations, 1, pbe.keyBytes);
      const iv = pkcs12Kdf(sha1, form, salt, iterations, 2, 8);
      return decipher(pbe.cipher, key, iv, data);
    });
  }
  if (alg.algorithm === "1.2.840.113549.1.5.13") {
    const p = parseAs(alg.parameters ?? new ArrayBuffer(0), KdfAndScheme, "PBES2 parameters");
    const scheme = PBES2_CIPHERS[p.scheme.algorithm];
    if (p.keyDerivationFunc.algorithm !== "1.2.840.113549.1.5.12" || !scheme)
      throw formatError(`unsupported PBES2 encryption ${p.scheme.algorithm}`);
    const iv = bytes(parseAs(p.scheme.parameters ?? new ArrayBuffer(0), OctetString, "the PBES2 IV"));
    return [
      () =>
        decipher(scheme.cipher, pbkdf2(p.keyDerivationFunc.parameters, password, scheme.keyBytes), iv, data),
    ];
  }
  throw formatError(`unsupported encryption algorithm ${alg.algorithm}`);
}

// ---------------------------------------------------------------------------------------------
// Reading

interface Reader {
  password: string;
  /** PKCS#12 password forms still possible (narrowed by the MAC check). */
  forms: Buffer[];
  /** Whether a MAC vouched for the password: then a part that does not decrypt is corrupt. */
  macVerified: boolean;
}

/**
 * Decrypts and reads one encrypted part. Without a MAC, a wrong password shows only here: as bad
 * padding, or (one time in 256) as padding that passes over bytes that do not read.
 */
function readEncrypted<T>(r: Reader, alg: AlgorithmIdentifier, data: Buffer, read: (plain: Buffer) => T): T {
  let readError: unknown;
  for (const attempt of decryptionAttempts(alg, data, r.password, r.forms)) {
    let plain: Buffer;
    try {
      plain = attempt();
    } catch {
      continue; // bad padding: the next password form, if any
    }
    try {
      return read(plain);
    } catch (e) {
      readError = e;
    }
  }
  if (!r.macVerified)
    throw new Pkcs12Error("password", "the password does not open the PKCS#12 data (decryption failed)");
  throw readError instanceof Pkcs12Error
    ? readError
    : formatError("an encrypted part of the PKCS#12 data does not decrypt");
}

function privateKey(pkcs8: Buffer): crypto.KeyObject {
  try {
    return crypto.createPrivateKey({ key: pkcs8, format: "der", type: "pkcs8" });
  } catch {
    throw formatError("a private key in the PKCS#12 data is not a readable PKCS#8 key");
  }
}

/** Reads the bags of one SafeContents; returns what it holds rather than adding to a result, so
 * that a decryption retried with another password form cannot count a bag twice. */
function readSafeContents(r: Reader, der: Buffer): Pkcs12Contents {
  const out: Pkcs12Contents = { certificates: [], keys: [] };
  for (const bag of parseAs(der, SafeContents, "a PKCS#12 SafeContents")) {
    const value = Buffer.from(bag.bagValue);
    if (bag.bagId === id_certBag) {
      const cert = parseAs(value, CertBag, "a PKCS#12 CertBag");
      if (cert.certId === id_x509Certificate)
        out.certificates.push(octetStringValue(Buffer.from(cert.certValue)));
    } else if (bag.bagId === id_keyBag) {
      out.keys.push(privateKey(value));
    } else if (bag.bagId === id_pkcs8ShroudedKeyBag) {
      const info = parseAs(value, EncryptedPrivateKeyInfo, "a PKCS#12 shrouded key bag");
      out.keys.push(readEncrypted(r, info.encryptionAlgorithm, bytes(info.encryptedData), privateKey));
    } else if (bag.bagId === id_SafeContents) {
      const nested = readSafeContents(r, value);
      out.certificates.push(...nested.certificates);
      out.keys.push(...nested.keys);
    }
    // CRL and secret bags hold nothing the resources use.
  }
  return out;
}

const ID_DATA = "1.2.840.113549.1.7.1";
const ID_ENCRYPTED_DATA = "1.2.840.113549.1.7.6";

/**
 * Opens a PFX. Throws `Pkcs12Error` with reason "password" when the MAC does not verify (or, for a
 * PFX without MAC, when an encrypted part does not decrypt), "format" for anything unreadable.
 */
export function openPkcs12(der: Buffer, password: string): Pkcs12Contents {
  const pfx = parseAs(der, PFX, "the PKCS#12 (PFX) data");
  if (pfx.authSafe.contentType !== ID_DATA)
    throw formatError("only password-protected PKCS#12 data is supported (this one is signed)");
  const authSafe = octetStringValue(Buffer.from(pfx.authSafe.content));
  // The schema fills an absent MacData with an empty default one, whose algorithm is "".
  const hasMac = pfx.macData !== undefined && pfx.macData.mac.digestAlgorithm.algorithm !== "";
  const r: Reader = {
    password,
    forms: hasMac ? verifyMac(pfx.macData, authSafe, password) : bmpPasswords(password),
    macVerified: hasMac,
  };
  const all: Pkcs12Contents = { certificates: [], keys: [] };
  for (const info of parseAs(authSafe, AuthenticatedSafe, "the PKCS#12 authenticated safe")) {
    const content = Buffer.from(info.content);
    let found: Pkcs12Contents;
    if (info.contentType === ID_DATA) {
      found = readSafeContents(r, octetStringValue(content));
    } else if (info.contentType === ID_ENCRYPTED_DATA) {
      const eci = parseAs(content, EncryptedData, "a PKCS#12 encrypted part").encryptedContentInfo;
      const ec = eci.encryptedContent;
      const data = Buffer.concat((ec?.value ? [ec.value] : (ec?.constructedValue ?? [])).map(bytes));
      found = readEncrypted(r, eci.contentEncryptionAlgorithm, data, (plain) => readSafeContents(r, plain));
    } else {
      throw formatError(`unsupported PKCS#12 content type ${info.contentType}`);
    }
    all.certificates.push(...found.certificates);
    all.keys.push(...found.keys);
  }
  return all;
}
