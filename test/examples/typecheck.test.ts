/**
 * Every example under examples/ (a folder with Pulumi.yaml, index.ts, package.json, tsconfig.json
 * and README.md) type-checks with its own tsconfig.json, `pulumi-azure-certs` resolved to this
 * repository's provider/index.ts (as the root tsconfig.json's `paths` does) and the other packages
 * (`@pulumi/pulumi`, `@pulumi/azure-native`) from the repository's node_modules.
 */
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

const repoRoot = path.resolve(__dirname, "..", "..");
const examplesDir = path.join(repoRoot, "examples");
const projects = fs
  .readdirSync(examplesDir)
  .filter((d) => fs.existsSync(path.join(examplesDir, d, "Pulumi.yaml")))
  .sort();

it("finds the examples", () => {
  expect(projects).toEqual(
    expect.arrayContaining(["keyvault-follow", "pfx-upload", "policy-autorenew", "with-azure-native"]),
  );
});

describe.each(projects)("examples/%s", (name) => {
  const dir = path.join(examplesDir, name);

  it("has the files of a Pulumi TypeScript project, depending on the package and the SDK", () => {
    for (const f of ["Pulumi.yaml", "index.ts", "package.json", "tsconfig.json", "README.md"]) {
      expect(fs.existsSync(path.join(dir, f))).toBe(true);
    }
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
    expect(Object.keys(pkg.dependencies)).toEqual(
      expect.arrayContaining(["pulumi-azure-certs", "@pulumi/pulumi"]),
    );
    const yaml = fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8");
    expect(yaml).toMatch(new RegExp(`^name: ${name}$`, "m"));
    expect(yaml).toMatch(/^runtime: nodejs$/m);
  });

  it("type-checks with its tsconfig.json", () => {
    const file = path.join(dir, "tsconfig.json");
    const read = ts.readConfigFile(file, ts.sys.readFile);
    expect(read.error).toBeUndefined();
    const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, dir);
    expect(parsed.errors).toEqual([]);
    const program = ts.createProgram(parsed.fileNames, {
      ...parsed.options,
      noEmit: true,
      baseUrl: repoRoot,
      paths: { "pulumi-azure-certs": ["provider/index.ts"] },
    });
    const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => {
      const where = d.file ? `${path.relative(repoRoot, d.file.fileName)}: ` : "";
      return where + ts.flattenDiagnosticMessageText(d.messageText, "\n");
    });
    expect(diagnostics).toEqual([]);
    // The program really used the repository's sources for the package.
    const sources = program.getSourceFiles().map((s) => path.resolve(s.fileName));
    expect(sources).toContain(path.join(repoRoot, "provider", "index.ts"));
  }, 60_000);
});
