// Listing through the transport (credentials, clouds, retries, trusted hosts and errors of the
// resources): API Management certificates page by page (`nextLink`), Key Vault certificates page by
// page, then each certificate's latest version with its policy. Only GETs.
import { DEFAULT_APIM_API_VERSION, type CertificateContract } from "../apim-certificate/types";
import {
  DEFAULT_KEY_VAULT_API_VERSION,
  type WireCertificateBundle,
  type WireCertificatePolicy,
} from "../keyvault-policy/types";
import { AzureRequestError, type AzureTransport } from "../transport";
import { keyVaultAddress } from "./mappers";
import { type ApimServiceTarget, certificateListPath, serviceId } from "./targets";
import type {
  ListedKeyVaultCertificate,
  WireCertificateCollection,
  WireCertificateItem,
  WireCertificateListResult,
} from "./types";

/** What the listing reports while it works (the command prints it on stderr). */
export type Progress = (message: string) => void;

/** More pages than any service or vault holds: a `nextLink` loop, not a list. */
const MAX_PAGES = 10_000;
/** Certificates of a vault read at the same time. */
const PARALLEL_READS = 4;

/** The transport's two calls, all the listing needs. */
export type ListingTransport = Pick<AzureTransport, "arm" | "keyVault">;

/**
 * Follows `nextLink` from `first` until the last page, calling `fetch` for each. A link seen twice
 * (a service that loops) is an error rather than an endless listing.
 */
async function pages<P extends { nextLink?: string | null }>(
  first: string,
  fetch: (path: string) => Promise<P>,
  onPage: (page: P, n: number) => void,
): Promise<void> {
  const seen = new Set<string>();
  let next: string | undefined = first;
  for (let n = 1; next; n++) {
    if (seen.has(next) || n > MAX_PAGES)
      throw new Error(`the list's nextLink repeats (${next}): stopped at page ${n}`);
    seen.add(next);
    const page = await fetch(next);
    onPage(page, n);
    next = page.nextLink ?? undefined;
  }
}

/** Every certificate of an API Management service, in the order ARM lists them. */
export async function listApimCertificates(
  transport: ListingTransport,
  target: ApimServiceTarget,
  progress: Progress = () => undefined,
): Promise<CertificateContract[]> {
  const out: CertificateContract[] = [];
  const resource = `API Management service "${target.serviceName}"`;
  await pages<WireCertificateCollection>(
    certificateListPath(target),
    async (path) =>
      (
        await transport.arm<WireCertificateCollection>({
          method: "GET",
          path,
          apiVersion: DEFAULT_APIM_API_VERSION,
          resource,
        })
      ).data,
    (page, n) => {
      out.push(...(page.value ?? []));
      progress(
        `${serviceId(target)}: page ${n}, ${out.length} certificate${out.length === 1 ? "" : "s"} so far`,
      );
    },
  );
  return out;
}

/** Runs `fn` over `items`, at most `limit` at a time, keeping the order. */
async function mapLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * Every certificate of a vault: the list (`GET /certificates`, page by page), then for each the
 * latest version (`GET /certificates/{name}`), whose bundle carries the policy; a bundle without
 * one is completed with `GET /certificates/{name}/policy`.
 */
export async function listKeyVaultCertificates(
  transport: ListingTransport,
  vaultBaseUrl: string,
  progress: Progress = () => undefined,
): Promise<ListedKeyVaultCertificate[]> {
  const apiVersion = DEFAULT_KEY_VAULT_API_VERSION;
  const items: WireCertificateItem[] = [];
  await pages<WireCertificateListResult>(
    "/certificates",
    async (path) =>
      (
        await transport.keyVault<WireCertificateListResult>(vaultBaseUrl, {
          method: "GET",
          path,
          apiVersion,
          resource: `the certificates of ${vaultBaseUrl}`,
        })
      ).data,
    (page, n) => {
      items.push(...(page.value ?? []));
      progress(
        `${vaultBaseUrl}: page ${n}, ${items.length} certificate${items.length === 1 ? "" : "s"} so far`,
      );
    },
  );
  let read = 0;
  return mapLimited(items, PARALLEL_READS, async (item) => {
    const { certificateName } = keyVaultAddress(item);
    const path = `/certificates/${encodeURIComponent(certificateName)}`;
    const resource = `Key Vault certificate "${certificateName}"`;
    const get = async <T>(p: string, what: string) =>
      (await transport.keyVault<T>(vaultBaseUrl, { method: "GET", path: p, apiVersion, resource: what }))
        .data;
    let listed: ListedKeyVaultCertificate;
    try {
      const bundle = await get<WireCertificateBundle>(path, resource);
      bundle.policy ??= await get<WireCertificatePolicy>(`${path}/policy`, `policy of ${resource}`);
      listed = { item, bundle };
    } catch (e) {
      // One certificate Key Vault refuses to show (403: a permission on it alone; 404: deleted
      // since the list) is listed from its list item; anything else is the vault's failure.
      if (!AzureRequestError.isInstance(e) || (e.status !== 403 && e.status !== 404)) throw e;
      listed = { item, readError: e.message };
    }
    read++;
    if (read === items.length || read % 10 === 0)
      progress(`${vaultBaseUrl}: read ${read} of ${items.length} certificates`);
    return listed;
  });
}
