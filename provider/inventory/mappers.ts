// Pure mappers from what ARM and Key Vault send to inventory records, and the links between them.
// No network, no clock: the run's time is passed in. The wire shapes are read with the resources'
// own mappers, so a certificate reads the same here as in a program's outputs.
import { fetched } from "../apim-certificate/diff";
import { toOutputs } from "../apim-certificate/mappers";
import type { CertificateContract } from "../apim-certificate/types";
import { parseSecretIdentifier } from "../apim-certificate/validate";
import { certificateOutputs, toPublicPolicy } from "../keyvault-policy/mappers";
import { parsePolicyId } from "../keyvault-policy/outputs";
import type { CertificatePolicy } from "../keyvault-policy/types";
import { isoSeconds } from "../json-values";
import { describeCertificate } from "../pki";
import type {
  ApimSource,
  InventoryRecord,
  ListedKeyVaultCertificate,
  RenewalSummary,
  WireCertificateItem,
} from "./types";

const DAY = 24 * 60 * 60 * 1000;

/** Whole days from `now` until `expirationDate` (rounded down; negative once expired). */
export function daysLeft(expirationDate: string | undefined, now: Date): number | undefined {
  if (!expirationDate) return undefined;
  const t = new Date(expirationDate).getTime();
  return Number.isNaN(t) ? undefined : Math.floor((t - now.getTime()) / DAY);
}

/** `https://contoso-kv.vault.azure.net` → `contoso-kv`; another host → `host[:port]`. */
export function vaultLabel(vaultBaseUrl: string, vaultDnsSuffix = "vault.azure.net"): string {
  const url = new URL(vaultBaseUrl);
  const suffix = `.${vaultDnsSuffix.replace(/^\.+/, "").toLowerCase()}`;
  const host = url.hostname.toLowerCase();
  return host.endsWith(suffix) && url.port === "" ? host.slice(0, -suffix.length) : url.host;
}

/** The secret identifier's vault, name and version, or `undefined` when it is not one. */
function secretParts(secretIdentifier: string | undefined) {
  if (!secretIdentifier) return undefined;
  const parsed = parseSecretIdentifier(secretIdentifier);
  return "property" in parsed ? undefined : parsed;
}

/** An API Management certificate as `GET .../certificates` lists it. */
export function apimRecord(contract: CertificateContract, now: Date): InventoryRecord {
  const outs = toOutputs(contract, undefined, {});
  const kv = outs.keyVault;
  const version = kv ? secretParts(kv.secretIdentifier)?.version : undefined;
  const source: ApimSource = kv
    ? {
        type: "keyVault",
        secretIdentifier: kv.secretIdentifier,
        ...(kv.identityClientId ? { identityClientId: kv.identityClientId } : {}),
        ...(version ? { pinnedVersion: version } : {}),
        ...(kv.lastStatus ? { lastStatus: kv.lastStatus } : {}),
        fetchFailed: !fetched(outs),
      }
    : { type: "pfx" };
  const notes: string[] = [];
  if (kv) {
    if (version) {
      notes.push(`reads version ${version} of its secret: it does not follow renewals`);
    }
    if (source.fetchFailed) {
      const status = kv.lastStatus;
      const why = status?.code && status.code !== "Success" ? status.code : "no certificate";
      notes.push(
        `API Management's last fetch from Key Vault failed (${why}${status?.message ? `: ${status.message}` : ""})`,
      );
    }
  }
  return finish(
    {
      kind: "apim",
      id: outs.resourceId,
      displayName: `${outs.serviceName}/${outs.certificateId}`,
      thumbprint: outs.thumbprint,
      subject: outs.subject,
      expirationDate: outs.expirationDate,
      apim: {
        subscriptionId: outs.subscriptionId,
        resourceGroupName: outs.resourceGroupName,
        serviceName: outs.serviceName,
        certificateId: outs.certificateId,
        source,
      },
      notes,
    },
    now,
  );
}

/** The lifetime action of a policy, and when it triggers for a version valid from `notBefore` to `expires`. */
export function renewalOf(
  policy: CertificatePolicy,
  notBefore: string | undefined,
  expires: string | undefined,
): RenewalSummary | undefined {
  const action = policy.lifetimeActions?.[0];
  if (!action?.action) return undefined;
  const out: RenewalSummary = { action: action.action };
  const start = notBefore ? new Date(notBefore).getTime() : NaN;
  const end = expires ? new Date(expires).getTime() : NaN;
  let at: number | undefined;
  if (action.lifetimePercentage !== undefined) {
    out.lifetimePercentage = action.lifetimePercentage;
    if (!Number.isNaN(start) && !Number.isNaN(end))
      at = start + ((end - start) * action.lifetimePercentage) / 100;
  } else if (action.daysBeforeExpiry !== undefined) {
    out.daysBeforeExpiry = action.daysBeforeExpiry;
    if (!Number.isNaN(end)) at = end - action.daysBeforeExpiry * DAY;
  }
  if (at !== undefined) out.at = isoSeconds(new Date(at));
  return out;
}

/** The certificate's subject from the bundle's DER, in the form API Management reports subjects. */
function subjectOf(cer: string | undefined): string | undefined {
  if (!cer) return undefined;
  try {
    return describeCertificate(Buffer.from(cer, "base64")).subject;
  } catch {
    return undefined;
  }
}

/** The certificate's name in the vault, from the list item's (or the bundle's) id. */
export function keyVaultAddress(item: WireCertificateItem): {
  vaultBaseUrl: string;
  certificateName: string;
} {
  const address = parsePolicyId(item.id);
  if (!address) throw new Error(`Key Vault listed an unexpected certificate id: ${String(item.id)}`);
  return address;
}

/** A Key Vault certificate: its list item and its bundle (latest version, with the policy). */
export function keyVaultRecord(
  listed: ListedKeyVaultCertificate,
  now: Date,
  vaultDnsSuffix?: string,
): InventoryRecord {
  const { vaultBaseUrl, certificateName } = keyVaultAddress(listed.item);
  const bundle = listed.bundle;
  // Without the bundle, the list item still has the latest version's thumbprint and dates.
  const version = certificateOutputs(bundle ?? { x5t: listed.item.x5t, attributes: listed.item.attributes });
  const policy = bundle?.policy ? toPublicPolicy(bundle.policy) : bundle ? {} : undefined;
  const enabled = bundle?.attributes?.enabled ?? listed.item.attributes?.enabled;
  const notes: string[] = [];
  if (listed.readError) notes.push(`could not read the certificate and its policy: ${listed.readError}`);
  if (enabled === false) notes.push("its current version is disabled");
  if (!version.thumbprint) notes.push("no issued version yet (pending)");
  const renewal = policy && renewalOf(policy, version.notBefore, version.expirationDate);
  return finish(
    {
      kind: "keyVault",
      id: `${vaultBaseUrl}/certificates/${certificateName}`,
      displayName: `${vaultLabel(vaultBaseUrl, vaultDnsSuffix)}/${certificateName}`,
      thumbprint: version.thumbprint,
      subject: subjectOf(bundle?.cer),
      expirationDate: version.expirationDate,
      notBefore: version.notBefore,
      keyVault: {
        vaultBaseUrl,
        certificateName,
        ...(version.version ? { version: version.version } : {}),
        ...(enabled !== undefined ? { enabled } : {}),
        ...(policy ? { policy } : {}),
        ...(policy?.issuer?.name ? { issuer: policy.issuer.name } : {}),
        ...(renewal ? { renewal } : {}),
        readBy: [],
      },
      notes,
    },
    now,
  );
}

function finish(record: InventoryRecord, now: Date): InventoryRecord {
  // daysLeft next to the dates it counts from, in the JSON too.
  const { apim, keyVault, notes, ...facts } = record;
  const ordered: InventoryRecord = {
    ...facts,
    daysLeft: daysLeft(record.expirationDate, now),
    apim,
    keyVault,
    notes,
  };
  // Members left undefined are dropped, so that the JSON holds only what is known.
  return JSON.parse(JSON.stringify(ordered)) as InventoryRecord;
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * Links each API Management certificate that reads a Key Vault secret to the listed Key Vault
 * certificate it belongs to (a certificate's secret has the certificate's name), both ways, and
 * notes a pinned version that is no longer the current one. Returns new records.
 */
export function linkRecords(records: InventoryRecord[]): InventoryRecord[] {
  const out = records.map((r) => JSON.parse(JSON.stringify(r)) as InventoryRecord);
  const vaultCerts = out.filter((r) => r.keyVault);
  for (const r of out) {
    const source = r.apim?.source;
    const secret = secretParts(source?.secretIdentifier);
    if (!source || !secret) continue;
    const kv = vaultCerts.find(
      (k) =>
        same(new URL(k.keyVault!.vaultBaseUrl).origin, secret.vaultUrl) &&
        same(k.keyVault!.certificateName, secret.name),
    );
    if (!kv) continue;
    source.keyVaultCertificate = kv.id;
    kv.keyVault!.readBy.push(r.id);
    const current = kv.keyVault!.version;
    if (source.pinnedVersion && current && !same(source.pinnedVersion, current)) {
      r.notes.push(`the pinned version is not Key Vault's current one (${current})`);
    }
  }
  for (const kv of vaultCerts) {
    const readers = kv.keyVault!.readBy.length;
    if (readers > 0)
      kv.notes.push(`read by ${readers} API Management certificate${readers === 1 ? "" : "s"}`);
  }
  return out;
}

/** Soonest expiry first; certificates without a known expiry last; then by kind and name. */
export function sortByExpiry(records: InventoryRecord[]): InventoryRecord[] {
  const when = (r: InventoryRecord) => (r.expirationDate ? new Date(r.expirationDate).getTime() : Infinity);
  return [...records].sort(
    (a, b) =>
      when(a) - when(b) ||
      a.kind.localeCompare(b.kind) ||
      a.displayName.toLowerCase().localeCompare(b.displayName.toLowerCase()) ||
      a.id.localeCompare(b.id),
  );
}
