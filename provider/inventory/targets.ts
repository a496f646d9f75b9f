// What to list: API Management services and Key Vaults, as the command line names them. The
// rules are the resources' own (`check` of each resource), so that the inventory accepts exactly
// the services and vaults a program could name.
import { certificatePath } from "../apim-certificate/mappers";
import { checkApimInputs } from "../apim-certificate/validate";
import { checkInputs } from "../keyvault-policy/validate";

/** An API Management service. */
export interface ApimServiceTarget {
  subscriptionId: string;
  resourceGroupName: string;
  serviceName: string;
}

/** Where Key Vault tokens may go: the cloud's vault DNS suffix and the trusted vault hosts. */
export interface VaultHostRules {
  vaultDnsSuffix: string;
  trustedHosts: readonly string[];
}

/** A target given on the command line that cannot be used, and why. */
export class TargetError extends Error {
  override readonly name = "TargetError";
}

/** The service's ARM id, `/subscriptions/{id}/resourceGroups/{group}/providers/Microsoft.ApiManagement/service/{name}`. */
export function serviceId(t: ApimServiceTarget): string {
  // The certificate path of any certificate, less its last two segments: encoded as the resource encodes it.
  const path = certificatePath({ ...t, certificateId: "_" });
  return path.slice(0, path.length - "/certificates/_".length);
}

/** `GET` path of the service's certificate list. */
export function certificateListPath(t: ApimServiceTarget): string {
  return `${serviceId(t)}/certificates`;
}

const SERVICE_FIELDS = ["serviceId", "subscriptionId", "resourceGroupName", "serviceName"];
// check() needs a whole resource; the certificate and its source are placeholders, never sent.
const PLACEHOLDER = {
  certificateId: "inventory",
  keyVault: { secretIdentifier: "https://inventory.vault.azure.net/secrets/inventory" },
};

/**
 * An API Management service from `--apim`: its ARM id (`/subscriptions/.../service/{name}`), or
 * `{subscription}/{group}/{name}`, or `{group}/{name}` with the configured default subscription.
 */
export function parseApimTarget(value: string, defaultSubscriptionId?: string): ApimServiceTarget {
  const text = value.trim();
  let given: Record<string, unknown>;
  if (text.startsWith("/")) given = { serviceId: text.replace(/\/+$/, "") };
  else {
    const parts = text.split("/");
    if (parts.length === 3) {
      given = { subscriptionId: parts[0], resourceGroupName: parts[1], serviceName: parts[2] };
    } else if (parts.length === 2) {
      given = { resourceGroupName: parts[0], serviceName: parts[1] };
    } else {
      throw new TargetError(
        `--apim ${value}: give the service's ARM id (/subscriptions/{id}/resourceGroups/{group}/providers/` +
          "Microsoft.ApiManagement/service/{name}), {subscription}/{group}/{name}, or {group}/{name}",
      );
    }
  }
  const { inputs, failures } = checkApimInputs(
    { ...given, ...PLACEHOLDER },
    { defaultSubscriptionId, vaultHosts: { vaultDnsSuffix: "vault.azure.net", trustedHosts: [] } },
  );
  const problems = failures.filter((f) => SERVICE_FIELDS.includes(f.property));
  if (problems.length > 0) {
    throw new TargetError(`--apim ${value}: ${problems.map((f) => `${f.property} ${f.reason}`).join("; ")}`);
  }
  return {
    subscriptionId: String(inputs.subscriptionId),
    resourceGroupName: String(inputs.resourceGroupName),
    serviceName: String(inputs.serviceName),
  };
}

/**
 * A vault from `--vault`: its URL (`https://{vault}.vault.azure.net`, or a trusted host such as
 * the emulator's `https://localhost:41003`) or its name (the cloud's vault DNS suffix is added).
 * Returns the normalised base URL.
 */
export function parseVaultTarget(value: string, rules: VaultHostRules): string {
  const text = value.trim();
  const given = /^[a-z][a-z0-9+.-]*:/i.test(text) ? { vaultBaseUrl: text } : { vaultName: text };
  const { inputs, failures } = checkInputs({ ...given, certificateName: "inventory" }, rules);
  const problems = failures.filter((f) => f.property === "vaultBaseUrl" || f.property === "vaultName");
  if (problems.length > 0 || typeof inputs.vaultBaseUrl !== "string") {
    throw new TargetError(
      `--vault ${value}: ${problems.map((f) => `${f.property} ${f.reason}`).join("; ") || "not a vault"}`,
    );
  }
  return inputs.vaultBaseUrl;
}
