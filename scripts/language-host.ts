/**
 * A stand-in for the official `pulumi-language-nodejs` host, used only where that binary is not on
 * PATH (it cannot be built on these machines). It serves `@pulumi/pulumi`'s own `LanguageServer`,
 * the class the Automation API uses for inline programs, and runs the project's entry point:
 * JavaScript as is, and a TypeScript one (`main: index.ts`) through the project's own `ts-node`
 * and `typescript`, registered with the options the official host uses (cmd/run/run.js of
 * `@pulumi/pulumi`, CommonJS mode).
 *
 * Protocol (as the engine expects from a language plugin): started with the engine's address as
 * the last argument, print the port of a gRPC server on the first line of stdout.
 */
import * as fs from "fs";
import * as path from "path";

const fromProject = (id: string): string => require.resolve(id, { paths: [process.cwd(), __dirname] });
const grpc = require(fromProject("@grpc/grpc-js"));
const { LanguageServer } = require(fromProject("@pulumi/pulumi/automation/server"));
const langrpc = require(fromProject("@pulumi/pulumi/proto/language_grpc_pb"));
const { grpcChannelOptions } = require(fromProject("@pulumi/pulumi/runtime/settings"));

const engineAddress =
  process.argv
    .slice(2)
    .filter((a) => !a.startsWith("-"))
    .pop() ?? "";

interface RunCall {
  request: {
    getPwd(): string;
    getProgram(): string;
    getInfo(): { getProgramDirectory(): string; getEntryPoint(): string } | undefined;
    getArgsList(): string[];
  };
}

/** Whether the entry point is TypeScript: a `.ts` file, or a folder with an index.ts and no index.js. */
function isTypeScript(entry: string): boolean {
  if (/\.[cm]?ts$/.test(entry)) return true;
  const isDir = fs.existsSync(entry) && fs.statSync(entry).isDirectory();
  return isDir && fs.existsSync(path.join(entry, "index.ts")) && !fs.existsSync(path.join(entry, "index.js"));
}

let tsNodeRegistered = false;

/**
 * Registers the project's `ts-node` as the official host does (non-ESM branch): the project's
 * `typescript` as compiler, `transpileOnly` from PULUMI_NODEJS_TRANSPILE_ONLY or the tsconfig's
 * `noCheck` (else ts-node's default, type checking), the project's tsconfig.json if there is one
 * (PULUMI_NODEJS_TSCONFIG_PATH), and its compiler options over the host's defaults.
 */
function registerTsNode(projectDir: string): void {
  if (tsNodeRegistered) return;
  const fromDir = (id: string): string => require.resolve(id, { paths: [projectDir] });
  let tsnodePath: string;
  let typescriptPath: string;
  try {
    tsnodePath = fromDir("ts-node");
    typescriptPath = fromDir("typescript");
  } catch {
    throw new Error(
      `The program in ${projectDir} is TypeScript: install ts-node and typescript in the project ` +
        "(npm install --save-dev typescript ts-node @types/node).",
    );
  }
  const ts = require(typescriptPath);
  const tsConfigPath = path.resolve(projectDir, process.env.PULUMI_NODEJS_TSCONFIG_PATH ?? "tsconfig.json");
  const skipProject = !fs.existsSync(tsConfigPath);
  let compilerOptions: Record<string, unknown> = {};
  if (!skipProject) {
    const parsed = ts.parseConfigFileTextToJson(tsConfigPath, fs.readFileSync(tsConfigPath, "utf8"));
    compilerOptions = parsed.config?.compilerOptions ?? {};
  }
  const transpileOnlyEnv = process.env.PULUMI_NODEJS_TRANSPILE_ONLY;
  const transpileOnly = transpileOnlyEnv ? transpileOnlyEnv === "true" : compilerOptions.noCheck;
  const [major, minor] = String(ts.version).split(".").map(Number);
  const nodeNext = major > 4 || (major === 4 && minor >= 7);
  require(tsnodePath).register({
    compiler: typescriptPath,
    transpileOnly,
    project: tsConfigPath,
    skipProject,
    compilerOptions: {
      target: "ES2020",
      module: nodeNext ? "nodenext" : "commonjs",
      moduleResolution: nodeNext ? "nodenext" : "node",
      sourceMap: "true",
      ...compilerOptions,
    },
  });
  tsNodeRegistered = true;
}

function loadProgram(req: RunCall["request"]): () => unknown {
  const info = req.getInfo();
  const dir = info?.getProgramDirectory() || req.getPwd();
  const entry = path.resolve(dir, info?.getEntryPoint() || req.getProgram() || ".");
  return () => {
    if (isTypeScript(entry)) registerTsNode(dir);
    const mod = require(entry);
    if (typeof mod === "function") return mod();
    if (mod && mod.__esModule && typeof mod.default === "function") return mod.default();
    const { __esModule: _ignored, ...outputs } = mod ?? {};
    return outputs;
  };
}

const languageServer = new LanguageServer(undefined);
const run = languageServer.run.bind(languageServer);
languageServer.run = (call: RunCall, callback: unknown) => {
  languageServer.program = loadProgram(call.request);
  // LanguageServer reads the engine address from the request's args (the Automation API passes it
  // there); a plugin receives it on its command line instead.
  call.request.getArgsList = () => [engineAddress];
  return run(call, callback);
};

const server = new grpc.Server(grpcChannelOptions);
server.addService(langrpc.LanguageRuntimeService, languageServer);
server.bindAsync(
  "127.0.0.1:0",
  grpc.ServerCredentials.createInsecure(),
  (err: Error | null, port: number) => {
    if (err) {
      console.error(err.message);
      process.exit(1);
    }
    console.log(port);
  },
);
