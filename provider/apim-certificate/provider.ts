/**
 * The ApimCertificate provider: runs in the dynamic-provider process, loaded by name (see
 * `../dynamic/shell.ts`). Create and update are the ARM PUT, read is GET, delete is DELETE, and a
 * Key Vault certificate is re-synchronised with POST .../refreshSecret.
 *
 * | operation | status | meaning |
 * |---|---|---|
 * | create: GET first | 200 | exists: adopt it if `importExisting` (or, identical, with `PULUMI_AZURE_CERTS_ADOPT_IDENTICAL`) and it matches, else refuse saying how (`CertificateExists`, `IdenticalCertificateExists`, `ExistingCertificateDiffers`) |
 * | create: GET first | 404 | free: PUT |
 * | create: GET first | 404 ParentResourceNotFound | no such service: fail, saying to create it or correct serviceId (the transport's error, code `ParentResourceNotFound`) |
 * | update with no ETag in state: GET first | 200, another certificate | changed elsewhere: fail, run `pulumi refresh` (`CertificateChangedElsewhere`; `CertificateWithoutEtag` when the answer has no ETag) |
 * | update: PUT with If-Match (the stored ETag, or the one just read) | 412, then GET holds what was sent | our own write whose answer was lost: done |
 * | update: PUT with If-Match | 412, then GET holds what state recorded | only the ETag moved: PUT again with the fresh ETag (once) |
 * | update: PUT with If-Match | 412, then GET holds something else | changed elsewhere: run `pulumi refresh` (`CertificateChangedElsewhere`, with the transport's message and the 412 as `cause`) |
 * | PUT, DELETE, refreshSecret | 201/202 with `Azure-AsyncOperation` or `Location` | accepted: polled until done, then the certificate read again; a failed operation fails with Azure's code |
 * | PUT, refreshSecret | 200 with a Key Vault `lastStatus` failure | API Management could not fetch the secret: fail (`KeyVaultFetchFailed`; a partial create at create) |
 * | read | 404 | gone: blank id, the engine drops it |
 * | delete: DELETE If-Match * | 404 | already gone: success |
 *
 * Every failure is an `AzureCertsError` (`../transport/errors.ts`); the codes are listed in
 * `../transport/README.md`.
 */
import type * as pulumi from "@pulumi/pulumi";
import {
  AzureCertsError,
  completeOperation,
  configureTransport,
  getTransport,
  defaultSubscriptionId,
  isNotFound,
  isPreconditionFailed,
  type AzureResponse,
} from "../transport";
import { checkResult } from "../dynamic/check-result";
import { guardProvider } from "../dynamic/guard";
import { diffApim, fetched, sameClientId, sameSecretIdentifier, sourceChanges } from "./diff";
import { certificatePath, keyVaultFailure, parseCertificateArmId, toOutputs, toWireBody } from "./mappers";
import type { ApimCertificateInputs, ApimCertificateOutputs, CertificateContract } from "./types";
import { DEFAULT_APIM_API_VERSION } from "./types";
import { checkApimInputs } from "./validate";

type Raw = Record<string, unknown>;

export async function configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
  configureTransport(req.config);
}

export async function check(olds: Raw, news: Raw): Promise<pulumi.dynamic.CheckResult> {
  const { inputs, failures } = checkApimInputs(news, {
    defaultSubscriptionId: defaultSubscriptionId(),
    previous: olds,
  });
  return checkResult(inputs, failures);
}

export async function diff(_id: string, olds: Raw, news: Raw): Promise<pulumi.dynamic.DiffResult> {
  return diffApim(olds, news);
}

function settingsOf(inputs: Partial<ApimCertificateInputs>) {
  return {
    apiVersion: inputs.apiVersion ?? DEFAULT_APIM_API_VERSION,
    refreshTrigger: inputs.refreshTrigger,
    expiryWarningDays: inputs.expiryWarningDays,
  };
}

function outputsOf(res: AzureResponse<CertificateContract>, inputs: Partial<ApimCertificateInputs>) {
  return toOutputs(res.data, res.headers["etag"], settingsOf(inputs));
}

export async function create(inputs: ApimCertificateInputs): Promise<pulumi.dynamic.CreateResult> {
  const { arm } = getTransport();
  const path = certificatePath(inputs);
  const apiVersion = inputs.apiVersion;
  const existing = await arm<CertificateContract>({ method: "GET", path, apiVersion }).catch((e) => {
    // A missing service answers 404 too (ParentResourceNotFound): that is no place to create in.
    if (isNotFound(e) && e.code !== "ParentResourceNotFound") return undefined;
    throw e;
  });
  if (existing) {
    const outs = adopt(existing, inputs, path);
    return { id: outs.resourceId, outs };
  }
  const res = await settle(
    await arm<CertificateContract>({ method: "PUT", path, apiVersion, body: toWireBody(inputs) }),
    "PUT",
    path,
    inputs,
  );
  const outs = outputsOf(res, inputs);
  const failure = keyVaultFailure(res.data);
  if (failure) {
    // The certificate exists in API Management now: a partial create puts it in state, and the next
    // `pulumi up` asks API Management to fetch it again (see diff and update).
    throw Object.assign(new AzureCertsError("KeyVaultFetchFailed", failure, { requestId: res.requestId }), {
      id: outs.resourceId,
      properties: outs,
      reasons: [failure],
    });
  }
  return { id: outs.resourceId, outs };
}

/**
 * The environment variable that, for the `pulumi up` it is set on, lets a create adopt an existing
 * certificate that is identical to what it would upload (same thumbprint, or same Key Vault
 * secret): the recovery after an interrupted deployment, whose creates reached Azure but not state.
 * An environment variable rather than stack configuration so that it lasts one command.
 */
const ADOPT_IDENTICAL_ENV = "PULUMI_AZURE_CERTS_ADOPT_IDENTICAL";

const adoptIdenticalRequested = () => /^(1|true|yes)$/i.test(process.env[ADOPT_IDENTICAL_ENV] ?? "");

/**
 * Takes over an existing certificate when asked to (`importExisting`, or `ADOPT_IDENTICAL_ENV`
 * for an identical one) and when it matches; refuses otherwise, saying how to adopt it.
 */
function adopt(
  existing: AzureResponse<CertificateContract>,
  inputs: ApimCertificateInputs,
  path: string,
): ApimCertificateOutputs {
  const where = describe(inputs);
  const outs = outputsOf(existing, inputs);
  const kv = existing.data.properties.keyVault;
  const mismatch = inputs.keyVault
    ? !sameSecretIdentifier(kv?.secretIdentifier, inputs.keyVault.secretIdentifier)
      ? `it reads ${kv?.secretIdentifier ?? "no Key Vault secret"}, keyVault.secretIdentifier is ${inputs.keyVault.secretIdentifier}`
      : undefined
    : kv?.secretIdentifier
      ? `it comes from Key Vault (${kv.secretIdentifier}), not from data`
      : outs.thumbprint !== inputs.thumbprint
        ? `it has thumbprint ${outs.thumbprint}, the PFX in data has ${inputs.thumbprint}`
        : undefined;
  const answer = { requestId: existing.requestId };
  if (!inputs.importExisting) {
    if (!mismatch && adoptIdenticalRequested()) return outs;
    if (!mismatch) {
      throw new AzureCertsError(
        "IdenticalCertificateExists",
        `${where} already exists and holds exactly this resource's certificate ` +
          `(${inputs.keyVault ? `Key Vault secret ${inputs.keyVault.secretIdentifier}` : `thumbprint ${outs.thumbprint}`}). ` +
          "It is not adopted silently. If an interrupted `pulumi up` of this stack created it (the likely case), run " +
          `\`pulumi refresh --clear-pending-creates --yes\` and then \`${ADOPT_IDENTICAL_ENV}=true pulumi up\` once: ` +
          "that takes over every certificate identical to its resource. To manage a certificate made elsewhere, set " +
          `importExisting: true on this resource; if another stack manages it, choose another certificateId. Its id is ${path}.`,
        answer,
      );
    }
    throw new AzureCertsError(
      "CertificateExists",
      `${where} already exists. It is not adopted silently: to manage it, set importExisting: true on this ` +
        `resource (pulumi import does not work for dynamic resources), or choose another certificateId. ` +
        `Its id is ${path}.`,
      answer,
    );
  }
  if (mismatch) {
    throw new AzureCertsError(
      "ExistingCertificateDiffers",
      `${where} exists but differs from this resource's inputs: ${mismatch}. importExisting adopts a ` +
        "certificate only as it is; give the inputs that match it, import it, then change them.",
      answer,
    );
  }
  return outs;
}

export async function read(id: string, props: Raw): Promise<pulumi.dynamic.ReadResult> {
  const loc = parseCertificateArmId(id);
  if (!loc) {
    throw new AzureCertsError(
      "InvalidResourceId",
      `'${id}' is not an API Management certificate id: expected ` +
        "/subscriptions/{id}/resourceGroups/{group}/providers/Microsoft.ApiManagement/service/{name}/certificates/{certificateId}",
    );
  }
  const settings = props as Partial<ApimCertificateInputs>;
  try {
    const res = await getTransport().arm<CertificateContract>({
      method: "GET",
      path: certificatePath(loc),
      apiVersion: settings.apiVersion ?? DEFAULT_APIM_API_VERSION,
    });
    const outs = outputsOf(res, settings);
    return { id: outs.resourceId, props: outs };
  } catch (e) {
    if (isNotFound(e)) return {};
    throw e;
  }
}

export async function update(
  _id: string,
  olds: ApimCertificateOutputs,
  news: ApimCertificateInputs,
): Promise<pulumi.dynamic.UpdateResult> {
  const { arm } = getTransport();
  const path = certificatePath(news);
  const apiVersion = news.apiVersion;
  let res: AzureResponse<CertificateContract> | undefined;
  if (sourceChanges(olds, news).length > 0) {
    res = await putOver(path, olds, news, olds.etag ?? (await currentEtag(path, apiVersion, olds)));
  }
  // A PUT of a Key Vault source fetches the latest version already; otherwise a new trigger, or a
  // last fetch that failed, asks for it.
  if (!res && news.keyVault && (triggerChanged(olds, news) || !fetched(olds))) {
    res = await settle(
      await arm<CertificateContract>({
        method: "POST",
        path: `${path}/refreshSecret`,
        apiVersion,
        idempotent: true,
      }),
      "POST refreshSecret",
      path,
      news,
    );
  }
  const failure = res && keyVaultFailure(res.data);
  if (failure) throw new AzureCertsError("KeyVaultFetchFailed", failure, { requestId: res?.requestId });
  if (!res) {
    // Only settings kept in state changed: no call to Azure.
    return { outs: { ...olds, ...settingsOf(news), etag: olds.etag } };
  }
  return { outs: outputsOf(res, news) };
}

const describe = (loc: { certificateId: string; serviceName: string }) =>
  `API Management certificate '${loc.certificateId}' in service '${loc.serviceName}'`;

/**
 * The final answer of a write: the answer itself, or, when Azure accepted the write as an
 * asynchronous operation (202 with `Azure-AsyncOperation` or `Location`), the certificate read
 * again once the operation has succeeded (see `../transport/long-running.ts`).
 */
async function settle(
  res: AzureResponse<CertificateContract>,
  method: string,
  path: string,
  inputs: Pick<ApimCertificateInputs, "apiVersion" | "certificateId" | "serviceName">,
): Promise<AzureResponse<CertificateContract>> {
  const final = await completeOperation(getTransport(), res, {
    method,
    resource: describe(inputs),
    apiVersion: inputs.apiVersion,
    finalGet: path,
  });
  return final as AzureResponse<CertificateContract>;
}

const triggerChanged = (olds: ApimCertificateOutputs, news: ApimCertificateInputs) =>
  (olds.refreshTrigger ?? null) !== (news.refreshTrigger ?? null);

/** What API Management holds, as the source it came from: a PFX's thumbprint, or a Key Vault secret. */
interface HeldSource {
  thumbprint?: string;
  keyVault?: { secretIdentifier?: string; identityClientId?: string | null };
}

/**
 * Whether a certificate as API Management returned it holds `source`: the same Key Vault secret
 * and identity for a Key Vault source (and, when `source` knows one, the same thumbprint), the
 * same thumbprint for a PFX.
 */
function holds(contract: CertificateContract, source: HeldSource): boolean {
  const p = contract.properties;
  const sameThumbprint =
    source.thumbprint === undefined || (p.thumbprint ?? "").toUpperCase() === source.thumbprint.toUpperCase();
  if (!source.keyVault) return !p.keyVault?.secretIdentifier && sameThumbprint;
  return (
    sameSecretIdentifier(p.keyVault?.secretIdentifier, source.keyVault.secretIdentifier) &&
    sameClientId(p.keyVault?.identityClientId, source.keyVault.identityClientId) &&
    sameThumbprint
  );
}

/**
 * The PUT of an update, against `etag`. A 412 means "changed elsewhere" only when the content
 * changed: the certificate is read, and
 * - if it already holds what this PUT sends, the PUT was applied and its answer lost (a retry
 *   then carried the old ETag): done;
 * - if it still holds what state recorded (same source, same thumbprint), only its ETag moved (a
 *   create answered late and applied twice, say): the PUT is sent once more with the fresh ETag;
 * - otherwise someone changed it: the 412 stands, and its message says to run `pulumi refresh`.
 */
async function putOver(
  path: string,
  olds: ApimCertificateOutputs,
  news: ApimCertificateInputs,
  etag: string,
  again = true,
): Promise<AzureResponse<CertificateContract>> {
  const { arm } = getTransport();
  const apiVersion = news.apiVersion;
  try {
    const res = await arm<CertificateContract>({
      method: "PUT",
      path,
      apiVersion,
      body: toWireBody(news),
      headers: { "If-Match": etag },
    });
    return await settle(res, "PUT", path, news);
  } catch (e) {
    if (!isPreconditionFailed(e)) throw e;
    const current = await arm<CertificateContract>({ method: "GET", path, apiVersion });
    if (holds(current.data, { ...news, thumbprint: news.keyVault ? undefined : news.thumbprint }))
      return current;
    const fresh = current.headers["etag"];
    if (again && fresh && holds(current.data, olds)) return putOver(path, olds, news, fresh, false);
    throw new AzureCertsError("CertificateChangedElsewhere", e.message, { cause: e });
  }
}

/**
 * The ETag to update against when state recorded none (written by an older version, or an answer
 * without one): an update never writes blind (`If-Match: *`), which would overwrite whatever was
 * changed elsewhere. The certificate is read first; it must still be the one state recorded (same
 * thumbprint, same Key Vault secret), and its ETag then guards the PUT against changes from here on.
 */
async function currentEtag(
  path: string,
  apiVersion: ApimCertificateInputs["apiVersion"],
  olds: ApimCertificateOutputs,
): Promise<string> {
  const res = await getTransport().arm<CertificateContract>({ method: "GET", path, apiVersion });
  const etag = res.headers["etag"];
  const unchanged = holds(res.data, olds);
  if (!unchanged || !etag) {
    throw new AzureCertsError(
      unchanged ? "CertificateWithoutEtag" : "CertificateChangedElsewhere",
      `API Management certificate '${olds.certificateId}' ${unchanged ? "has no ETag to update against" : "was changed outside Pulumi"} ` +
        `(thumbprint now ${res.data.properties.thumbprint ?? "none"}, state has ${olds.thumbprint ?? "none"}): run \`pulumi refresh\` to see ` +
        "the change, then `pulumi up` again.",
      { requestId: res.requestId },
    );
  }
  return etag;
}

async function remove(id: string, props: ApimCertificateOutputs): Promise<void> {
  const loc = parseCertificateArmId(id) ?? props;
  const path = certificatePath(loc);
  const apiVersion = props.apiVersion ?? DEFAULT_APIM_API_VERSION;
  try {
    const res = await getTransport().arm({
      method: "DELETE",
      path,
      apiVersion,
      headers: { "If-Match": "*" },
    });
    await completeOperation(getTransport(), res, { method: "DELETE", resource: describe(loc), apiVersion });
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
}
export { remove as delete };

// Last: every exported method fails with its message alone (see ../dynamic/guard.ts).
guardProvider(module.exports);
