/**
 * What loading the package costs a process that does not need the heavy parts (issue #14): the
 * program (the package's main entry) and the provider of an unchanged preview (the provider
 * modules) load neither the HTTP client, nor @azure/identity, nor the ASN.1 schemas; each is
 * loaded at its first use. Checked in a fresh `node` process on the built package, as the engine
 * loads it.
 */
import { execFileSync } from "child_process";
import * as path from "path";

const repoRoot = path.resolve(__dirname, "..", "..");
const HEAVY = [
  "axios",
  "@azure/identity",
  "@azure/msal-node",
  "@peculiar/asn1-schema",
  "asn1js",
  "node-forge",
];

function loadedPackages(entry: string): string[] {
  const script = `
    require(${JSON.stringify(entry)});
    const names = Object.keys(require.cache)
      .map((f) => /node_modules[\\\\/]((?:@[^\\\\/]+[\\\\/])?[^\\\\/]+)/.exec(f.slice(f.lastIndexOf("node_modules")))?.[1])
      .filter(Boolean)
      .map((n) => n.replace(/\\\\/g, "/"));
    process.stdout.write(JSON.stringify([...new Set(names)]));`;
  return JSON.parse(execFileSync(process.execPath, ["-e", script], { cwd: repoRoot }).toString());
}

describe("what loading the package loads", () => {
  it.each([
    ["the package's main entry (the program)", "pulumi-azure-certs"],
    ["the ApimCertificate provider", "pulumi-azure-certs/dist/provider/apim-certificate/provider"],
    ["the KeyVaultCertificatePolicy provider", "pulumi-azure-certs/dist/provider/keyvault-policy/provider"],
  ])("%s loads none of the heavy packages", (_what, entry) => {
    const loaded = loadedPackages(entry);
    expect(loaded).toContain("pulumi-azure-certs"); // the installed package, as the engine loads it
    expect(loaded.filter((p) => HEAVY.includes(p))).toEqual([]);
  });
});
