/**
 * What loading the package costs a process that does not need the heavy parts (issue #14): the
 * program (the package's main entry) and the provider of an unchanged preview (the provider
 * modules) load neither the HTTP client, nor @azure/identity, nor the ASN.1 schemas; each is
 * loaded at its first use. Checked in a fresh `node` process on the built package, as the engine
 * loads it.
 */
import { execFileSync } from "child_process";
import * as path from "path";
import { makePfx } from "../harness/certs";

const repoRoot = path.resolve(__dirname, "..", "..");
const HEAVY = [
  "axios",
  "@azure/identity",
  "@azure/msal-node",
  "@peculiar/asn1-schema",
  "asn1js",
  "node-forge",
];

function loadedPackages(entry: string, then = ""): string[] {
  const script = `
    const loaded = require(${JSON.stringify(entry)});
    ${then}
    const names = Object.keys(require.cache)
      .map((f) => /node_modules[\\\\/]((?:@[^\\\\/]+[\\\\/])?[^\\\\/]+)/.exec(f.slice(f.lastIndexOf("node_modules")))?.[1])
      .filter(Boolean)
      .map((n) => n.replace(/\\\\/g, "/"));
    process.stdout.write(JSON.stringify([...new Set(names)]));`;
  return JSON.parse(
    execFileSync(process.execPath, ["-e", script], { cwd: repoRoot, env: process.env }).toString(),
  );
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

describe("what the program loads of the package", () => {
  it("the resources and their schemas, not the provider side (the checks' PFX reading, the HTTP transport)", () => {
    const files = loadedPackages(
      "pulumi-azure-certs",
      `process.stdout.write(JSON.stringify(Object.keys(require.cache).filter((f) => f.includes("pulumi-azure-certs")).map((f) => f.replace(/\\\\/g, "/"))));
      process.exit(0);`,
    );
    expect(files.some((f) => f.endsWith("/apim-certificate/resource.js"))).toBe(true);
    const providerSide = [
      "/apim-certificate/validate.js",
      "/transport/transport.js",
      "/transport/credentials.js",
    ];
    expect(files.filter((f) => providerSide.some((p) => f.endsWith(p)))).toEqual([]);
  });
});

describe("what checking a new PFX loads", () => {
  it("asn1js for the certificate's names, but not @peculiar's schemas or node-forge (the PKCS#12 fallbacks)", () => {
    const pfx = makePfx({ cn: "modules.contoso.com" });
    process.env.PAC_TEST_PFX = JSON.stringify(pfx);
    const loaded = loadedPackages(
      "pulumi-azure-certs/dist/provider/apim-certificate/validate",
      `const { data, password } = JSON.parse(process.env.PAC_TEST_PFX);
      const serviceId = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.ApiManagement/service/svc";
      const { inputs, failures } = loaded.checkApimInputs({ serviceId, certificateId: "c", data, password });
      if (failures.length > 0 || inputs.subject !== "CN=modules.contoso.com") throw new Error(JSON.stringify(failures));`,
    );
    delete process.env.PAC_TEST_PFX;
    expect(loaded).toContain("asn1js");
    expect(loaded.filter((p) => p.startsWith("@peculiar/") || p === "node-forge")).toEqual([]);
  });
});
