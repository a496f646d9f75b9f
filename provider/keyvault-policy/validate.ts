// `check` for KeyVaultCertificatePolicy: pure validation and normalisation, no network. The schema
// (schema.ts) checks each input; the code below checks the vault against the cloud (its URL, or
// the URL its name gives). Each failure names the property path as the user wrote it
// (`lifetimeActions[0].daysBeforeExpiry`) and says what is allowed. Values still unknown during a
// preview are let through, and so are the checks that depend on them.
import { check, describeValue } from "../dynamic/schema";
import { isUnknown, UNKNOWN, type CheckFailure } from "../dynamic/unknown";
import { normaliseSuffix, vaultHostVerdict, type VaultHosts } from "../dynamic/vault-hosts";
import { getPath, isRecord, isSet } from "../json-values";
import { policyInputsSchema, ValiditySchema, VaultNameSchema, type DaysBound } from "./schema";
import { KNOWN_VAULT_DNS_SUFFIXES, type KeyVaultCertificatePolicyInputs } from "./types";

/** What `checkInputs` needs to know about the cloud; supplied by the transport layer. */
export type CheckOptions = VaultHosts;

/** Azure public cloud, no trusted hosts. */
export const DEFAULT_CHECK_OPTIONS: CheckOptions = { vaultDnsSuffix: "vault.azure.net", trustedHosts: [] };

/** The outcome of `checkInputs`: the normalised inputs and every failure found. */
export interface CheckInputsResult {
  /** Normalised inputs: `vaultBaseUrl` always set when it can be, defaults filled, nulls removed. */
  inputs: KeyVaultCertificatePolicyInputs;
  /** Failures, each naming a property path as the user wrote it; empty when the inputs are valid. */
  failures: CheckFailure[];
}

type Fail = (property: string, reason: string) => void;

/** `https://{name}.{suffix}` for a vault name. */
export function vaultBaseUrlFromName(vaultName: string, vaultDnsSuffix: string): string {
  return `https://${vaultName.toLowerCase()}.${normaliseSuffix(vaultDnsSuffix)}`;
}

/** The vault URL's origin, or undefined with a failure: https, no path, a vault of this cloud. */
function vaultOrigin(value: string, options: CheckOptions, fail: Fail): string | undefined {
  const property = "vaultBaseUrl";
  const suffix = normaliseSuffix(options.vaultDnsSuffix);
  const example = `https://myvault.${suffix}`;
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return void fail(property, `must be an https URL such as ${example}; got ${describeValue(value)}`);
  }
  if (url.protocol !== "https:") {
    return void fail(
      property,
      `must use https (a Key Vault token is never sent unencrypted), as in ${example}; got ${describeValue(value)}`,
    );
  }
  if (url.username || url.password) {
    return void fail(property, "must not contain a user name or password; got a URL with credentials in it");
  }
  if ((url.pathname !== "/" && url.pathname !== "") || url.search || url.hash) {
    return void fail(
      property,
      `must be the vault's base URL without path, query or fragment, such as ${example}; got ${describeValue(value)}`,
    );
  }
  const verdict = vaultHostVerdict(url, options);
  if (verdict === "outside") {
    const host = url.hostname.toLowerCase();
    const other = KNOWN_VAULT_DNS_SUFFIXES.find((s) => s !== suffix && host.endsWith("." + s));
    return void fail(
      property,
      `must be a vault under ${suffix} (this cloud's Key Vault DNS suffix), such as ${example}; got host ${describeValue(host)}` +
        (other ? ` (a vault in the cloud whose suffix is ${other})` : "") +
        ". Other hosts are refused so that a Key Vault token is never sent to them",
    );
  }
  if (verdict === "port") {
    return void fail(
      property,
      `must not name a port for a vault under ${suffix}; got ${describeValue(value)}`,
    );
  }
  return url.origin;
}

/** The vault's base URL from vaultBaseUrl or vaultName (which must agree when both are set). */
function vaultBaseUrl(news: Record<string, unknown>, options: CheckOptions, fail: Fail): string | undefined {
  const { vaultBaseUrl: rawUrl, vaultName: rawName } = news;
  if (!isSet(rawUrl) && !isSet(rawName)) {
    return void fail(
      "vaultBaseUrl",
      `set either vaultBaseUrl (such as https://myvault.${normaliseSuffix(options.vaultDnsSuffix)}) or vaultName; neither is set`,
    );
  }
  const known = (x: unknown): x is string => typeof x === "string" && !isUnknown(x);
  const fromUrl = known(rawUrl) ? vaultOrigin(rawUrl, options, fail) : undefined;
  const fromName =
    known(rawName) && check(VaultNameSchema, rawName).valid
      ? vaultBaseUrlFromName(rawName, options.vaultDnsSuffix)
      : undefined;
  // Both given is fine only when they agree: checked inputs carry both, and check must accept its own output.
  if (fromUrl !== undefined && fromName !== undefined && fromUrl !== fromName) {
    return void fail(
      "vaultName",
      `set only one of vaultBaseUrl or vaultName; both are set and name different vaults (${fromUrl} and ${fromName})`,
    );
  }
  if (isUnknown(rawUrl) || (!isSet(rawUrl) && isUnknown(rawName))) return UNKNOWN;
  return fromUrl ?? fromName;
}

/** What bounds daysBeforeExpiry in these inputs (see `DaysBound`). */
function daysBound(news: Record<string, unknown>): DaysBound {
  const validity = getPath(news, ["x509Properties", "validityInMonths"]);
  if (!isSet(validity)) return "unmanaged";
  return typeof validity === "number" && !isUnknown(validity) && check(ValiditySchema, validity).valid
    ? validity
    : "managed";
}

/**
 * Validates and normalises the resource's inputs, without network.
 *
 * Normalisation (all idempotent: checking the result again gives the same inputs and no failure):
 * `vaultBaseUrl` becomes the URL's origin (lower-case host, no trailing slash) or is computed from
 * `vaultName` with `options.vaultDnsSuffix` (the name is kept as well); `restoreOnDelete` and
 * `importExisting` default to false (`apiVersion` is left unset: see DEFAULT_KEY_VAULT_API_VERSION);
 * `null` members are dropped (null means "not managed"); keys that are not inputs (the serialized
 * provider, output names) are left out, Pulumi puts the provider back itself.
 */
export function checkInputs(
  news: Record<string, unknown>,
  options: CheckOptions = DEFAULT_CHECK_OPTIONS,
): CheckInputsResult {
  const { failures, output } = check(policyInputsSchema(daysBound(news)), news);
  const url = vaultBaseUrl(news, options, (property, reason) => failures.push({ property, reason }));
  const inputs: Record<string, unknown> = isRecord(output) ? output : {};
  if (url !== undefined) inputs.vaultBaseUrl = url;
  inputs.restoreOnDelete ??= false;
  inputs.importExisting ??= false;
  return { inputs: inputs as unknown as KeyVaultCertificatePolicyInputs, failures };
}
