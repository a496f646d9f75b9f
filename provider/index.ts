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
export { AzureRequestError } from "./transport/errors";
