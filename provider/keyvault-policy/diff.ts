// `diff` for KeyVaultCertificatePolicy, pure. `olds` are the previous outputs (which carry the
// checked inputs: create/update/read return them), `news` the new checked inputs.
//
// What each difference means:
// - another vault or another certificate name: replace (another Key Vault object);
// - the same vault or certificate spelt differently (vaultName vs vaultBaseUrl, the case of a name;
//   Key Vault object names ignore case): update, so that state follows the program, with no call;
// - a policy member the user manages changed: update (PATCH of the managed members);
// - a member set before and unset now: update that stops managing it. Nothing is sent for it:
//   Key Vault keeps the value it has, and the member leaves the managed view (so later drift of it
//   is no longer reported). The PATCH body comes from the new inputs, so it never mentions it.
// - `apiVersion`, `restoreOnDelete` or `importExisting` changed: update that calls nothing beyond
//   reading the outputs again; they only affect how later calls are made (`importExisting` only
//   matters at create), never a replace.
// Lists Key Vault treats as sets (key usages, EKUs, SANs) compare without order; lifetime actions
// compare in order (./compare.ts). `changes` is always explicit: left undefined, the engine would
// diff every input, the serialized provider included, and show each code change as a change.
import type * as pulumi from "@pulumi/pulumi";
import { isUnknown } from "../dynamic/unknown";
import { getPath, isRecord, isSet } from "../json-values";
import { sameMemberValue } from "./compare";
import { memberName, POLICY_MEMBERS } from "./members";
import { DEFAULT_KEY_VAULT_API_VERSION } from "./types";

type Raw = Record<string, unknown>;

/** What differs between old outputs and new inputs, by the names the user writes. */
interface InputChanges {
  /** Top-level inputs whose change needs a new resource: vaultBaseUrl, vaultName, certificateName. */
  replaces: string[];
  /** Inputs and policy members (dotted, e.g. `keyProperties.keySize`) that change in place. */
  updates: string[];
}

function hasUnknown(v: unknown): boolean {
  if (isUnknown(v)) return true;
  if (Array.isArray(v)) return v.some(hasUnknown);
  if (isRecord(v)) return Object.values(v).some(hasUnknown);
  return false;
}

const lower = (v: unknown) => (typeof v === "string" ? v.toLowerCase() : v);
const origin = (v: unknown) => (typeof v === "string" ? v.trim().toLowerCase().replace(/\/+$/, "") : v);

/** The replacements and in-place updates between old outputs and new checked inputs. */
export function compareInputs(olds: Raw, news: Raw): InputChanges {
  const replaces: string[] = [];
  const updates: string[] = [];

  // Where: the vault (by URL when both sides have one) and the certificate name (ignoring case).
  const urlKnown = isSet(olds.vaultBaseUrl) && isSet(news.vaultBaseUrl) && !isUnknown(news.vaultBaseUrl);
  const otherVault = urlKnown
    ? origin(olds.vaultBaseUrl) !== origin(news.vaultBaseUrl)
    : isUnknown(news.vaultBaseUrl) ||
      isUnknown(news.vaultName) ||
      lower(olds.vaultName) !== lower(news.vaultName) ||
      origin(olds.vaultBaseUrl) !== origin(news.vaultBaseUrl);
  for (const k of ["vaultBaseUrl", "vaultName"] as const) {
    const differs = isUnknown(news[k]) || (olds[k] ?? null) !== (news[k] ?? null);
    if (!differs) continue;
    (otherVault ? replaces : updates).push(k);
  }
  if (otherVault && !replaces.some((k) => k === "vaultBaseUrl" || k === "vaultName"))
    replaces.push("vaultBaseUrl");

  if (isUnknown(news.certificateName) || lower(olds.certificateName) !== lower(news.certificateName)) {
    replaces.push("certificateName");
  } else if (olds.certificateName !== news.certificateName) updates.push("certificateName");

  // How: settings of the provider itself, with their defaults. An unset apiVersion is no change,
  // whatever version the state recorded (see DEFAULT_KEY_VAULT_API_VERSION).
  if (
    isUnknown(news.apiVersion) ||
    (isSet(news.apiVersion) && (olds.apiVersion ?? DEFAULT_KEY_VAULT_API_VERSION) !== news.apiVersion)
  ) {
    updates.push("apiVersion");
  }
  for (const k of ["restoreOnDelete", "importExisting"] as const) {
    if (isUnknown(news[k]) || (olds[k] ?? false) !== (news[k] ?? false)) updates.push(k);
  }

  // What: the managed policy members.
  for (const m of POLICY_MEMBERS) {
    const o = getPath(olds, m.path);
    const n = getPath(news, m.path);
    const changed = hasUnknown(n) || isSet(o) !== isSet(n) || (isSet(n) && !sameMemberValue(m, o, n));
    if (changed) updates.push(memberName(m));
  }
  return { replaces, updates };
}

/**
 * The engine's diff: `changes` explicit, `replaces` for another vault or certificate,
 * `deleteBeforeReplace: false` (the new policy is set before the old resource lets go of its own).
 */
export function diffInputs(olds: Raw, news: Raw): pulumi.dynamic.DiffResult {
  const { replaces, updates } = compareInputs(olds, news);
  return { changes: replaces.length > 0 || updates.length > 0, replaces, deleteBeforeReplace: false };
}
