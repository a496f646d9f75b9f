/**
 * The hand-written provider of ./provider.ts (same calls, same credential per call, no validation)
 * with this package's outputs: the certificate's subject and expiry from APIM's answer, the
 * service's parts from `serviceId` in `check`, the defaults of `apiVersion` and
 * `expiryWarningDays`, and `resourceId` (all but `etag`, which would need the headers). So the
 * bench can tell what the outputs cost apart from what this package's `check` costs (opening each
 * new PFX, the facts at preview).
 */
import type * as pulumi from "@pulumi/pulumi";
import { arm, type Certificate, configure, type Props } from "./provider";

export { configure };

type Checked = Props & { subscriptionId: string; resourceGroupName: string; serviceName: string };

export async function check(_olds: unknown, news: Props): Promise<pulumi.dynamic.CheckResult> {
  const [, subscriptionId, resourceGroupName, serviceName] =
    /subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.ApiManagement\/service\/([^/]+)/i.exec(
      news.serviceId,
    ) ?? [];
  return {
    inputs: {
      ...news,
      apiVersion: "2024-05-01",
      expiryWarningDays: 30,
      subscriptionId,
      resourceGroupName,
      serviceName,
    },
  };
}

const outs = (p: Checked & Record<string, unknown>, cert: Certificate) => ({
  apiVersion: p.apiVersion,
  certificateId: p.certificateId,
  expirationDate: cert.properties?.expirationDate,
  expiryWarningDays: p.expiryWarningDays,
  resourceGroupName: p.resourceGroupName,
  resourceId: cert.id,
  serviceName: p.serviceName,
  subject: cert.properties?.subject,
  subscriptionId: p.subscriptionId,
  thumbprint: cert.properties?.thumbprint,
});

const put = (p: Checked) => arm("PUT", p, { properties: { data: p.data, password: p.password } });

export async function create(p: Checked): Promise<pulumi.dynamic.CreateResult> {
  const cert = await put(p);
  return { id: cert.id!, outs: outs(p, cert) };
}

/** Read and delete get the outputs, which hold no serviceId (as ApimCertificate's do not): the id says it. */
const located = (id: string, p: Checked): Checked => ({
  ...p,
  serviceId: id.replace(/\/certificates\/[^/]+$/, ""),
});

export async function read(id: string, p: Checked): Promise<pulumi.dynamic.ReadResult> {
  return { id, props: { ...p, ...outs(p, await arm("GET", located(id, p))) } };
}

export async function update(_id: string, _olds: Props, p: Checked): Promise<pulumi.dynamic.UpdateResult> {
  return { outs: outs(p, await put(p)) };
}

async function remove(id: string, p: Checked): Promise<void> {
  await arm("DELETE", located(id, p));
}
export { remove as delete };
