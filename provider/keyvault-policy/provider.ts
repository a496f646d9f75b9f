/**
 * The KeyVaultCertificatePolicy provider: runs in the dynamic-provider process, loaded by name (see
 * `../dynamic/shell.ts`). A policy always exists with its certificate, so there is nothing to
 * create or delete in Key Vault: create adopts the certificate's policy and sets the members the
 * user manages, update sets those that changed, delete forgets it (or puts back what create found).
 * Policy changes never issue a certificate version; they apply at the next issuance. Every PATCH
 * carries the whole policy as just read, with the managed members applied (see `./patch.ts`).
 *
 * Calls, in order (all on the vault, api-version from `apiVersion`):
 * - check: none, except GET certificate when the resource is updated in place (see `check`);
 * - create: GET policy (remembered as `originalPolicy`); if a managed member differs from it, refuse
 *   unless `importExisting`, else PATCH policy; GET certificate (the current version);
 * - read: GET policy, GET certificate;
 * - update: GET policy, PATCH policy only if a member that changed differs from it; GET certificate
 *   only when check could not read the current version's facts;
 * - delete: nothing; with `restoreOnDelete`, GET policy and PATCH back what differs from `originalPolicy`.
 *
 * | operation | status | meaning |
 * |---|---|---|
 * | create: GET policy | 404 | no such certificate: fail, saying to create the certificate first; nothing changed (`CertificateNotFound`) |
 * | create: GET policy | 200, a managed member differs, no `importExisting` | maybe managed elsewhere: fail, naming the members (Key Vault's value → this resource's) and saying to set `importExisting: true` or match the inputs; nothing changed (`PolicyManagedElsewhere`) |
 * | create: PATCH policy | 400 | Key Vault refused the policy: fail (its message names the member); nothing changed |
 * | create: GET certificate after a PATCH | any error | partial create: the engine records the resource (with `originalPolicy`) and the next `up` finishes it (`CertificateReadFailed`) |
 * | read: GET policy or certificate | 404 | gone: blank id, `pulumi refresh` drops the resource |
 * | update: GET policy | 404 | certificate deleted elsewhere: fail, saying to run `pulumi refresh` (`CertificateDeletedElsewhere`) |
 * | delete with restoreOnDelete: GET policy | 404 | certificate gone: nothing to restore, success |
 * | any | 401, 403, 429, 5xx | the transport's error (authentication, permission, retries exhausted) |
 *
 * Every failure is an `AzureCertsError` (`../transport/errors.ts`); one that an Azure answer caused
 * keeps its request id, and the transport's error as `cause`. The codes are listed in
 * `../transport/README.md`.
 */
import type * as pulumi from "@pulumi/pulumi";
import {
  AzureCertsError,
  configureTransport,
  getTransport,
  isNotFound,
  keyVaultHosts,
  type AzureResponse,
} from "../transport";
import { checkResult } from "../dynamic/check-result";
import { guardProvider } from "../dynamic/guard";
import { compareInputs, diffInputs } from "./diff";
import { certificateOutputs, managedView, toPublicPolicy } from "./mappers";
import { getPath, isSet } from "../json-values";
import { memberName } from "./members";
import {
  parsePolicyId,
  policyId,
  policyInputs,
  policyOutputs,
  refreshManaged,
  type PolicyAddress,
  type PolicyState,
} from "./outputs";
import { differingMembers, managedMembers, policyPatch, restoreTarget } from "./patch";
import {
  DEFAULT_KEY_VAULT_API_VERSION,
  type CertificatePolicy,
  type CertificateVersionOutputs,
  type KeyVaultApiVersion,
  type KeyVaultCertificatePolicyInputs,
  type WireCertificateBundle,
  type WireCertificatePolicy,
} from "./types";
import { checkInputs } from "./validate";

type Raw = Record<string, unknown>;

export async function configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
  configureTransport(req.config);
}

/**
 * Validates and normalises the inputs from local configuration only, with one read-only exception.
 *
 * A preview shows an updated resource's outputs as what `check` returns (the Node dynamic-provider
 * host cannot declare outputs stable), and every output it leaves out is unknown: a dependent
 * `ApimCertificate` with `refreshTrigger: policy.version` would then show as changing too,
 * although setting a policy never issues a version. So for an update in place (nothing else is
 * ever sent to Key Vault at preview: an unchanged resource makes no call), `check` reads the
 * certificate's current version and returns its facts, which the update cannot change. If that
 * read fails (no credentials in the pipeline, no read access), they stay unknown, as before.
 */
export async function check(olds: Raw, news: Raw): Promise<pulumi.dynamic.CheckResult> {
  const { inputs, failures } = checkInputs(news, keyVaultHosts());
  if (failures.length === 0 && updatesInPlace(olds, inputs as unknown as Raw)) {
    Object.assign(inputs, await versionFacts(inputs as Target));
  }
  return checkResult(inputs, failures);
}

function updatesInPlace(olds: Raw, inputs: Raw): boolean {
  if (!isSet(olds.certificateName)) return false; // a create: there is no version yet
  const { replaces, updates } = compareInputs(olds, inputs);
  return replaces.length === 0 && updates.length > 0;
}

/** The current version's thumbprint, dates and id; none of them when Key Vault cannot be read. */
async function versionFacts(target: Target): Promise<Raw> {
  try {
    return { ...certificateOutputs((await getCertificate(target)).data) };
  } catch {
    return {};
  }
}

/** Only managed members count (Key Vault's defaults never show as drift); another vault or name replaces. */
export async function diff(_id: string, olds: Raw, news: Raw): Promise<pulumi.dynamic.DiffResult> {
  return diffInputs(olds, news);
}

// ---------------------------------------------------------------------------------------------
// Key Vault calls.

interface Target extends PolicyAddress {
  apiVersion?: KeyVaultApiVersion;
}

function policyPath(t: Target): string {
  return `/certificates/${encodeURIComponent(t.certificateName)}/policy`;
}

function getPolicy(t: Target): Promise<AzureResponse<WireCertificatePolicy>> {
  return getTransport().keyVault<WireCertificatePolicy>(t.vaultBaseUrl, {
    method: "GET",
    path: policyPath(t),
    apiVersion: t.apiVersion ?? DEFAULT_KEY_VAULT_API_VERSION,
    resource: `policy of Key Vault certificate "${t.certificateName}"`,
  });
}

function patchPolicy(t: Target, body: WireCertificatePolicy): Promise<AzureResponse<WireCertificatePolicy>> {
  return getTransport().keyVault<WireCertificatePolicy>(t.vaultBaseUrl, {
    method: "PATCH",
    path: policyPath(t),
    apiVersion: t.apiVersion ?? DEFAULT_KEY_VAULT_API_VERSION,
    body,
    resource: `policy of Key Vault certificate "${t.certificateName}"`,
  });
}

/** The certificate's latest version (no version segment in the path). */
function getCertificate(t: Target): Promise<AzureResponse<WireCertificateBundle>> {
  return getTransport().keyVault<WireCertificateBundle>(t.vaultBaseUrl, {
    method: "GET",
    path: `/certificates/${encodeURIComponent(t.certificateName)}`,
    apiVersion: t.apiVersion ?? DEFAULT_KEY_VAULT_API_VERSION,
    resource: `Key Vault certificate "${t.certificateName}"`,
  });
}

function describe(t: PolicyAddress): string {
  return `Key Vault certificate "${t.certificateName}" in ${t.vaultBaseUrl}`;
}

// ---------------------------------------------------------------------------------------------
// CRUD.

/**
 * Adopts the certificate's policy: remembers it, then sets the managed members that differ. A
 * resource that sets no member, or only members as Key Vault already has them, sends no PATCH; one
 * whose members differ is refused unless `importExisting` is true (`refuseSilentTakeover`).
 */
export async function create(inputs: KeyVaultCertificatePolicyInputs): Promise<pulumi.dynamic.CreateResult> {
  const target = inputs as Target;
  const current = await getPolicy(target).catch((e: unknown) => {
    if (!isNotFound(e)) throw e;
    throw new AzureCertsError(
      "CertificateNotFound",
      `${describe(target)} does not exist: KeyVaultCertificatePolicy manages the policy of an existing ` +
        "certificate. Create the certificate first (for example `az keyvault certificate create`, or a resource " +
        "this one depends on), check vaultBaseUrl/vaultName and certificateName, and run `pulumi up` again. " +
        `(${e.message})`,
      { cause: e },
    );
  });
  const originalPolicy = toPublicPolicy(current.data);
  refuseSilentTakeover(target, inputs, originalPolicy, current.requestId);
  const patch = policyPatch(inputs, current.data);
  const effective = patch ? (await patchPolicy(target, patch)).data : current.data;
  const id = policyId(target);
  const base = { settings: target, managed: inputs, policy: effective, originalPolicy };
  let bundle: WireCertificateBundle;
  try {
    bundle = (await getCertificate(target)).data;
  } catch (e) {
    if (!patch) throw e;
    // The policy was changed already: report a partial create, so that state remembers the policy
    // to restore and the next `pulumi up` completes the outputs.
    throw Object.assign(
      new AzureCertsError(
        "CertificateReadFailed",
        `the policy was set, but reading the certificate failed: ${(e as Error).message}`,
        { cause: e },
      ),
      {
        id,
        properties: policyOutputs(base),
        reasons: [(e as Error).message],
      },
    );
  }
  return { id, outs: policyOutputs({ ...base, bundle }) };
}

/** A member's value as a message shows it: JSON, lifetime actions compact, absent as "not set". */
function shown(v: unknown): string {
  return isSet(v) ? JSON.stringify(v) : "not set";
}

/**
 * Another stack (or a person) may already manage this certificate's policy: taking it over with
 * other values would fight it, silently. So at create, a policy Key Vault already holds with every
 * managed value is adopted as it is (no PATCH), and one where a managed member differs is refused
 * unless `importExisting` says to take it over, as `ApimCertificate` refuses silent adoption.
 */
function refuseSilentTakeover(
  target: Target,
  inputs: KeyVaultCertificatePolicyInputs,
  current: CertificatePolicy,
  requestId: string | undefined,
): void {
  if (inputs.importExisting === true) return;
  const differing = differingMembers(inputs, current);
  if (differing.length === 0) return;
  const have = managedView(current, inputs);
  const list = differing
    .map(
      (m) =>
        `${memberName(m)} (Key Vault: ${shown(getPath(have, m.path))} → this resource: ${shown(getPath(inputs, m.path))})`,
    )
    .join(", ");
  throw new AzureCertsError(
    "PolicyManagedElsewhere",
    `${describe(target)} already has a policy, and ${differing.length === 1 ? "a member" : "members"} this resource ` +
      `manages ${differing.length === 1 ? "differs" : "differ"} from it: ${list}. It is not taken over silently, ` +
      "since another stack or a person may manage it: set importExisting: true on this resource to take the policy " +
      "over (the members above are then set), or change the inputs to match Key Vault's values to adopt it as it is. " +
      "Nothing was changed.",
    { requestId },
  );
}

/** Where a read goes: the stored address when there is one, else the id (`KeyVaultCertificatePolicy.get`). */
function locate(id: string, props: Raw): Target {
  const fromState =
    typeof props.vaultBaseUrl === "string" && typeof props.certificateName === "string"
      ? { vaultBaseUrl: props.vaultBaseUrl, certificateName: props.certificateName }
      : undefined;
  const address = fromState ?? parsePolicyId(id);
  if (!address) {
    throw new AzureCertsError(
      "InvalidResourceId",
      `'${id}' is not a Key Vault certificate policy id: expected https://{vault}.vault.azure.net/certificates/{name}/policy ` +
        "(the policy's id as Key Vault returns it), or the certificate's id https://{vault}.vault.azure.net/certificates/{name}",
    );
  }
  const apiVersion =
    typeof props.apiVersion === "string" ? (props.apiVersion as KeyVaultApiVersion) : undefined;
  return { ...address, apiVersion };
}

/**
 * Reads the policy and the certificate's current version. The managed members keep their stored
 * values unless Key Vault now has other values (`refreshManaged`), so a renewal only refreshes
 * `effectivePolicy` and the version outputs, while a member changed elsewhere shows as a
 * difference on the next `up`. The inputs returned are the same members, so that `pulumi preview
 * --diff` after such a refresh marks the member the next `up` sets back.
 */
export async function read(id: string, props: Raw): Promise<pulumi.dynamic.ReadResult> {
  const target = locate(id, props);
  let policy: WireCertificatePolicy;
  let bundle: WireCertificateBundle;
  try {
    policy = (await getPolicy(target)).data;
    bundle = (await getCertificate(target)).data;
  } catch (e) {
    if (isNotFound(e)) return {};
    throw e;
  }
  const settings = {
    ...target,
    vaultName: typeof props.vaultName === "string" ? props.vaultName : undefined,
    restoreOnDelete: props.restoreOnDelete === true,
    importExisting: props.importExisting === true,
  };
  const managed = refreshManaged(props, toPublicPolicy(policy));
  const outs = policyOutputs({
    settings,
    managed,
    policy,
    bundle,
    originalPolicy: (props as Partial<PolicyState>).originalPolicy,
  });
  return { id, props: outs, inputs: policyInputs(settings, managed) };
}

/**
 * Sets the members that changed (in the program, or in Key Vault as a refresh saw it) and still
 * differ from Key Vault's policy; no PATCH when only `apiVersion`, `restoreOnDelete`,
 * `importExisting` or the spelling of the address changed. A member no longer set stops being
 * managed and keeps its value.
 */
export async function update(
  _id: string,
  olds: PolicyState,
  news: KeyVaultCertificatePolicyInputs,
): Promise<pulumi.dynamic.UpdateResult> {
  const target = news as Target;
  const { updates } = compareInputs(olds as unknown as Raw, news as unknown as Raw);
  const changed = managedMembers(news).filter((m) => updates.includes(memberName(m)));
  const current = await getPolicy(target).catch((e: unknown) => {
    if (!isNotFound(e)) throw e;
    throw new AzureCertsError(
      "CertificateDeletedElsewhere",
      `${describe(target)} no longer exists (deleted outside Pulumi?): run \`pulumi refresh\` to drop this ` +
        `resource from the state, then \`pulumi up\` once the certificate exists again. (${e.message})`,
      { cause: e },
    );
  });
  const patch = changed.length > 0 ? policyPatch(news, current.data, changed) : undefined;
  const effective = patch ? (await patchPolicy(target, patch)).data : current.data;
  // check read the current version moments ago for this update (see `check`), and setting a
  // policy never issues a version: its facts are used, and the certificate is read only without them.
  const known = knownVersion(news as unknown as Raw);
  const bundle = known ? undefined : (await getCertificate(target)).data;
  const outs = policyOutputs({
    settings: target,
    managed: news,
    policy: effective,
    bundle,
    originalPolicy: olds.originalPolicy ?? toPublicPolicy(current.data),
  });
  return { outs: known ? { ...outs, ...known } : outs };
}

/** The version facts check added to the inputs, when it could read all of them. */
function knownVersion(news: Raw): CertificateVersionOutputs | undefined {
  const keys = ["thumbprint", "expirationDate", "notBefore", "version"] as const;
  if (!keys.every((k) => typeof news[k] === "string")) return undefined;
  return Object.fromEntries(keys.map((k) => [k, news[k]])) as CertificateVersionOutputs;
}

/**
 * Forgets the policy. With `restoreOnDelete`, first puts back the managed members as they were
 * before this resource first changed them (only those that differ now; a certificate deleted in the
 * meantime has nothing to restore).
 */
async function remove(id: string, props: PolicyState): Promise<void> {
  if (props.restoreOnDelete !== true || !props.originalPolicy) return;
  const target = locate(id, props as unknown as Raw);
  let current: WireCertificatePolicy;
  try {
    current = (await getPolicy(target)).data;
  } catch (e) {
    if (isNotFound(e)) return;
    throw e;
  }
  const desired = restoreTarget(props, props.originalPolicy);
  const patch = policyPatch(desired, current);
  if (patch) await patchPolicy(target, patch);
}
export { remove as delete };

// Last: every exported method fails with its message alone (see ../dynamic/guard.ts).
guardProvider(module.exports);
