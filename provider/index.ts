/**
 * pulumi-azure-certs: Pulumi dynamic resources for Azure API Management certificates and Key Vault
 * certificate policies. The public surface is this file's explicit export list.
 */
export { ApimCertificate } from "./apim-certificate/resource";
export type {
  ApimCertificateArgs,
  ApimKeyVaultSourceArgs,
  ApimKeyVaultStatus,
  ApimApiVersion,
} from "./apim-certificate/types";
export { KeyVaultCertificatePolicy } from "./keyvault-policy/resource";
export type {
  KeyVaultCertificatePolicyArgs,
  KeyPropertiesArgs,
  SecretPropertiesArgs,
  X509PropertiesArgs,
  SubjectAlternativeNamesArgs,
  LifetimeActionArgs,
  IssuerParametersArgs,
  PolicyAttributesArgs,
  CertificatePolicy,
  KeyProperties,
  SecretProperties,
  X509Properties,
  SubjectAlternativeNames,
  LifetimeAction,
  IssuerParameters,
  PolicyAttributes,
  KeyType,
  KeyCurveName,
  KeyUsage,
  LifetimeActionType,
  ContentType,
  KeyVaultApiVersion,
} from "./keyvault-policy/types";
export { AzureCertsError, AzureRequestError } from "./transport/errors";
