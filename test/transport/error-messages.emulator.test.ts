/**
 * The text a user reads in a failed `pulumi up`: what failed, what Azure said, and what to do. Real
 * emulator answers where the emulator gives them (404, 412, 400), injected faults otherwise.
 */
import { createSelfSignedPfx } from "../../emulator";
import { AzureRequestError, isConflict, isNotFound, isPreconditionFailed } from "../../provider/transport";
import {
  APIM_API,
  CERTIFICATES_PATH,
  failureOf,
  KV_API,
  startFixture,
  SUBSCRIPTION,
  type Fixture,
} from "./emulator-fixture";

let fx: Fixture;
let transport: ReturnType<Fixture["transport"]>;
beforeAll(async () => {
  fx = await startFixture();
  transport = fx.transport();
  // Learn the vault's challenge and both tokens first, so each test sees one request.
  await transport.arm({ method: "GET", path: CERTIFICATES_PATH, apiVersion: APIM_API });
  await transport.keyVault(fx.emu.vaults.demo, { method: "GET", path: "/certificates", apiVersion: KV_API });
});
afterAll(() => fx.stop());
beforeEach(() => fx.resetLog());

const IDENTITY = () =>
  `ClientSecretCredential \\(client id ${fx.emu.clientId}, tenant ${fx.emu.tenantId}\\) \\[app id ${fx.emu.clientId}, object id [0-9a-f-]{36}\\]`;
const CERT = (id: string) =>
  `certificate "${id}" of Microsoft.ApiManagement/service "svc" (resource group "rg", subscription ${SUBSCRIPTION})`;
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

test("404 from ARM: says what was not found and what to do; the error carries the request id", async () => {
  const e = await failureOf(() =>
    transport.arm({ method: "GET", path: `${CERTIFICATES_PATH}/missing`, apiVersion: APIM_API }),
  );
  const logged = fx.requests("arm")[0];
  expect(isNotFound(e)).toBe(true);
  expect(e).toMatchObject({
    name: "AzureRequestError",
    kind: "status",
    method: "GET",
    url: `${fx.emu.armEndpoint}${CERTIFICATES_PATH}/missing?api-version=2024-05-01`,
    status: 404,
    code: "ResourceNotFound",
    serviceMessage: "Certificate not found.",
    requestId: logged.requestId,
    attempts: 1,
  });
  expect(e.message).toBe(
    `GET ${fx.emu.armEndpoint}${CERTIFICATES_PATH}/missing?api-version=2024-05-01 failed with 404 ResourceNotFound: ` +
      `Certificate not found. (request id ${logged.requestId}). Not found: the ${CERT("missing")} does not exist ` +
      "(or its service, resource group or subscription does not). Check the names; if it was deleted outside " +
      "Pulumi, run `pulumi refresh`.",
  );
});

test("404 for a missing parent service, and a resource description given by the caller", async () => {
  const ref = { subscriptionId: SUBSCRIPTION, resourceGroup: "rg", serviceName: "gone" };
  fx.emu.admin.setApimServiceExists(ref, false);
  const path = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg/providers/Microsoft.ApiManagement/service/gone/certificates/web`;
  const e = await failureOf(() =>
    transport.arm({
      method: "GET",
      path,
      apiVersion: APIM_API,
      resource: 'API Management certificate "web"',
    }),
  );
  expect(e).toMatchObject({ status: 404, code: "ParentResourceNotFound" });
  expect(e.message).toContain(
    `Not found: the parent resource /subscriptions/${SUBSCRIPTION}/resourceGroups/rg/providers/Microsoft.ApiManagement/service/gone ` +
      "does not exist. Create it first (or let this resource depend on the resource that creates it), or correct " +
      "serviceId (or subscriptionId, resourceGroupName, serviceName), then run `pulumi up` again.",
  );
  expect(e.message).not.toMatch(/pulumi refresh/);
});

test("an ARM endpoint that does not answer: the message says which setting chose it", async () => {
  const t = fx.transport({ "azure-certs:armEndpoint": "https://localhost:1", "azure-certs:maxRetries": "0" });
  const e = await failureOf(() => t.arm({ method: "GET", path: CERTIFICATES_PATH, apiVersion: APIM_API }));
  expect(e.message).toMatch(
    /could not talk to "localhost:1" \(ECONNREFUSED.*\(The endpoint localhost:1 comes from azure-certs:armEndpoint: check that it is right, or remove it to use the cloud's\.\)$/,
  );
});

test("404 from Key Vault names the certificate and the vault", async () => {
  const e = await failureOf(() =>
    transport.keyVault(fx.emu.vaults.demo, {
      method: "GET",
      path: "/certificates/absent/policy",
      apiVersion: KV_API,
    }),
  );
  expect(e).toMatchObject({ status: 404, code: "CertificateNotFound" });
  expect(e.message).toMatch(
    new RegExp(
      `^GET ${esc(fx.emu.vaults.demo)}/certificates/absent/policy\\?api-version=7\\.4 failed with 404 CertificateNotFound: .*` +
        `Not found: the certificate "absent" \\(its policy\\) in vault ${esc(fx.emu.vaults.demo)} does not exist\\. ` +
        "Check the names; if it was deleted outside Pulumi, run `pulumi refresh`\\.$",
    ),
  );
});

test("412 after a change made elsewhere: run `pulumi refresh`", async () => {
  const pfx = await createSelfSignedPfx({ subject: "CN=etag-test" });
  const path = `${CERTIFICATES_PATH}/etag-test`;
  const created = await transport.arm({
    method: "PUT",
    path,
    apiVersion: APIM_API,
    body: { properties: { data: pfx.pfxBase64, password: pfx.password } },
    secretValues: [pfx.password, pfx.pfxBase64],
  });
  const etag = created.headers.etag;
  expect(etag).toBeTruthy();
  fx.emu.admin.touchApimCertificate({
    subscriptionId: SUBSCRIPTION,
    resourceGroup: "rg",
    serviceName: "svc",
    certificateId: "etag-test",
  });
  const e = await failureOf(() =>
    transport.arm({ method: "DELETE", path, apiVersion: APIM_API, headers: { "If-Match": etag } }),
  );
  expect(isPreconditionFailed(e)).toBe(true);
  expect(
    fx
      .requests("arm")
      .filter((r) => r.method === "DELETE")
      .map((r) => [r.status, r.ifMatch]),
  ).toEqual([[412, etag]]);
  expect(e.message).toMatch(
    new RegExp(
      `^DELETE ${esc(fx.emu.armEndpoint + path)}\\?api-version=2024-05-01 failed with 412 PreconditionFailed: .*` +
        `The ${esc(CERT("etag-test"))} changed elsewhere since Pulumi last read it \\(its ETag no longer matches\\)\\. ` +
        "Run `pulumi refresh` to read the current state, then `pulumi up` again\\.$",
    ),
  );
});

test("400 shows the service's field errors", async () => {
  const pfx = await createSelfSignedPfx({ subject: "CN=bad-password" });
  const e = await failureOf(() =>
    transport.arm({
      method: "PUT",
      path: `${CERTIFICATES_PATH}/bad-password`,
      apiVersion: APIM_API,
      body: { properties: { data: pfx.pfxBase64, password: "not-the-password" } },
      secretValues: ["not-the-password", pfx.pfxBase64],
    }),
  );
  expect(e).toMatchObject({ status: 400, code: "ValidationError" });
  expect(e.message).toContain(
    "failed with 400 ValidationError: One or more fields contain incorrect values: password: The password is incorrect: it does not open the PFX in 'data'.",
  );
  expect(e.message).toContain(
    "Azure rejected the request as invalid: correct the value it names and run `pulumi up` again.",
  );
});

test("401 names the identity and the scope it was refused for", async () => {
  fx.emu.admin.addFault({ listener: "arm", kind: "status", status: 401 });
  const e = await failureOf(() =>
    transport.arm({ method: "GET", path: CERTIFICATES_PATH, apiVersion: APIM_API }),
  );
  expect(e).toMatchObject({ status: 401, attempts: 1 });
  expect(e.message).toMatch(
    new RegExp(
      `Azure did not accept the token of ${IDENTITY()} for https://management\\.azure\\.com/\\.default\\. Check that ` +
        "this identity belongs to the tenant that owns the subscription \\(azure-native:tenantId / ARM_TENANT_ID / " +
        "AZURE_TENANT_ID\\) and that azure-native:environment names the right cloud\\.$",
    ),
  );
});

test("401 from a vault without a usable challenge says so", async () => {
  fx.emu.admin.addFault({ listener: "demo", kind: "status", status: 401 });
  const e = await failureOf(() =>
    transport.keyVault(fx.emu.vaults.demo, { method: "GET", path: "/certificates", apiVersion: KV_API }),
  );
  expect(e.message).toMatch(
    new RegExp(
      `Azure did not accept the token of ${IDENTITY()} for https://vault\\.azure\\.net/\\.default \\(and the vault ` +
        "sent no usable authentication challenge\\)\\. Check that this identity belongs to the tenant that owns the vault",
    ),
  );
});

test("403 from ARM names the identity and the role it lacks", async () => {
  fx.emu.admin.addFault({ listener: "arm", kind: "status", status: 403 });
  const e = await failureOf(() =>
    transport.arm({ method: "PUT", path: `${CERTIFICATES_PATH}/denied`, apiVersion: APIM_API, body: {} }),
  );
  expect(e).toMatchObject({ status: 403, code: "AuthorizationFailed" });
  expect(e.message).toMatch(
    new RegExp(
      `${IDENTITY()} lacks permission for this on the ${esc(CERT("denied"))}\\. Grant it a role that includes ` +
        "Microsoft\\.ApiManagement/service/certificates/\\* on the API Management service or its resource group " +
        '\\(for example "API Management Service Contributor"\\), then run `pulumi up` again\\.$',
    ),
  );
});

test("403 from Key Vault names the identity and the vault role or access policy it lacks; a firewall block says so", async () => {
  fx.emu.admin.addFault({ listener: "demo", kind: "status", status: 403 });
  const e = await failureOf(() =>
    transport.keyVault(fx.emu.vaults.demo, {
      method: "PATCH",
      path: "/certificates/web/policy",
      apiVersion: KV_API,
      body: {},
    }),
  );
  expect(e.message).toMatch(
    new RegExp(
      `${IDENTITY()} lacks permission for this on the certificate "web" \\(its policy\\) in vault ${esc(fx.emu.vaults.demo)}\\. ` +
        'With Azure RBAC, grant it "Key Vault Certificates Officer" on the vault; with access policies, give it the ' +
        'certificate permissions "get" and "update"\\. Then run `pulumi up` again\\.$',
    ),
  );
  fx.emu.admin.addFault({
    listener: "demo",
    kind: "status",
    status: 403,
    body: {
      error: {
        code: "Forbidden",
        message: "Client address is not authorized",
        innererror: { code: "ForbiddenByFirewall" },
      },
    },
  });
  const e2 = await failureOf(() =>
    transport.keyVault(fx.emu.vaults.demo, { method: "GET", path: "/certificates", apiVersion: KV_API }),
  );
  expect(e2.message).toContain(
    "failed with 403 Forbidden/ForbiddenByFirewall: Client address is not authorized",
  );
  expect(e2.message).toContain("The vault's network rules block this client's address");
});

test("409 says another operation may be running or the resource exists", async () => {
  fx.emu.admin.addFault({ listener: "arm", kind: "status", status: 409 });
  const e = await failureOf(() =>
    transport.arm({ method: "PUT", path: `${CERTIFICATES_PATH}/busy`, apiVersion: APIM_API, body: {} }),
  );
  expect(isConflict(e)).toBe(true);
  expect(e.message).toContain(
    `Conflict on the ${CERT("busy")}: another operation may be changing it, or it already exists.`,
  );
  expect(AzureRequestError.isInstance(e)).toBe(true);
});

test("an error status whose body names no code has the transport's code, HttpError", async () => {
  fx.emu.admin.addFault({ listener: "arm", kind: "status", status: 400, body: "bad" });
  const e = await failureOf(() =>
    transport.arm({ method: "GET", path: CERTIFICATES_PATH, apiVersion: APIM_API }),
  );
  expect(e).toMatchObject({ name: "AzureRequestError", kind: "status", status: 400, code: "HttpError" });
  expect(e.requestId).toBe(fx.requests("arm").at(-1)?.requestId);
});

test("a wrong client secret: Entra's answer and which settings to check, without the secret", async () => {
  const e = await failureOf(() =>
    fx
      .transport({ "azure-native:clientSecret": "not-the-secret" })
      .arm({ method: "GET", path: CERTIFICATES_PATH, apiVersion: APIM_API }),
  );
  expect(e).toMatchObject({
    kind: "authentication",
    method: "POST",
    url: `${fx.emu.authorityHost}/${fx.emu.tenantId}/oauth2/v2.0/token`,
    status: 401,
    code: "invalid_client",
  });
  expect(e.message).toMatch(
    new RegExp(
      `^Could not get an access token for https://management\\.azure\\.com/\\.default in tenant ${fx.emu.tenantId} ` +
        `with ClientSecretCredential \\(client id ${fx.emu.clientId}, tenant ${fx.emu.tenantId}\\) \\(Entra ID ` +
        "answered 401\\): AADSTS7000215: Invalid client secret provided\\..* Check azure-native:clientId, " +
        "azure-native:clientSecret and azure-native:tenantId \\(or ARM_CLIENT_ID / ARM_CLIENT_SECRET / ARM_TENANT_ID, " +
        "AZURE_CLIENT_ID / AZURE_CLIENT_SECRET / AZURE_TENANT_ID\\): the secret may have expired or belong to " +
        "another app or tenant\\. Also check that azure-native:environment names the right cloud\\.$",
    ),
  );
  expect(e.message).not.toContain("not-the-secret");
  expect(fx.requests("arm")).toHaveLength(0);
});
