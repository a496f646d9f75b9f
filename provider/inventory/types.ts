// Types of `pulumi-azure-certs inventory`, in two layers (docs/style.md, habit 1): the list pages
// on the wire (what ARM and Key Vault send around the certificate shapes the resources already
// know: `CertificateContract`, `WireCertificateBundle`), and the inventory record, one per
// certificate, which the table, the JSON, the gate and the program emitter all read.
import type { ApimKeyVaultStatus, CertificateContract } from "../apim-certificate/types";
import type {
  CertificatePolicy,
  LifetimeActionType,
  WireCertificateAttributes,
  WireCertificateBundle,
} from "../keyvault-policy/types";

// ---------------------------------------------------------------------------------------------
// Wire: the list pages (apimcertificates.json `CertificateCollection`; certificates.json 7.4
// `CertificateListResult` and `CertificateItem`).

/** `GET .../service/{name}/certificates`: one page. */
export interface WireCertificateCollection {
  /** The certificates of this page. */
  value?: CertificateContract[];
  /** Total number of certificates (ARM may leave it out). */
  count?: number;
  /** The next page, an absolute URL on the ARM endpoint; absent on the last page. */
  nextLink?: string | null;
}

/** One item of `GET {vault}/certificates` (no policy, no DER: only the latest version's summary). */
export interface WireCertificateItem {
  /** The certificate's versionless id, `{vault}/certificates/{name}`. */
  id?: string;
  /** base64url SHA-1 thumbprint of the latest version. */
  x5t?: string;
  /** Attributes of the latest version. */
  attributes?: WireCertificateAttributes;
  /** Tags. */
  tags?: Record<string, string>;
}

/** `GET {vault}/certificates`: one page. */
export interface WireCertificateListResult {
  /** The certificates of this page. */
  value?: WireCertificateItem[];
  /** The next page, an absolute URL on the vault (`$skiptoken`); `null` on the last page. */
  nextLink?: string | null;
}

/** What listing a vault brings back for one certificate: the bundle, with its policy. */
export interface ListedKeyVaultCertificate {
  /** The list item. */
  item: WireCertificateItem;
  /** `GET /certificates/{name}`: the latest version (and, as Key Vault sends it, the policy). */
  bundle?: WireCertificateBundle;
  /** Why the bundle could not be read (Key Vault answered 403 or 404 for this certificate). */
  readError?: string;
}

// ---------------------------------------------------------------------------------------------
// The inventory record.

/** Where an API Management certificate comes from. */
export interface ApimSource {
  /** `pfx`: uploaded as a PFX file (Azure never returns it); `keyVault`: read from a Key Vault secret. */
  type: "pfx" | "keyVault";
  /** The Key Vault secret API Management reads, as it holds it. */
  secretIdentifier?: string;
  /** The user-assigned identity API Management reads the vault with; absent for the system-assigned one. */
  identityClientId?: string;
  /**
   * The secret version named in `secretIdentifier`: such a certificate is pinned to that version
   * and never follows a renewal. Absent for a versionless identifier.
   */
  pinnedVersion?: string;
  /** API Management's last fetch from Key Vault. */
  lastStatus?: ApimKeyVaultStatus;
  /** True when API Management's last fetch failed (`lastStatus` other than Success, or no certificate). */
  fetchFailed?: boolean;
  /** The Key Vault certificate (its versionless id) that the secret belongs to, when that vault was listed. */
  keyVaultCertificate?: string;
}

/** A lifetime action in words and in time. */
export interface RenewalSummary {
  /** AutoRenew or EmailContacts. */
  action: LifetimeActionType;
  /** The trigger as Key Vault holds it. */
  lifetimePercentage?: number;
  /** The trigger as Key Vault holds it. */
  daysBeforeExpiry?: number;
  /** When the action triggers for the current version, ISO 8601 UTC (when its dates are known). */
  at?: string;
}

/** What an inventory record says of a Key Vault certificate beyond the common facts. */
export interface KeyVaultFacts {
  /** The vault's base URL, `https://{vault}.vault.azure.net`. */
  vaultBaseUrl: string;
  /** The certificate's name in the vault. */
  certificateName: string;
  /** The current version's identifier. */
  version?: string;
  /** Whether the current version is enabled. */
  enabled?: boolean;
  /**
   * The policy as Key Vault holds it (public shape; the members `KeyVaultCertificatePolicy`
   * manages). Absent when the certificate could not be read (see `notes`).
   */
  policy?: CertificatePolicy;
  /** The issuer's name (`Self`, `Unknown` or an issuer configured in the vault). */
  issuer?: string;
  /** The lifetime action, if the policy has one: auto-renewal, or e-mail to the vault's contacts. */
  renewal?: RenewalSummary;
  /** Ids of the listed API Management certificates that read this certificate's secret. */
  readBy: string[];
}

/** What an inventory record says of an API Management certificate beyond the common facts. */
export interface ApimFacts {
  subscriptionId: string;
  resourceGroupName: string;
  serviceName: string;
  certificateId: string;
  /** Where the certificate comes from. */
  source: ApimSource;
}

/** One certificate, from API Management or Key Vault. */
export interface InventoryRecord {
  /** `apim`: a certificate of an API Management service; `keyVault`: a Key Vault certificate. */
  kind: "apim" | "keyVault";
  /** The ARM id of an API Management certificate; `{vault}/certificates/{name}` for Key Vault. */
  id: string;
  /** A short name to show: `{service}/{certificateId}` or `{vault}/{name}`. */
  displayName: string;
  /** Upper-case hex SHA-1 thumbprint. */
  thumbprint?: string;
  /** The certificate's subject. */
  subject?: string;
  /** When it expires, ISO 8601 UTC (`yyyy-MM-ddTHH:mm:ssZ`). */
  expirationDate?: string;
  /** When it became valid, ISO 8601 UTC (Key Vault only). */
  notBefore?: string;
  /** Whole days until it expires (negative once expired), counted from the run's time. */
  daysLeft?: number;
  /** For `apim`. */
  apim?: ApimFacts;
  /** For `keyVault`. */
  keyVault?: KeyVaultFacts;
  /** What needs a look, in words: a failed fetch, a pinned version, a disabled version, expiry. */
  notes: string[];
}

/** A target the inventory could not list, and why (the transport's message). */
export interface ListingError {
  /** The service's ARM id or the vault's URL. */
  target: string;
  /** What failed, as the transport words it (never a secret). */
  message: string;
}
