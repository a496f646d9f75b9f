/**
 * How the emulated API Management reads an uploaded PFX (emulator/pki.ts `uploadedPfxLeaf`):
 * through OpenSSL where it can, through node-forge otherwise, with the same answers. The files are
 * made by the openssl CLI at run time.
 */
import { execFileSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PkiError, parsePfx, uploadedPfxLeaf } from "../../emulator/pki";

let dir: string;
const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
const thumbprint = (der: Buffer | undefined) =>
  der && crypto.createHash("sha1").update(der).digest("hex").toUpperCase();
const opensslThumbprint = (pem: string) =>
  /Fingerprint=([0-9A-F:]+)/i
    .exec(openssl("x509", "-in", pem, "-noout", "-fingerprint", "-sha1").toString())![1]
    .replace(/:/g, "");

function pfx(name: string, password: string, ...args: string[]): Buffer {
  openssl("pkcs12", "-export", ...args, "-passout", `pass:${password}`, "-out", `${name}.p12`);
  return fs.readFileSync(path.join(dir, `${name}.p12`));
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "pac-upload-"));
  for (const n of ["a", "b"])
    openssl(
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      `${n}.key`,
      "-out",
      `${n}.pem`,
      "-subj",
      `/CN=${n}.contoso.com`,
      "-days",
      "30",
    );
  fs.writeFileSync(
    path.join(dir, "both.pem"),
    fs.readFileSync(path.join(dir, "b.pem")).toString() + fs.readFileSync(path.join(dir, "a.pem")).toString(),
  );
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("uploadedPfxLeaf", () => {
  it("reads the leaf the key belongs to, as node-forge's reading does, in the default and the -legacy (RC2) format", () => {
    for (const [name, extra] of [
      ["default", []],
      ["legacy", ["-legacy"]],
    ] as const) {
      const file = pfx(name, "pw", "-inkey", "a.key", "-in", "both.pem", ...extra);
      expect(thumbprint(uploadedPfxLeaf(file, "pw"))).toBe(opensslThumbprint("a.pem"));
      expect(thumbprint(uploadedPfxLeaf(file, "pw"))).toBe(thumbprint(parsePfx(file, "pw").certificates[0]));
    }
  });

  it("opens a PFX whose non-ASCII password node-forge cannot use (so OpenSSL read it)", () => {
    const password = "pässwörd-ключ";
    const file = pfx("non-ascii", password, "-inkey", "a.key", "-in", "a.pem");
    expect(() => parsePfx(file, password)).toThrow(PkiError);
    expect(thumbprint(uploadedPfxLeaf(file, password))).toBe(opensslThumbprint("a.pem"));
  });

  it("answers undefined for a PFX without a key, and PkiError(password) for a wrong password", () => {
    expect(uploadedPfxLeaf(pfx("nokey", "pw", "-nokeys", "-in", "a.pem"), "pw")).toBeUndefined();
    for (const extra of [[], ["-legacy"]]) {
      const file = pfx(`wrong${extra.length}`, "pw", "-inkey", "a.key", "-in", "a.pem", ...extra);
      let error: unknown;
      try {
        uploadedPfxLeaf(file, "not-it");
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(PkiError);
      expect((error as PkiError).reason).toBe("password");
    }
  });

  it("refuses what is not a PFX with reason format", () => {
    let error: unknown;
    try {
      uploadedPfxLeaf(Buffer.from("not a pfx"), "pw");
    } catch (e) {
      error = e;
    }
    expect((error as PkiError).reason).toBe("format");
  });
});
