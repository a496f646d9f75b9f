import { AzureCertsError } from "../transport/errors";
import type {
  ApimApiVersion,
  ApimCertificateInputs,
  ApimCertificateOutputs,
  CertificateContract,
  CertificateCreateOrUpdateParameters,
} from "./types";
import { isoSeconds } from "../json-values";
import { DEFAULT_APIM_API_VERSION, DEFAULT_EXPIRY_WARNING_DAYS } from "./types";

/** Where a certificate lives. */
export interface ApimCertificateLocation {
  subscriptionId: string;
  resourceGroupName: string;
  serviceName: string;
  certificateId: string;
}

const CERTIFICATE_ARM_ID =
  /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.ApiManagement\/service\/([^/]+)\/certificates\/([^/]+)$/i;

/** The certificate's ARM path (also its ARM id and its Pulumi id). */
export function certificatePath(loc: ApimCertificateLocation): string {
  const e = encodeURIComponent;
  return (
    `/subscriptions/${e(loc.subscriptionId)}/resourceGroups/${e(loc.resourceGroupName)}` +
    `/providers/Microsoft.ApiManagement/service/${e(loc.serviceName)}/certificates/${e(loc.certificateId)}`
  );
}

/** Reads a certificate's ARM id back into its parts; undefined if it is not one. */
export function parseCertificateArmId(id: string): ApimCertificateLocation | undefined {
  const m = CERTIFICATE_ARM_ID.exec(id);
  if (!m) return undefined;
  const d = decodeURIComponent;
  return {
    subscriptionId: d(m[1]),
    resourceGroupName: d(m[2]),
    serviceName: d(m[3]),
    certificateId: d(m[4]),
  };
}

/** The PUT body: exactly one source. */
export function toWireBody(inputs: ApimCertificateInputs): CertificateCreateOrUpdateParameters {
  if (inputs.keyVault) {
    const { secretIdentifier, identityClientId } = inputs.keyVault;
    return {
      properties: {
        keyVault: identityClientId ? { secretIdentifier, identityClientId } : { secretIdentifier },
      },
    };
  }
  return { properties: { data: inputs.data, password: inputs.password ?? "" } };
}

/** Outputs from APIM's answer and the settings that never reach the wire. Never `data`/`password`. */
export function toOutputs(
  contract: CertificateContract,
  etag: string | undefined,
  settings: {
    apiVersion?: ApimApiVersion;
    refreshTrigger?: string;
    expiryWarningDays?: number;
  },
): ApimCertificateOutputs {
  const loc = parseCertificateArmId(contract.id);
  if (!loc)
    throw new AzureCertsError(
      "UnexpectedResponse",
      `API Management returned an unexpected certificate id: ${contract.id}`,
    );
  const p = contract.properties;
  const out: ApimCertificateOutputs = {
    ...loc,
    apiVersion: settings.apiVersion ?? DEFAULT_APIM_API_VERSION,
    expiryWarningDays: settings.expiryWarningDays ?? DEFAULT_EXPIRY_WARNING_DAYS,
    resourceId: contract.id,
  };
  if (p.thumbprint) out.thumbprint = p.thumbprint.toUpperCase();
  if (p.expirationDate) out.expirationDate = normaliseDate(p.expirationDate);
  if (p.subject) out.subject = p.subject;
  if (settings.refreshTrigger !== undefined) out.refreshTrigger = settings.refreshTrigger;
  if (etag !== undefined) out.etag = etag;
  if (p.keyVault?.secretIdentifier) {
    out.keyVault = { secretIdentifier: p.keyVault.secretIdentifier };
    if (p.keyVault.identityClientId) out.keyVault.identityClientId = p.keyVault.identityClientId;
    if (p.keyVault.lastStatus) out.keyVault.lastStatus = p.keyVault.lastStatus;
  }
  return out;
}

/**
 * Why API Management holds no usable certificate for a Key Vault source, from its `lastStatus`:
 * `undefined` when it fetched the secret (or the source is a PFX). A contract can lack the
 * thumbprint, subject and expiry when the fetch failed.
 */
export function keyVaultFailure(contract: CertificateContract): string | undefined {
  const p = contract.properties;
  const status = p.keyVault?.lastStatus;
  const failed = (status?.code !== undefined && status.code !== "Success") || !p.thumbprint;
  if (!p.keyVault || !failed) return p.thumbprint ? undefined : "API Management returned no thumbprint";
  const why =
    status?.code && status.code !== "Success"
      ? `${status.code}${status.message ? `: ${status.message}` : ""}`
      : "no status";
  return (
    `API Management could not fetch certificate '${contract.name}' from Key Vault (${why}). ` +
    "Check that the service's managed identity (or keyVault.identityClientId) may read the secret " +
    "(role Key Vault Secrets User, or a secrets get access policy), then run `pulumi up` again"
  );
}

/** APIM writes `2018-03-17T21:55:07+00:00` or `...Z`; outputs are always UTC `yyyy-MM-ddTHH:mm:ssZ`. */
export function normaliseDate(value: string): string {
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? value : isoSeconds(d);
}
