/**
 * Key Vault certificate policies on the wire (snake_case, as the service speaks): validation with
 * Key Vault's enumerations and ranges, defaults applied on create, what
 * `PATCH /certificates/{name}/policy` does with its body (three readings, see
 * {@link PolicyPatchSemantics}), and the policy Key Vault derives for an imported certificate.
 */
import {
  type CertificateFacts,
  type KeySpec,
  type EcCurve,
  KEY_USAGES,
  curveBits,
  parseDistinguishedName,
} from "./pki";
import * as net from "node:net";
import { isObject } from "./http";

/**
 * Key Vault data-plane API versions served, oldest first. Key Vault versions the whole service at
 * once, so every route answers every version. What each adds to the members used here (from
 * azure-rest-api-specs `specification/keyvault/data-plane/Microsoft.KeyVault/stable/{version}`):
 * 7.5 keeps 7.4's schema; 7.6 adds `preserveCertOrder` (create, import, certificate bundles);
 * 2025-07-01 adds the SANs `uris` and `ipAddresses` and the secret's `previousVersion`;
 * 2026-04-01 (the default of @azure/keyvault-secrets 4.12) keeps 2025-07-01's members here.
 */
export const KEY_VAULT_API_VERSIONS = ["7.4", "7.5", "7.6", "2025-07-01", "2026-04-01"] as const;
export type KeyVaultApiVersion = (typeof KEY_VAULT_API_VERSIONS)[number];

/** Whether `version` is `since` or newer (both among {@link KEY_VAULT_API_VERSIONS}). */
export function versionAtLeast(version: string, since: KeyVaultApiVersion): boolean {
  const i = KEY_VAULT_API_VERSIONS.indexOf(version as KeyVaultApiVersion);
  return i >= KEY_VAULT_API_VERSIONS.indexOf(since);
}

/** The version that introduced the SANs `uris` and `ipAddresses`. */
export const SAN_URIS_AND_IPS_SINCE: KeyVaultApiVersion = "2025-07-01";

/** CertificatePolicy as sent and returned by Key Vault (without the read-only `id`). */
export interface KvPolicy {
  key_props?: { exportable?: boolean; kty?: string; key_size?: number; reuse_key?: boolean; crv?: string };
  secret_props?: { contentType?: string };
  x509_props?: {
    subject?: string;
    ekus?: string[];
    sans?: {
      emails?: string[];
      dns_names?: string[];
      upns?: string[];
      /** 2025-07-01 and later. */
      uris?: string[];
      /** 2025-07-01 and later (IPv4 and IPv6). */
      ipAddresses?: string[];
    };
    key_usage?: string[];
    validity_months?: number;
  };
  lifetime_actions?: Array<{
    trigger: { lifetime_percentage?: number; days_before_expiry?: number };
    action: { action_type: string };
  }>;
  issuer?: { name?: string; cty?: string; cert_transparency?: boolean };
  attributes?: { enabled?: boolean };
}

/** A policy Key Vault would refuse with 400 BadParameter. */
export class PolicyError extends Error {
  override readonly name = "PolicyError";
}

// Key Vault's enumerations as the emulator reads the REST spec, apart from provider/ (which it checks).
export const KEY_TYPES = ["EC", "EC-HSM", "RSA", "RSA-HSM", "oct", "oct-HSM"];
const CURVE_NAMES = ["P-256", "P-256K", "P-384", "P-521"];
const RSA_SIZES = [2048, 3072, 4096];
export const CONTENT_TYPES = ["application/x-pkcs12", "application/x-pem-file"];
const ACTION_TYPES = ["EmailContacts", "AutoRenew"];
/** Key Vault's defaults for TLS certificates: server and client authentication. */
const DEFAULT_EKUS = ["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"];
// The emulator's own bound; real Key Vault documents none for self-signed certificates.
const MAX_VALIDITY_MONTHS = 1200;

function fail(message: string): never {
  throw new PolicyError(message);
}

const given = (v: unknown): boolean => v !== undefined && v !== null;

function bool(v: unknown, path: string): boolean | undefined {
  if (!given(v)) return undefined;
  if (typeof v !== "boolean")
    fail(`Property ${path} has invalid value ${JSON.stringify(v)}: expected true or false.`);
  return v;
}

function str(v: unknown, path: string): string | undefined {
  if (!given(v)) return undefined;
  if (typeof v !== "string")
    fail(`Property ${path} has invalid value ${JSON.stringify(v)}: expected a string.`);
  return v;
}

function intIn(v: unknown, path: string, min: number, max: number): number | undefined {
  if (!given(v)) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max)
    fail(
      `Property ${path} has invalid value ${JSON.stringify(v)}: expected an integer from ${min} to ${max}.`,
    );
  return v;
}

function strings(v: unknown, path: string): string[] | undefined {
  if (!given(v)) return undefined;
  if (!Array.isArray(v) || v.some((s) => typeof s !== "string"))
    fail(`Property ${path} has invalid value ${JSON.stringify(v)}: expected an array of strings.`);
  return [...v];
}

function oneOf(v: string | undefined, allowed: readonly string[], path: string): string | undefined {
  if (v !== undefined && !allowed.includes(v))
    fail(`Property ${path} has invalid value '${v}'. Valid values are: ${allowed.join(", ")}.`);
  return v;
}

function object(v: unknown, path: string): Record<string, unknown> | undefined {
  if (!given(v)) return undefined;
  if (!isObject(v)) fail(`Property ${path} must be a JSON object.`);
  return v;
}

/** Drops `undefined` members so a parsed policy carries only what the client sent. */
function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/**
 * Reads a policy body: checks every member's type, enumeration and range, keeps only the members
 * given (nulls count as not given), and ignores the read-only `id` and attribute timestamps.
 * `apiVersion` (default: the newest) decides which members exist: a member that version does not
 * define is refused with 400, not dropped. An empty `sans` (no member given) counts as not given,
 * as a null does: the official SDKs send `"sans":{}` in every partial update (see the README).
 */
export function parsePolicy(
  input: unknown,
  apiVersion: string = KEY_VAULT_API_VERSIONS[KEY_VAULT_API_VERSIONS.length - 1],
): KvPolicy {
  const body = object(input, "policy");
  if (!body) fail("The certificate policy must be a JSON object.");
  const out: KvPolicy = {};
  const kp = object(body.key_props, "key_props");
  if (kp) out.key_props = parseKeyProps(kp);
  const sp = object(body.secret_props, "secret_props");
  if (sp)
    out.secret_props = compact({
      contentType: oneOf(
        str(sp.contentType, "secret_props.contentType"),
        CONTENT_TYPES,
        "secret_props.contentType",
      ),
    });
  const xp = object(body.x509_props, "x509_props");
  if (xp) out.x509_props = parseX509Props(xp, apiVersion);
  if (given(body.lifetime_actions)) out.lifetime_actions = parseLifetimeActions(body.lifetime_actions);
  const is = object(body.issuer, "issuer");
  if (is)
    out.issuer = compact({
      name: str(is.name, "issuer.name"),
      cty: str(is.cty, "issuer.cty"),
      cert_transparency: bool(is.cert_transparency, "issuer.cert_transparency"),
    });
  const at = object(body.attributes, "attributes");
  if (at) out.attributes = compact({ enabled: bool(at.enabled, "attributes.enabled") });
  return out;
}

type Group<K extends keyof KvPolicy> = NonNullable<KvPolicy[K]>;

function parseKeyProps(kp: Record<string, unknown>): Group<"key_props"> {
  const kty = oneOf(str(kp.kty, "key_props.kty"), KEY_TYPES, "key_props.kty");
  if (kty === "oct" || kty === "oct-HSM")
    fail(`Key type '${kty}' cannot back a certificate. Use RSA, RSA-HSM, EC or EC-HSM.`);
  const crv = oneOf(str(kp.crv, "key_props.crv"), CURVE_NAMES, "key_props.crv");
  if (crv && kty && kty.startsWith("RSA")) fail("Curve cannot be specified with RSA key type.");
  return compact({
    exportable: bool(kp.exportable, "key_props.exportable"),
    kty,
    key_size: intIn(kp.key_size, "key_props.key_size", 1, 16384),
    reuse_key: bool(kp.reuse_key, "key_props.reuse_key"),
    crv,
  });
}

function parseX509Props(xp: Record<string, unknown>, apiVersion: string): Group<"x509_props"> {
  const subject = str(xp.subject, "x509_props.subject");
  if (subject) {
    try {
      parseDistinguishedName(subject);
    } catch (e) {
      fail(`Property x509_props.subject has invalid value '${subject}': ${(e as Error).message}.`);
    }
  }
  const ekus = strings(xp.ekus, "x509_props.ekus");
  for (const e of ekus ?? [])
    if (!/^[0-2](\.\d+)+$/.test(e))
      fail(`Property x509_props.ekus has invalid value '${e}': expected an OID such as 1.3.6.1.5.5.7.3.1.`);
  const usages = strings(xp.key_usage, "x509_props.key_usage");
  for (const u of usages ?? []) oneOf(u, KEY_USAGES, "x509_props.key_usage");
  const sansIn = object(xp.sans, "x509_props.sans");
  return compact({
    subject,
    ekus,
    sans: sansIn ? parseSans(sansIn, apiVersion) : undefined,
    key_usage: usages,
    validity_months: intIn(xp.validity_months, "x509_props.validity_months", 1, MAX_VALIDITY_MONTHS),
  });
}

/** The SANs given, or `undefined` for none (an empty `sans` counts as not given). */
function parseSans(sansIn: Record<string, unknown>, apiVersion: string): Group<"x509_props">["sans"] {
  if (!versionAtLeast(apiVersion, SAN_URIS_AND_IPS_SINCE))
    for (const k of ["uris", "ipAddresses"])
      if (given(sansIn[k]))
        fail(
          `Property x509_props.sans.${k} is not defined in api-version ${apiVersion}: it needs api-version ${SAN_URIS_AND_IPS_SINCE} or later.`,
        );
  const parsed = compact({
    emails: strings(sansIn.emails, "x509_props.sans.emails"),
    dns_names: strings(sansIn.dns_names, "x509_props.sans.dns_names"),
    upns: strings(sansIn.upns, "x509_props.sans.upns"),
    uris: strings(sansIn.uris, "x509_props.sans.uris"),
    ipAddresses: strings(sansIn.ipAddresses, "x509_props.sans.ipAddresses"),
  });
  if (Object.keys(parsed).length === 0) return undefined;
  for (const ip of parsed.ipAddresses ?? [])
    if (net.isIP(ip) === 0)
      fail(
        `Property x509_props.sans.ipAddresses has invalid value '${ip}': expected an IPv4 or IPv6 address.`,
      );
  for (const u of parsed.uris ?? [])
    if (!/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(u))
      fail(`Property x509_props.sans.uris has invalid value '${u}': expected an absolute URI.`);
  for (const d of parsed.dns_names ?? [])
    if (!/^(\*\.)?[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/.test(d))
      fail(`Property x509_props.sans.dns_names has invalid value '${d}'.`);
  return parsed;
}

function parseLifetimeActions(value: unknown): Group<"lifetime_actions"> {
  if (!Array.isArray(value)) fail("Property lifetime_actions must be an array.");
  const actions = value.map((la: unknown, i: number) => parseLifetimeAction(la, `lifetime_actions[${i}]`));
  // What Key Vault answers (Azure/azure-sdk-for-net#15633), although the schema has a list.
  if (actions.length > 1) fail("At most one action is allowed");
  return actions;
}

function parseLifetimeAction(la: unknown, path: string): Group<"lifetime_actions">[number] {
  const item = object(la, path) ?? fail(`Property ${path} must be a JSON object.`);
  const trigger = object(item.trigger, `${path}.trigger`) ?? fail(`Property ${path}.trigger is required.`);
  const action = object(item.action, `${path}.action`) ?? fail(`Property ${path}.action is required.`);
  const pct = intIn(trigger.lifetime_percentage, `${path}.trigger.lifetime_percentage`, 1, 99);
  const days = intIn(
    trigger.days_before_expiry,
    `${path}.trigger.days_before_expiry`,
    1,
    MAX_VALIDITY_MONTHS * 27,
  );
  if ((pct === undefined) === (days === undefined))
    fail(`Property ${path}.trigger must have exactly one of lifetime_percentage and days_before_expiry.`);
  const type = oneOf(
    str(action.action_type, `${path}.action.action_type`),
    ACTION_TYPES,
    `${path}.action.action_type`,
  );
  if (!type) fail(`Property ${path}.action.action_type is required.`);
  return {
    trigger: pct !== undefined ? { lifetime_percentage: pct } : { days_before_expiry: days },
    action: { action_type: type },
  };
}

const clone = <T>(v: T): T => structuredClone(v);

/**
 * How `PATCH /certificates/{name}/policy` combines the body with the stored policy. Key Vault does
 * not publish it ("Set specified members in the certificate policy. Leave others as null."), so the
 * emulator can play each plausible reading:
 * - `merge` (default): members given replace, others stay, one level down inside the groups
 *   ({@link mergePolicy});
 * - `replace-groups`: each top-level member given (`key_props`, `x509_props`, `issuer`, ...)
 *   replaces the stored one whole; top-level members not given stay (another Key Vault emulator
 *   does this);
 * - `replace`: the body is the new policy; whatever it leaves out is gone.
 */
export type PolicyPatchSemantics = "merge" | "replace-groups" | "replace";
export const POLICY_PATCH_SEMANTICS: readonly PolicyPatchSemantics[] = ["merge", "replace-groups", "replace"];

/** `value` as a {@link PolicyPatchSemantics}, or a PolicyError naming the allowed values. */
export function policyPatchSemantics(value: unknown): PolicyPatchSemantics {
  if (!POLICY_PATCH_SEMANTICS.includes(value as PolicyPatchSemantics))
    fail(`policyPatch must be one of ${POLICY_PATCH_SEMANTICS.join(", ")}; got ${JSON.stringify(value)}.`);
  return value as PolicyPatchSemantics;
}

/** The policy a PATCH with body `patch` leaves, under `semantics`. */
export function applyPolicyPatch(
  current: KvPolicy,
  patch: KvPolicy,
  semantics: PolicyPatchSemantics = "merge",
): KvPolicy {
  if (semantics === "merge") return mergePolicy(current, patch);
  if (semantics === "replace") return clone(patch);
  const out = clone(current);
  for (const [k, v] of Object.entries(patch)) {
    if (v !== undefined) (out as Record<string, unknown>)[k] = clone(v);
  }
  return out;
}

/**
 * PATCH semantics ("set specified members, leave others"): each member given replaces that member
 * and members not given stay. Inside `key_props`, `secret_props`, `x509_props`, `issuer` and
 * `attributes` the same rule applies one level down (so `{x509_props:{validity_months:24}}` keeps
 * the subject); arrays and `sans` are replaced whole (an empty `sans` is not given, see
 * {@link parsePolicy}); `lifetime_actions: []` clears the actions
 * (the way to turn auto-renew off).
 */
export function mergePolicy(current: KvPolicy, patch: KvPolicy): KvPolicy {
  const out = clone(current);
  if (patch.key_props) {
    const merged = { ...(out.key_props ?? {}), ...patch.key_props };
    // Switching key type without a size or curve would keep a value meaningless for the new type.
    const typeChanged =
      patch.key_props.kty !== undefined &&
      keyFamily(patch.key_props.kty) !== keyFamily(current.key_props?.kty);
    if (typeChanged && patch.key_props.key_size === undefined) delete merged.key_size;
    if (typeChanged && patch.key_props.crv === undefined) delete merged.crv;
    out.key_props = merged;
  }
  if (patch.secret_props) out.secret_props = { ...(out.secret_props ?? {}), ...patch.secret_props };
  if (patch.x509_props) out.x509_props = { ...(out.x509_props ?? {}), ...clone(patch.x509_props) };
  if (patch.lifetime_actions) out.lifetime_actions = clone(patch.lifetime_actions);
  if (patch.issuer) out.issuer = { ...(out.issuer ?? {}), ...patch.issuer };
  if (patch.attributes) out.attributes = { ...(out.attributes ?? {}), ...patch.attributes };
  return out;
}

function keyFamily(kty: string | undefined): string {
  return (kty ?? "RSA").startsWith("EC") ? "EC" : "RSA";
}

/**
 * Fills what Key Vault fills when a certificate is created: RSA 2048 exportable keys, PKCS#12
 * secrets, 12 months, the TLS EKUs and key usages, and an AutoRenew action at 80% of the lifetime.
 * Members the client gave (even empty arrays, as in the seed request) are kept as given.
 */
export function applyCreateDefaults(policy: KvPolicy): KvPolicy {
  const p = clone(policy);
  const family = keyFamily(p.key_props?.kty);
  p.key_props = { exportable: true, kty: "RSA", reuse_key: false, ...(p.key_props ?? {}) };
  if (family === "EC") {
    p.key_props.crv ??= "P-256";
    p.key_props.key_size ??= curveBits(p.key_props.crv as EcCurve);
  } else {
    p.key_props.key_size ??= 2048;
  }
  p.secret_props = { contentType: "application/x-pkcs12", ...(p.secret_props ?? {}) };
  p.x509_props = { ...(p.x509_props ?? {}) };
  p.x509_props.ekus ??= [...DEFAULT_EKUS];
  p.x509_props.key_usage ??= family === "EC" ? ["digitalSignature"] : ["digitalSignature", "keyEncipherment"];
  p.x509_props.validity_months ??= 12;
  const issuerName = p.issuer?.name;
  p.lifetime_actions ??= [
    {
      trigger: { lifetime_percentage: 80 },
      action: {
        action_type: issuerName && issuerName.toLowerCase() === "unknown" ? "EmailContacts" : "AutoRenew",
      },
    },
  ];
  p.attributes = { enabled: true, ...(p.attributes ?? {}) };
  return p;
}

/** Checks rules that span members; run on the policy that would be stored. */
export function checkPolicy(p: KvPolicy, purpose: "create" | "update" | "import"): void {
  const kp = p.key_props ?? {};
  if (keyFamily(kp.kty) === "RSA") {
    if (kp.crv) fail("Curve cannot be specified with RSA key type.");
    if (kp.key_size !== undefined && !RSA_SIZES.includes(kp.key_size))
      fail(
        `Property key_props.key_size has invalid value ${kp.key_size}. Valid RSA key sizes are ${RSA_SIZES.join(", ")}.`,
      );
  } else if (kp.crv && kp.key_size !== undefined && kp.key_size !== curveBits(kp.crv as EcCurve)) {
    fail(
      `Property key_props.key_size has invalid value ${kp.key_size}: curve ${kp.crv} has ${curveBits(kp.crv as EcCurve)} bits.`,
    );
  }
  const months = p.x509_props?.validity_months;
  for (const [i, la] of (p.lifetime_actions ?? []).entries()) {
    const days = la.trigger.days_before_expiry;
    if (days !== undefined && months !== undefined && days > months * 27)
      fail(
        `Property lifetime_actions[${i}].trigger.days_before_expiry has invalid value ${days}. It must be between 1 and validity_months x 27 (${months * 27}).`,
      );
  }
  if (purpose === "create") {
    const sans = p.x509_props?.sans;
    const sanCount =
      (sans?.dns_names?.length ?? 0) +
      (sans?.emails?.length ?? 0) +
      (sans?.upns?.length ?? 0) +
      (sans?.uris?.length ?? 0) +
      (sans?.ipAddresses?.length ?? 0);
    if (!p.x509_props?.subject && sanCount === 0)
      fail(
        "Property x509_props.subject is required: a certificate needs a subject or subject alternative names.",
      );
    if (!p.issuer?.name)
      fail("Property issuer.name is required to create a certificate (for example 'Self').");
  }
}

/** The key a policy asks for. */
export function keySpecOf(p: KvPolicy): KeySpec {
  const kp = p.key_props ?? {};
  if (keyFamily(kp.kty) === "EC") return { kty: "EC", curve: (kp.crv ?? "P-256") as EcCurve };
  return { kty: "RSA", size: kp.key_size ?? 2048 };
}

/** Whole months from `from` to `to`, rounded, as Key Vault reports `validity_months` of an import. */
function monthsBetween(from: Date, to: Date): number {
  const months = (to.getUTCFullYear() - from.getUTCFullYear()) * 12 + (to.getUTCMonth() - from.getUTCMonth());
  const rest = to.getUTCDate() - from.getUTCDate();
  return Math.max(1, months + (rest > 15 ? 1 : rest < -15 ? -1 : 0));
}

/** `date` plus whole calendar months (clamped to the month's last day, like .NET's AddMonths). */
export function addMonths(date: Date, months: number): Date {
  const d = new Date(date.getTime());
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  return d;
}

/**
 * The policy Key Vault records for an imported certificate: x509 and key members read from the
 * certificate (the certificate wins over a policy sent with the import), the rest from the policy
 * sent, else issuer "Unknown" and an EmailContacts action at 80% of the lifetime. `more` carries
 * the URI and IP SANs of the certificate (read by the caller).
 */
export function policyForImport(
  facts: CertificateFacts,
  contentType: string,
  sent: KvPolicy | undefined,
  more: { uris: string[]; ipAddresses: string[] } = { uris: [], ipAddresses: [] },
): KvPolicy {
  const key = facts.key;
  const sans = compact({
    dns_names: facts.sans.dns.length ? facts.sans.dns : undefined,
    emails: facts.sans.emails.length ? facts.sans.emails : undefined,
    upns: facts.sans.upns.length ? facts.sans.upns : undefined,
    uris: more.uris.length ? more.uris : undefined,
    ipAddresses: more.ipAddresses.length ? more.ipAddresses : undefined,
  });
  return {
    key_props: compact({
      exportable: sent?.key_props?.exportable ?? true,
      kty: key.kty === "EC" ? "EC" : "RSA",
      key_size: key.kty === "EC" ? curveBits(key.curve) : key.size,
      reuse_key: sent?.key_props?.reuse_key ?? false,
      crv: key.kty === "EC" ? key.curve : undefined,
    }),
    secret_props: { contentType },
    x509_props: compact({
      subject: facts.subject,
      sans: Object.keys(sans).length ? sans : undefined,
      ekus: facts.ekus,
      key_usage: facts.keyUsage,
      validity_months: monthsBetween(facts.notBefore, facts.notAfter),
    }),
    lifetime_actions: sent?.lifetime_actions ?? [
      { trigger: { lifetime_percentage: 80 }, action: { action_type: "EmailContacts" } },
    ],
    issuer: { name: "Unknown", ...(sent?.issuer ?? {}) },
    attributes: { enabled: true, ...(sent?.attributes ?? {}) },
  };
}

/** The policy as `apiVersion` shows it: members that version does not define are left out. */
export function policyForVersion(p: KvPolicy, apiVersion: string): KvPolicy {
  const out = clone(p);
  const sans = out.x509_props?.sans;
  if (sans && !versionAtLeast(apiVersion, SAN_URIS_AND_IPS_SINCE)) {
    delete sans.uris;
    delete sans.ipAddresses;
    if (Object.keys(sans).length === 0) delete out.x509_props!.sans;
  }
  return out;
}
