/**
 * The gRPC server of the `pulumi-resource-azure-certs` plugin, on the SDK's protocol modules
 * (`@pulumi/pulumi/proto/*`, `@grpc/grpc-js`, `google-protobuf`: the SDK's own dependencies).
 *
 * Why not `@pulumi/pulumi/provider`'s `main()` (3.259.0): its server
 * - answers Configure with `acceptSecrets: true` and never passes the provider's configuration
 *   on, so the modules would get no credentials or endpoints and secret inputs would come back
 *   unmarked, landing in state in plain text;
 * - calls `getProperties().toJavaScript()` on a Read that carries no properties, which is every
 *   import (`Cannot read properties of undefined`), so `pulumi import` fails.
 * This server does what the engine needs and no more: Configure hands the configuration to both
 * modules, secrets are unwrapped and wrapped again (`./secrets.ts`), a Read by id alone returns
 * inputs (`./resources.ts`). Methods it does not implement (CheckConfig, DiffConfig, Invoke,
 * Construct, ...) answer UNIMPLEMENTED, which the engine takes as "use the default".
 */
import { createRequire } from "module";
import type * as grpcTypes from "@grpc/grpc-js";
import type * as structTypes from "google-protobuf/google/protobuf/struct_pb";
import type * as provTypes from "@pulumi/pulumi/proto/provider_pb";
import { withoutFrames } from "../dynamic/guard";
import { argsFromVariables, inPluginTerms, moduleConfig } from "./config";
import { ResourceAdapter, resourceType, typeOfUrn } from "./resources";
import { unwrapProperties } from "./secrets";

// The SDK's own copies, so that messages and services come from the same modules it was built with.
const sdkRequire = createRequire(require.resolve("@pulumi/pulumi/package.json"));
const grpc = sdkRequire("@grpc/grpc-js") as typeof grpcTypes;
const structproto = sdkRequire("google-protobuf/google/protobuf/struct_pb") as typeof structTypes;
const emptyproto = sdkRequire("google-protobuf/google/protobuf/empty_pb");
const anyproto = sdkRequire("google-protobuf/google/protobuf/any_pb");
const provproto = sdkRequire("@pulumi/pulumi/proto/provider_pb") as typeof provTypes;
const plugproto = sdkRequire("@pulumi/pulumi/proto/plugin_pb");
const statusproto = sdkRequire("@pulumi/pulumi/proto/status_pb");
const provrpc = sdkRequire("@pulumi/pulumi/proto/provider_grpc_pb");

type Raw = Record<string, unknown>;
type Call<T> = { request: T };
type Callback = (err: unknown, value?: unknown, trailer?: unknown) => void;

const toJs = (s: structTypes.Struct | undefined): Raw => (s ? (s.toJavaScript() as Raw) : {});
const toStruct = (v: Raw) => structproto.Struct.fromJavaScript(v as never);

export interface PluginOptions {
  version: string;
  schema: string;
}

/** The error as gRPC carries it: its message, and a partial create's id and properties as details. */
function grpcError(e: unknown): { code: number; details: string; metadata: grpcTypes.Metadata } {
  const err = withoutFrames(e) as Error & { id?: string; properties?: Raw; reasons?: string[] };
  const metadata = new grpc.Metadata();
  if (err.id) {
    const detail = new provproto.ErrorResourceInitFailed();
    detail.setId(err.id);
    detail.setProperties(toStruct(err.properties ?? {}));
    detail.setReasonsList(err.reasons ?? []);
    const any = new anyproto.Any();
    any.pack(detail.serializeBinary(), "pulumirpc.ErrorResourceInitFailed");
    const status = new statusproto.Status();
    status.setCode(grpc.status.UNKNOWN);
    status.setMessage(inPluginTerms(err.message));
    status.addDetails(any);
    metadata.add("grpc-status-details-bin", Buffer.from(status.serializeBinary()));
  }
  return { code: grpc.status.UNKNOWN, details: inPluginTerms(err.message), metadata };
}

function handler<T>(fn: (req: T) => Promise<unknown>) {
  return (call: Call<T>, callback: Callback) => {
    fn(call.request).then(
      (value) => callback(null, value),
      (e) => {
        const err = grpcError(e);
        callback(err, null, err.metadata);
      },
    );
  };
}

const adapterFor = (urn: string, type?: string) => new ResourceAdapter(resourceType(type || typeOfUrn(urn)));

/** The provider's gRPC methods: the plugin's own, then the resources'. */
export function implementation(options: PluginOptions) {
  return { ...pluginMethods(options), ...resourceMethods };
}

/** Plugin info, schema and configuration. */
function pluginMethods(options: PluginOptions) {
  return {
    getPluginInfo: handler(async () => new plugproto.PluginInfo().setVersion(options.version)),
    getSchema: handler(async (req: provTypes.GetSchemaRequest) => {
      if (req.getVersion() !== 0) throw new Error(`unsupported schema version ${req.getVersion()}`);
      return new provproto.GetSchemaResponse().setSchema(options.schema);
    }),
    attach: handler(async () => new emptyproto.Empty()),
    cancel: handler(async () => new emptyproto.Empty()),

    configure: handler(async (req: provTypes.ConfigureRequest) => {
      const args = req.hasArgs()
        ? unwrapProperties(toJs(req.getArgs())).plain
        : argsFromVariables(req.getVariablesMap().toArray() as [string, string][]);
      const config = moduleConfig(args);
      for (const token of [
        "azure-certs:index:ApimCertificate",
        "azure-certs:index:KeyVaultCertificatePolicy",
      ]) {
        await new ResourceAdapter(resourceType(token)).configure(config);
      }
      // No preview support: the engine then never calls Create or Update during a preview (with it,
      // they would be called with `preview` set, and the modules know no such mode).
      return new provproto.ConfigureResponse()
        .setAcceptsecrets(true)
        .setSupportspreview(false)
        .setAcceptresources(false)
        .setAcceptoutputs(false);
    }),
  };
}

/** The resource methods, each handed to the resource's provider module (see `./resources.ts`). */
const resourceMethods = {
  check: handler(async (req: provTypes.CheckRequest) => {
    const { inputs, failures } = await adapterFor(req.getUrn(), req.getType()).check(
      toJs(req.getOlds()),
      toJs(req.getNews()),
    );
    const resp = new provproto.CheckResponse().setInputs(toStruct(inputs));
    resp.setFailuresList(
      failures.map((f) => new provproto.CheckFailure().setProperty(f.property).setReason(f.reason)),
    );
    return resp;
  }),

  diff: handler(async (req: provTypes.DiffRequest) => {
    const result = await adapterFor(req.getUrn(), req.getType()).diff(
      req.getId(),
      toJs(req.getOlds()),
      toJs(req.getNews()),
    );
    const changes =
      result.changes === true
        ? provproto.DiffResponse.DiffChanges.DIFF_SOME
        : result.changes === false
          ? provproto.DiffResponse.DiffChanges.DIFF_NONE
          : provproto.DiffResponse.DiffChanges.DIFF_UNKNOWN;
    return new provproto.DiffResponse()
      .setChanges(changes)
      .setReplacesList(result.replaces ?? [])
      .setDeletebeforereplace(result.deleteBeforeReplace ?? false);
  }),

  create: handler(async (req: provTypes.CreateRequest) => {
    const result = await adapterFor(req.getUrn(), req.getType()).create(toJs(req.getProperties()));
    return new provproto.CreateResponse().setId(result.id).setProperties(toStruct(result.outs));
  }),

  read: handler(async (req: provTypes.ReadRequest) => {
    // An import's Read has no properties at all (see the header).
    const result = await adapterFor(req.getUrn(), req.getType()).read(
      req.getId(),
      req.hasProperties() ? toJs(req.getProperties()) : {},
      req.hasInputs() ? toJs(req.getInputs()) : {},
    );
    const resp = new provproto.ReadResponse().setId(result.id ?? "");
    if (result.outs) resp.setProperties(toStruct(result.outs));
    if (result.inputs) resp.setInputs(toStruct(result.inputs));
    return resp;
  }),

  update: handler(async (req: provTypes.UpdateRequest) => {
    const outs = await adapterFor(req.getUrn(), req.getType()).update(
      req.getId(),
      toJs(req.getOlds()),
      toJs(req.getNews()),
    );
    return new provproto.UpdateResponse().setProperties(toStruct(outs));
  }),

  delete: handler(async (req: provTypes.DeleteRequest) => {
    await adapterFor(req.getUrn(), req.getType()).delete(req.getId(), toJs(req.getProperties()));
    return new emptyproto.Empty();
  }),
};

/**
 * Serves the plugin on a loopback port and prints the port on stdout (the engine reads it from
 * the first line). The engine's address, the first argument, is not needed: the plugin makes no
 * calls back to the engine.
 */
export async function serve(options: PluginOptions): Promise<grpcTypes.Server> {
  const server = new grpc.Server({ "grpc.max_receive_message_length": 400 * 1024 * 1024 });
  server.addService(provrpc.ResourceProviderService, implementation(options) as never);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  process.stdout.write(`${port}\n`);
  return server;
}
