/**
 * A Key Vault certificate policy that renews the certificate by itself: 12-month certificates, an
 * RSA 2048 key replaced at each renewal, renewed `daysBeforeExpiry` days (default 30) before they
 * expire. The certificate must exist in the vault (see README.md); this resource manages only its
 * policy and never issues a certificate itself: changes apply from the next issuance.
 *
 * Configuration: `vaultBaseUrl` (`https://<vault>.vault.azure.net`), optionally `certificateName`
 * (default `gateway`) and `daysBeforeExpiry`.
 */
import * as pulumi from "@pulumi/pulumi";
import { KeyVaultCertificatePolicy } from "pulumi-azure-certs";

const config = new pulumi.Config();

const policy = new KeyVaultCertificatePolicy("autorenew", {
  vaultBaseUrl: config.require("vaultBaseUrl"),
  certificateName: config.get("certificateName") ?? "gateway",
  // Key Vault's default policy renews at 80% of the lifetime: these values differ from it, so taking
  // the existing policy over is explicit (without it, create refuses and names what differs).
  importExisting: true,
  // `pulumi destroy` puts back the members this resource changed, as they were before.
  restoreOnDelete: true,
  keyProperties: { keyType: "RSA", keySize: 2048, reuseKey: false },
  x509Properties: { validityInMonths: 12 },
  lifetimeActions: [{ action: "AutoRenew", daysBeforeExpiry: config.getNumber("daysBeforeExpiry") ?? 30 }],
});

export const version = policy.version;
export const thumbprint = policy.thumbprint;
export const expirationDate = policy.expirationDate;
export const lifetimeActions = policy.effectivePolicy.apply((p) => p.lifetimeActions);
