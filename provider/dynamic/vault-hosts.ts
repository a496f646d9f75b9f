// Which Key Vault hosts an input may name, as both resources' checks decide it: a Key Vault token
// (the provider's, or API Management's identity's) will be sent to that host.
import { isTrustedVaultHost } from "../transport";

/** Where Key Vaults may live: the cloud's vault DNS suffix and the hosts trusted besides. */
export interface VaultHosts {
  /** The cloud's Key Vault DNS suffix, e.g. `vault.azure.net`. */
  vaultDnsSuffix: string;
  /**
   * `azure-certs:trustedVaultHosts`: hosts accepted although outside the suffix (a local emulator),
   * a host name (any port) or `host:port`, matched by the transport's own rule
   * (`isTrustedVaultHost`), so that check accepts exactly the vaults the transport sends a token to.
   */
  trustedHosts?: readonly string[];
}

/** The suffix as hosts are compared with it: lower case, no leading or trailing dots. */
export function normaliseSuffix(suffix: string): string {
  return suffix
    .trim()
    .toLowerCase()
    .replace(/^\.+|\.+$/g, "");
}

/**
 * Whether the URL's host may be used: `"ok"` for a host trusted by `trustedHosts` or a vault right
 * under the suffix (one label, no port); `"outside"` for any other host, look-alikes such as
 * `vault.azure.net.example.com` included; `"port"` for a vault under the suffix with a port.
 */
export function vaultHostVerdict(url: URL, hosts: VaultHosts): "ok" | "outside" | "port" {
  // `url.host` keeps a port that is not https's default, as the transport sees the vault.
  if (isTrustedVaultHost(url.host, hosts.trustedHosts ?? [])) return "ok";
  const suffix = normaliseSuffix(hosts.vaultDnsSuffix);
  const host = url.hostname.toLowerCase();
  const label = host.endsWith("." + suffix) ? host.slice(0, -suffix.length - 1) : "";
  if (label === "" || label.includes(".")) return "outside";
  return url.port === "" ? "ok" : "port";
}
