/**
 * Every ```ts block of the README compiles against the package's own types, as a user's program
 * would: `pulumi-azure-certs` resolves to provider/index.ts through tsconfig.json's `paths`, and
 * `@pulumi/pulumi`, `@pulumi/azure-native` and Node's modules come from node_modules. Each block is
 * its own module, so a block must define (or import) everything it uses. A failure names the block
 * by its README line and heading, with the compiler's message at the README line it points to.
 */
import * as path from "path";
import * as ts from "typescript";
import { codeBlocks, readmePath, readText, repoRoot } from "./markdown";

const README = readmePath();
const blocks = codeBlocks(readText(README)).filter((b) => b.lang === "ts" || b.lang === "typescript");
const virtualDir = path.join(repoRoot, "test", "docs", "__readme__");
const fileOf = (line: number) => path.join(virtualDir, `block-at-line-${line}.ts`);

function compilerOptions(): ts.CompilerOptions {
  const configPath = path.join(repoRoot, "tsconfig.json");
  const { config, error } = ts.readConfigFile(configPath, ts.sys.readFile);
  if (error) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, "\n"));
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, repoRoot, undefined, configPath);
  return { ...parsed.options, noEmit: true, declaration: false, sourceMap: false };
}

/** Compiles every block in one program; returns each block's messages (empty when it compiles). */
function compileBlocks(): Map<number, string[]> {
  const sources = new Map(blocks.map((b) => [fileOf(b.line), `${b.code}\nexport {};\n`]));
  const options = compilerOptions();
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (file, languageVersion, onError, shouldCreate) => {
    const text = sources.get(path.resolve(file));
    return text !== undefined
      ? ts.createSourceFile(file, text, languageVersion, true)
      : getSourceFile(file, languageVersion, onError, shouldCreate);
  };
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (file) => sources.has(path.resolve(file)) || fileExists(file);
  const readFile = host.readFile.bind(host);
  host.readFile = (file) => sources.get(path.resolve(file)) ?? readFile(file);

  const program = ts.createProgram([...sources.keys()], options, host);
  const result = new Map<number, string[]>();
  for (const block of blocks) {
    const sf = program.getSourceFile(fileOf(block.line))!;
    const diagnostics = [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)];
    result.set(
      block.line,
      diagnostics.map((d) => {
        const at = d.start === undefined ? 0 : sf.getLineAndCharacterOfPosition(d.start).line;
        return `README line ${block.line + 1 + at}: ${ts.flattenDiagnosticMessageText(d.messageText, " ")}`;
      }),
    );
  }
  return result;
}

let compiled: Map<number, string[]>;
beforeAll(() => {
  compiled = compileBlocks();
}, 120_000);

test("the README has TypeScript blocks to compile", () => {
  expect(blocks.length).toBeGreaterThan(0);
});

test.each(blocks.map((b) => [`line ${b.line} (under "${b.heading}")`, b.line] as const))(
  "the ts block at README %s compiles",
  (_name, line) => {
    const errors = compiled.get(line)!;
    if (errors.length)
      throw new Error(`the ts block at README line ${line} does not compile:\n${errors.join("\n")}`);
  },
);
