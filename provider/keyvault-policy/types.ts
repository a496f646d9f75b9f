// Types of the KeyVaultCertificatePolicy resource, in three layers (docs/style.md, habit 1):
//   - wire types: the Key Vault REST body as Azure sends it (snake_case, api-version 7.4; 7.5 and 7.6
//     keep the policy schema), from Azure/azure-rest-api-specs
//     specification/keyvault/data-plane/Microsoft.KeyVault/stable/7.4/certificates.json;
//   - public plain types: camelCase, the names of the Azure SDK for JS (`keyType`, `keySize`,
//     `keyCurveName`, `enhancedKeyUsage`, `validityInMonths`, ...), grouped as the REST body groups them;
//   - `...Args`: the same shapes with Pulumi `Input`s, for the resource class.
// Mappers between wire and public live in mappers.ts; the inputs' schema in schema.ts (built on the
// enumerations here), the checks around it in validate.ts.
import type * as pulumi from "@pulumi/pulumi";
import { KEY_USAGES } from "../pki";
import type { PolicyResolvedInputs } from "./schema";

// ---------------------------------------------------------------------------------------------
// Enumerations (certificates.json 7.4 and keys.json: JsonWebKeyType, JsonWebKeyCurveName,
// KeyUsageType, CertificatePolicyAction).

/**
 * Key types a certificate can have (`kty`). The REST enumeration (JsonWebKeyType) also lists `oct`
 * and `oct-HSM`, but those are symmetric keys: no certificate can be issued for them.
 */
export const KEY_TYPES = ["EC", "EC-HSM", "RSA", "RSA-HSM"] as const;
/** The type of key pair backing a certificate. */
export type KeyType = (typeof KEY_TYPES)[number];

/** Elliptic curves Key Vault accepts (`crv`). */
export const KEY_CURVE_NAMES = ["P-256", "P-256K", "P-384", "P-521"] as const;
/** An elliptic curve name. */
export type KeyCurveName = (typeof KEY_CURVE_NAMES)[number];

/** Key usages of an X.509 certificate (`key_usage`), as Key Vault spells them (one list: the PKI's). */
export { KEY_USAGES };
/** How a certificate's key may be used. */
export type KeyUsage = (typeof KEY_USAGES)[number];

/** Actions Key Vault can take over a certificate's lifetime (`action_type`). */
export const LIFETIME_ACTION_TYPES = ["AutoRenew", "EmailContacts"] as const;
/** A lifetime action: renew the certificate, or e-mail the vault's certificate contacts. */
export type LifetimeActionType = (typeof LIFETIME_ACTION_TYPES)[number];

/** Secret content types of a certificate (`secret_props.contentType`). */
export const CONTENT_TYPES = ["application/x-pkcs12", "application/x-pem-file"] as const;
/** The format in which Key Vault stores the certificate's secret (PFX or PEM). */
export type ContentType = (typeof CONTENT_TYPES)[number];

/**
 * Key Vault data-plane API versions this resource speaks. 7.5 and 7.6 keep the 7.4 policy schema;
 * 2025-07-01 (the default of @azure/keyvault-certificates 4.10) adds the SANs `uris` and
 * `ipAddresses`, and 2026-04-01 (the default of @azure/keyvault-secrets 4.12) keeps that schema.
 * The members this resource manages are the same in all of them.
 */
export const KEY_VAULT_API_VERSIONS = ["7.4", "7.5", "7.6", "2025-07-01", "2026-04-01"] as const;
/** A Key Vault data-plane API version. */
export type KeyVaultApiVersion = (typeof KEY_VAULT_API_VERSIONS)[number];
/**
 * The API version used when `apiVersion` is not set: 2025-07-01, the version the current official
 * SDK (`@azure/keyvault-certificates` 4.10) defaults to, so that this package calls Key Vault as a
 * user's other tools do; the policy members this resource manages are the same as in 7.x. A default
 * is never written into the inputs, and `diff` compares `apiVersion` only when the program sets
 * it, so changing the default in a release shows no update on existing stacks (whose state may
 * record 7.4, which keeps working).
 */
export const DEFAULT_KEY_VAULT_API_VERSION: KeyVaultApiVersion = "2025-07-01";

/** Outputs the provider computes (never inputs): the resource class declares them, check lets them pass. */
export const COMPUTED_OUTPUT_NAMES = [
  "effectivePolicy",
  "originalPolicy",
  "thumbprint",
  "expirationDate",
  "notBefore",
  "version",
] as const;

/** Key Vault DNS suffixes of the public clouds: Azure, Azure China, Azure US Government. */
export const KNOWN_VAULT_DNS_SUFFIXES = [
  "vault.azure.net",
  "vault.azure.cn",
  "vault.usgovcloudapi.net",
] as const;

// ---------------------------------------------------------------------------------------------
// Public plain types: what the provider receives once Pulumi has resolved every Input, and the
// shape in which the effective policy is reported. Every member is optional: a member the user
// does not set is not managed (left as Key Vault has it).

/** Properties of the key pair backing the certificate (wire `key_props`). */
export interface KeyProperties {
  /** Key type (wire `kty`): EC, EC-HSM, RSA or RSA-HSM. */
  keyType?: KeyType;
  /** Key size in bits (wire `key_size`): 2048, 3072 or 4096 for RSA; 256, 384 or 521 for EC (matching the curve). */
  keySize?: number;
  /** Elliptic curve (wire `crv`): P-256, P-256K, P-384 or P-521. Required for EC keys, not allowed for RSA. */
  keyCurveName?: KeyCurveName;
  /** Whether the private key can be exported (wire `exportable`). */
  exportable?: boolean;
  /** Whether renewal keeps the same key pair (wire `reuse_key`). */
  reuseKey?: boolean;
}

/** Properties of the secret backing the certificate (wire `secret_props`). */
export interface SecretProperties {
  /** Format of the certificate's secret (wire `contentType`): application/x-pkcs12 or application/x-pem-file. */
  contentType?: ContentType;
}

/** Subject alternative names (wire `sans`). Key Vault treats each list as a set. */
export interface SubjectAlternativeNames {
  /** DNS names (wire `dns_names`), e.g. `www.contoso.com` or `*.contoso.com`. */
  dnsNames?: string[];
  /** E-mail addresses (wire `emails`). */
  emails?: string[];
  /** User principal names (wire `upns`), e.g. `user@contoso.com`. */
  userPrincipalNames?: string[];
}

/** Properties of the X.509 certificate (wire `x509_props`). */
export interface X509Properties {
  /** Subject, an X.500 distinguished name such as `CN=contoso.com, O=Contoso` (wire `subject`). */
  subject?: string;
  /** Subject alternative names (wire `sans`); each of the three lists is managed on its own. */
  subjectAlternativeNames?: SubjectAlternativeNames;
  /** Enhanced key usages as dotted OIDs, e.g. `1.3.6.1.5.5.7.3.1` for server auth (wire `ekus`); a set. */
  enhancedKeyUsage?: string[];
  /** Key usages (wire `key_usage`); a set. */
  keyUsage?: KeyUsage[];
  /** Validity of each issued certificate in months (wire `validity_months`). */
  validityInMonths?: number;
}

/**
 * An action Key Vault takes at a point of the certificate's lifetime (wire `lifetime_actions[]`,
 * flattened as the Azure SDK does): exactly one of `lifetimePercentage` or `daysBeforeExpiry`.
 */
export interface LifetimeAction {
  /** What to do (wire `action.action_type`): AutoRenew or EmailContacts. */
  action: LifetimeActionType;
  /** Trigger at this percentage of the certificate's lifetime, 1-99 (wire `trigger.lifetime_percentage`). */
  lifetimePercentage?: number;
  /** Trigger this many days before expiry, 1 to validityInMonths x 27 (wire `trigger.days_before_expiry`). */
  daysBeforeExpiry?: number;
}

/** The issuer of the certificate (wire `issuer`). */
export interface IssuerParameters {
  /** Issuer name (wire `name`): `Self`, `Unknown`, or the name of an issuer configured in the vault. */
  name?: string;
  /** Certificate type requested from the issuer, e.g. `OV-SSL` or `EV-SSL` (wire `cty`). */
  certificateType?: string;
  /** Whether issued certificates are published to certificate transparency logs (wire `cert_transparency`). */
  certificateTransparency?: boolean;
}

/** The certificate's attributes that a policy sets (wire `attributes`). */
export interface PolicyAttributes {
  /** Whether the certificate is enabled (wire `enabled`). */
  enabled?: boolean;
}

/** A Key Vault certificate policy in public (camelCase) shape; every member optional. */
export interface CertificatePolicy {
  /** Key pair properties (wire `key_props`). */
  keyProperties?: KeyProperties;
  /** Secret properties (wire `secret_props`). */
  secretProperties?: SecretProperties;
  /** X.509 properties (wire `x509_props`). */
  x509Properties?: X509Properties;
  /**
   * Lifetime actions (wire `lifetime_actions`), managed as a whole list of at most one action (Key
   * Vault refuses more: "At most one action is allowed"). An empty list removes the action, which
   * is how auto-renewal is turned off.
   */
  lifetimeActions?: LifetimeAction[];
  /** Issuer parameters (wire `issuer`). */
  issuer?: IssuerParameters;
  /** Certificate attributes (wire `attributes`). */
  attributes?: PolicyAttributes;
}

/** Where the policy lives and how the provider talks to it; the non-policy inputs. */
export interface PolicyLocation {
  /**
   * The vault's URL, `https://{vault}.vault.azure.net` (or the cloud's suffix). Set this or
   * `vaultName`. After `check` it is always set, normalised (lower-case host, no trailing slash).
   */
  vaultBaseUrl?: string;
  /** The vault's name (3-24 characters); the URL is built with the cloud's vault DNS suffix. */
  vaultName?: string;
  /** The certificate's name in the vault (1-127 characters: letters, digits, hyphens). */
  certificateName: string;
  /** Key Vault API version: 7.4, 7.5, 7.6, 2025-07-01 (default) or 2026-04-01. */
  apiVersion?: KeyVaultApiVersion;
  /**
   * When true, deleting the resource puts back the policy members it managed as they were before
   * it first changed them; when false (default), deleting only stops managing the policy.
   */
  restoreOnDelete?: boolean;
  /**
   * When true, create takes over a policy whose managed members differ from these inputs (and sets
   * them). When false (default), create refuses such a policy, naming the members that differ:
   * another stack may manage it. A policy that already has every managed value is adopted either way.
   */
  importExisting?: boolean;
}

/**
 * The inputs the provider receives (all Inputs resolved), as returned by `checkInputs`: the type of
 * the schema (schema.ts), which a test holds equal to {@link PolicyLocation} with
 * {@link CertificatePolicy}, and to `KeyVaultCertificatePolicyArgs` resolved.
 */
export type KeyVaultCertificatePolicyInputs = PolicyResolvedInputs;

/** What the certificate's current version looks like; filled by read/create/update. */
export interface CertificateVersionOutputs {
  /** SHA-1 thumbprint of the current version, upper-case hex (from the bundle's base64url `x5t`). */
  thumbprint?: string;
  /** Expiry of the current version, ISO 8601 UTC without fractions (from `attributes.exp`). */
  expirationDate?: string;
  /** Start of validity of the current version, ISO 8601 UTC without fractions (from `attributes.nbf`). */
  notBefore?: string;
  /** The current version's identifier (last segment of the bundle's `id`). */
  version?: string;
}

/** The resource's outputs: the checked inputs, the effective policy and the current version. */
export interface KeyVaultCertificatePolicyOutputs
  extends KeyVaultCertificatePolicyInputs, CertificateVersionOutputs {
  /** The whole policy as Key Vault returns it (public shape), including members not managed here. */
  effectivePolicy: CertificatePolicy;
}

// ---------------------------------------------------------------------------------------------
// Args: the public shapes with Pulumi Inputs, for the resource class.

/** {@link KeyProperties} with Pulumi Inputs. */
export interface KeyPropertiesArgs {
  /** Key type: EC, EC-HSM, RSA or RSA-HSM. */
  keyType?: pulumi.Input<KeyType>;
  /** Key size in bits: 2048, 3072 or 4096 for RSA; 256, 384 or 521 for EC. */
  keySize?: pulumi.Input<number>;
  /** Elliptic curve: P-256, P-256K, P-384 or P-521. Required for EC keys. */
  keyCurveName?: pulumi.Input<KeyCurveName>;
  /** Whether the private key can be exported. */
  exportable?: pulumi.Input<boolean>;
  /** Whether renewal keeps the same key pair. */
  reuseKey?: pulumi.Input<boolean>;
}

/** {@link SecretProperties} with Pulumi Inputs. */
export interface SecretPropertiesArgs {
  /** application/x-pkcs12 or application/x-pem-file. */
  contentType?: pulumi.Input<ContentType>;
}

/** {@link SubjectAlternativeNames} with Pulumi Inputs. */
export interface SubjectAlternativeNamesArgs {
  /** DNS names. */
  dnsNames?: pulumi.Input<pulumi.Input<string>[]>;
  /** E-mail addresses. */
  emails?: pulumi.Input<pulumi.Input<string>[]>;
  /** User principal names. */
  userPrincipalNames?: pulumi.Input<pulumi.Input<string>[]>;
}

/** {@link X509Properties} with Pulumi Inputs. */
export interface X509PropertiesArgs {
  /** Subject, an X.500 distinguished name such as `CN=contoso.com, O=Contoso`. */
  subject?: pulumi.Input<string>;
  /** Subject alternative names. */
  subjectAlternativeNames?: pulumi.Input<SubjectAlternativeNamesArgs>;
  /** Enhanced key usages as dotted OIDs. */
  enhancedKeyUsage?: pulumi.Input<pulumi.Input<string>[]>;
  /** Key usages. */
  keyUsage?: pulumi.Input<pulumi.Input<KeyUsage>[]>;
  /** Validity of each issued certificate in months. */
  validityInMonths?: pulumi.Input<number>;
}

/** {@link LifetimeAction} with Pulumi Inputs. */
export interface LifetimeActionArgs {
  /** AutoRenew or EmailContacts. */
  action: pulumi.Input<LifetimeActionType>;
  /** Trigger at this percentage of the lifetime (1-99). */
  lifetimePercentage?: pulumi.Input<number>;
  /** Trigger this many days before expiry (1 to validityInMonths x 27). */
  daysBeforeExpiry?: pulumi.Input<number>;
}

/** {@link IssuerParameters} with Pulumi Inputs. */
export interface IssuerParametersArgs {
  /** `Self`, `Unknown`, or an issuer configured in the vault. */
  name?: pulumi.Input<string>;
  /** Certificate type requested from the issuer, e.g. `OV-SSL`. */
  certificateType?: pulumi.Input<string>;
  /** Whether issued certificates go to certificate transparency logs. */
  certificateTransparency?: pulumi.Input<boolean>;
}

/** {@link PolicyAttributes} with Pulumi Inputs. */
export interface PolicyAttributesArgs {
  /** Whether the certificate is enabled. */
  enabled?: pulumi.Input<boolean>;
}

/** Arguments of the KeyVaultCertificatePolicy resource. Only the policy members set are managed. */
export interface KeyVaultCertificatePolicyArgs {
  /** The vault's URL, e.g. `https://myvault.vault.azure.net`. Set this or `vaultName`. */
  vaultBaseUrl?: pulumi.Input<string>;
  /** The vault's name; the URL is built with the cloud's vault DNS suffix. Set this or `vaultBaseUrl`. */
  vaultName?: pulumi.Input<string>;
  /** The certificate's name in the vault. */
  certificateName: pulumi.Input<string>;
  /** Key Vault API version: 7.4, 7.5, 7.6, 2025-07-01 (default) or 2026-04-01. */
  apiVersion?: pulumi.Input<KeyVaultApiVersion>;
  /** Put back the managed members' previous values when the resource is deleted (default false). */
  restoreOnDelete?: pulumi.Input<boolean>;
  /**
   * Take over, at create, a policy whose managed members differ from these inputs (default false:
   * refused, naming the members, because another stack may manage it). A policy that already has
   * every managed value is adopted either way. Changing it later changes nothing in Key Vault.
   */
  importExisting?: pulumi.Input<boolean>;
  /** Key pair properties. */
  keyProperties?: pulumi.Input<KeyPropertiesArgs>;
  /** Secret properties. */
  secretProperties?: pulumi.Input<SecretPropertiesArgs>;
  /** X.509 properties. */
  x509Properties?: pulumi.Input<X509PropertiesArgs>;
  /** Lifetime actions: at most one (Key Vault refuses more); `[]` removes it (turns auto-renew off). */
  lifetimeActions?: pulumi.Input<pulumi.Input<LifetimeActionArgs>[]>;
  /** Issuer parameters. */
  issuer?: pulumi.Input<IssuerParametersArgs>;
  /** Certificate attributes. */
  attributes?: pulumi.Input<PolicyAttributesArgs>;
}

// ---------------------------------------------------------------------------------------------
// Wire types (certificates.json 7.4). Enumerations are plain strings here: Key Vault may answer
// with values newer than this package.

/** `KeyProperties` on the wire. */
export interface WireKeyProperties {
  /** Whether the private key can be exported. */
  exportable?: boolean;
  /** JsonWebKeyType. */
  kty?: string;
  /** Key size in bits. */
  key_size?: number;
  /** Whether the same key pair is used on renewal. */
  reuse_key?: boolean;
  /** JsonWebKeyCurveName. */
  crv?: string;
}

/** `SecretProperties` on the wire (camelCase in the REST body too). */
export interface WireSecretProperties {
  /** The media type of the secret. */
  contentType?: string;
}

/** `SubjectAlternativeNames` on the wire. */
export interface WireSubjectAlternativeNames {
  /** E-mail addresses. */
  emails?: string[];
  /** Domain names. */
  dns_names?: string[];
  /** User principal names. */
  upns?: string[];
}

/** `X509CertificateProperties` on the wire. */
export interface WireX509Properties {
  /** Subject distinguished name. */
  subject?: string;
  /** Enhanced key usages (OIDs). */
  ekus?: string[];
  /** Subject alternative names. */
  sans?: WireSubjectAlternativeNames;
  /** KeyUsageType values. */
  key_usage?: string[];
  /** Validity in months. */
  validity_months?: number;
}

/** `Trigger` on the wire: one of the two members. */
export interface WireTrigger {
  /** Percentage of lifetime, 1-99. */
  lifetime_percentage?: number;
  /** Days before expiry, 1 to validity_months x 27. */
  days_before_expiry?: number;
}

/** `Action` on the wire. */
export interface WireAction {
  /** CertificatePolicyAction: EmailContacts or AutoRenew. */
  action_type?: string;
}

/** `LifetimeAction` on the wire. */
export interface WireLifetimeAction {
  /** The condition that triggers the action. */
  trigger?: WireTrigger;
  /** The action. */
  action?: WireAction;
}

/** `IssuerParameters` on the wire. */
export interface WireIssuerParameters {
  /** Issuer name. */
  name?: string;
  /** Certificate type. */
  cty?: string;
  /** Certificate transparency. */
  cert_transparency?: boolean;
}

/** `CertificateAttributes` on the wire; times are unix seconds. */
export interface WireCertificateAttributes {
  /** Whether the object is enabled. */
  enabled?: boolean;
  /** Not before, unix seconds. */
  nbf?: number;
  /** Expiry, unix seconds. */
  exp?: number;
  /** Creation time, unix seconds (read-only). */
  created?: number;
  /** Last update, unix seconds (read-only). */
  updated?: number;
  /** Soft-delete retention days (read-only). */
  recoverableDays?: number;
  /** DeletionRecoveryLevel (read-only). */
  recoveryLevel?: string;
}

/** `CertificatePolicy` on the wire: the PATCH body and the GET/PATCH answer. */
export interface WireCertificatePolicy {
  /** The policy's id (read-only), `{vault}/certificates/{name}/policy`. */
  id?: string;
  /** Key properties. */
  key_props?: WireKeyProperties;
  /** Secret properties. */
  secret_props?: WireSecretProperties;
  /** X.509 properties. */
  x509_props?: WireX509Properties;
  /** Lifetime actions. */
  lifetime_actions?: WireLifetimeAction[];
  /** Issuer parameters. */
  issuer?: WireIssuerParameters;
  /** Attributes. */
  attributes?: WireCertificateAttributes;
}

/** `CertificateBundle` on the wire (GET /certificates/{name}[/{version}]). */
export interface WireCertificateBundle {
  /** `{vault}/certificates/{name}/{version}`. */
  id?: string;
  /** The key id. */
  kid?: string;
  /** The secret id. */
  sid?: string;
  /** base64url SHA-1 thumbprint of the DER certificate. */
  x5t?: string;
  /** base64 DER certificate. */
  cer?: string;
  /** The secret's content type. */
  contentType?: string;
  /** Tags. */
  tags?: Record<string, string>;
  /** The management policy. */
  policy?: WireCertificatePolicy;
  /** Attributes; `nbf`/`exp` of this version. */
  attributes?: WireCertificateAttributes;
}
