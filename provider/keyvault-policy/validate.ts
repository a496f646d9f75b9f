// `check` for KeyVaultCertificatePolicy: pure validation and normalisation, no network. Each failure
// names the property path as the user wrote it (`lifetimeActions[0].daysBeforeExpiry`) and says what
// is allowed. Values still unknown during a preview are let through, and so are the checks that
// depend on them.
import { closest } from "../dynamic/closest";
import { isUnknown, UNKNOWN, type CheckFailure } from "../dynamic/unknown";
import { isTrustedVaultHost } from "../transport";
import { getPath, isRecord, isSet } from "./members";
import { parseDistinguishedName } from "./subject";
import {
  COMPUTED_OUTPUT_NAMES,
  CONTENT_TYPES,
  KEY_CURVE_NAMES,
  KEY_TYPES,
  KEY_USAGES,
  KEY_VAULT_API_VERSIONS,
  KNOWN_VAULT_DNS_SUFFIXES,
  LIFETIME_ACTION_TYPES,
  type KeyCurveName,
  type KeyType,
  type KeyVaultCertificatePolicyInputs,
} from "./types";

/** What `checkInputs` needs to know about the cloud; supplied by the transport layer. */
export interface CheckOptions {
  /** The cloud's Key Vault DNS suffix, e.g. `vault.azure.net`; vault URLs must be inside it. */
  vaultDnsSuffix: string;
  /**
   * Hosts accepted as vault hosts although outside the suffix (a local emulator): a host name (any
   * port) or `host:port`, matched by the transport's own rule (`isTrustedVaultHost`), so that
   * `check` accepts exactly the vaults the transport will send a token to.
   */
  trustedHosts?: readonly string[];
}

/** Azure public cloud, no trusted hosts. */
export const DEFAULT_CHECK_OPTIONS: CheckOptions = { vaultDnsSuffix: "vault.azure.net", trustedHosts: [] };

/** The outcome of `checkInputs`: the normalised inputs and every failure found. */
export interface CheckInputsResult {
  /** Normalised inputs: `vaultBaseUrl` always set when it can be, defaults filled, nulls removed. */
  inputs: KeyVaultCertificatePolicyInputs;
  /** Failures, each naming a property path as the user wrote it; empty when the inputs are valid. */
  failures: CheckFailure[];
}

/** Key Vault's RSA key sizes for certificates. */
export const RSA_KEY_SIZES = [2048, 3072, 4096] as const;
/** Key size of each curve, as Key Vault reports `key_size` for EC keys. */
export const CURVE_KEY_SIZES: Record<KeyCurveName, number> = {
  "P-256": 256,
  "P-256K": 256,
  "P-384": 384,
  "P-521": 521,
};
/**
 * Upper bound of `validityInMonths`. The REST spec only says `minimum: 0` and has no maximum; 0 is
 * meaningless (and would leave no room for `daysBeforeExpiry`), so 1 is the floor. 1200 (100 years)
 * is this package's sanity bound against typos, not a documented Key Vault limit.
 */
export const MAX_VALIDITY_MONTHS = 1200;
/** Key Vault's factor between validity in months and the largest `daysBeforeExpiry`. */
export const DAYS_PER_MONTH_BOUND = 27;

const INPUT_KEYS = [
  "vaultBaseUrl",
  "vaultName",
  "certificateName",
  "apiVersion",
  "restoreOnDelete",
  "importExisting",
  "keyProperties",
  "secretProperties",
  "x509Properties",
  "lifetimeActions",
  "issuer",
  "attributes",
] as const;
// Keys Pulumi or the resource class may pass that are not inputs: the serialized provider and the
// output names the resource class declares.
const PASSED_THROUGH_KEYS = new Set<string>(["__provider", ...COMPUTED_OUTPUT_NAMES]);

const CERTIFICATE_NAME = /^[0-9a-zA-Z-]{1,127}$/;
const VAULT_NAME = /^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/;
const DNS_LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;
const EMAIL = /^[^\s@]+@[^\s@]+$/;
const EKU_OID = /^[0-2](?:\.(?:0|[1-9][0-9]*))+$/;

// ---------------------------------------------------------------------------------------------
// Describing values in messages.

function a(kind: string): string {
  return /^[aeiou]/.test(kind) ? `an ${kind}` : `a ${kind}`;
}

/** How a value reads after "got": `1024`, `"rsa"`, `a string ("2048")`, `an object`. */
function describeValue(v: unknown, withKind = false): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "an object";
  const shown =
    typeof v === "string" ? JSON.stringify(v.length > 200 ? v.slice(0, 200) + "..." : v) : String(v);
  return withKind ? `${a(typeof v)} (${shown})` : shown;
}

const oneOf = (values: readonly (string | number)[]) => values.join(", ");

// ---------------------------------------------------------------------------------------------
// The checker: type checks that record a failure and say whether further checks make sense.

class Checker {
  readonly failures: CheckFailure[] = [];

  fail(property: string, reason: string): void {
    this.failures.push({ property, reason });
  }

  /** A set, known value of the type: true. Unknown or unset: false, silently. Wrong type: failure. */
  string(property: string, v: unknown): v is string {
    if (!isSet(v) || isUnknown(v)) return false;
    if (typeof v === "string") return true;
    this.fail(property, `must be a string; got ${describeValue(v, true)}`);
    return false;
  }

  boolean(property: string, v: unknown): v is boolean {
    if (!isSet(v) || isUnknown(v)) return false;
    if (typeof v === "boolean") return true;
    this.fail(property, `must be a boolean (true or false); got ${describeValue(v, true)}`);
    return false;
  }

  integer(property: string, v: unknown, what: string): v is number {
    if (!isSet(v) || isUnknown(v)) return false;
    if (typeof v === "number" && Number.isInteger(v)) return true;
    this.fail(property, `must be ${what}; got ${describeValue(v, true)}`);
    return false;
  }

  object(property: string, v: unknown, keys: readonly string[]): v is Record<string, unknown> {
    if (!isSet(v) || isUnknown(v)) return false;
    if (!isRecord(v)) {
      this.fail(property, `must be an object with ${keys.join(", ")}; got ${describeValue(v, true)}`);
      return false;
    }
    for (const k of Object.keys(v)) {
      if (keys.includes(k)) continue;
      const hint = closest(k, keys);
      this.fail(
        `${property}.${k}`,
        `is not a member of ${property}` +
          (hint ? ` (did you mean ${hint}?)` : `; allowed: ${keys.join(", ")}`),
      );
    }
    return true;
  }

  list(property: string, v: unknown, of: string): v is unknown[] {
    if (!isSet(v) || isUnknown(v)) return false;
    if (Array.isArray(v)) return true;
    this.fail(property, `must be a list of ${of}; got ${describeValue(v, true)}`);
    return false;
  }

  /** One of an enumeration (case-sensitive, as Key Vault is); suggests the right spelling. */
  oneOf<T extends string>(property: string, v: unknown, allowed: readonly T[]): v is T {
    if (!this.string(property, v)) return false;
    if ((allowed as readonly string[]).includes(v)) return true;
    const hint = closest(v, allowed);
    this.fail(
      property,
      `must be one of ${oneOf(allowed)}; got ${describeValue(v)}` + (hint ? ` (did you mean ${hint}?)` : ""),
    );
    return false;
  }

  /** Every known string element of a list, with failures for the others and for repeats. */
  strings(
    property: string,
    v: unknown,
    of: string,
    valid: (s: string) => string | undefined,
    key: (s: string) => string = (s) => s,
    suggestions?: readonly string[],
  ): void {
    if (!this.list(property, v, of)) return;
    const seen = new Map<string, number>();
    v.forEach((item, i) => {
      const p = `${property}[${i}]`;
      if (!this.string(p, item)) {
        if (!isSet(item)) this.fail(p, `must be a string; got ${describeValue(item)}`);
        return;
      }
      const problem = valid(item);
      if (problem) {
        const hint = suggestions && closest(item, suggestions);
        this.fail(p, `${problem}; got ${describeValue(item)}` + (hint ? ` (did you mean ${hint}?)` : ""));
        return;
      }
      const k = key(item);
      const first = seen.get(k);
      if (first !== undefined) {
        this.fail(
          p,
          `repeats ${describeValue(item)} (also at index ${first}); Key Vault treats this list as a set`,
        );
      } else seen.set(k, i);
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Rules.

/**
 * The members of each group, in the order messages list them (the order a user reads them in the
 * Azure SDK). A unit test checks that they are exactly the members of POLICY_MEMBERS.
 */
export const GROUP_MEMBERS = {
  keyProperties: ["keyType", "keySize", "keyCurveName", "exportable", "reuseKey"],
  secretProperties: ["contentType"],
  x509Properties: ["subject", "subjectAlternativeNames", "enhancedKeyUsage", "keyUsage", "validityInMonths"],
  "x509Properties.subjectAlternativeNames": ["dnsNames", "emails", "userPrincipalNames"],
  issuer: ["name", "certificateType", "certificateTransparency"],
  attributes: ["enabled"],
} as const;

function validDnsName(s: string): string | undefined {
  const labels = s.split(".");
  const ok =
    s.length <= 253 &&
    labels.every((l, i) => (i === 0 && l === "*" && labels.length > 1) || DNS_LABEL.test(l));
  return ok
    ? undefined
    : "must be a DNS name such as www.contoso.com or *.contoso.com (dot-separated labels of letters, digits " +
        "and hyphens, at most 63 characters each; a wildcard only as the whole first label)";
}

function validEmail(s: string): string | undefined {
  const at = s.lastIndexOf("@");
  const domain = s.slice(at + 1);
  return EMAIL.test(s) && domain.includes(".") && !validDnsName(domain)
    ? undefined
    : "must be an e-mail address such as admin@contoso.com";
}

function validUpn(s: string): string | undefined {
  return EMAIL.test(s) ? undefined : "must be a user principal name such as user@contoso.com";
}

function validEku(s: string): string | undefined {
  return EKU_OID.test(s)
    ? undefined
    : "must be a dotted OID such as 1.3.6.1.5.5.7.3.1 (server authentication) or 1.3.6.1.5.5.7.3.2 (client authentication)";
}

function validKeyUsage(s: string): string | undefined {
  return (KEY_USAGES as readonly string[]).includes(s) ? undefined : `must be one of ${oneOf(KEY_USAGES)}`;
}

function normaliseSuffix(suffix: string): string {
  return suffix
    .trim()
    .toLowerCase()
    .replace(/^\.+|\.+$/g, "");
}

/** `https://{name}.{suffix}` for a vault name. */
export function vaultBaseUrlFromName(vaultName: string, vaultDnsSuffix: string): string {
  return `https://${vaultName.toLowerCase()}.${normaliseSuffix(vaultDnsSuffix)}`;
}

function checkVaultBaseUrl(c: Checker, value: string, options: CheckOptions): string | undefined {
  const property = "vaultBaseUrl";
  const suffix = normaliseSuffix(options.vaultDnsSuffix);
  const example = `https://myvault.${suffix}`;
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    c.fail(property, `must be an https URL such as ${example}; got ${describeValue(value)}`);
    return undefined;
  }
  if (url.protocol !== "https:") {
    c.fail(
      property,
      `must use https (a Key Vault token is never sent unencrypted), as in ${example}; got ${describeValue(value)}`,
    );
    return undefined;
  }
  if (url.username || url.password) {
    c.fail(property, `must not contain a user name or password; got a URL with credentials in it`);
    return undefined;
  }
  if ((url.pathname !== "/" && url.pathname !== "") || url.search || url.hash) {
    c.fail(
      property,
      `must be the vault's base URL without path, query or fragment, such as ${example}; got ${describeValue(value)}`,
    );
    return undefined;
  }
  const host = url.hostname.toLowerCase();
  // `url.host` keeps a port that is not https's default, as the transport sees the vault.
  const trusted = isTrustedVaultHost(url.host, options.trustedHosts ?? []);
  if (!trusted) {
    const label = host.endsWith("." + suffix) ? host.slice(0, -suffix.length - 1) : undefined;
    if (label === undefined || label.length === 0 || label.includes(".")) {
      const other = KNOWN_VAULT_DNS_SUFFIXES.find((s) => s !== suffix && host.endsWith("." + s));
      c.fail(
        property,
        `must be a vault under ${suffix} (this cloud's Key Vault DNS suffix), such as ${example}; got host ${describeValue(host)}` +
          (other ? ` (a vault in the cloud whose suffix is ${other})` : "") +
          ". Other hosts are refused so that a Key Vault token is never sent to them",
      );
      return undefined;
    }
    if (url.port !== "") {
      c.fail(property, `must not name a port for a vault under ${suffix}; got ${describeValue(value)}`);
      return undefined;
    }
  }
  return url.origin;
}

function checkVault(c: Checker, news: Record<string, unknown>, options: CheckOptions): string | undefined {
  const rawUrl = news.vaultBaseUrl;
  const rawName = news.vaultName;
  if (!isSet(rawUrl) && !isSet(rawName)) {
    c.fail(
      "vaultBaseUrl",
      `set either vaultBaseUrl (such as https://myvault.${normaliseSuffix(options.vaultDnsSuffix)}) or vaultName; neither is set`,
    );
    return undefined;
  }
  let fromUrl: string | undefined;
  if (c.string("vaultBaseUrl", rawUrl)) fromUrl = checkVaultBaseUrl(c, rawUrl, options);
  let fromName: string | undefined;
  if (c.string("vaultName", rawName)) {
    if (VAULT_NAME.test(rawName) && !rawName.includes("--")) {
      fromName = vaultBaseUrlFromName(rawName, options.vaultDnsSuffix);
    } else {
      c.fail(
        "vaultName",
        "must be 3-24 characters of letters, digits and hyphens, start with a letter, end with a letter or digit " +
          `and have no consecutive hyphens; got ${describeValue(rawName)}`,
      );
    }
  }
  if (isSet(rawUrl) && isSet(rawName)) {
    // Both given is fine only when they agree: checked inputs carry both, and check must accept its own output.
    if (fromUrl !== undefined && fromName !== undefined && fromUrl !== fromName) {
      c.fail(
        "vaultName",
        `set only one of vaultBaseUrl or vaultName; both are set and name different vaults (${fromUrl} and ${fromName})`,
      );
      return undefined;
    }
  }
  if (isUnknown(rawUrl) || (!isSet(rawUrl) && isUnknown(rawName))) return UNKNOWN;
  return fromUrl ?? fromName;
}

function checkKeyProperties(c: Checker, v: unknown): void {
  const P = "keyProperties";
  if (!c.object(P, v, GROUP_MEMBERS[P])) return;
  if (v.keyType === "oct" || v.keyType === "oct-HSM") {
    // In the REST enumeration, but symmetric: Key Vault cannot issue a certificate for it.
    c.fail(
      `${P}.keyType`,
      `must be one of ${oneOf(KEY_TYPES)}: a certificate needs a key pair, and ${v.keyType} is a symmetric key; got ${describeValue(v.keyType)}`,
    );
    return;
  }
  const keyType = c.oneOf<KeyType>(`${P}.keyType`, v.keyType, KEY_TYPES) ? (v.keyType as KeyType) : undefined;
  const curve = c.oneOf<KeyCurveName>(`${P}.keyCurveName`, v.keyCurveName, KEY_CURVE_NAMES)
    ? (v.keyCurveName as KeyCurveName)
    : undefined;
  const family = keyType?.replace(/-HSM$/, "") as "RSA" | "EC" | undefined;
  c.boolean(`${P}.exportable`, v.exportable);
  c.boolean(`${P}.reuseKey`, v.reuseKey);

  if (family === "EC" && !isSet(v.keyCurveName)) {
    c.fail(
      `${P}.keyCurveName`,
      `is required for EC keys (keyType ${keyType}): one of ${oneOf(KEY_CURVE_NAMES)}`,
    );
  }
  if (family === "RSA" && isSet(v.keyCurveName) && !isUnknown(v.keyCurveName)) {
    c.fail(
      `${P}.keyCurveName`,
      `is not allowed for ${family} keys (keyType ${keyType}): a curve applies only to EC keys; remove keyCurveName`,
    );
  }

  const size = v.keySize;
  if (!c.integer(`${P}.keySize`, size, "a whole number of bits")) return;
  const S = `${P}.keySize`;
  if (family === "RSA") {
    if (!(RSA_KEY_SIZES as readonly number[]).includes(size)) {
      c.fail(S, `must be one of ${oneOf(RSA_KEY_SIZES)} for RSA keys; got ${size}`);
    }
  } else if (family === "EC" || (!isSet(v.keyType) && curve !== undefined)) {
    if (curve !== undefined) {
      if (size !== CURVE_KEY_SIZES[curve]) {
        c.fail(
          S,
          `must be ${CURVE_KEY_SIZES[curve]} for curve ${curve} (or leave keySize unset); got ${size}`,
        );
      }
    } else if (![256, 384, 521].includes(size)) {
      c.fail(S, `must be one of 256, 384, 521 for EC keys; got ${size}`);
    }
  } else if (!isSet(v.keyType) && !isSet(v.keyCurveName)) {
    // No key type here (an invalid or unknown one was reported or let through above).
    const all = new Set<number>([...RSA_KEY_SIZES, 256, 384, 521]);
    if (!all.has(size)) {
      c.fail(
        S,
        `must be one of ${oneOf(RSA_KEY_SIZES)} (RSA) or 256, 384, 521 (EC); ` +
          `keyType is not set here, so the size must also suit the key type the policy already has; got ${size}`,
      );
    }
  }
}

function checkX509Properties(c: Checker, v: unknown): number | undefined {
  const P = "x509Properties";
  if (!c.object(P, v, GROUP_MEMBERS[P])) return undefined;
  if (c.string(`${P}.subject`, v.subject)) {
    const parsed = parseDistinguishedName(v.subject);
    if (!parsed.ok) {
      c.fail(
        `${P}.subject`,
        `must be an X.500 distinguished name such as "CN=contoso.com, O=Contoso": ${parsed.error}; got ${describeValue(v.subject)}`,
      );
    }
  }
  const S = "x509Properties.subjectAlternativeNames";
  const sans = v.subjectAlternativeNames;
  if (c.object(S, sans, GROUP_MEMBERS[S])) {
    c.strings(`${S}.dnsNames`, sans.dnsNames, "DNS names", validDnsName, (s) => s.toLowerCase());
    c.strings(`${S}.emails`, sans.emails, "e-mail addresses", validEmail);
    c.strings(`${S}.userPrincipalNames`, sans.userPrincipalNames, "user principal names", validUpn);
  }
  c.strings(`${P}.enhancedKeyUsage`, v.enhancedKeyUsage, "OIDs", validEku);
  c.strings(`${P}.keyUsage`, v.keyUsage, "key usages", validKeyUsage, undefined, KEY_USAGES);
  const validity = v.validityInMonths;
  const what = `a whole number of months from 1 to ${MAX_VALIDITY_MONTHS}`;
  if (c.integer(`${P}.validityInMonths`, validity, what)) {
    if (validity < 1 || validity > MAX_VALIDITY_MONTHS) {
      c.fail(`${P}.validityInMonths`, `must be ${what}; got ${validity}`);
      return undefined;
    }
    return validity;
  }
  return undefined;
}

function checkLifetimeActions(
  c: Checker,
  v: unknown,
  validityInMonths: number | undefined,
  validityManaged: boolean,
): void {
  const P = "lifetimeActions";
  if (!c.list(P, v, "lifetime actions")) return;
  if (v.length > 1) {
    // The schema has a list, but Key Vault answers 400 BadParameter "At most one action is allowed"
    // (Azure/azure-sdk-for-net#15633).
    c.fail(
      P,
      `may hold at most one action (Key Vault refuses more: "At most one action is allowed"); got ${v.length}. ` +
        'Keep one, such as [{ action: "AutoRenew", daysBeforeExpiry: 30 }], or [] for none',
    );
  }
  v.forEach((item, i) => {
    const A = `${P}[${i}]`;
    if (!isSet(item)) {
      c.fail(
        A,
        `must be a lifetime action such as { action: "AutoRenew", lifetimePercentage: 80 }; got ${describeValue(item)}`,
      );
      return;
    }
    if (!c.object(A, item, ["action", "lifetimePercentage", "daysBeforeExpiry"])) return;
    if (!isSet(item.action)) {
      c.fail(`${A}.action`, `is required: one of ${oneOf(LIFETIME_ACTION_TYPES)}`);
    } else c.oneOf(`${A}.action`, item.action, LIFETIME_ACTION_TYPES);

    const pct = item.lifetimePercentage;
    const pctWhat = "a whole percentage of the certificate's lifetime from 1 to 99";
    if (c.integer(`${A}.lifetimePercentage`, pct, pctWhat) && (pct < 1 || pct > 99)) {
      c.fail(`${A}.lifetimePercentage`, `must be ${pctWhat}; got ${pct}`);
    }

    const days = item.daysBeforeExpiry;
    const D = `${A}.daysBeforeExpiry`;
    if (validityInMonths !== undefined) {
      const max = validityInMonths * DAYS_PER_MONTH_BOUND;
      const what = `a whole number of days from 1 to ${max} (x509Properties.validityInMonths ${validityInMonths} x ${DAYS_PER_MONTH_BOUND})`;
      if (c.integer(D, days, what) && (days < 1 || days > max)) c.fail(D, `must be ${what}; got ${days}`);
    } else if (validityManaged) {
      // validityInMonths is set but unknown (preview) or invalid (reported): only the lower bound.
      const what = "a whole number of days of at least 1 (and at most x509Properties.validityInMonths x 27)";
      if (c.integer(D, days, what) && days < 1) c.fail(D, `must be ${what}; got ${days}`);
    } else {
      const what =
        "a whole number of days of at least 1 (at most the validity in months x 27; x509Properties.validityInMonths " +
        "is not set here, so Key Vault checks the upper bound against the policy's current validity)";
      if (c.integer(D, days, what) && days < 1) c.fail(D, `must be ${what}; got ${days}`);
    }

    const hasPct = isSet(pct);
    const hasDays = isSet(days);
    if (hasPct && hasDays) {
      c.fail(A, "must set exactly one trigger, lifetimePercentage or daysBeforeExpiry; got both");
    } else if (!hasPct && !hasDays) {
      c.fail(A, "must set exactly one trigger, lifetimePercentage or daysBeforeExpiry; got neither");
    }
  });
}

function checkIssuer(c: Checker, v: unknown): void {
  const P = "issuer";
  if (!c.object(P, v, GROUP_MEMBERS[P])) return;
  if (c.string(`${P}.name`, v.name) && v.name.trim().length === 0) {
    c.fail(
      `${P}.name`,
      `must be a non-empty issuer name: Self, Unknown or an issuer configured in the vault; got ""`,
    );
  }
  if (c.string(`${P}.certificateType`, v.certificateType) && v.certificateType.trim().length === 0) {
    c.fail(
      `${P}.certificateType`,
      `must be a non-empty certificate type such as OV-SSL or EV-SSL (leave it unset not to manage it); got ""`,
    );
  }
  c.boolean(`${P}.certificateTransparency`, v.certificateTransparency);
}

/** A copy without `null`/`undefined` object members (null means "not set"); lists are kept as given. */
function withoutNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map((x) => (isRecord(x) ? withoutNulls(x) : x));
  if (!isRecord(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (isSet(x)) out[k] = withoutNulls(x);
  return out;
}

/**
 * Validates and normalises the resource's inputs, without network.
 *
 * Normalisation (all idempotent: checking the result again gives the same inputs and no failure):
 * `vaultBaseUrl` becomes the URL's origin (lower-case host, no trailing slash) or is computed from
 * `vaultName` with `options.vaultDnsSuffix` (the name is kept as well); `apiVersion` defaults to
 * 7.4, `restoreOnDelete` and `importExisting` to false; `null` members are dropped (null means "not managed"); keys
 * that are not inputs (the serialized provider, output names) are left out, Pulumi puts the
 * provider back itself.
 */
export function checkInputs(
  news: Record<string, unknown>,
  options: CheckOptions = DEFAULT_CHECK_OPTIONS,
): CheckInputsResult {
  const c = new Checker();
  for (const k of Object.keys(news)) {
    if ((INPUT_KEYS as readonly string[]).includes(k)) continue;
    if (PASSED_THROUGH_KEYS.has(k)) {
      // The resource class passes its outputs as unset props; a value there came from the user.
      if (isSet(news[k]) && k !== "__provider") {
        c.fail(k, "is an output of KeyVaultCertificatePolicy (read from Key Vault), not an input: remove it");
      }
      continue;
    }
    const hint = closest(k, INPUT_KEYS);
    c.fail(
      k,
      "is not an input of KeyVaultCertificatePolicy" +
        (hint ? ` (did you mean ${hint}?)` : `; its inputs are ${INPUT_KEYS.join(", ")}`),
    );
  }

  const vaultBaseUrl = checkVault(c, news, options);

  const name = news.certificateName;
  if (!isSet(name)) c.fail("certificateName", "is required: the name of the certificate in the vault");
  else if (c.string("certificateName", name) && !CERTIFICATE_NAME.test(name)) {
    c.fail(
      "certificateName",
      `must be 1-127 characters of letters, digits and hyphens; got ${describeValue(name)}`,
    );
  }

  c.oneOf("apiVersion", news.apiVersion, KEY_VAULT_API_VERSIONS);
  c.boolean("restoreOnDelete", news.restoreOnDelete);
  c.boolean("importExisting", news.importExisting);

  checkKeyProperties(c, news.keyProperties);
  if (c.object("secretProperties", news.secretProperties, GROUP_MEMBERS.secretProperties)) {
    c.oneOf("secretProperties.contentType", news.secretProperties.contentType, CONTENT_TYPES);
  }
  const validity = checkX509Properties(c, news.x509Properties);
  const validityManaged = isSet(getPath(news, ["x509Properties", "validityInMonths"]));
  checkLifetimeActions(c, news.lifetimeActions, validity, validityManaged);
  checkIssuer(c, news.issuer);
  if (c.object("attributes", news.attributes, GROUP_MEMBERS.attributes)) {
    c.boolean("attributes.enabled", news.attributes.enabled);
  }

  const inputs: Record<string, unknown> = {};
  for (const k of INPUT_KEYS) if (isSet(news[k])) inputs[k] = withoutNulls(news[k]);
  if (vaultBaseUrl !== undefined) inputs.vaultBaseUrl = vaultBaseUrl;
  if (!isSet(inputs.restoreOnDelete)) inputs.restoreOnDelete = false;
  if (!isSet(inputs.importExisting)) inputs.importExisting = false;
  return { inputs: inputs as unknown as KeyVaultCertificatePolicyInputs, failures: c.failures };
}
