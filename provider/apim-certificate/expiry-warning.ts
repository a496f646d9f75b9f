import * as pulumi from "@pulumi/pulumi";
import { DEFAULT_EXPIRY_WARNING_DAYS } from "./types";

const DAY = 24 * 60 * 60 * 1000;

/** What the warning reads: a certificate resource's facts, as outputs. */
export interface CertificateFactsOutputs extends pulumi.Resource {
  readonly expirationDate: pulumi.Output<string>;
  readonly subject: pulumi.Output<string>;
  readonly thumbprint: pulumi.Output<string>;
}

/**
 * Warns, at preview and at `up`, when the certificate expires within `days` (default 30; 0 turns
 * the warning off). It reads the resource's own outputs, not the PFX: the provider's check derives
 * the certificate's facts and puts them in the checked inputs, which the engine hands back as
 * outputs at preview (for a create or an update as much as for an unchanged resource, whose facts
 * come from the state). So the program never opens a PFX; a PFX check refuses, or one not known at
 * preview, gives no facts and no warning. Shared by both front doors (the dynamic and the native
 * `ApimCertificate`).
 */
export function warnIfExpiringSoon(
  resource: CertificateFactsOutputs,
  days: pulumi.Input<number> | undefined,
): void {
  const facts = pulumi.all([resource.expirationDate, resource.subject, resource.thumbprint]);
  pulumi.all([facts, days]).apply(([[expirationDate, subject, thumbprint], d]) => {
    const limit = (typeof d === "number" ? d : DEFAULT_EXPIRY_WARNING_DAYS) * DAY;
    const notAfter = typeof expirationDate === "string" ? Date.parse(expirationDate) : NaN;
    if (!(limit > 0) || Number.isNaN(notAfter)) return;
    const left = notAfter - Date.now();
    if (left > 0 && left <= limit) {
      pulumi.log.warn(
        `the certificate ${subject} (thumbprint ${thumbprint}) expires on ${expirationDate}, ` +
          `in ${Math.ceil(left / DAY)} days: renew it soon.`,
        resource,
      );
    }
  });
}
