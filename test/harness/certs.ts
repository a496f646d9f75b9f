import { execFileSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { buildCertificate, buildPfx } from "../../emulator/pki";

const DAY = 24 * 60 * 60 * 1000;
let sharedKey: crypto.KeyObject | undefined;

export interface TestPfx {
  /** base64 PFX */
  data: string;
  password: string;
  der: Buffer;
}

/**
 * A self-signed certificate in a PFX. Tests share one RSA key (generation is the slow part);
 * the certificates differ by subject, serial and dates.
 */
export function makePfx(
  opts: {
    cn?: string;
    daysValid?: number;
    notAfter?: Date;
    password?: string;
    withKey?: boolean;
    /** Wrap this PFX's certificate again (same certificate, new file and password). */
    reuseCertificateOf?: TestPfx;
  } = {},
): TestPfx {
  sharedKey ??= crypto.generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
  const now = Date.now();
  const notAfter = opts.notAfter ?? new Date(now + (opts.daysValid ?? 365) * DAY);
  const der =
    opts.reuseCertificateOf?.der ??
    buildCertificate({
      subject: [{ oid: "2.5.4.3", value: opts.cn ?? "contoso.com" }],
      key: sharedKey,
      notBefore: new Date(Math.min(now, notAfter.getTime()) - 30 * DAY),
      notAfter,
    });
  const password = opts.password ?? "pfx-pass-" + crypto.randomBytes(4).toString("hex");
  const pfx = buildPfx({
    certificates: [der],
    privateKey: opts.withKey === false ? undefined : sharedKey,
    password,
  });
  return { data: pfx.toString("base64"), password, der };
}

/** Thumbprint (uppercase hex) and expiry of a PFX as `openssl` reads them: an independent check. */
export function opensslFacts(pfx: TestPfx): { thumbprint: string; notAfter: Date; subject: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pac-openssl-"));
  try {
    const file = path.join(dir, "c.pfx");
    fs.writeFileSync(file, Buffer.from(pfx.data, "base64"));
    const pem = execFileSync(
      "openssl",
      ["pkcs12", "-in", file, "-nokeys", "-passin", `pass:${pfx.password}`],
      {
        encoding: "utf8",
      },
    );
    const out = execFileSync("openssl", ["x509", "-noout", "-fingerprint", "-sha1", "-enddate", "-subject"], {
      input: pem,
      encoding: "utf8",
    });
    const thumbprint = /Fingerprint=([0-9A-F:]+)/i.exec(out)![1].replace(/:/g, "").toUpperCase();
    const notAfter = new Date(/notAfter=(.+)/.exec(out)![1].trim());
    const subject = /subject=(.+)/.exec(out)![1].trim();
    return { thumbprint, notAfter, subject };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
