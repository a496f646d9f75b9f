/**
 * Key Vault's challenge-based authentication. A vault answers an unauthenticated request with
 * `401` and `WWW-Authenticate: Bearer authorization="https://login.../{tenant}", resource="https://vault.azure.net"`
 * (or `scope=`). The client takes the scope (and the tenant) from there, but only after checking
 * that the host it is talking to may receive a token for that scope: otherwise any server that
 * answers 401 with a vault's resource could collect Key Vault tokens.
 *
 * The rules follow @azure/keyvault-common's `keyVaultAuthenticationPolicy`: the vault host must end
 * with `.` + the challenge resource's host (`myvault.vault.azure.net` vs `vault.azure.net`). This
 * transport adds one rule of its own: the host must also lie under the configured cloud's Key Vault
 * DNS suffix. A host the user trusts explicitly (`azure-certs:trustedVaultHosts`, e.g. a local
 * emulator on `localhost`) skips the domain checks but may only ask for the cloud's Key Vault
 * audience, so that a trusted emulator cannot obtain, say, an ARM token.
 */

/** The parameters of a `Bearer` challenge this transport uses. */
export interface KeyVaultChallenge {
  /** The scope to request: `{resource}/.default`, or `scope=` as given. */
  scope: string;
  /** The tenant from `authorization=` / `authorization_uri=` (its first path segment), if any. */
  tenantId?: string;
  /** `authorization=` as given (an authority URL). */
  authorization?: string;
}

/**
 * Parses a `WWW-Authenticate` header value. Returns `undefined` when it holds no `Bearer` challenge
 * with a `resource=` or `scope=` (e.g. a CAE `insufficient_claims` challenge or another scheme).
 * Accepts quoted and unquoted values, commas inside quotes, and several challenges in one header.
 */
export function parseChallenge(header: string | undefined): KeyVaultChallenge | undefined {
  if (!header) return undefined;
  const params = bearerParams(header);
  if (!params) return undefined;
  const resource = params.get("resource");
  const scope = resource ? `${resource.replace(/\/+$/, "")}/.default` : params.get("scope");
  if (!scope) return undefined;
  const authorization = params.get("authorization") ?? params.get("authorization_uri");
  return { scope, tenantId: tenantFromAuthority(authorization), authorization };
}

/**
 * A claims challenge (continuous access evaluation, Conditional Access authentication context):
 * `Bearer error="insufficient_claims", claims="<base64 JSON>"`, as @azure/core-rest-pipeline's
 * bearer token policy reads it. `{ claims }` holds the decoded JSON to pass to `getToken`;
 * `{ invalid: true }` when the claims do not decode to a JSON object (not followed, like the SDK);
 * `undefined` when the header is no claims challenge.
 */
export function parseClaimsChallenge(
  header: string | undefined,
): { claims: string } | { invalid: true } | undefined {
  if (!header) return undefined;
  const params = bearerParams(header);
  const encoded = params?.get("claims");
  if (!params || params.get("error")?.toLowerCase() !== "insufficient_claims" || !encoded) return undefined;
  // Azure sends standard base64; base64url is accepted too.
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(encoded)) return { invalid: true };
  const claims = Buffer.from(encoded, "base64").toString("utf8");
  try {
    const parsed: unknown = JSON.parse(claims);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return { invalid: true };
  } catch {
    return { invalid: true };
  }
  return { claims };
}

/** The parameters of the first `Bearer` challenge of a header, names lower-cased. */
function bearerParams(header: string): Map<string, string> | undefined {
  // auth-param = token "=" ( token / quoted-string ), separated by commas; a new scheme starts with
  // a bare token followed by a space.
  const tokenRe = /\s*([A-Za-z0-9!#$%&'*+.^_`|~-]+)(\s*=\s*("((?:[^"\\]|\\.)*)"|[^,\s]*))?\s*,?/y;
  let pos = 0;
  let inBearer = false;
  let params: Map<string, string> | undefined;
  while (pos < header.length) {
    tokenRe.lastIndex = pos;
    const m = tokenRe.exec(header);
    if (!m || m[0].length === 0) break;
    pos = tokenRe.lastIndex;
    const [, name, assignment, rawValue, quoted] = m;
    if (!assignment) {
      // A scheme name (possibly followed by params on the same token run).
      if (inBearer) break;
      inBearer = name.toLowerCase() === "bearer";
      if (inBearer) params = new Map();
      continue;
    }
    if (inBearer && params) {
      const value = quoted !== undefined ? quoted.replace(/\\(.)/g, "$1") : rawValue;
      params.set(name.toLowerCase(), value);
    }
  }
  return params;
}

/** The tenant of an authority URL such as `https://login.microsoftonline.com/{tenant}[/...]`. */
function tenantFromAuthority(authority: string | undefined): string | undefined {
  if (!authority) return undefined;
  try {
    const segment = new URL(authority).pathname.split("/").filter(Boolean)[0];
    return segment ? decodeURIComponent(segment) : undefined;
  } catch {
    return undefined;
  }
}

/** What decides whether a vault host may receive a token for a challenge's scope. */
export interface VaultTrust {
  /** The cloud's Key Vault DNS suffix, e.g. `vault.azure.net`. */
  keyVaultDnsSuffix: string;
  /** The cloud's Key Vault audience, e.g. `https://vault.azure.net`. */
  keyVaultResource: string;
  /** Hosts the user trusts explicitly: a host name (any port) or `host:port`. */
  trustedVaultHosts: readonly string[];
}

/** `true` when the vault `host` (`name` or `name:port`) is listed in `trustedVaultHosts`. */
export function isTrustedVaultHost(host: string, trusted: readonly string[]): boolean {
  const h = host.toLowerCase();
  const hostname = stripPort(h);
  return trusted.some((t) => {
    const entry = t.trim().toLowerCase();
    return entry !== "" && (entry === h || entry === hostname);
  });
}

/** `true` when the host name lies under the cloud's Key Vault DNS suffix. */
export function isInVaultSuffix(host: string, keyVaultDnsSuffix: string): boolean {
  return stripPort(host.toLowerCase()).endsWith(`.${keyVaultDnsSuffix.toLowerCase()}`);
}

/**
 * Why a token for a vault host may not be sent at all (before any challenge), or `undefined` when
 * the host is acceptable: inside the cloud's vault suffix, or explicitly trusted.
 */
export function vaultHostRefusal(host: string, trust: VaultTrust): string | undefined {
  if (isTrustedVaultHost(host, trust.trustedVaultHosts) || isInVaultSuffix(host, trust.keyVaultDnsSuffix)) {
    return undefined;
  }
  return (
    `the host "${host}" is not a Key Vault of this cloud (its vaults live under "*.${trust.keyVaultDnsSuffix}"). ` +
    `If this host really is your vault (for example a local emulator), add it to azure-certs:trustedVaultHosts`
  );
}

/**
 * Why a token for `challenge.scope` may not be sent to `host`, or `undefined` when it may.
 * Untrusted hosts must lie under the cloud's vault suffix and end with the challenge resource's
 * domain; trusted hosts may only ask for the cloud's Key Vault audience.
 */
export function challengeRefusal(
  host: string,
  challenge: KeyVaultChallenge,
  trust: VaultTrust,
): string | undefined {
  let scopeUrl: URL;
  try {
    scopeUrl = new URL(challenge.scope);
  } catch {
    return `its authentication challenge names an invalid scope "${challenge.scope}"`;
  }
  const resource = `${scopeUrl.protocol}//${scopeUrl.host}`.toLowerCase();
  const expected = trust.keyVaultResource.replace(/\/+$/, "").toLowerCase();
  if (isTrustedVaultHost(host, trust.trustedVaultHosts)) {
    if (resource === expected) return undefined;
    return (
      `its authentication challenge asks for a token for "${resource}", but a trusted vault host may only ` +
      `receive tokens for this cloud's Key Vault audience "${expected}"`
    );
  }
  const hostRefusal = vaultHostRefusal(host, trust);
  if (hostRefusal) return hostRefusal;
  const hostname = stripPort(host.toLowerCase());
  if (scopeUrl.protocol !== "https:" || !hostname.endsWith(`.${scopeUrl.hostname.toLowerCase()}`)) {
    return (
      `its authentication challenge asks for a token for "${resource}", whose domain does not match the ` +
      `vault host "${hostname}"; the server may not be a real Key Vault`
    );
  }
  return undefined;
}

function stripPort(host: string): string {
  if (host.startsWith("[")) return host.slice(0, host.indexOf("]") + 1);
  const colon = host.lastIndexOf(":");
  return colon >= 0 && host.indexOf(":") === colon ? host.slice(0, colon) : host;
}
