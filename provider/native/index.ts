/**
 * The native resources: the same `ApimCertificate` and `KeyVaultCertificatePolicy`, served by the
 * `pulumi-resource-azure-certs` plugin (type tokens `azure-certs:index:*`) instead of the dynamic
 * provider. Import them from `pulumi-azure-certs/native`; the package's main entry keeps the
 * dynamic resources. They take the same arguments; what differs is how they are run: the plugin
 * must be installed (see README, "Native provider (import and YAML)"), `pulumi import` and the
 * `import` option work, and credentials come from an `azure-certs` provider (stack configuration
 * `azure-certs:*`, or a `Provider` resource) or the `ARM_*` / `AZURE_*` environment.
 *
 * Written against the plugin's schema (provider/plugin/schema.json): the outputs each class
 * registers are the schema's properties, and test/plugin/native-sdk.test.ts checks the rest.
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { warnIfExpiringSoon } from "../apim-certificate/expiry-warning";
import type { ApimCertificateArgs } from "../apim-certificate/types";
import type { KeyVaultCertificatePolicyArgs } from "../keyvault-policy/types";
import schemaJson from "../plugin/schema.json";
import type * as Dynamic from "../index";

export type { ApimCertificateArgs, ApimKeyVaultSourceArgs } from "../apim-certificate/types";
export type {
  CertificatePolicy,
  IssuerParametersArgs,
  KeyPropertiesArgs,
  KeyVaultCertificatePolicyArgs,
  LifetimeActionArgs,
  PolicyAttributesArgs,
  SecretPropertiesArgs,
  SubjectAlternativeNamesArgs,
  X509PropertiesArgs,
} from "../keyvault-policy/types";

/** Outputs both front doors share: declared once, on the dynamic classes (see below). */
type ApimSharedOutput =
  | "thumbprint"
  | "expirationDate"
  | "subject"
  | "resourceId"
  | "subscriptionId"
  | "resourceGroupName"
  | "serviceName"
  | "certificateId"
  | "keyVault"
  | "etag";
type PolicySharedOutput =
  | "vaultBaseUrl"
  | "certificateName"
  | "effectivePolicy"
  | "originalPolicy"
  | "thumbprint"
  | "expirationDate"
  | "notBefore"
  | "version";

const APIM_TOKEN = "azure-certs:index:ApimCertificate";
const POLICY_TOKEN = "azure-certs:index:KeyVaultCertificatePolicy";

interface SchemaResource {
  properties: Record<string, unknown>;
}
const resources = schemaJson.resources as Record<string, SchemaResource>;

let version: string | undefined;
/** This package's version: the plugin version the engine loads for these resources. */
export function pluginVersion(): string {
  if (version) return version;
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const file = path.join(dir, "package.json");
    if (!fs.existsSync(file)) continue;
    const pkg = JSON.parse(fs.readFileSync(file, "utf8")) as { name?: string; version?: string };
    if (pkg.name === "pulumi-azure-certs" && pkg.version) return (version = pkg.version);
  }
  throw new Error("pulumi-azure-certs/native: cannot find the package's package.json");
}

function withPlugin<T extends pulumi.ResourceOptions>(opts: T | undefined): T {
  return {
    version: pluginVersion(),
    pluginDownloadURL: schemaJson.pluginDownloadURL,
    ...opts,
  } as T;
}

/** The resource's inputs for the engine: outputs the schema declares are left undefined so they resolve. */
function resourceInputs(token: string, args: object | undefined, opts?: pulumi.CustomResourceOptions) {
  const props: Record<string, unknown> = {};
  for (const name of Object.keys(resources[token].properties)) props[name] = undefined;
  if (opts?.id) return props; // a get: the engine reads the state by id
  return { ...props, ...(args as Record<string, unknown>) };
}

// The outputs both front doors share are declared once, on the dynamic classes (with their doc
// comments, which editors show here too): an interface merged into each class declares them, as
// `declare readonly` members would; the engine assigns them at run time either way.
/* eslint-disable @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type */
export interface ApimCertificate extends Pick<Dynamic.ApimCertificate, ApimSharedOutput> {}
export interface KeyVaultCertificatePolicy extends Pick<
  Dynamic.KeyVaultCertificatePolicy,
  PolicySharedOutput
> {}
/* eslint-enable @typescript-eslint/no-empty-object-type */

/**
 * An API Management certificate, uploaded from a PFX (`data` + `password`) or read from a Key
 * Vault secret (`keyVault`). The Pulumi id is the certificate's ARM id, which is also what
 * `pulumi import azure-certs:index:ApimCertificate <name> <id>` takes.
 */
export class ApimCertificate extends pulumi.CustomResource {
  /** ARM api-version used. */
  declare readonly apiVersion: pulumi.Output<string>;
  /** The refresh trigger as last applied. */
  declare readonly refreshTrigger: pulumi.Output<string | undefined>;
  /** Days before expiry that a preview warns. */
  declare readonly expiryWarningDays: pulumi.Output<number>;

  constructor(name: string, args: ApimCertificateArgs, opts?: pulumi.CustomResourceOptions) {
    const inputs = resourceInputs(APIM_TOKEN, args, opts);
    if (!opts?.id) {
      // Secret whatever the program passed (the plugin marks them secret too).
      if (args.data !== undefined) inputs.data = pulumi.secret(args.data);
      if (args.password !== undefined) inputs.password = pulumi.secret(args.password);
    }
    super(APIM_TOKEN, name, inputs, withPlugin(opts));
    // The dynamic class's expiry warning, from this resource's outputs (the plugin's check puts the
    // certificate's facts there, as the dynamic provider's does).
    if (!opts?.id && args.data !== undefined) warnIfExpiringSoon(this, args.expiryWarningDays);
  }

  /** Reads an existing certificate's state by its ARM id, without managing it. */
  static get(
    name: string,
    id: pulumi.Input<pulumi.ID>,
    opts?: pulumi.CustomResourceOptions,
  ): ApimCertificate {
    return new ApimCertificate(name, undefined as unknown as ApimCertificateArgs, { ...opts, id });
  }
}

/**
 * The policy of an existing Key Vault certificate; only the members set are managed. The Pulumi
 * id is the policy's id, `https://{vault}.vault.azure.net/certificates/{name}/policy`, which is
 * also what `pulumi import azure-certs:index:KeyVaultCertificatePolicy <name> <id>` takes.
 */
export class KeyVaultCertificatePolicy extends pulumi.CustomResource {
  constructor(name: string, args: KeyVaultCertificatePolicyArgs, opts?: pulumi.CustomResourceOptions) {
    super(POLICY_TOKEN, name, resourceInputs(POLICY_TOKEN, args, opts), withPlugin(opts));
  }

  /** Reads an existing policy's state by its id, without managing it. */
  static get(
    name: string,
    id: pulumi.Input<pulumi.ID>,
    opts?: pulumi.CustomResourceOptions,
  ): KeyVaultCertificatePolicy {
    return new KeyVaultCertificatePolicy(name, undefined as unknown as KeyVaultCertificatePolicyArgs, {
      ...opts,
      id,
    });
  }
}

/** The `azure-certs` provider's settings (the schema's provider inputs; see README for each). */
export interface ProviderArgs {
  [key: string]: pulumi.Input<string | number | boolean | string[]> | undefined;
}

const SECRET_PROVIDER_KEYS = Object.entries(
  (schemaJson.provider as { inputProperties: Record<string, { secret?: boolean }> }).inputProperties,
)
  .filter(([, p]) => p.secret)
  .map(([k]) => k);

/**
 * An explicit `azure-certs` provider, for settings other than the stack's `azure-certs:*`
 * configuration (another tenant, the emulator's endpoints). Secret settings are kept secret.
 */
export class Provider extends pulumi.ProviderResource {
  constructor(name: string, args: ProviderArgs = {}, opts?: pulumi.ResourceOptions) {
    const inputs: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(args)) {
      if (v === undefined) continue;
      inputs[k] = SECRET_PROVIDER_KEYS.includes(k) ? pulumi.secret(v) : v;
    }
    super("azure-certs", name, inputs, withPlugin(opts));
  }
}
