/**
 * A stand-in for the official `pulumi-language-nodejs` host, used only where that binary is not on
 * PATH (it cannot be built on these machines). It serves `@pulumi/pulumi`'s own `LanguageServer`,
 * the class the Automation API uses for inline programs, and runs the project's compiled
 * JavaScript entry point: compile TypeScript first.
 *
 * Protocol (as the engine expects from a language plugin): started with the engine's address as
 * the last argument, print the port of a gRPC server on the first line of stdout.
 */
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

function loadProgram(req: RunCall["request"]): () => unknown {
  const info = req.getInfo();
  const dir = info?.getProgramDirectory() || req.getPwd();
  const entry = path.resolve(dir, info?.getEntryPoint() || req.getProgram() || ".");
  return () => {
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
