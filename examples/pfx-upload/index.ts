/**
 * An API Management certificate uploaded from a PFX file (PKCS#12 with its private key). The file
 * and its password come from secret configuration, so neither is ever stored in plain text:
 *
 *   base64 -w0 client.pfx | pulumi config set --secret pfxData
 *   pulumi config set --secret pfxPassword '...'
 *   pulumi config set serviceId /subscriptions/.../resourceGroups/.../providers/Microsoft.ApiManagement/service/...
 *
 * The thumbprint, subject and expiry are read from the PFX by the provider's check, so
 * `pulumi preview` shows them before anything is deployed (and warns when the certificate expires
 * within `expiryWarningDays`, 30 by default).
 */
import * as pulumi from "@pulumi/pulumi";
import { ApimCertificate } from "pulumi-azure-certs";

const config = new pulumi.Config();

const certificate = new ApimCertificate("backend-client", {
  // The API Management service's ARM id (`apim.id` when it is declared with @pulumi/azure-native).
  serviceId: config.require("serviceId"),
  certificateId: config.get("certificateId") ?? "backend-client",
  data: config.requireSecret("pfxData"),
  password: config.requireSecret("pfxPassword"),
});

export const thumbprint = certificate.thumbprint;
export const subject = certificate.subject;
export const expirationDate = certificate.expirationDate;
