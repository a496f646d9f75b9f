/**
 * Next to `@pulumi/azure-native`: an API Management service and a Key Vault declared with the
 * native provider, and the certificate resources of this package wired to them. (Type-checked by
 * the build; it needs a real Azure subscription to run.)
 */
import * as apimanagement from "@pulumi/azure-native/apimanagement";
import * as keyvault from "@pulumi/azure-native/keyvault";
import * as resources from "@pulumi/azure-native/resources";
import { ApimCertificate, KeyVaultCertificatePolicy } from "pulumi-azure-certs";

const group = new resources.ResourceGroup("certs");

const vault = keyvault.Vault.get(
  "vault",
  "/subscriptions/.../resourceGroups/certs/providers/Microsoft.KeyVault/vaults/contoso-kv",
);

const apim = new apimanagement.ApiManagementService("gateway", {
  resourceGroupName: group.name,
  publisherEmail: "platform@contoso.com",
  publisherName: "Contoso",
  sku: { name: "Developer", capacity: 1 },
  identity: { type: "SystemAssigned" },
});

// Renew 30 days before expiry; changes apply at the next issuance (no re-issue now). The certificate
// already exists in the vault (created outside this program, with Key Vault's default lifetime
// action), so taking its policy over is explicit: without importExisting, create refuses it.
const policy = new KeyVaultCertificatePolicy("gateway-tls", {
  vaultBaseUrl: vault.properties.vaultUri.apply((u) => u.replace(/\/$/, "")),
  certificateName: "gateway-tls",
  importExisting: true,
  lifetimeActions: [{ action: "AutoRenew", daysBeforeExpiry: 30 }],
});

// The versionless secret URI lets APIM follow renewals; refreshTrigger makes `pulumi up --refresh`
// after a renewal call refreshSecret at once instead of waiting for APIM's own polling.
export const certificate = new ApimCertificate("gateway-tls", {
  serviceId: apim.id,
  certificateId: "gateway-tls",
  keyVault: {
    secretIdentifier: vault.properties.vaultUri.apply((u) => `${u.replace(/\/$/, "")}/secrets/gateway-tls`),
  },
  refreshTrigger: policy.version,
});

export const thumbprint = certificate.thumbprint;
export const expires = certificate.expirationDate;
