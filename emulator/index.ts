/**
 * A local emulator of the Azure surface this package uses: Microsoft Entra ID tokens, ARM for API
 * Management certificates and Key Vault certificates, GitHub Actions ID tokens and managed identity
 * endpoints, over HTTPS. See emulator/README.md.
 */
export { startEmulator, trustEmulatorCa, DEFAULTS } from "./server";
export type { Emulator, EmulatorOptions } from "./server";
export { EmulatorAdmin, AdminError } from "./admin";
export type { EmulatorInfo, RequestFilter } from "./admin";
export type { ClientCredentialKind, Fault, FaultSpec, RequestLogEntry } from "./controls";
export { OidcIssuer } from "./oidc-issuer";
export type { GitHubActionsInfo, GitHubActionsSettings } from "./oidc-issuer";
export type { ManagedIdentitySettings } from "./managed-identity";
export type { EntraClient, FederatedCredential, TokenClaims } from "./entra";
export type { ApimCertificateRef, ApimServiceRef, ApimCertificateRecord } from "./arm-apim";
export type { KeyVaultCertificateInfo } from "./keyvault";
export type { KvPolicy } from "./kv-policy";
export { createSelfSignedPfx } from "./pki";
export type { SelfSignedPfx, SelfSignedPfxOptions } from "./pki";
