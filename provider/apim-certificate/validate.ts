// `check` for ApimCertificate, without network: the schema (schema.ts) checks each input, then the
// code below checks what needs more: the service's parts from serviceId or the configuration,
// exactly one certificate source, the PFX itself (it opens, holds a key, is valid now) and the Key
// Vault host against the cloud. Each failure names the property as the user wrote it.
import { check } from "../dynamic/schema";
import { isUnknown, type CheckFailure } from "../dynamic/unknown";
import { normaliseSuffix, vaultHostVerdict, type VaultHosts } from "../dynamic/vault-hosts";
import { isoSeconds, isSet } from "../json-values";
import { describeCertificate, parsePfx, pfxLeafThroughOpenSsl, PkiError } from "../pki";
import { keyVaultHosts } from "../transport";
import {
  ApimInputsSchema,
  DERIVED_OUTPUTS,
  OUTPUT_GIVEN,
  SERVICE_PARTS,
  parseSecretIdentifier,
  parseServiceId,
} from "./schema";
import { APIM_OUTPUT_NAMES, DEFAULT_APIM_API_VERSION, DEFAULT_EXPIRY_WARNING_DAYS } from "./types";

export { parseSecretIdentifier };
export type { VaultHosts };

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/**
 * How far in the future a certificate's notBefore may be and still be accepted: the clock of the
 * machine that issued it may run a little ahead of this one. Beyond that, API Management would
 * serve a certificate that clients refuse as not yet valid.
 */
const NOT_BEFORE_TOLERANCE_MS = 5 * 60 * 1000;

/** What `check` needs besides the inputs: config defaults and the clock. */
export interface ApimCheckContext {
  defaultSubscriptionId?: string;
  now?: Date;
  /** Default: the provider process's transport (`keyVaultHosts()`), from the stack configuration. */
  vaultHosts?: VaultHosts;
  /**
   * The inputs as last checked (the engine's `olds`). When `data` and `password` are those, the
   * facts check derived from them then are used again and the PFX is not opened (see `openPfx`).
   */
  previous?: Raw;
}

/** Facts read from a PFX, in the forms APIM reports them. */
export interface PfxFacts {
  thumbprint: string;
  subject: string;
  expirationDate: string;
  notBefore: Date;
  notAfter: Date;
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
    const pfx = Buffer.from(compact, "base64");
    // OpenSSL first (fast; it opens only a PFX with a matching key); else the full reading, which
    // also says why a PFX does not open.
    let leaf = pfxLeafThroughOpenSsl(pfx, password);
    if (!leaf) {
      const bundle = parsePfx(pfx, password);
      if (!bundle.privateKey) {
        return {
          property: "data",
          reason: "the PFX holds no private key; API Management needs the certificate with its private key",
        };
      }
      leaf = bundle.certificates[0];
    }
    const facts = describeCertificate(leaf);
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

/**
 * Why a Key Vault secret's host may not be used, or `undefined` when it may: a vault under the
 * cloud's Key Vault DNS suffix (one label, no port), or a host trusted by
 * `azure-certs:trustedVaultHosts`. API Management sends its identity's Key Vault token to that
 * host, so a look-alike such as `vault.azure.net.example.com` is refused.
 */
function vaultHostProblem(url: URL, hosts: VaultHosts): string | undefined {
  if (vaultHostVerdict(url, hosts) === "ok") return undefined;
  const suffix = normaliseSuffix(hosts.vaultDnsSuffix);
  return (
    `must be a secret in a vault under ${suffix} (this cloud's Key Vault DNS suffix), such as ` +
    `https://myvault.${suffix}/secrets/mycert; got host ${JSON.stringify(url.host)}. API Management sends its ` +
    "identity's token to this host; if it really is a vault (a local emulator), add it to azure-certs:trustedVaultHosts"
  );
}

type Raw = Record<string, unknown>;
type Fail = (property: string, reason: string) => void;

/** The service's three parts: from serviceId (which must agree with any part given) or the inputs. */
function locateService(news: Raw, inputs: Raw, ctx: ApimCheckContext, fail: Fail): void {
  const serviceId = news.serviceId;
  if (serviceId === undefined) {
    if (news.subscriptionId === undefined && ctx.defaultSubscriptionId) {
      inputs.subscriptionId = ctx.defaultSubscriptionId;
      const [failure] = check(SERVICE_PARTS.subscriptionId, ctx.defaultSubscriptionId).failures;
      if (failure) fail("subscriptionId", `${failure.reason} (from azure-native:subscriptionId)`);
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
    return;
  }
  const parts = typeof serviceId === "string" ? parseServiceId(serviceId) : undefined;
  if (!parts) return; // unknown, or refused by the schema
  for (const [key, value] of Object.entries(parts)) {
    const given = news[key];
    if (given !== undefined && !isUnknown(given) && String(given).toLowerCase() !== value.toLowerCase()) {
      fail(key, `is ${String(given)} but serviceId names ${value}; give one or the other`);
    }
    inputs[key] = value;
  }
}

/**
 * The facts of a PFX that check opened before, from the inputs it returned then: the same `data`
 * and `password` hold the same certificate, so an unchanged resource costs no PFX opening at
 * preview (#14). Only the dates are checked again (by the caller): a certificate expires while it
 * stays unchanged. `notBefore` is not kept in the inputs; it was in the past, within the tolerance,
 * when the PFX was first checked, so it is taken as that earlier time.
 */
function checkedBefore(data: string, password: string, previous: Raw | undefined): PfxFacts | undefined {
  if (!previous || previous.password !== password || previous.data !== data.replace(/\s+/g, ""))
    return undefined;
  const { thumbprint, subject, expirationDate } = previous;
  if (typeof thumbprint !== "string" || typeof subject !== "string" || typeof expirationDate !== "string")
    return undefined;
  const notAfter = new Date(expirationDate);
  if (Number.isNaN(notAfter.getTime())) return undefined;
  return { thumbprint, subject, expirationDate, notAfter, notBefore: new Date(0) };
}

/** The PFX in data: it opens with the password, holds a key and is valid now. Its facts, or undefined. */
function openPfx(news: Raw, ctx: ApimCheckContext, failures: CheckFailure[]): PfxFacts | undefined {
  const { data, password = "" } = news;
  // Not known yet, or refused by the schema.
  if (typeof data !== "string" || typeof password !== "string" || isUnknown(data) || isUnknown(password)) {
    return undefined;
  }
  const read = checkedBefore(data, password, ctx.previous) ?? readPfx(data, password);
  if ("property" in read) {
    failures.push(read);
    return undefined;
  }
  const now = ctx.now ?? new Date();
  const which = `the certificate ${read.subject} (thumbprint ${read.thumbprint})`;
  if (read.notAfter.getTime() <= now.getTime()) {
    failures.push({
      property: "data",
      reason: `${which} expired on ${read.expirationDate}; upload a renewed certificate`,
    });
  } else if (read.notBefore.getTime() > now.getTime() + NOT_BEFORE_TOLERANCE_MS) {
    failures.push({
      property: "data",
      reason:
        `${which} is not valid before ${isoSeconds(read.notBefore)} (its notBefore); clients would refuse it ` +
        "until then: upload it from that date, or check the issuing machine's clock",
    });
  }
  return read;
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
  const { failures } = check(ApimInputsSchema, news);
  const fail: Fail = (property, reason) => failures.push({ property, reason });
  const inputs: Raw = { ...news };
  for (const k of APIM_OUTPUT_NAMES) delete inputs[k];
  locateService(news, inputs, ctx, fail);
  inputs.apiVersion = news.apiVersion ?? DEFAULT_APIM_API_VERSION;
  inputs.expiryWarningDays = news.expiryWarningDays ?? DEFAULT_EXPIRY_WARNING_DAYS;

  // The source: exactly one of a PFX or a Key Vault secret.
  const hasData = news.data !== undefined;
  if (hasData === (news.keyVault !== undefined)) {
    fail(
      hasData ? "keyVault" : "data",
      "give exactly one certificate source: data (with password) or keyVault",
    );
  }
  if (news.password !== undefined && !hasData) fail("password", "is only used with data");
  const facts = hasData ? openPfx(news, ctx, failures) : undefined;
  if (facts) {
    inputs.data = (news.data as string).replace(/\s+/g, "");
    for (const k of DERIVED_OUTPUTS) inputs[k] = facts[k];
  }
  // The outputs check derives from data are its own when they match (its inputs checked again).
  for (const k of DERIVED_OUTPUTS) {
    const given = news[k];
    if (isSet(given) && (isUnknown(given) || given !== facts?.[k])) fail(k, OUTPUT_GIVEN);
  }

  const secretId = (news.keyVault as Raw | undefined)?.secretIdentifier;
  const parsed = typeof secretId === "string" ? parseSecretIdentifier(secretId) : undefined;
  if (parsed && !("reason" in parsed)) {
    const problem = vaultHostProblem(new URL(parsed.vaultUrl), ctx.vaultHosts ?? keyVaultHosts());
    if (problem) fail("keyVault.secretIdentifier", problem);
  }
  return { inputs, failures };
}
