// Which PATCH /certificates/{name}/policy to send, pure. Create, update and delete (restore) all
// come down to "make these members of the current policy carry these values", and send nothing at
// all when they already do: adopting a policy as it is, or an update that only touches settings
// kept in state, makes no mutating call.
//
// Key Vault's PATCH sets the members given and keeps the others ("Set specified members in the
// certificate policy. Leave others as null."): inside a group (key_props, x509_props, ...) a member
// left out is kept. Two groups need care, because their members only make sense together or are
// replaced together:
// - key type, size and curve: when one of them is sent, the others the user manages go with it, so
//   that Key Vault never sees a size or curve of the previous key type (the emulator, like the
//   service, drops the old size and curve when the key type changes without them);
// - the subject alternative names: `sans` is one object on the wire, replaced whole, so when one
//   list is sent the other two go with it, the managed ones from the inputs and the unmanaged ones
//   as Key Vault has them now.
import { sameMemberValue } from "./diff";
import { managedView, toWirePolicyPatch } from "./mappers";
import {
  getPath,
  isListMember,
  isSet,
  memberName,
  POLICY_MEMBERS,
  setPath,
  type PolicyMember,
} from "./members";
import type { CertificatePolicy, WireCertificatePolicy } from "./types";

const KEY_SHAPE = new Set(["keyProperties.keyType", "keyProperties.keySize", "keyProperties.keyCurveName"]);
const SANS = POLICY_MEMBERS.filter((m) => m.path[1] === "subjectAlternativeNames");

/** The members a public policy (or checked inputs) sets: what a resource with these inputs manages. */
export function managedMembers(policy: unknown): PolicyMember[] {
  return POLICY_MEMBERS.filter((m) => isSet(getPath(policy, m.path)));
}

/**
 * The PATCH body that gives `current` the value `desired` has for each of `members` (default: every
 * member `desired` sets), or `undefined` when `current` already has them all (compared as the diff
 * compares: sets without order, subjects as names). Members of `members` that `desired` does not set
 * are never sent.
 */
export function policyPatch(
  desired: CertificatePolicy,
  current: CertificatePolicy,
  members: readonly PolicyMember[] = managedMembers(desired),
): WireCertificatePolicy | undefined {
  const have = managedView(current, desired);
  const send = new Set<PolicyMember>();
  for (const m of members) {
    const want = getPath(desired, m.path);
    if (!isSet(want)) continue;
    const got = getPath(have, m.path);
    if (!isSet(got) || !sameMemberValue(m, got, want)) send.add(m);
  }
  if (send.size === 0) return undefined;

  const sending = [...send];
  if (sending.some((m) => KEY_SHAPE.has(memberName(m)))) {
    for (const m of POLICY_MEMBERS) {
      if (KEY_SHAPE.has(memberName(m)) && isSet(getPath(desired, m.path))) send.add(m);
    }
  }
  const picked: Record<string, unknown> = {};
  for (const m of POLICY_MEMBERS) if (send.has(m)) setPath(picked, m.path, getPath(desired, m.path));
  if (sending.some((m) => SANS.includes(m))) {
    for (const m of SANS) {
      if (send.has(m)) continue;
      const keep = isSet(getPath(desired, m.path)) ? getPath(desired, m.path) : getPath(current, m.path);
      if (isSet(keep)) setPath(picked, m.path, keep);
    }
  }
  return toWirePolicyPatch(picked as CertificatePolicy);
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
