/**
 * The demo: what a platform team declares to run TLS on API Management with certificates that
 * rotate themselves.
 *
 * - `gateway`: a certificate that lives in Key Vault. Its policy (RSA 2048, 12 months, renew 30 days
 *   before expiry) is taken over (`importExisting: true`) and managed by `KeyVaultCertificatePolicy`; API Management reads it through the
 *   versionless secret URI and is told to re-synchronise (`refreshSecret`) whenever Key Vault has a
 *   new version (`refreshTrigger: policy.version`), so `pulumi up --refresh` after a renewal moves
 *   APIM to the new certificate in one deployment.
 * - `backend-client`: a client certificate uploaded from a PFX file; the file and its password are
 *   stored as secrets.
 *
 * Configuration: `demo:serviceId` (the API Management service's ARM id, e.g. `apim.id` from
 * `@pulumi/azure-native`), `demo:vaultBaseUrl`, `demo:pfxPath`, `demo:pfxPassword` (secret), and the
 * usual Azure identity (`azure-native:*` or `ARM_*`).
 */
import * as fs from "fs";
import * as pulumi from "@pulumi/pulumi";
import { ApimCertificate, KeyVaultCertificatePolicy } from "pulumi-azure-certs";

const config = new pulumi.Config("demo");
const serviceId = config.require("serviceId");
const vaultBaseUrl = config.require("vaultBaseUrl");

const policy = new KeyVaultCertificatePolicy("gateway-policy", {
  vaultBaseUrl,
  certificateName: "gateway",
  // The certificate exists before this program (the team created it), with Key Vault's default
  // lifetime action; this program changes it, so taking the policy over is said out loud.
  importExisting: true,
  keyProperties: { keyType: "RSA", keySize: 2048, reuseKey: false },
  x509Properties: { subject: "CN=gateway.contoso.com", validityInMonths: 12 },
  lifetimeActions: [{ action: "AutoRenew", daysBeforeExpiry: 30 }],
});

const gateway = new ApimCertificate("gateway", {
  serviceId,
  certificateId: "gateway",
  keyVault: { secretIdentifier: `${vaultBaseUrl}/secrets/gateway` },
  refreshTrigger: policy.version,
});

const backendClient = new ApimCertificate("backend-client", {
  serviceId,
  certificateId: "backend-client",
  data: fs.readFileSync(config.require("pfxPath")).toString("base64"),
  password: config.requireSecret("pfxPassword"),
});

export const gatewayThumbprint = gateway.thumbprint;
export const gatewayExpiry = gateway.expirationDate;
export const gatewayKeyVaultVersion = policy.version;
export const backendClientThumbprint = backendClient.thumbprint;
export const backendClientExpiry = backendClient.expirationDate;
