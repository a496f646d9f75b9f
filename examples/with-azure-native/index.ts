/**
 * A complete Azure deployment next to `@pulumi/azure-native`: a resource group, an API Management
 * service with a system-assigned managed identity, a Key Vault using Azure RBAC, the role
 * assignments that let APIM's identity read the vault's secrets ("Key Vault Secrets User") and let
 * the deployer manage its certificates ("Key Vault Certificates Officer"), and this package's two
 * resources wired to them. It needs a real Azure subscription (API Management takes 30-45 minutes
 * to create); the test suite type-checks it.
 *
 * Key Vault certificates are data-plane objects that azure-native does not create, and
 * `KeyVaultCertificatePolicy` manages the policy of a certificate that exists. So this runs in two
 * steps (README.md):
 *
 *   1. `pulumi up`: the group, APIM, the vault and the role assignments. The stack output
 *      `createCertificate` is the `az keyvault certificate create` command to run next.
 *   2. Run it, then `pulumi config set certificateReady true` and `pulumi up`: the policy and the
 *      APIM certificate are added.
 */
import * as pulumi from "@pulumi/pulumi";
import * as apimanagement from "@pulumi/azure-native/apimanagement";
import * as authorization from "@pulumi/azure-native/authorization";
import * as keyvault from "@pulumi/azure-native/keyvault";
import * as resources from "@pulumi/azure-native/resources";
import { ApimCertificate, KeyVaultCertificatePolicy } from "pulumi-azure-certs";

const config = new pulumi.Config();
const certificateName = config.get("certificateName") ?? "gateway-tls";
const certificateReady = config.getBoolean("certificateReady") ?? false;
const client = authorization.getClientConfigOutput();

/** A built-in role's definition id in this subscription. */
const role = (id: string) =>
  pulumi.interpolate`/subscriptions/${client.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${id}`;
// The ids Azure lists for these built-in roles (learn.microsoft.com, "Azure built-in roles",
// Security), the same in every subscription and cloud.
const KEY_VAULT_SECRETS_USER = "4633458b-17de-408a-b874-0445c86b69e6";
const KEY_VAULT_CERTIFICATES_OFFICER = "a4417e6f-fecd-4de8-b567-7b0420556985";

const group = new resources.ResourceGroup("certs");

const apim = new apimanagement.ApiManagementService("gateway", {
  resourceGroupName: group.name,
  publisherEmail: config.get("publisherEmail") ?? "platform@contoso.com",
  publisherName: config.get("publisherName") ?? "Contoso",
  sku: { name: "Developer", capacity: 1 },
  identity: { type: "SystemAssigned" },
});

// Access by Azure RBAC (no access policies): roles below grant what each identity may do.
const vault = new keyvault.Vault("certs", {
  resourceGroupName: group.name,
  properties: {
    tenantId: client.tenantId,
    sku: { family: "A", name: "standard" },
    enableRbacAuthorization: true,
  },
});
const vaultBaseUrl = vault.properties.vaultUri.apply((u) => u.replace(/\/$/, ""));

// API Management reads the certificate as a secret, with its system-assigned identity.
const apimReadsSecrets = new authorization.RoleAssignment("apim-secrets-user", {
  scope: vault.id,
  roleDefinitionId: role(KEY_VAULT_SECRETS_USER),
  principalId: apim.identity.apply((i) => i!.principalId),
  principalType: "ServicePrincipal",
});

// Whoever runs `pulumi up` (and `az keyvault certificate create`) manages the vault's certificates.
const deployerManagesCertificates = new authorization.RoleAssignment("deployer-certificates-officer", {
  scope: vault.id,
  roleDefinitionId: role(KEY_VAULT_CERTIFICATES_OFFICER),
  principalId: client.objectId,
});

/** Step 1's output: the certificate to create before step 2 (Key Vault's default policy is fine). */
export const createCertificate = pulumi.interpolate`az keyvault certificate create --vault-name ${vault.name} --name ${certificateName} --policy "$(az keyvault certificate get-default-policy)"`;
export const serviceId = apim.id;
export const vaultUri = vaultBaseUrl;

export let thumbprint: pulumi.Output<string> | undefined;
export let expires: pulumi.Output<string> | undefined;
if (certificateReady) {
  // Renew 30 days before expiry; changes apply at the next issuance (no re-issue now). The
  // certificate was created with Key Vault's default lifetime action (renew at 80% of the
  // lifetime), so taking its policy over is explicit: without importExisting, create refuses it.
  const policy = new KeyVaultCertificatePolicy(
    "gateway-tls",
    {
      vaultBaseUrl,
      certificateName,
      importExisting: true,
      lifetimeActions: [{ action: "AutoRenew", daysBeforeExpiry: 30 }],
    },
    { dependsOn: [deployerManagesCertificates] },
  );

  // The versionless secret URI lets APIM follow renewals; refreshTrigger makes `pulumi up --refresh`
  // after a renewal call refreshSecret at once instead of waiting for APIM's own polling. APIM can
  // read the secret only once its role assignment exists (Azure may take a few minutes to apply it).
  const certificate = new ApimCertificate(
    "gateway-tls",
    {
      serviceId: apim.id,
      certificateId: certificateName,
      keyVault: { secretIdentifier: pulumi.interpolate`${vaultBaseUrl}/secrets/${certificateName}` },
      refreshTrigger: policy.version,
    },
    { dependsOn: [apimReadsSecrets] },
  );
  thumbprint = certificate.thumbprint;
  expires = certificate.expirationDate;
}
