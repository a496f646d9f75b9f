/**
 * The reference column of `npm run bench` (issue #14): an API Management certificate provider as a
 * user might write it in an afternoon. A new ClientSecretCredential per call, one PUT per create or
 * update, one GET per read, one DELETE per delete; no check, no diff (the engine compares inputs),
 * no validation, no retries. Loaded by name like the test fixtures, so that its `__provider` is a
 * require() and the bench compares the work done, not serialized code.
 */
import { ClientSecretCredential } from "@azure/identity";
import type * as pulumi from "@pulumi/pulumi";

export type Props = { serviceId: string; certificateId: string; data?: string; password?: string };
export type Certificate = {
  id?: string;
  properties?: { thumbprint?: string; subject?: string; expirationDate?: string };
};
let config: pulumi.dynamic.ConfigureRequest["config"];

export async function configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
  config = req.config;
}

export async function arm(method: string, p: Props, body?: object): Promise<Certificate> {
  const get = (key: string) => config.require(key);
  const credential = new ClientSecretCredential(
    get("azure-native:tenantId"),
    get("azure-native:clientId"),
    get("azure-native:clientSecret"),
    { authorityHost: get("azure-certs:authorityHost"), disableInstanceDiscovery: true },
  );
  const { token } = await credential.getToken("https://management.azure.com/.default");
  const url = `${get("azure-certs:armEndpoint")}${p.serviceId}/certificates/${p.certificateId}?api-version=2024-05-01`;
  const headers: Record<string, string> = {
    authorization: `Bearer ${token}`,
    "content-type": "application/json",
  };
  if (method === "DELETE") headers["if-match"] = "*";
  const res = await fetch(url, { method, headers, body: body && JSON.stringify(body) });
  if (!res.ok && !(method === "DELETE" && res.status === 404))
    throw new Error(`${method} ${url}: ${res.status}`);
  return method === "DELETE" ? {} : ((await res.json()) as Certificate);
}

const outs = (p: Props, cert: Certificate) => ({
  serviceId: p.serviceId,
  certificateId: p.certificateId,
  thumbprint: cert.properties?.thumbprint,
});

export async function create(p: Props): Promise<pulumi.dynamic.CreateResult> {
  const cert = await arm("PUT", p, { properties: { data: p.data, password: p.password } });
  return { id: cert.id!, outs: outs(p, cert) };
}

export async function read(id: string, p: Props): Promise<pulumi.dynamic.ReadResult> {
  return { id, props: { ...p, ...outs(p, await arm("GET", p)) } };
}

export async function update(_id: string, _olds: Props, p: Props): Promise<pulumi.dynamic.UpdateResult> {
  return { outs: outs(p, await arm("PUT", p, { properties: { data: p.data, password: p.password } })) };
}

async function remove(_id: string, p: Props): Promise<void> {
  await arm("DELETE", p);
}
export { remove as delete };
