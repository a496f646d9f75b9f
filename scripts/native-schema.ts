/**
 * Writes provider/plugin/schema.json, the Pulumi package schema of the `azure-certs` resource
 * plugin, from the same sources as the dynamic resources: the members and doc comments of the
 * `...Args` interfaces and plain types in provider/<resource>/types.ts, the outputs the resource
 * classes declare in provider/<resource>/resource.ts, and the provider configuration in
 * provider/plugin/config.ts. Read with the TypeScript compiler's parser (syntax only), so that the
 * schema cannot drift from the doc comments users see in their editor:
 * test/plugin/schema.test.ts fails when the committed schema.json differs from what this writes.
 *
 *   node dist/scripts/native-schema.js          # writes provider/plugin/schema.json
 *   node dist/scripts/native-schema.js --check  # exits 1 if it is out of date
 */
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { CREDENTIAL_KEYS, OWN_KEYS, type ConfigKey } from "../provider/plugin/config";

const repoRoot = path.resolve(__dirname, __dirname.includes(`${path.sep}dist${path.sep}`) ? "../.." : "..");
export const SCHEMA_PATH = path.join(repoRoot, "provider", "plugin", "schema.json");
const PKG = "azure-certs";
const ref = (name: string) => `#/types/${PKG}:index:${name}`;

/** Type aliases of string enumerations: plain strings in the schema (the docs list the values). */
const STRING_ALIASES = new Set([
  "ApimApiVersion",
  "KeyVaultApiVersion",
  "KeyType",
  "KeyCurveName",
  "KeyUsage",
  "LifetimeActionType",
  "ContentType",
]);

/**
 * Members that have no doc comment of their own in the sources: the inline `keyVault` output of
 * `ApimCertificate` (named `ApimKeyVaultCertificate` here) and APIM's status fields.
 */
const EXTRA_DOCS: Record<string, string> = {
  "ApimKeyVaultStatus.code": "`Success`, or the code of API Management's last failed fetch from Key Vault.",
  "ApimKeyVaultStatus.message": "API Management's message about its last fetch from Key Vault.",
  "ApimKeyVaultStatus.timeStampUtc": "When API Management last fetched the certificate from Key Vault, UTC.",
  "ApimKeyVaultCertificate.lastStatus": "API Management's last synchronisation with Key Vault.",
};

/** For an inline output type: the Args interface whose doc comments its members share. */
const LITERAL_DOCS_FROM: Record<string, string> = { ApimKeyVaultCertificate: "ApimKeyVaultSourceArgs" };

interface TypeSpec {
  type?: string;
  $ref?: string;
  items?: TypeSpec;
}
interface PropertySpec extends TypeSpec {
  description?: string;
  secret?: boolean;
}
interface ObjectSpec {
  type: "object";
  description?: string;
  properties: Record<string, PropertySpec>;
  required?: string[];
}

const parsed = new Map<string, ts.SourceFile>();
function source(rel: string): ts.SourceFile {
  let sf = parsed.get(rel);
  if (!sf) {
    sf = ts.createSourceFile(
      rel,
      fs.readFileSync(path.join(repoRoot, rel), "utf8"),
      ts.ScriptTarget.ES2022,
      true,
    );
    parsed.set(rel, sf);
  }
  return sf;
}

/** The doc comment's text, one paragraph per blank line, tags such as `{@link X}` as their text. */
function docOf(node: ts.Node): string | undefined {
  const doc = ts.getJSDocCommentsAndTags(node).find(ts.isJSDoc);
  if (!doc?.comment) return undefined;
  const text =
    typeof doc.comment === "string"
      ? doc.comment
      : doc.comment.map((c) => (ts.isJSDocLink(c) ? (c.name?.getText() ?? c.text) : c.text)).join("");
  // Comment lines wrapped at 100 columns are one line in the schema; paragraphs and lists stay.
  return text
    .replace(/\r/g, "")
    .trim()
    .replace(/([^\n])\n(?![\n\-|*])/g, "$1 ");
}

interface Member {
  name: string;
  optional: boolean;
  type: ts.TypeNode;
  doc?: string;
}

function interfaceMembers(file: string, name: string): Member[] | undefined {
  const decl = source(file).statements.find(
    (s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === name,
  );
  if (!decl) return undefined;
  return decl.members.filter(ts.isPropertySignature).map((m) => ({
    name: m.name.getText(),
    optional: !!m.questionToken,
    type: m.type!,
    doc: docOf(m),
  }));
}

function classOf(file: string, name: string): ts.ClassDeclaration {
  const cls = source(file).statements.find(
    (s): s is ts.ClassDeclaration => ts.isClassDeclaration(s) && s.name?.text === name,
  );
  if (!cls) throw new Error(`${file} has no class ${name}`);
  return cls;
}

/** The outputs a resource class declares (`declare readonly x: pulumi.Output<T>`). */
function declaredOutputs(file: string, className: string): Member[] {
  return classOf(file, className)
    .members.filter(ts.isPropertyDeclaration)
    .filter((m) => ts.getModifiers(m)?.some((x) => x.kind === ts.SyntaxKind.DeclareKeyword))
    .map((m) => ({ name: m.name.getText(), optional: false, type: m.type!, doc: docOf(m) }));
}

class SchemaBuilder {
  readonly types: Record<string, ObjectSpec> = {};

  constructor(private readonly typesFile: string) {}

  /** Whether `node` allows undefined (`T | undefined`). */
  static allowsUndefined(node: ts.TypeNode): boolean {
    const inner = SchemaBuilder.unwrap(node);
    return ts.isUnionTypeNode(inner) && inner.types.some((t) => t.kind === ts.SyntaxKind.UndefinedKeyword);
  }

  /** `pulumi.Input<T>` and `pulumi.Output<T>` as `T`. */
  static unwrap(node: ts.TypeNode): ts.TypeNode {
    if (ts.isTypeReferenceNode(node) && /^pulumi\.(Input|Output)$/.test(node.typeName.getText())) {
      return SchemaBuilder.unwrap(node.typeArguments![0]);
    }
    if (ts.isParenthesizedTypeNode(node)) return SchemaBuilder.unwrap(node.type);
    return node;
  }

  typeOf(node: ts.TypeNode, literalName?: string): TypeSpec {
    const t = SchemaBuilder.unwrap(node);
    if (ts.isUnionTypeNode(t)) {
      const rest = t.types.filter(
        (u) =>
          u.kind !== ts.SyntaxKind.UndefinedKeyword &&
          !(ts.isLiteralTypeNode(u) && u.literal.kind === ts.SyntaxKind.NullKeyword),
      );
      if (rest.length === 1) return this.typeOf(rest[0], literalName);
      throw new Error(`cannot map union ${t.getText()}`);
    }
    if (ts.isArrayTypeNode(t)) return { type: "array", items: this.typeOf(t.elementType, literalName) };
    switch (t.kind) {
      case ts.SyntaxKind.StringKeyword:
        return { type: "string" };
      case ts.SyntaxKind.NumberKeyword:
        return { type: "number" };
      case ts.SyntaxKind.BooleanKeyword:
        return { type: "boolean" };
    }
    if (ts.isTypeLiteralNode(t)) {
      if (!literalName) throw new Error(`an inline type needs a name: ${t.getText()}`);
      // Members without a doc comment take the one of the same input (`keyVault.secretIdentifier`).
      const inputDocs = new Map(
        (interfaceMembers(this.typesFile, LITERAL_DOCS_FROM[literalName] ?? "") ?? []).map((m) => [
          m.name,
          m.doc,
        ]),
      );
      const members = t.members.filter(ts.isPropertySignature).map((m) => ({
        name: m.name.getText(),
        optional: !!m.questionToken,
        type: m.type!,
        doc: docOf(m) ?? inputDocs.get(m.name.getText()),
      }));
      this.addObject(literalName, members, undefined);
      return { $ref: ref(literalName) };
    }
    if (ts.isTypeReferenceNode(t)) {
      const name = t.typeName.getText();
      if (STRING_ALIASES.has(name)) return { type: "string" };
      const base = name.replace(/Args$/, "");
      if (!this.types[base]) {
        // The plain type carries the fuller doc comments (wire names); an Args-only type has its own.
        const members = interfaceMembers(this.typesFile, base) ?? interfaceMembers(this.typesFile, name);
        if (!members) throw new Error(`${this.typesFile} has no interface ${base} or ${name}`);
        this.addObject(base, members, this.interfaceDoc(base) ?? this.interfaceDoc(name));
      }
      return { $ref: ref(base) };
    }
    throw new Error(`cannot map type ${t.getText()}`);
  }

  private interfaceDoc(name: string): string | undefined {
    const decl = source(this.typesFile).statements.find(
      (s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === name,
    );
    return decl ? docOf(decl) : undefined;
  }

  private addObject(name: string, members: Member[], description: string | undefined): void {
    const spec: ObjectSpec = { type: "object", properties: {} };
    if (description) spec.description = description;
    this.types[name] = spec; // before the members: a type may refer to itself
    for (const m of members) spec.properties[m.name] = this.property(m, `${name}.${m.name}`);
    const required = members.filter((m) => !m.optional).map((m) => m.name);
    if (required.length) spec.required = required;
  }

  property(m: Member, docKey: string, literalName?: string): PropertySpec {
    const doc = m.doc ?? EXTRA_DOCS[docKey];
    if (!doc) throw new Error(`${docKey} has no doc comment`);
    return { ...this.typeOf(m.type, literalName), description: doc };
  }
}

interface ResourceSource {
  name: string;
  folder: string;
  args: string;
  secretInputs: string[];
  /** Inputs the provider keeps in its outputs (state), besides those the class declares. */
  inputsInOutputs: "all" | string[];
  /** Names for inline types of declared outputs. */
  literalNames?: Record<string, string>;
}

const RESOURCES: ResourceSource[] = [
  {
    name: "ApimCertificate",
    folder: "apim-certificate",
    args: "ApimCertificateArgs",
    secretInputs: ["data", "password"],
    inputsInOutputs: ["apiVersion", "refreshTrigger", "expiryWarningDays"],
    literalNames: { keyVault: "ApimKeyVaultCertificate" },
  },
  {
    name: "KeyVaultCertificatePolicy",
    folder: "keyvault-policy",
    args: "KeyVaultCertificatePolicyArgs",
    secretInputs: [],
    inputsInOutputs: "all",
  },
];

function configSpec(keys: Record<string, ConfigKey>): Record<string, PropertySpec> {
  const out: Record<string, PropertySpec> = {};
  for (const [name, k] of Object.entries(keys)) {
    const type: TypeSpec =
      k.type === "array" ? { type: "array", items: { type: "string" } } : { type: k.type };
    out[name] = { ...type, description: k.description, ...(k.secret ? { secret: true } : {}) };
  }
  return out;
}

/** One resource's schema entry, from its Args type and its class; its object types go into `types`. */
function resourceSpec(
  r: (typeof RESOURCES)[number],
  types: Record<string, ObjectSpec>,
): Record<string, unknown> {
  const typesFile = `provider/${r.folder}/types.ts`;
  const resourceFile = `provider/${r.folder}/resource.ts`;
  const b = new SchemaBuilder(typesFile);
  const args = interfaceMembers(typesFile, r.args);
  if (!args) throw new Error(`${typesFile} has no ${r.args}`);
  const inputProperties: Record<string, PropertySpec> = {};
  for (const m of args) {
    inputProperties[m.name] = {
      ...b.property(m, `${r.args}.${m.name}`),
      ...(r.secretInputs.includes(m.name) ? { secret: true } : {}),
    };
  }
  const properties: Record<string, PropertySpec> = {};
  const requiredOutputs: string[] = [];
  for (const m of declaredOutputs(resourceFile, r.name)) {
    properties[m.name] = b.property(m, `${r.name}.${m.name}`, r.literalNames?.[m.name]);
    if (!SchemaBuilder.allowsUndefined(m.type)) requiredOutputs.push(m.name);
  }
  for (const m of args) {
    if (properties[m.name] || r.secretInputs.includes(m.name)) continue;
    if (r.inputsInOutputs === "all" || r.inputsInOutputs.includes(m.name))
      properties[m.name] = inputProperties[m.name];
  }
  for (const [name, spec] of Object.entries(b.types)) types[`${PKG}:index:${name}`] = spec;
  return {
    description: docOf(classOf(resourceFile, r.name)),
    inputProperties,
    requiredInputs: args.filter((m) => !m.optional).map((m) => m.name),
    properties,
    required: requiredOutputs,
  };
}

/** The schema, with `version` left for the plugin to fill in from package.json. */
export function buildSchema(): Record<string, unknown> {
  const resources: Record<string, unknown> = {};
  const types: Record<string, ObjectSpec> = {};
  for (const r of RESOURCES) resources[`${PKG}:index:${r.name}`] = resourceSpec(r, types);
  const config = { ...configSpec(OWN_KEYS), ...configSpec(CREDENTIAL_KEYS) };
  return {
    name: PKG,
    displayName: "Azure certificates",
    description:
      "API Management certificates and Key Vault certificate policies, as a resource plugin (import, YAML, every language).",
    keywords: [
      "pulumi",
      "azure",
      "api-management",
      "key-vault",
      "certificates",
      "category/cloud",
      "kind/native",
    ],
    homepage: "https://github.com/pulumi-azure-certs/pulumi-azure-certs",
    repository: "https://github.com/pulumi-azure-certs/pulumi-azure-certs",
    license: "Apache-2.0",
    publisher: "pulumi-azure-certs",
    // github://api.github.com/<owner> fetches pulumi-resource-azure-certs-v<version>-<os>-<arch>.tar.gz
    // from the release v<version> of <owner>/pulumi-azure-certs (scripts/build-plugin.sh names it so).
    pluginDownloadURL: "github://api.github.com/pulumi-azure-certs",
    meta: { moduleFormat: "(.*)" },
    config: { variables: config },
    provider: {
      description: "The azure-certs provider: credentials and endpoints.",
      inputProperties: config,
    },
    types,
    resources,
    language: {
      // Not for `gen-sdk` (the TypeScript SDK is provider/native): program code generation (what
      // `pulumi import` prints for TypeScript) imports the package under this name, and the native
      // classes are at this entry point; the package's main entry holds the dynamic ones.
      nodejs: { packageName: "pulumi-azure-certs/native", respectSchemaVersion: true },
      python: { packageName: "pulumi_azure_certs", respectSchemaVersion: true },
      go: {
        importBasePath: "github.com/pulumi-azure-certs/pulumi-azure-certs/sdk/go/azurecerts",
        respectSchemaVersion: true,
      },
      csharp: { rootNamespace: "PulumiAzureCerts", respectSchemaVersion: true },
    },
  };
}

/** The schema file's text, formatted as the repository's prettier formats JSON. */
export async function schemaText(): Promise<string> {
  // Loaded here, not at the top: prettier cannot be loaded inside jest, which imports buildSchema.
  const prettier = await import("prettier");
  const options = (await prettier.resolveConfig(SCHEMA_PATH)) ?? {};
  return prettier.format(JSON.stringify(buildSchema()), { ...options, parser: "json" });
}

async function main(): Promise<void> {
  const text = await schemaText();
  if (process.argv.includes("--check")) {
    const current = fs.existsSync(SCHEMA_PATH) ? fs.readFileSync(SCHEMA_PATH, "utf8") : "";
    if (current !== text) {
      console.error(`${SCHEMA_PATH} is out of date: run node dist/scripts/native-schema.js`);
      process.exit(1);
    }
  } else {
    fs.writeFileSync(SCHEMA_PATH, text);
    console.log(`wrote ${SCHEMA_PATH}`);
  }
}

if (require.main === module) void main();
