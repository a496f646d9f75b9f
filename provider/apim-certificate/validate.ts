import { parsePfx, describeCertificate, PkiError } from "../pki";
import { closest } from "../dynamic/closest";
import { isUnknown, type CheckFailure } from "../dynamic/unknown";
import { isTrustedVaultHost, keyVaultHosts } from "../transport";
import {
  APIM_API_VERSIONS,
  APIM_INPUT_NAMES,
  APIM_KEY_VAULT_INPUT_NAMES,
  APIM_KEY_VAULT_OUTPUT_NAMES,
  APIM_OUTPUT_NAMES,
  DEFAULT_APIM_API_VERSION,
  type ApimApiVersion,
} from "./types";

// Name rules from the ARM specification (apimcertificates.json, 2024-05-01).
const CERTIFICATE_ID = /^[^*#&+:<>?]+$/;
const SERVICE_NAME = /^[a-zA-Z](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?$/;
const RESOURCE_GROUP = /^[-\w._()]+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SERVICE_ID =
  /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.ApiManagement\/service\/([^/]+)\/?$/i;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const DEFAULT_EXPIRY_WARNING_DAYS = 30;
/**
 * How far in the future a certificate's notBefore may be and still be accepted: the clock of the
 * machine that issued it may run a little ahead of this one. Beyond that, API Management would
 * serve a certificate that clients refuse as not yet valid.
 */
const NOT_BEFORE_TOLERANCE_MS = 5 * 60 * 1000;
// Keys Pulumi passes that are not inputs: the serialized provider.
const PASSED_THROUGH = new Set<string>(["__provider"]);
// The outputs check writes into its returned inputs, from the PFX in data.
const DERIVED = ["thumbprint", "subject", "expirationDate"] as const;

/** Where Key Vault secrets may live: the cloud's vault DNS suffix and the trusted vault hosts. */
export interface VaultHosts {
  /** The cloud's Key Vault DNS suffix, e.g. `vault.azure.net`. */
  vaultDnsSuffix: string;
  /** `azure-certs:trustedVaultHosts`: a host name (any port) or `host:port`. */
  trustedHosts: readonly string[];
}

/** What `check` needs besides the inputs: config defaults and the clock. */
export interface ApimCheckContext {
  defaultSubscriptionId?: string;
  now?: Date;
  /** Default: the provider process's transport (`keyVaultHosts()`), from the stack configuration. */
  vaultHosts?: VaultHosts;
}

/** Facts read from a PFX, in the forms APIM reports them. */
export interface PfxFacts {
  thumbprint: string;
  subject: string;
  expirationDate: string;
  notBefore: Date;
  notAfter: Date;
}

/** ISO 8601 UTC without milliseconds, as APIM writes dates. */
export function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/**
 * Opens a base64 PFX with its password. Returns the facts, or a failure naming `data` or
 * `password`; never echoes either value.
 */
export function readPfx(data: string, password: string): PfxFacts | CheckFailure {
  const compact = data.replace(/\s+/g, "");
  if (compact.length === 0 || !BASE64.test(compact)) {
    return { property: "data", reason: "must be the base64 encoding of a PKCS#12 (PFX) file" };
  }
  try {
    const bundle = parsePfx(Buffer.from(compact, "base64"), password);
    if (!bundle.privateKey) {
      return {
        property: "data",
        reason: "the PFX holds no private key; API Management needs the certificate with its private key",
      };
    }
    const facts = describeCertificate(bundle.certificates[0]);
    return {
      thumbprint: facts.thumbprint,
      subject: facts.subject,
      expirationDate: isoSeconds(facts.notAfter),
      notBefore: facts.notBefore,
      notAfter: facts.notAfter,
    };
  } catch (e) {
    if (e instanceof PkiError && e.reason === "password") {
      return { property: "password", reason: "does not open the PFX given in data (wrong password?)" };
    }
    return { property: "data", reason: "is not a readable PKCS#12 (PFX) file" };
  }
}

/** Parses a Key Vault secret URI; says how to fix a `/certificates/` URI. */
export function parseSecretIdentifier(
  value: string,
): { vaultUrl: string; name: string; version?: string } | CheckFailure {
  const property = "keyVault.secretIdentifier";
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return {
      property,
      reason: "must be a Key Vault secret URI such as https://myvault.vault.azure.net/secrets/mycert",
    };
  }
  const parts = url.pathname.split("/").filter(Boolean);
  if (url.protocol !== "https:") return { property, reason: "must be an https URI" };
  if (parts[0] === "certificates" && parts.length >= 2) {
    const fixed = `${url.origin}/secrets/${parts.slice(1).join("/")}`;
    return {
      property,
      reason: `is a /certificates/ URI; API Management reads the certificate through its secret: use ${fixed}`,
    };
  }
  if (parts[0] !== "secrets" || parts.length < 2 || parts.length > 3 || url.search || url.hash) {
    return { property, reason: "must be a Key Vault secret URI: https://{vault}/secrets/{name}[/{version}]" };
  }
  return { vaultUrl: url.origin, name: parts[1], version: parts[2] };
}

/**
 * Why a Key Vault secret's host may not be used, or `undefined` when it may: a vault under the
 * cloud's Key Vault DNS suffix (one label, no port), or a host trusted by
 * `azure-certs:trustedVaultHosts` (the transport's own rule). API Management sends its identity's
 * Key Vault token to that host, so a look-alike such as `vault.azure.net.example.com` is refused.
 */
export function vaultHostProblem(url: URL, hosts: VaultHosts): string | undefined {
  if (isTrustedVaultHost(url.host, hosts.trustedHosts)) return undefined;
  const suffix = hosts.vaultDnsSuffix.toLowerCase().replace(/^\.+|\.+$/g, "");
  const host = url.hostname.toLowerCase();
  const label = host.endsWith("." + suffix) ? host.slice(0, -suffix.length - 1) : "";
  if (label && !label.includes(".") && url.port === "") return undefined;
  return (
    `must be a secret in a vault under ${suffix} (this cloud's Key Vault DNS suffix), such as ` +
    `https://myvault.${suffix}/secrets/mycert; got host ${JSON.stringify(url.host)}. API Management sends its ` +
    "identity's token to this host; if it really is a vault (a local emulator), add it to azure-certs:trustedVaultHosts"
  );
}

type Raw = Record<string, unknown>;

const isGiven = (v: unknown) => v !== undefined && v !== null;

/** Failures for keys that are not inputs: unknown, misspelt, or outputs given as inputs. */
function checkKeys(
  given: Raw,
  allowed: readonly string[],
  outputs: readonly string[],
  where: { path: string; notAllowed: string; skip?: readonly string[] },
  fail: (property: string, reason: string) => void,
): void {
  for (const [k, v] of Object.entries(given)) {
    if (allowed.includes(k) || PASSED_THROUGH.has(k) || where.skip?.includes(k)) continue;
    // The resource class declares its outputs as undefined inputs: not given.
    if (outputs.includes(k) && !isGiven(v)) continue;
    const property = where.path ? `${where.path}.${k}` : k;
    if (outputs.includes(k)) {
      fail(property, "is an output of ApimCertificate, computed by API Management, not an input: remove it");
      continue;
    }
    const hint = closest(k, allowed);
    fail(
      property,
      where.notAllowed + (hint ? ` (did you mean ${hint}?)` : `; allowed: ${allowed.join(", ")}`),
    );
  }
}

function str(news: Raw, key: string): string | undefined {
  const v = news[key];
  return typeof v === "string" ? v : undefined;
}

/**
 * Validates and normalises the inputs of an `ApimCertificate` with no network call. Each failure
 * names the property as the user wrote it. With a PFX, the certificate's thumbprint, subject and
 * expiry are added to the inputs so that a preview shows them.
 */
export function checkApimInputs(
  news: Raw,
  ctx: ApimCheckContext = {},
): { inputs: Raw; failures: CheckFailure[] } {
  const failures: CheckFailure[] = [];
  const fail = (property: string, reason: string) => failures.push({ property, reason });
  const inputs: Raw = { ...news };
  for (const derived of DERIVED) delete inputs[derived];
  // The outputs check derives from data are its own when they match (its inputs checked again);
  // any other output given is the user's, and refused once the PFX has been read (below).
  checkKeys(
    news,
    APIM_INPUT_NAMES,
    APIM_OUTPUT_NAMES,
    { path: "", notAllowed: "is not an input of ApimCertificate", skip: DERIVED },
    fail,
  );
  for (const k of APIM_OUTPUT_NAMES) delete inputs[k];

  // Where: the service id, or its three parts.
  const serviceId = news.serviceId;
  if (serviceId !== undefined && !isUnknown(serviceId)) {
    const m = typeof serviceId === "string" ? SERVICE_ID.exec(serviceId) : null;
    if (!m) {
      fail(
        "serviceId",
        "must be an API Management service id: /subscriptions/{id}/resourceGroups/{group}/providers/Microsoft.ApiManagement/service/{name}",
      );
    } else {
      for (const [key, value] of [
        ["subscriptionId", m[1]],
        ["resourceGroupName", m[2]],
        ["serviceName", m[3]],
      ] as const) {
        const given = news[key];
        if (given !== undefined && !isUnknown(given) && String(given).toLowerCase() !== value.toLowerCase()) {
          fail(key, `is ${String(given)} but serviceId names ${value}; give one or the other`);
        }
        inputs[key] = value;
      }
    }
  }
  if (serviceId === undefined) {
    if (news.subscriptionId === undefined && ctx.defaultSubscriptionId) {
      inputs.subscriptionId = ctx.defaultSubscriptionId;
    }
    if (inputs.subscriptionId === undefined) {
      fail(
        "subscriptionId",
        "is required: set it, pass serviceId, or configure azure-native:subscriptionId (or ARM_SUBSCRIPTION_ID)",
      );
    }
    for (const key of ["resourceGroupName", "serviceName"]) {
      if (news[key] === undefined) fail(key, "is required (or pass serviceId)");
    }
  }
  const sub = inputs.subscriptionId;
  if (sub !== undefined && !isUnknown(sub) && (typeof sub !== "string" || !UUID.test(sub))) {
    fail("subscriptionId", `must be a subscription id (a UUID); got ${JSON.stringify(sub)}`);
  }
  const group = inputs.resourceGroupName;
  if (group !== undefined && !isUnknown(group)) {
    if (
      typeof group !== "string" ||
      group.length > 90 ||
      !RESOURCE_GROUP.test(group) ||
      group.endsWith(".")
    ) {
      fail(
        "resourceGroupName",
        "must be 1-90 letters, digits, '-', '_', '.', '(' or ')', not ending with '.'",
      );
    }
  }
  const service = inputs.serviceName;
  if (service !== undefined && !isUnknown(service)) {
    if (typeof service !== "string" || service.length > 50 || !SERVICE_NAME.test(service)) {
      fail(
        "serviceName",
        "must be 1-50 letters, digits or '-', starting with a letter and ending with a letter or digit",
      );
    }
  }
  const certificateId = news.certificateId;
  if (certificateId === undefined) {
    fail("certificateId", "is required");
  } else if (!isUnknown(certificateId)) {
    if (
      typeof certificateId !== "string" ||
      certificateId.length < 1 ||
      certificateId.length > 80 ||
      !CERTIFICATE_ID.test(certificateId) ||
      certificateId.includes("/")
    ) {
      fail("certificateId", "must be 1-80 characters and contain none of * # & + : < > ? /");
    }
  }

  const apiVersion = news.apiVersion ?? DEFAULT_APIM_API_VERSION;
  inputs.apiVersion = apiVersion;
  if (!isUnknown(apiVersion) && !APIM_API_VERSIONS.includes(apiVersion as ApimApiVersion)) {
    fail("apiVersion", `must be one of ${APIM_API_VERSIONS.join(", ")}; got ${JSON.stringify(apiVersion)}`);
  }

  const warnDays = news.expiryWarningDays ?? DEFAULT_EXPIRY_WARNING_DAYS;
  inputs.expiryWarningDays = warnDays;
  if (!isUnknown(warnDays) && (typeof warnDays !== "number" || !Number.isInteger(warnDays) || warnDays < 0)) {
    fail("expiryWarningDays", "must be a whole number of days, 0 or more");
  }
  if (
    news.importExisting !== undefined &&
    !isUnknown(news.importExisting) &&
    typeof news.importExisting !== "boolean"
  ) {
    fail("importExisting", "must be true or false");
  }
  if (
    news.refreshTrigger !== undefined &&
    !isUnknown(news.refreshTrigger) &&
    typeof news.refreshTrigger !== "string"
  ) {
    fail("refreshTrigger", "must be a string (for example a Key Vault certificate version or thumbprint)");
  }

  // The source: exactly one of a PFX or a Key Vault secret.
  const hasData = news.data !== undefined;
  const keyVault = news.keyVault;
  if (hasData === (keyVault !== undefined)) {
    fail(
      hasData ? "keyVault" : "data",
      "give exactly one certificate source: data (with password) or keyVault",
    );
  }
  if (news.password !== undefined && !hasData) {
    fail("password", "is only used with data");
  }
  let derivedFacts: PfxFacts | undefined;
  if (hasData && !isUnknown(news.data) && !isUnknown(news.password)) {
    const data = str(news, "data");
    const password = news.password === undefined ? "" : str(news, "password");
    if (data === undefined) fail("data", "must be a base64 string");
    else if (password === undefined) fail("password", "must be a string");
    else {
      const read = readPfx(data, password);
      if ("property" in read) failures.push(read);
      else {
        const now = ctx.now ?? new Date();
        if (read.notAfter.getTime() <= now.getTime()) {
          fail(
            "data",
            `the certificate ${read.subject} (thumbprint ${read.thumbprint}) expired on ${read.expirationDate}; upload a renewed certificate`,
          );
        } else if (read.notBefore.getTime() > now.getTime() + NOT_BEFORE_TOLERANCE_MS) {
          fail(
            "data",
            `the certificate ${read.subject} (thumbprint ${read.thumbprint}) is not valid before ${isoSeconds(read.notBefore)} ` +
              "(its notBefore); clients would refuse it until then: upload it from that date, or check the issuing machine's clock",
          );
        }
        inputs.data = data.replace(/\s+/g, "");
        derivedFacts = read;
        inputs.thumbprint = read.thumbprint;
        inputs.subject = read.subject;
        inputs.expirationDate = read.expirationDate;
      }
    }
  }
  for (const k of DERIVED) {
    const v = news[k];
    if (isGiven(v) && (isUnknown(v) || !derivedFacts || v !== derivedFacts[k])) {
      fail(k, "is an output of ApimCertificate, computed by API Management, not an input: remove it");
    }
  }
  if (keyVault !== undefined && !isUnknown(keyVault)) {
    if (typeof keyVault !== "object" || keyVault === null) {
      fail("keyVault", "must be an object { secretIdentifier, identityClientId? }");
    } else {
      const kv = keyVault as Raw;
      checkKeys(
        kv,
        APIM_KEY_VAULT_INPUT_NAMES,
        APIM_KEY_VAULT_OUTPUT_NAMES,
        { path: "keyVault", notAllowed: "is not a member of keyVault" },
        fail,
      );
      const id = kv.secretIdentifier;
      if (id === undefined) fail("keyVault.secretIdentifier", "is required");
      else if (!isUnknown(id)) {
        const parsed = typeof id === "string" ? parseSecretIdentifier(id) : undefined;
        if (!parsed) fail("keyVault.secretIdentifier", "must be a string");
        else if ("property" in parsed) failures.push(parsed);
        else {
          const problem = vaultHostProblem(new URL(parsed.vaultUrl), ctx.vaultHosts ?? keyVaultHosts());
          if (problem) fail("keyVault.secretIdentifier", problem);
        }
      }
      const client = kv.identityClientId;
      if (client !== undefined && client !== null && !isUnknown(client)) {
        if (typeof client !== "string" || !UUID.test(client)) {
          fail("keyVault.identityClientId", "must be the client id (a UUID) of a user-assigned identity");
        }
      }
    }
  }
  return { inputs, failures };
}
