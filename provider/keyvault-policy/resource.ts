import * as pulumi from "@pulumi/pulumi";
import { warnIfNoCredentials } from "../dynamic/no-credentials";
import { loadProvider } from "../dynamic/shell";
import { COMPUTED_OUTPUT_NAMES, type CertificatePolicy, type KeyVaultCertificatePolicyArgs } from "./types";

/** The provider module's name: part of the state contract, keep it stable. */
export const PROVIDER_MODULE = "pulumi-azure-certs/dist/provider/keyvault-policy/provider";

/** Outputs that are not inputs; passed as `undefined` so that they resolve. */
const OUTPUT_NAMES = ["vaultBaseUrl", "certificateName", ...COMPUTED_OUTPUT_NAMES] as const;

/**
 * The policy of an existing Key Vault certificate: key type and size, subject and SANs, validity,
 * issuer, and auto-renewal (lifetime actions).
 *
 * **Only the members you set are managed.** A member left unset keeps whatever Key Vault has, and
 * Key Vault's defaults never show as drift. Lists that Key Vault treats as sets (key usages, EKUs,
 * SANs) compare without order; `lifetimeActions` is managed as a whole list of at most one action
 * (Key Vault refuses more), and `[]` removes it, which is how auto-renewal is turned off.
 *
 * **Any PATCH semantics.** Key Vault does not publish whether its policy PATCH merges members,
 * replaces each group it is sent, or replaces the whole policy; every PATCH this resource sends is
 * the whole policy as just read with the managed members applied, so the result is the same.
 *
 * **Nothing is re-issued.** Setting the policy (create or update) changes the policy only: no new
 * certificate version is issued, silently or otherwise. A change applies at the next issuance, an
 * auto-renewal or a new version you create. The outputs always describe the current version.
 *
 * **Adopting an existing policy.** Every certificate has a policy, so creating this resource over
 * a certificate *is* taking over its policy. A resource that sets no member, or sets members as
 * Key Vault already has them, adopts it and changes nothing (no PATCH is sent). A resource whose
 * members differ from Key Vault's is refused at create, naming each member (Key Vault's value →
 * this resource's), because another stack or a person may already manage that policy: set
 * `importExisting: true` to take it over (the differing members are then set), or change the
 * inputs to match. `importExisting` matters only at create; changing it later changes nothing.
 * Later `pulumi up`s set only what you change. The policy found at create is kept as
 * `originalPolicy`; with `restoreOnDelete: true`, deleting the resource puts the managed members
 * back to it, otherwise deleting only stops managing the policy. `pulumi import` and the `import` resource option do not
 * work for dynamic resources (pulumi/pulumi#16175): adopt by creating, as above. To read a policy
 * without managing it, use {@link KeyVaultCertificatePolicy.get}.
 *
 * **Renewals and drift.** After an auto-renewal, `pulumi refresh` updates `thumbprint`,
 * `expirationDate`, `notBefore`, `version` and `effectivePolicy`, and the next `pulumi up` has
 * nothing to do. If someone changes a managed member in Key Vault, `pulumi refresh` records the
 * value found and the next `pulumi up` sets it back. A certificate deleted from the vault is
 * dropped from the state by `pulumi refresh`.
 *
 * Changing the vault or the certificate name replaces the resource. The Pulumi id is the policy's
 * own id, `{vaultBaseUrl}/certificates/{certificateName}/policy`.
 */
export class KeyVaultCertificatePolicy extends pulumi.dynamic.Resource {
  /** The vault's URL, normalised (lower-case host, no trailing slash), also when `vaultName` was given. */
  declare readonly vaultBaseUrl: pulumi.Output<string>;
  /** The certificate's name in the vault. */
  declare readonly certificateName: pulumi.Output<string>;
  /** The whole policy as Key Vault returns it, including the members this resource does not manage. */
  declare readonly effectivePolicy: pulumi.Output<CertificatePolicy>;
  /**
   * The whole policy as it was when this resource was created, before it changed anything: what
   * `restoreOnDelete` puts back. Not set on a policy read with {@link KeyVaultCertificatePolicy.get}.
   */
  declare readonly originalPolicy: pulumi.Output<CertificatePolicy | undefined>;
  /** SHA-1 thumbprint of the certificate's current version, upper-case hex (from Key Vault's `x5t`). */
  declare readonly thumbprint: pulumi.Output<string | undefined>;
  /** When the current version expires, ISO 8601 UTC such as `2027-01-31T12:00:00Z` (from `attributes.exp`). */
  declare readonly expirationDate: pulumi.Output<string | undefined>;
  /** When the current version becomes valid, ISO 8601 UTC (from `attributes.nbf`). */
  declare readonly notBefore: pulumi.Output<string | undefined>;
  /** The current version's identifier, the last segment of its Key Vault id. */
  declare readonly version: pulumi.Output<string | undefined>;

  constructor(name: string, args: KeyVaultCertificatePolicyArgs, opts?: pulumi.CustomResourceOptions) {
    const props: Record<string, unknown> = { ...args };
    for (const out of OUTPUT_NAMES) if (!(out in props)) props[out] = undefined;
    super(loadProvider(PROVIDER_MODULE), name, props, opts, "azure-certs", "KeyVaultCertificatePolicy");
    warnIfNoCredentials(this);
  }

  /**
   * Reads an existing certificate's policy into the program without managing it (nothing is changed,
   * nothing is restored when it leaves the program). `id` is the policy's id,
   * `https://{vault}.vault.azure.net/certificates/{name}/policy`, or the certificate's versionless id
   * `https://{vault}.vault.azure.net/certificates/{name}`. The policy is in `effectivePolicy`.
   */
  static get(
    name: string,
    id: pulumi.Input<string>,
    opts?: pulumi.CustomResourceOptions,
  ): KeyVaultCertificatePolicy {
    return new KeyVaultCertificatePolicy(name, {} as KeyVaultCertificatePolicyArgs, { ...opts, id });
  }
}
