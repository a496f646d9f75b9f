/**
 * The two resource types the plugin serves, each a thin adapter over its provider module (the
 * same module the dynamic resources load by name: one implementation, two front doors). The
 * adapters only add what a resource plugin needs beyond a dynamic provider: secrets wrapped on the
 * way out (see `./secrets.ts`), and inputs from a read by id alone, which is what `pulumi import`
 * and the `import` resource option send.
 */
import * as apim from "../apim-certificate/provider";
import type { ApimCertificateOutputs } from "../apim-certificate/types";
import * as policy from "../keyvault-policy/provider";
import type { ConfigSource } from "../transport/settings";
import { unwrapProperties, wrapProperties } from "./secrets";

type Raw = Record<string, unknown>;

export const APIM_TOKEN = "azure-certs:index:ApimCertificate";
export const POLICY_TOKEN = "azure-certs:index:KeyVaultCertificatePolicy";

/** What a provider module exports (both share the dynamic provider's signatures). */
type ProviderModule = typeof apim | typeof policy;

export interface ResourceType {
  module: ProviderModule;
  /** Inputs the schema marks secret: always wrapped, whether or not the program marked them. */
  secretInputs: readonly string[];
  /**
   * The inputs of a resource found by its id alone (an import), from the outputs the module's
   * read returned; `undefined` to take the inputs the module returned itself.
   */
  importInputs?: (outs: Raw) => Raw;
}

/**
 * An `ApimCertificate`'s inputs from its outputs: where it lives and its Key Vault source. A PFX
 * certificate's `data` and `password` are not among them: Azure never returns them, so the code
 * `pulumi import` prints lacks them and the user adds them (the next preview then shows no change
 * when the PFX holds the same certificate, as `diff` compares thumbprints).
 */
export function apimImportInputs(raw: Raw): Raw {
  const outs = raw as unknown as ApimCertificateOutputs;
  const inputs: Raw = {
    subscriptionId: outs.subscriptionId,
    resourceGroupName: outs.resourceGroupName,
    serviceName: outs.serviceName,
    certificateId: outs.certificateId,
  };
  if (outs.keyVault) {
    inputs.keyVault = { secretIdentifier: outs.keyVault.secretIdentifier };
    if (outs.keyVault.identityClientId)
      (inputs.keyVault as Raw).identityClientId = outs.keyVault.identityClientId;
  }
  return inputs;
}

export const RESOURCE_TYPES: Record<string, ResourceType> = {
  [APIM_TOKEN]: { module: apim, secretInputs: ["data", "password"], importInputs: apimImportInputs },
  [POLICY_TOKEN]: { module: policy, secretInputs: [] },
};

/** The resource type token in a URN (`urn:pulumi:stack::project::[parent$]type::name`). */
export function typeOfUrn(urn: string): string {
  const qualified = urn.split("::")[2] ?? "";
  return qualified.split("$").pop() ?? "";
}

export function resourceType(token: string): ResourceType {
  const found = RESOURCE_TYPES[token];
  if (!found) throw new Error(`the azure-certs plugin has no resource type ${token}`);
  return found;
}

/** Plain JSON, as a protobuf Struct holds it: no `undefined` members. */
const plainJson = (v: unknown): Raw => (v === undefined ? {} : (JSON.parse(JSON.stringify(v)) as Raw));

export interface CheckOutcome {
  inputs: Raw;
  failures: { property: string; reason: string }[];
}

/** The calls the server makes, on engine-format properties (secrets wrapped) in and out. */
export class ResourceAdapter {
  constructor(readonly type: ResourceType) {}

  private out(props: unknown, secretKeys: Iterable<string>): Raw {
    return wrapProperties(plainJson(props), [...secretKeys, ...this.type.secretInputs]);
  }

  async configure(config: ConfigSource): Promise<void> {
    await this.type.module.configure({ config } as never);
  }

  async check(olds: Raw, news: Raw): Promise<CheckOutcome> {
    const o = unwrapProperties(olds);
    const n = unwrapProperties(news);
    const result = await this.type.module.check(o.plain, n.plain);
    return { inputs: this.out(result.inputs ?? n.plain, n.secretKeys), failures: result.failures ?? [] };
  }

  async diff(id: string, olds: Raw, news: Raw) {
    const result = await this.type.module.diff(
      id,
      unwrapProperties(olds).plain,
      unwrapProperties(news).plain,
    );
    return result;
  }

  async create(inputs: Raw): Promise<{ id: string; outs: Raw }> {
    const i = unwrapProperties(inputs);
    try {
      const result = await this.type.module.create(i.plain as never);
      return { id: result.id, outs: this.out(result.outs, i.secretKeys) };
    } catch (e) {
      throw this.partial(e, i.secretKeys);
    }
  }

  /**
   * A refresh sends the state's outputs and inputs; an import sends the id alone. The module's read
   * finds the resource from the id either way. Inputs: the module's when it returns them, else (an
   * import) those derived from the outputs, else (a refresh) the state's inputs unchanged.
   */
  async read(id: string, props: Raw, inputs: Raw): Promise<{ id?: string; outs?: Raw; inputs?: Raw }> {
    const p = unwrapProperties(props);
    const i = unwrapProperties(inputs);
    const byIdAlone = Object.keys(p.plain).length === 0;
    const result = await this.type.module.read(id, p.plain);
    if (!result.id) return {};
    const secretKeys = [...p.secretKeys, ...i.secretKeys];
    const outs = plainJson(result.props);
    const newInputs =
      result.inputs ??
      (byIdAlone
        ? (this.type.importInputs?.(outs) ?? {})
        : Object.keys(i.plain).length
          ? i.plain
          : undefined);
    return {
      id: result.id,
      outs: this.out(outs, secretKeys),
      inputs: newInputs === undefined ? undefined : this.out(newInputs, secretKeys),
    };
  }

  async update(id: string, olds: Raw, news: Raw): Promise<Raw> {
    const o = unwrapProperties(olds);
    const n = unwrapProperties(news);
    try {
      const result = await this.type.module.update(id, o.plain as never, n.plain as never);
      return this.out(result.outs, [...o.secretKeys, ...n.secretKeys]);
    } catch (e) {
      throw this.partial(e, n.secretKeys);
    }
  }

  async delete(id: string, props: Raw): Promise<void> {
    await this.type.module.delete(id, unwrapProperties(props).plain as never);
  }

  /** A partial create's or update's error, its `properties` wrapped like outputs. */
  private partial(e: unknown, secretKeys: Iterable<string>): unknown {
    const err = e as { properties?: unknown };
    if (err && typeof err === "object" && err.properties !== undefined) {
      err.properties = this.out(err.properties, secretKeys);
    }
    return e;
  }
}
