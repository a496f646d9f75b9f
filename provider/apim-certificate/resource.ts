import * as pulumi from "@pulumi/pulumi";
import { warnIfNoCredentials } from "../dynamic/no-credentials";
import { loadProvider } from "../dynamic/shell";
import { warnIfExpiringSoon } from "./expiry-warning";
import { APIM_OUTPUT_NAMES, type ApimCertificateArgs, type ApimKeyVaultStatus } from "./types";
import { parseSecretIdentifier } from "./schema";

/** The provider module's name: part of the state contract, keep it stable. */
export const PROVIDER_MODULE = "pulumi-azure-certs/dist/provider/apim-certificate/provider";

/**
 * An API Management certificate, uploaded from a PFX (`data` + `password`) or read from a Key
 * Vault secret (`keyVault`). The Pulumi id is the certificate's ARM id.
 *
 * `data` and `password` are always stored as secrets and never appear in outputs.
 */
export class ApimCertificate extends pulumi.dynamic.Resource {
  /** Uppercase hex SHA-1 thumbprint of the certificate. */
  declare readonly thumbprint: pulumi.Output<string>;
  /** When the certificate expires, ISO 8601 UTC. */
  declare readonly expirationDate: pulumi.Output<string>;
  /** The certificate's subject, e.g. `CN=contoso.com`. */
  declare readonly subject: pulumi.Output<string>;
  /** The certificate's ARM id (also the resource's Pulumi id). */
  declare readonly resourceId: pulumi.Output<string>;
  /** Subscription of the API Management service (from `serviceId`, the input or the default subscription). */
  declare readonly subscriptionId: pulumi.Output<string>;
  /** Resource group of the API Management service (from `serviceId` or the input). */
  declare readonly resourceGroupName: pulumi.Output<string>;
  /** Name of the API Management service (from `serviceId` or the input). */
  declare readonly serviceName: pulumi.Output<string>;
  /** Identifier of the certificate in the service, as given. */
  declare readonly certificateId: pulumi.Output<string>;
  /** For a Key Vault certificate: the secret, identity and APIM's last synchronisation status. */
  declare readonly keyVault: pulumi.Output<
    { secretIdentifier: string; identityClientId?: string; lastStatus?: ApimKeyVaultStatus } | undefined
  >;
  /** The entity tag of the certificate as last seen; sent as `If-Match` on update. */
  declare readonly etag: pulumi.Output<string | undefined>;

  constructor(name: string, args: ApimCertificateArgs, opts?: pulumi.CustomResourceOptions) {
    const props: Record<string, unknown> = {
      ...args,
      data: args.data === undefined ? undefined : pulumi.secret(args.data),
      password: args.password === undefined ? undefined : pulumi.secret(args.password),
    };
    // Outputs are declared as inputs left undefined; a value the user gave under an output's name
    // is passed on, for check to refuse it by name.
    for (const out of APIM_OUTPUT_NAMES) props[out] = (args as unknown as Record<string, unknown>)[out];
    super(
      loadProvider(PROVIDER_MODULE),
      name,
      props,
      withSecretInputs(opts),
      "azure-certs",
      "ApimCertificate",
    );
    warnIfNoCredentials(this);
    if (!opts?.id) warnAtPreview(this, args);
  }

  /** Reads an existing certificate into the program without managing it. `id` is its ARM id. */
  static get(name: string, id: pulumi.Input<string>, opts?: pulumi.CustomResourceOptions): ApimCertificate {
    return new ApimCertificate(name, { certificateId: undefined as unknown as string }, { ...opts, id });
  }
}

function withSecretInputs(opts?: pulumi.CustomResourceOptions): pulumi.CustomResourceOptions {
  const extra = ["data", "password"];
  return { ...opts, additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), ...extra] };
}

/**
 * Warnings that do not block a deployment: shown at preview, with no network call. (The provider
 * process has no channel for warnings, so they are raised here, in the program.)
 */
function warnAtPreview(resource: ApimCertificate, args: ApimCertificateArgs): void {
  pulumi.output(args.keyVault).apply((kv) => {
    if (!kv || typeof kv.secretIdentifier !== "string") return;
    const parsed = parseSecretIdentifier(kv.secretIdentifier);
    if (!("property" in parsed) && parsed.version) {
      pulumi.log.warn(
        `keyVault.secretIdentifier names version ${parsed.version}: API Management will not follow rotations of ` +
          `this certificate. Use ${parsed.vaultUrl}/secrets/${parsed.name} to let it pick up new versions.`,
        resource,
      );
    }
  });
  if (args.data !== undefined) warnIfExpiringSoon(resource, args.expiryWarningDays);
}
