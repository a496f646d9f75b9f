/**
 * The README's reference cannot drift from the code. For each resource, the README section
 * "`<Resource>` reference" has an `input` table listing exactly the members of the exported Args
 * type (provider/<resource>/types.ts) and an `output` table listing exactly the outputs the
 * resource class declares (`declare readonly` in provider/<resource>/resource.ts); both are read
 * with the TypeScript compiler API. Every such member, and every member of the nested `...Args`
 * types, must have a doc comment: it is what editors show users.
 */
import * as path from "path";
import * as ts from "typescript";
import { readmePath, readText, repoRoot, section, tableNames } from "./markdown";

const RESOURCES = [
  { name: "ApimCertificate", folder: "apim-certificate", args: "ApimCertificateArgs" },
  { name: "KeyVaultCertificatePolicy", folder: "keyvault-policy", args: "KeyVaultCertificatePolicyArgs" },
] as const;

interface Member {
  name: string;
  documented: boolean;
}

function parse(file: string): ts.SourceFile {
  return ts.createSourceFile(file, readText(file), ts.ScriptTarget.ES2022, true);
}

const hasDoc = (node: ts.Node) => ts.getJSDocCommentsAndTags(node).some((d) => ts.isJSDoc(d) && !!d.comment);
const isExported = (node: ts.Node) =>
  ts.canHaveModifiers(node) && !!ts.getModifiers(node)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);

/** The exported interfaces of a types.ts, by name, with their own members. */
function exportedInterfaces(file: string): Map<string, Member[]> {
  const found = new Map<string, Member[]>();
  for (const stmt of parse(file).statements) {
    if (!ts.isInterfaceDeclaration(stmt) || !isExported(stmt)) continue;
    found.set(
      stmt.name.text,
      stmt.members
        .filter(ts.isPropertySignature)
        .map((m) => ({ name: m.name.getText(), documented: hasDoc(m) })),
    );
  }
  return found;
}

/** The outputs the exported resource class declares (`declare readonly x: pulumi.Output<...>`). */
function declaredOutputs(file: string, className: string): Member[] {
  const cls = parse(file).statements.find(
    (s): s is ts.ClassDeclaration => ts.isClassDeclaration(s) && s.name?.text === className,
  );
  if (!cls) throw new Error(`${file} has no class ${className}`);
  return cls.members
    .filter(ts.isPropertyDeclaration)
    .filter((m) => ts.getModifiers(m)?.some((x) => x.kind === ts.SyntaxKind.DeclareKeyword))
    .map((m) => ({ name: m.name.getText(), documented: hasDoc(m) }));
}

const readme = readText(readmePath());
const sorted = (names: string[]) => [...new Set(names)].sort();

describe.each(RESOURCES)("$name", (resource) => {
  const typesFile = path.join(repoRoot, "provider", resource.folder, "types.ts");
  const resourceFile = path.join(repoRoot, "provider", resource.folder, "resource.ts");
  const interfaces = exportedInterfaces(typesFile);
  const args = interfaces.get(resource.args);
  const outputs = declaredOutputs(resourceFile, resource.name);
  const heading = `\`${resource.name}\` reference`;
  const text = section(readme, heading);

  test(`the README has a section "${heading}" with an input and an output table`, () => {
    expect(args).toBeDefined();
    if (text === undefined) throw new Error(`README has no heading "${heading}"`);
    if (!tableNames(text, "input"))
      throw new Error(`"${heading}" has no table whose first column is "input"`);
    if (!tableNames(text, "output"))
      throw new Error(`"${heading}" has no table whose first column is "output"`);
  });

  test(`the input table lists exactly the members of ${resource.args}`, () => {
    const documented = (tableNames(text ?? "", "input") ?? []).filter((n) => !n.includes("."));
    expect({ table: sorted(documented) }).toEqual({ table: sorted(args!.map((m) => m.name)) });
  });

  test(`the output table lists exactly the outputs ${resource.name} declares`, () => {
    const documented = (tableNames(text ?? "", "output") ?? []).filter((n) => !n.includes("."));
    expect({ table: sorted(documented) }).toEqual({ table: sorted(outputs.map((m) => m.name)) });
  });

  test("dotted rows (`keyVault.secretIdentifier`) name members of the nested Args types", () => {
    const nested = [...interfaces].filter(([n]) => n.endsWith("Args") && n !== resource.args);
    const known = new Set(nested.flatMap(([, members]) => members.map((m) => m.name)));
    const computed = new Set(["lastStatus"]); // outputs of nested objects, described in the output table
    const unknown = [...(tableNames(text ?? "", "input") ?? []), ...(tableNames(text ?? "", "output") ?? [])]
      .filter((n) => n.includes("."))
      .filter((n) => !known.has(n.split(".").pop()!) && !computed.has(n.split(".").pop()!));
    expect(unknown).toEqual([]);
  });

  test("every declared output and every Args member has a doc comment", () => {
    const missing = [
      ...outputs
        .filter((m) => !m.documented)
        .map((m) => `${path.relative(repoRoot, resourceFile)}: ${m.name}`),
      ...[...interfaces]
        .filter(([n]) => n.endsWith("Args"))
        .flatMap(([n, members]) =>
          members
            .filter((m) => !m.documented)
            .map((m) => `${path.relative(repoRoot, typesFile)}: ${n}.${m.name}`),
        ),
    ];
    expect(missing).toEqual([]);
  });
});
