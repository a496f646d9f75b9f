// Pure mappers between the public policy shape and Key Vault's wire shape, in the manner of the
// Azure SDK's toCorePolicy / toPublicPolicy. No network, no clock.
import { cloneJson, getPath, isoSeconds, isRecord, isSet, setPath } from "../json-values";
import { isListMember, POLICY_MEMBERS } from "./members";
import type {
  CertificatePolicy,
  CertificateVersionOutputs,
  LifetimeAction,
  LifetimeActionType,
  WireCertificateBundle,
  WireCertificatePolicy,
  WireLifetimeAction,
} from "./types";

function lifetimeActionToWire(a: LifetimeAction): WireLifetimeAction {
  const trigger: WireLifetimeAction["trigger"] = {};
  if (isSet(a.lifetimePercentage)) trigger.lifetime_percentage = a.lifetimePercentage;
  if (isSet(a.daysBeforeExpiry)) trigger.days_before_expiry = a.daysBeforeExpiry;
  return { trigger, action: { action_type: a.action } };
}

function lifetimeActionToPublic(w: WireLifetimeAction): LifetimeAction {
  const a: Partial<LifetimeAction> = {};
  if (isSet(w.action?.action_type)) a.action = w.action!.action_type as LifetimeActionType;
  if (isSet(w.trigger?.lifetime_percentage)) a.lifetimePercentage = w.trigger!.lifetime_percentage;
  if (isSet(w.trigger?.days_before_expiry)) a.daysBeforeExpiry = w.trigger!.days_before_expiry;
  return a as LifetimeAction;
}

/**
 * The PATCH body for the members the user set, and nothing else: a member left unset (or null) is
 * not sent, so Key Vault keeps it ("Set specified members in the certificate policy. Leave others
 * as null."). Groups with no member set are left out; an empty list the user set (`keyUsage: []`,
 * `lifetimeActions: []`) is sent as an empty list. Takes checked inputs (or any public policy).
 */
export function toWirePolicyPatch(inputs: CertificatePolicy): WireCertificatePolicy {
  const body: Record<string, unknown> = {};
  for (const m of POLICY_MEMBERS) {
    const v = getPath(inputs, m.path);
    if (!isSet(v)) continue;
    const wire =
      m.kind === "lifetimeActions" ? (v as LifetimeAction[]).map(lifetimeActionToWire) : cloneJson(v);
    setPath(body, m.wire, wire);
  }
  return body as WireCertificatePolicy;
}

/**
 * A Key Vault policy (GET or PATCH answer) in public shape. Keeps every policy member Key Vault
 * sent, empty lists included; drops the read-only `id` and the attributes other than `enabled`
 * (creation and update times are not policy members).
 */
export function toPublicPolicy(wire: WireCertificatePolicy): CertificatePolicy {
  const policy: Record<string, unknown> = {};
  for (const m of POLICY_MEMBERS) {
    const v = getPath(wire, m.wire);
    if (!isSet(v)) continue;
    if (m.kind !== "lifetimeActions") setPath(policy, m.path, cloneJson(v));
    else if (Array.isArray(v)) {
      // Tolerate a malformed element rather than fail a whole read: it reads as an action with nothing set.
      setPath(
        policy,
        m.path,
        v.map((w) => lifetimeActionToPublic(isRecord(w) ? w : {})),
      );
    }
  }
  return policy as CertificatePolicy;
}

/**
 * The part of `policy` that `inputs` manage: for each member set in `inputs`, the value in `policy`.
 * Key Vault's defaults and server-filled members are left out, so they never show as drift. A
 * managed list that `policy` lacks reads as `[]` (Key Vault may omit empty lists), so that a user's
 * `keyUsage: []` is not a perpetual difference. A managed scalar that `policy` lacks is left out:
 * compared with the inputs, it shows as a change to make.
 */
export function managedView(policy: CertificatePolicy, inputs: CertificatePolicy): CertificatePolicy {
  const view: Record<string, unknown> = {};
  for (const m of POLICY_MEMBERS) {
    if (!isSet(getPath(inputs, m.path))) continue;
    const v = getPath(policy, m.path);
    if (isSet(v)) setPath(view, m.path, cloneJson(v));
    else if (isListMember(m)) setPath(view, m.path, []);
  }
  return view as CertificatePolicy;
}

/** ISO 8601 UTC with whole seconds (`2026-01-31T12:00:00Z`) from unix seconds. */
export function unixSecondsToIso(seconds: unknown): string | undefined {
  if (typeof seconds !== "number" || !Number.isFinite(seconds)) return undefined;
  return isoSeconds(new Date(Math.floor(seconds) * 1000));
}

/** Upper-case hex of a base64url (or base64) thumbprint such as a bundle's `x5t`. */
export function thumbprintFromX5t(x5t: unknown): string | undefined {
  if (typeof x5t !== "string" || !/^[A-Za-z0-9_\-+/]+=*$/.test(x5t)) return undefined;
  const hex = Buffer.from(x5t, "base64url").toString("hex").toUpperCase();
  return hex.length > 0 ? hex : undefined;
}

/** The version segment of a certificate id `{vault}/certificates/{name}/{version}`, if it has one. */
export function versionFromCertificateId(id: unknown): string | undefined {
  if (typeof id !== "string") return undefined;
  let segments: string[];
  try {
    segments = new URL(id).pathname.split("/").filter((s) => s.length > 0);
  } catch {
    return undefined;
  }
  return segments.length === 3 && segments[0] === "certificates"
    ? decodeURIComponent(segments[2])
    : undefined;
}

/**
 * Outputs describing a certificate's current version, from GET /certificates/{name}: thumbprint
 * (hex of `x5t`, upper case), expirationDate and notBefore (from `attributes.exp` / `nbf`) and
 * version (last segment of `id`). A member Key Vault did not send is left out (a certificate whose
 * first version is still pending has no `x5t`).
 */
export function certificateOutputs(bundle: WireCertificateBundle): CertificateVersionOutputs {
  const out: CertificateVersionOutputs = {};
  const thumbprint = thumbprintFromX5t(bundle.x5t);
  if (thumbprint) out.thumbprint = thumbprint;
  const expirationDate = unixSecondsToIso(bundle.attributes?.exp);
  if (expirationDate) out.expirationDate = expirationDate;
  const notBefore = unixSecondsToIso(bundle.attributes?.nbf);
  if (notBefore) out.notBefore = notBefore;
  const version = versionFromCertificateId(bundle.id);
  if (version) out.version = version;
  return out;
}
