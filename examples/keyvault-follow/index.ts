/**
 * A Key Vault certificate in API Management that follows its renewals: Key Vault renews it (the
 * policy's AutoRenew action), and one `pulumi up --refresh` moves API Management to the new version.
 *
 * - `KeyVaultCertificatePolicy` manages the policy of a certificate that already exists in the vault
 *   (create it first: `az keyvault certificate create`, the portal, or see README.md for the
 *   emulator). Its `version` output is the certificate's current version.
 * - `ApimCertificate` reads the certificate through the **versionless** secret URI, and
 *   `refreshTrigger: policy.version` makes the update after a renewal call API Management's
 *   `refreshSecret` at once, instead of waiting for its own polling (up to 4 hours).
 *
 * Configuration: `serviceId` (the API Management service's ARM id), `vaultBaseUrl`
 * (`https://<vault>.vault.azure.net`), optionally `certificateName` (default `gateway`).
 */
import * as pulumi from "@pulumi/pulumi";
import { ApimCertificate, KeyVaultCertificatePolicy } from "pulumi-azure-certs";

const config = new pulumi.Config();
const vaultBaseUrl = config.require("vaultBaseUrl");
const certificateName = config.get("certificateName") ?? "gateway";

const policy = new KeyVaultCertificatePolicy("gateway-policy", {
  vaultBaseUrl,
  certificateName,
  // A policy whose managed members differ from what Key Vault holds is refused at create (another
  // stack may manage it), naming each member that differs. A certificate created with Key Vault's
  // default policy renews at 80% of its lifetime, not 30 days before expiry: taking it over is said
  // out loud. (A policy that already has every value below is adopted without it.)
  importExisting: true,
  x509Properties: { validityInMonths: 12 },
  lifetimeActions: [{ action: "AutoRenew", daysBeforeExpiry: 30 }],
});

const certificate = new ApimCertificate("gateway", {
  serviceId: config.require("serviceId"),
  certificateId: certificateName,
  // No version at the end: API Management follows the latest version.
  keyVault: { secretIdentifier: `${vaultBaseUrl}/secrets/${certificateName}` },
  refreshTrigger: policy.version,
});

export const keyVaultVersion = policy.version;
export const keyVaultThumbprint = policy.thumbprint;
export const apimThumbprint = certificate.thumbprint;
export const apimExpirationDate = certificate.expirationDate;
