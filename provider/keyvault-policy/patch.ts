// Which PATCH /certificates/{name}/policy to send, pure. Create, update and delete (restore) all
// come down to "make these members of the current policy carry these values", and send nothing at
// all when they already do: adopting a policy as it is, or an update that only touches settings
// kept in state, makes no mutating call.
//
// How Key Vault combines a PATCH body with the stored policy is not published ("Set specified
// members in the certificate policy. Leave others as null."): it may merge member by member, replace
// each group it is sent (`key_props`, `x509_props`, `issuer`, ...) whole, or take the body as the
// whole new policy. A body with only the changed members is right under the first reading only: a
// one-member update of `validity_months` would wipe the subject, SANs and key usages under the
// second. So the body is the whole policy as it was just read (read-only members left out) with the
// managed members applied, which every reading stores the same way (the emulator plays each reading:
// its `policyPatch` option, and test/engine/keyvault-policy.test.ts runs under each).
//
// Two groups need care, because their members only make sense together:
// - key type, size and curve: when one of them is applied, the others the user manages go with it;
//   a size or curve the user does not manage is dropped when the key type changes family (RSA/EC),
//   so that Key Vault never sees a size or curve of the previous key type, and an unmanaged EC size
//   follows a new curve;
// - the subject alternative names: `sans` is one object on the wire; the lists the user does not
//   manage go as Key Vault has them.
import { sameMemberValue } from "./compare";
import { managedView, toPublicPolicy, toWirePolicyPatch } from "./mappers";
import { cloneJson, getPath, isRecord, isSet, setPath } from "../json-values";
import { isListMember, memberName, POLICY_MEMBERS, type PolicyMember } from "./members";
import type { CertificatePolicy, KeyCurveName, WireCertificatePolicy } from "./types";

const KEY_SHAPE = new Set(["keyProperties.keyType", "keyProperties.keySize", "keyProperties.keyCurveName"]);
/** Bits of each curve, as Key Vault reports `key_size` for EC keys. */
const CURVE_BITS: Record<KeyCurveName, number> = { "P-256": 256, "P-256K": 256, "P-384": 384, "P-521": 521 };
/** Members Key Vault writes itself: never sent back. */
const READ_ONLY_ATTRIBUTES = ["created", "updated", "recoverableDays", "recoveryLevel"];

/** The members a public policy (or checked inputs) sets: what a resource with these inputs manages. */
export function managedMembers(policy: unknown): PolicyMember[] {
  return POLICY_MEMBERS.filter((m) => isSet(getPath(policy, m.path)));
}

/**
 * The members of `members` (default: every member `desired` sets) whose value in `current` differs
 * from `desired`'s, compared as the diff compares (sets without order, subjects as names). Members
 * `desired` does not set never differ.
 */
export function differingMembers(
  desired: CertificatePolicy,
  current: CertificatePolicy,
  members: readonly PolicyMember[] = managedMembers(desired),
): PolicyMember[] {
  const have = managedView(current, desired);
  return POLICY_MEMBERS.filter((m) => {
    if (!members.includes(m)) return false;
    const want = getPath(desired, m.path);
    if (!isSet(want)) return false;
    const got = getPath(have, m.path);
    return !isSet(got) || !sameMemberValue(m, got, want);
  });
}

/** A copy without `null` members (null on the wire carries nothing to keep). */
function withoutNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutNulls);
  if (!isRecord(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (x !== null && x !== undefined) out[k] = withoutNulls(x);
  return out;
}

/** The policy as read, without what Key Vault writes itself (`id`, attribute timestamps). */
function writablePolicy(current: WireCertificatePolicy): Record<string, unknown> {
  const body = withoutNulls(cloneJson(current)) as Record<string, unknown>;
  delete body.id;
  if (isRecord(body.attributes)) {
    for (const k of READ_ONLY_ATTRIBUTES) delete body.attributes[k];
    if (Object.keys(body.attributes).length === 0) delete body.attributes;
  }
  return body;
}

const family = (kty: unknown): "EC" | "RSA" | undefined =>
  typeof kty === "string" ? (kty.startsWith("EC") ? "EC" : "RSA") : undefined;

/**
 * The PATCH body that gives the policy `current` (as Key Vault returned it) the value `desired` has
 * for each of `members` (default: every member `desired` sets), or `undefined` when `current`
 * already has them all. The body is `current` whole, read-only members left out, with the
 * differing members applied (see the top of this file). Members of `members` that `desired` does
 * not set are never changed.
 */
export function policyPatch(
  desired: CertificatePolicy,
  current: WireCertificatePolicy,
  members: readonly PolicyMember[] = managedMembers(desired),
): WireCertificatePolicy | undefined {
  const send = new Set(differingMembers(desired, toPublicPolicy(current), members));
  if (send.size === 0) return undefined;

  const keyShapeSent = [...send].some((m) => KEY_SHAPE.has(memberName(m)));
  if (keyShapeSent) {
    for (const m of POLICY_MEMBERS) {
      if (KEY_SHAPE.has(memberName(m)) && isSet(getPath(desired, m.path))) send.add(m);
    }
  }
  const picked: Record<string, unknown> = {};
  for (const m of send) setPath(picked, m.path, getPath(desired, m.path));
  const values = toWirePolicyPatch(picked as CertificatePolicy);

  const body = writablePolicy(current);
  for (const m of send) setPath(body, m.wire, getPath(values, m.wire));

  if (keyShapeSent && isRecord(body.key_props)) {
    const kp = body.key_props;
    const manages = (name: string) => isSet(getPath(desired, ["keyProperties", name]));
    if (family(kp.kty) !== family(current.key_props?.kty)) {
      if (!manages("keySize")) delete kp.key_size;
      if (!manages("keyCurveName")) delete kp.crv;
    }
    if (family(kp.kty ?? current.key_props?.kty) === "EC") {
      const bits = CURVE_BITS[kp.crv as KeyCurveName];
      if (!manages("keySize") && bits !== undefined && kp.key_size !== undefined) kp.key_size = bits;
    } else if (!manages("keyCurveName")) delete kp.crv;
  }
  return body as WireCertificatePolicy;
}

/**
 * What `restoreOnDelete` puts back: for each member `managed` sets, its value in `original` (the
 * policy as it was before the resource first changed it). A list `original` lacked is restored as an
 * empty list. A scalar `original` lacked cannot be restored (a PATCH cannot unset a member) and
 * keeps its current value.
 */
export function restoreTarget(managed: unknown, original: CertificatePolicy): CertificatePolicy {
  const target: Record<string, unknown> = {};
  for (const m of managedMembers(managed)) {
    const v = getPath(original, m.path);
    if (isSet(v)) setPath(target, m.path, v);
    else if (isListMember(m)) setPath(target, m.path, []);
  }
  return target as CertificatePolicy;
}
