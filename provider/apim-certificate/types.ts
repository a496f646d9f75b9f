import type * as pulumi from "@pulumi/pulumi";
import type { ApimResolvedInputs } from "./schema";

/** API versions of `Microsoft.ApiManagement/service/certificates` this package speaks. */
export const APIM_API_VERSIONS = ["2024-05-01", "2022-08-01"] as const;
export type ApimApiVersion = (typeof APIM_API_VERSIONS)[number];
export const DEFAULT_APIM_API_VERSION: ApimApiVersion = "2024-05-01";
/** `expiryWarningDays` when not set. */
export const DEFAULT_EXPIRY_WARNING_DAYS = 30;

/**
 * Outputs an `ApimCertificate` declares that are not inputs: API Management computes them. `check`
 * writes the first three into the inputs it returns when it reads a PFX, so that a preview shows them.
 */
export const APIM_OUTPUT_NAMES = ["thumbprint", "subject", "expirationDate", "resourceId", "etag"] as const;
/** Members of the `keyVault` output that are not inputs. */
export const APIM_KEY_VAULT_OUTPUT_NAMES = ["lastStatus"] as const;

/** A Key Vault secret that API Management reads the certificate from. */
export interface ApimKeyVaultSourceArgs {
  /**
   * The Key Vault **secret** URI, e.g. `https://myvault.vault.azure.net/secrets/mycert`. Leave the
   * version off so that API Management follows rotations; a versioned URI pins one version.
   */
  secretIdentifier: pulumi.Input<string>;
  /** Client id of the user-assigned identity APIM uses to read the vault; omit for the system-assigned one. */
  identityClientId?: pulumi.Input<string>;
}

/** Arguments of an `ApimCertificate`. */
export interface ApimCertificateArgs {
  /** The API Management service's ARM id (e.g. `apim.id`), instead of the three parts below. */
  serviceId?: pulumi.Input<string>;
  /** Subscription of the service; defaults to `azure-native:subscriptionId` / `ARM_SUBSCRIPTION_ID`. */
  subscriptionId?: pulumi.Input<string>;
  /** Resource group of the service. */
  resourceGroupName?: pulumi.Input<string>;
  /** Name of the API Management service. */
  serviceName?: pulumi.Input<string>;
  /** Identifier of the certificate in the service (1-80 characters, none of `*#&+:<>?/`). */
  certificateId: pulumi.Input<string>;
  /** ARM api-version: `2024-05-01` (default) or `2022-08-01`. */
  apiVersion?: pulumi.Input<ApimApiVersion>;
  /** The certificate as a base64 PKCS#12 (PFX) file holding its private key. Stored as a secret. */
  data?: pulumi.Input<string>;
  /** The PFX password. Stored as a secret. */
  password?: pulumi.Input<string>;
  /** Read the certificate from Key Vault instead of `data`. */
  keyVault?: pulumi.Input<ApimKeyVaultSourceArgs>;
  /**
   * Any value whose change makes the next `pulumi up` call `refreshSecret`, so APIM picks up the
   * latest Key Vault version now. Pass the Key Vault certificate's version or thumbprint (for
   * example `policy.version` of a `KeyVaultCertificatePolicy`) to follow rotations in one deployment.
   */
  refreshTrigger?: pulumi.Input<string | undefined>;
  /** Warn at preview when the certificate expires within this many days (default 30; 0 turns the warning off). */
  expiryWarningDays?: pulumi.Input<number>;
  /**
   * Take over a certificate that already exists in the service, as `pulumi import` would (which
   * Pulumi does not support for dynamic resources, pulumi/pulumi#16175). The existing certificate
   * must match the source given (same thumbprint, or same Key Vault secret): nothing is uploaded
   * when it is adopted. Without this flag, creating over an existing certificate fails.
   */
  importExisting?: pulumi.Input<boolean>;
}

/** What `check` fills in: the service (from `serviceId` or the configuration) and the defaults. */
type Located = "subscriptionId" | "resourceGroupName" | "serviceName" | "apiVersion" | "expiryWarningDays";
/**
 * The inputs as the provider receives them, resolved and normalised by `check`: the schema's
 * (schema.ts, whose input type a test holds equal to `ApimCertificateArgs` resolved) with the
 * service located, the defaults filled in and, from `data`, the certificate's facts, so that a
 * preview shows the new values.
 */
export type ApimCertificateInputs = Omit<ApimResolvedInputs, Located | "serviceId"> &
  Required<Pick<ApimResolvedInputs, Located>> & {
    thumbprint?: string;
    expirationDate?: string;
    subject?: string;
  };

/** Last synchronisation of a Key Vault certificate, as APIM reports it. */
export interface ApimKeyVaultStatus {
  code?: string;
  message?: string;
  timeStampUtc?: string;
}

/** The state the provider keeps: never `data` or `password`. */
export interface ApimCertificateOutputs {
  subscriptionId: string;
  resourceGroupName: string;
  serviceName: string;
  certificateId: string;
  apiVersion: ApimApiVersion;
  keyVault?: { secretIdentifier: string; identityClientId?: string; lastStatus?: ApimKeyVaultStatus };
  refreshTrigger?: string;
  expiryWarningDays: number;
  /** The certificate's ARM id. */
  resourceId: string;
  /**
   * Uppercase hex SHA-1 of the certificate. Absent (with `subject` and `expirationDate`) only for a
   * Key Vault certificate API Management could not fetch: `keyVault.lastStatus` says why.
   */
  thumbprint?: string;
  /** Expiry, ISO 8601 UTC (`yyyy-MM-ddTHH:mm:ssZ`). */
  expirationDate?: string;
  subject?: string;
  /** Entity tag APIM returned last; the next update sends it as `If-Match`. */
  etag?: string;
}

/** `CertificateContract` on the wire. */
export interface CertificateContract {
  id: string;
  type: string;
  name: string;
  properties: {
    /** Absent when API Management could not fetch a Key Vault certificate (see `keyVault.lastStatus`). */
    subject?: string;
    thumbprint?: string;
    expirationDate?: string;
    keyVault?: {
      secretIdentifier?: string;
      identityClientId?: string | null;
      lastStatus?: ApimKeyVaultStatus;
    };
  };
}

/** `CertificateCreateOrUpdateParameters` on the wire. */
export interface CertificateCreateOrUpdateParameters {
  properties: {
    data?: string;
    password?: string;
    keyVault?: { secretIdentifier: string; identityClientId?: string };
  };
}
