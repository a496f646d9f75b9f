// The resource's Pulumi id and outputs, pure: what create, update and read return.
import { sameMemberValue } from "./compare";
import { certificateOutputs, managedView, toPublicPolicy } from "./mappers";
import { getPath, isSet, setPath } from "../json-values";
import { isListMember, POLICY_MEMBERS } from "./members";
import {
  DEFAULT_KEY_VAULT_API_VERSION,
  type CertificatePolicy,
  type KeyVaultApiVersion,
  type KeyVaultCertificatePolicyOutputs,
  type WireCertificateBundle,
  type WireCertificatePolicy,
} from "./types";

/** Where a policy lives: the vault and the certificate's name. */
export interface PolicyAddress {
  /** The vault's base URL, e.g. `https://myvault.vault.azure.net`, no trailing slash. */
  vaultBaseUrl: string;
  /** The certificate's name in the vault. */
  certificateName: string;
}

const CERTIFICATE_NAME = /^[0-9a-zA-Z-]{1,127}$/;

/**
 * The resource's Pulumi id: the policy's own id as Key Vault writes it,
 * `{vaultBaseUrl}/certificates/{certificateName}/policy`. `read` can find the policy from it alone,
 * which is what `KeyVaultCertificatePolicy.get` needs.
 */
export function policyId(address: PolicyAddress): string {
  return `${address.vaultBaseUrl.replace(/\/+$/, "")}/certificates/${address.certificateName}/policy`;
}

/**
 * The address in a policy id `{vault}/certificates/{name}/policy`; the certificate's own
 * versionless id `{vault}/certificates/{name}` is accepted too. `undefined` when `id` is neither.
 */
export function parsePolicyId(id: unknown): PolicyAddress | undefined {
  if (typeof id !== "string") return undefined;
  let url: URL;
  try {
    url = new URL(id.trim());
  } catch {
    return undefined;
  }
  if (url.protocol !== "https:" || url.search || url.hash || url.username || url.password) return undefined;
  const segments = url.pathname.split("/").filter((s) => s.length > 0);
  const shaped = (segments.length === 3 && segments[2].toLowerCase() === "policy") || segments.length === 2;
  if (!shaped || segments[0].toLowerCase() !== "certificates") return undefined;
  let name: string;
  try {
    name = decodeURIComponent(segments[1]);
  } catch {
    return undefined;
  }
  if (!CERTIFICATE_NAME.test(name)) return undefined;
  return { vaultBaseUrl: url.origin, certificateName: name };
}

/**
 * The managed members after a read: for each member `previous` sets, the value Key Vault has now,
 * except that a value equal to the previous one (as the diff compares: sets without order, subjects
 * as names) keeps the previous spelling. So a refresh changes a managed member only when someone
 * changed it in Key Vault, and the next `pulumi up` then shows that difference and sets it back; an
 * auto-renewal, which changes no member, shows nothing. A managed scalar Key Vault no longer has is
 * left out (the next diff sees it as a member to set); a managed list it lacks reads as empty.
 */
export function refreshManaged(previous: unknown, actual: CertificatePolicy): CertificatePolicy {
  const view = managedView(actual, (previous ?? {}) as CertificatePolicy);
  const out: Record<string, unknown> = {};
  for (const m of POLICY_MEMBERS) {
    const before = getPath(previous, m.path);
    if (!isSet(before)) continue;
    const now = getPath(view, m.path);
    if (isSet(now)) setPath(out, m.path, sameMemberValue(m, before, now) ? before : now);
    else if (isListMember(m)) setPath(out, m.path, []);
  }
  return out as CertificatePolicy;
}

/** The settings and address a resource's outputs carry, as its checked inputs have them. */
interface OutputSettings extends PolicyAddress {
  vaultName?: string;
  apiVersion?: KeyVaultApiVersion;
  restoreOnDelete?: boolean;
  importExisting?: boolean;
}

/** The outputs as stored in state: the checked inputs, the effective policy, the current version. */
export interface PolicyState extends KeyVaultCertificatePolicyOutputs {
  /** The whole policy as it was before this resource first changed it (public shape). */
  originalPolicy?: CertificatePolicy;
}

/**
 * The inputs as `check` writes them: the address and settings with their defaults, and the managed
 * members as given in `managed`. What `read` returns as inputs, so that a member changed in Key
 * Vault shows in `pulumi preview --diff` as the difference the next `up` sets back.
 */
export function policyInputs(settings: OutputSettings, managed: CertificatePolicy): Record<string, unknown> {
  const out: Record<string, unknown> = {
    vaultBaseUrl: settings.vaultBaseUrl,
    certificateName: settings.certificateName,
    apiVersion: settings.apiVersion ?? DEFAULT_KEY_VAULT_API_VERSION,
    restoreOnDelete: settings.restoreOnDelete ?? false,
    importExisting: settings.importExisting ?? false,
  };
  if (isSet(settings.vaultName)) out.vaultName = settings.vaultName;
  for (const m of POLICY_MEMBERS) {
    const v = getPath(managed, m.path);
    if (isSet(v)) setPath(out, m.path, JSON.parse(JSON.stringify(v)));
  }
  return out;
}

/**
 * The resource's outputs: the address and settings, the managed members as given in `managed`
 * (the checked inputs, or what `refreshManaged` made of them), the effective policy Key Vault
 * returned, the policy remembered at create, and the current version's thumbprint, dates and id.
 * Only defined values are set (state holds no `undefined`).
 */
export function policyOutputs(opts: {
  settings: OutputSettings;
  managed: CertificatePolicy;
  policy: WireCertificatePolicy;
  bundle?: WireCertificateBundle;
  originalPolicy?: CertificatePolicy;
}): PolicyState {
  const out: Record<string, unknown> = policyInputs(opts.settings, opts.managed);
  out.effectivePolicy = toPublicPolicy(opts.policy);
  if (opts.originalPolicy) out.originalPolicy = opts.originalPolicy;
  if (opts.bundle) Object.assign(out, certificateOutputs(opts.bundle));
  return out as unknown as PolicyState;
}
