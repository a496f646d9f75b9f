/**
 * The ApimCertificate provider module called directly (no engine) against the emulator over HTTPS:
 * the rows of provider.ts's status table that the engine tests (test/engine/apim-certificate.test.ts)
 * cannot reach easily: updates of a state with no ETag, and contracts of a Key Vault certificate
 * that API Management could not fetch. Each failure is checked for its `AzureCertsError` code and
 * the request id of the Azure answer that caused it, as the emulator logged it.
 */
import * as provider from "../../provider/apim-certificate/provider";
import type { ApimCertificateInputs, ApimCertificateOutputs } from "../../provider/apim-certificate/types";
import { checkApimInputs } from "../../provider/apim-certificate/validate";
import {
  AzureCertsError,
  AzureRequestError,
  configureTransport,
  resetTransport,
} from "../../provider/transport";
import { makePfx } from "../harness/certs";
import {
  failureOf,
  selfSignedPolicy,
  startFixture,
  SUBSCRIPTION,
  type Fixture,
} from "../transport/emulator-fixture";

let fx: Fixture;
const SERVICE = { subscriptionId: SUBSCRIPTION, resourceGroup: "rg", serviceName: "prov" };
const serviceId = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg/providers/Microsoft.ApiManagement/service/prov`;

beforeAll(async () => {
  fx = await startFixture();
  configureTransport(fx.config({ "azure-certs:logLevel": "off", "azure-certs:maxRetries": "0" }), {
    env: {},
  });
});
afterAll(async () => {
  resetTransport();
  await fx?.stop();
});

function inputs(certificateId: string, extra: Record<string, unknown>): ApimCertificateInputs {
  const { inputs, failures } = checkApimInputs({ serviceId, certificateId, ...extra });
  expect(failures).toEqual([]);
  return inputs as unknown as ApimCertificateInputs;
}

/** The request id the emulator answered the last ARM request with. */
const lastRequestId = () => fx.requests("arm").at(-1)?.requestId;

const calls = () =>
  fx
    .requests("arm")
    .map(
      (r) =>
        `${r.method} ${r.path.split("/").slice(-2).join("/")} ${r.status}${r.ifMatch ? ` If-Match ${r.ifMatch}` : ""}`,
    );

describe("check", () => {
  it("takes an unchanged PFX's facts from the olds the engine passes, without opening it again", async () => {
    const pfx = makePfx({ cn: "olds.contoso.com" });
    const news = { serviceId, certificateId: "olds", data: pfx.data, password: pfx.password };
    const first = await provider.check({}, news);
    expect(first.failures ?? []).toEqual([]);
    const marked = { ...first.inputs, thumbprint: "F".repeat(40) };
    expect((await provider.check(marked, news)).inputs?.thumbprint).toBe("F".repeat(40));
    expect((await provider.check({}, news)).inputs?.thumbprint).toBe(first.inputs?.thumbprint);
  });
});

describe("update of a state that recorded no ETag", () => {
  it("reads the certificate first and updates against its ETag, never blind (If-Match: *)", async () => {
    const first = makePfx({ cn: "noetag.contoso.com" });
    const { outs } = await provider.create(inputs("noetag", { data: first.data, password: first.password }));
    const { etag, ...olds } = outs as ApimCertificateOutputs;
    const second = makePfx({ cn: "noetag2.contoso.com" });
    fx.resetLog();
    const { outs: updated } = await provider.update(
      olds.resourceId,
      olds,
      inputs("noetag", { data: second.data, password: second.password }),
    );
    expect(calls()).toEqual(["GET certificates/noetag 200", `PUT certificates/noetag 200 If-Match ${etag}`]);
    expect(updated.subject).toBe("CN=noetag2.contoso.com");
  });

  it("refuses when the certificate is no longer the one state recorded, and writes nothing", async () => {
    const first = makePfx({ cn: "moved.contoso.com" });
    const { outs } = await provider.create(inputs("moved", { data: first.data, password: first.password }));
    const { etag: _etag, ...olds } = outs as ApimCertificateOutputs;
    // Someone else uploads another certificate under the same id.
    const other = makePfx({ cn: "other.contoso.com" });
    await provider.update(
      olds.resourceId,
      outs as ApimCertificateOutputs,
      inputs("moved", { data: other.data, password: other.password }),
    );
    fx.resetLog();
    const mine = makePfx({ cn: "mine.contoso.com" });
    const e = await failureOf(() =>
      provider.update(olds.resourceId, olds, inputs("moved", { data: mine.data, password: mine.password })),
    );
    expect(e.message).toMatch(
      /API Management certificate 'moved' was changed outside Pulumi .*run `pulumi refresh`/,
    );
    expect(calls()).toEqual(["GET certificates/moved 200"]);
    expect(e).toBeInstanceOf(AzureCertsError);
    expect(e).toMatchObject({ name: "AzureCertsError", code: "CertificateChangedElsewhere" });
    expect(e.requestId).toBe(lastRequestId());
    expect(fx.emu.admin.getApimCertificate({ ...SERVICE, certificateId: "moved" })?.subject).toBe(
      "CN=other.contoso.com",
    );
  });

  it("refuses, as CertificateWithoutEtag, when the certificate read has no ETag to update against", async () => {
    const pfx = makePfx({ cn: "bare.contoso.com" });
    const { outs } = await provider.create(inputs("bare", { data: pfx.data, password: pfx.password }));
    const { etag: _etag, ...olds } = outs as ApimCertificateOutputs;
    const held = await fx.transport().arm({
      method: "GET",
      path: `${serviceId}/certificates/bare`,
      apiVersion: olds.apiVersion,
    });
    fx.resetLog(); // (clears faults too)
    // The same certificate, answered without an ETag header.
    fx.emu.admin.addFault({
      listener: "arm",
      route: "apim.certificate.get",
      kind: "status",
      status: 200,
      body: held.data,
    });
    const again = makePfx({ cn: "bare2.contoso.com" });
    const e = await failureOf(() =>
      provider.update(olds.resourceId, olds, inputs("bare", { data: again.data, password: again.password })),
    );
    expect(e.message).toMatch(/API Management certificate 'bare' has no ETag to update against/);
    expect(e).toMatchObject({ name: "AzureCertsError", code: "CertificateWithoutEtag" });
    expect(e.requestId).toBe(lastRequestId());
    expect(calls()).toEqual(["GET certificates/bare 200"]);
  });
});

describe("a certificate that exists already at create", () => {
  const pfx = makePfx({ cn: "exists.contoso.com" });
  const other = makePfx({ cn: "exists-other.contoso.com" });
  beforeAll(async () => {
    await provider.create(inputs("exists", { data: pfx.data, password: pfx.password }));
  });
  const createFails = async (extra: Record<string, unknown>) => {
    fx.resetLog();
    const e = await failureOf(() => provider.create(inputs("exists", extra)));
    expect(calls()).toEqual(["GET certificates/exists 200"]);
    expect(e.requestId).toBe(lastRequestId());
    return e;
  };

  it("is refused as IdenticalCertificateExists when it holds this resource's certificate", async () => {
    const e = await createFails({ data: pfx.data, password: pfx.password });
    expect(e.message).toMatch(/already exists and holds exactly this resource's certificate/);
    expect(e).toMatchObject({ name: "AzureCertsError", code: "IdenticalCertificateExists" });
  });

  it("is refused as CertificateExists when it holds another", async () => {
    const e = await createFails({ data: other.data, password: other.password });
    expect(e.message).toMatch(
      /already exists\. It is not adopted silently: to manage it, set importExisting: true/,
    );
    expect(e).toMatchObject({ name: "AzureCertsError", code: "CertificateExists" });
  });

  it("is refused as ExistingCertificateDiffers when importExisting meets another certificate", async () => {
    const e = await createFails({ data: other.data, password: other.password, importExisting: true });
    expect(e.message).toMatch(/exists but differs from this resource's inputs: it has thumbprint/);
    expect(e).toMatchObject({ name: "AzureCertsError", code: "ExistingCertificateDiffers" });
  });
});

describe("an answer that is not an API Management certificate", () => {
  it("fails read as UnexpectedResponse, with the answer's request id", async () => {
    fx.resetLog();
    fx.emu.admin.addFault({
      listener: "arm",
      route: "apim.certificate.get",
      kind: "status",
      status: 200,
      body: { id: "/not/a/certificate", properties: {} },
    });
    const e = await failureOf(() => provider.read(`${serviceId}/certificates/odd`, {}));
    expect(e.message).toBe("API Management returned an unexpected certificate id: /not/a/certificate");
    expect(e).toMatchObject({ name: "AzureCertsError", code: "UnexpectedResponse" });
    expect(calls()).toEqual(["GET certificates/odd 200"]);
  });
});

describe("read of an id that is not an API Management certificate id", () => {
  it("fails as InvalidResourceId, sending nothing", async () => {
    fx.resetLog();
    const e = await failureOf(() => provider.read("/subscriptions/x/certificates", {}));
    expect(e.message).toMatch(/^'\/subscriptions\/x\/certificates' is not an API Management certificate id/);
    expect(e).toMatchObject({ name: "AzureCertsError", code: "InvalidResourceId" });
    expect(AzureRequestError.isInstance(e)).toBe(false);
    expect(calls()).toEqual([]);
  });
});

describe("a Key Vault certificate API Management could not fetch", () => {
  const secretIdentifier = "https://contoso.vault.azure.net/secrets/gw";
  const failedContract = (name: string) => ({
    id: `${serviceId}/certificates/${name}`,
    type: "Microsoft.ApiManagement/service/certificates",
    name,
    properties: {
      keyVault: {
        secretIdentifier,
        identityClientId: null,
        lastStatus: {
          code: "Forbidden",
          message: "Access denied to the secret",
          timeStampUtc: "2026-12-01T00:00:00Z",
        },
      },
    },
  });
  const answerWith = (route: string, body: unknown) =>
    fx.emu.admin.addFault({
      listener: "arm",
      route,
      kind: "status",
      status: 200,
      body,
      headers: { etag: '"e1"' },
    });

  it("is read without a TypeError: no thumbprint, and lastStatus says why", async () => {
    answerWith("apim.certificate.get", failedContract("gw-read"));
    const { props } = await provider.read(`${serviceId}/certificates/gw-read`, {});
    expect(props).toMatchObject({ keyVault: { secretIdentifier, lastStatus: { code: "Forbidden" } } });
    expect(props?.thumbprint).toBeUndefined();
  });

  it("fails create with lastStatus and what to do, as a partial create that state keeps", async () => {
    answerWith("apim.certificate.put", failedContract("gw-create"));
    const e = await failureOf(() => provider.create(inputs("gw-create", { keyVault: { secretIdentifier } })));
    expect(e.message).toMatch(
      /could not fetch certificate 'gw-create' from Key Vault \(Forbidden: Access denied to the secret\)\. Check that the service's managed identity .* Key Vault Secrets User/,
    );
    expect(e).toMatchObject({ name: "AzureCertsError", code: "KeyVaultFetchFailed" });
    expect(e.requestId).toBe(lastRequestId());
    expect(e.id).toBe(`${serviceId}/certificates/gw-create`);
    expect(e.properties).toMatchObject({ keyVault: { lastStatus: { code: "Forbidden" } } });
  });

  it("is fetched again at the next update (refreshSecret), even with no input changed", async () => {
    const olds = {
      ...inputs("gw-retry", { keyVault: { secretIdentifier } }),
      resourceId: `${serviceId}/certificates/gw-retry`,
    };
    delete (olds as Record<string, unknown>).thumbprint;
    fx.resetLog();
    answerWith("apim.certificate.refreshSecret", failedContract("gw-retry"));
    const e = await failureOf(() =>
      provider.update(
        olds.resourceId,
        olds as unknown as ApimCertificateOutputs,
        inputs("gw-retry", { keyVault: { secretIdentifier } }),
      ),
    );
    expect(calls()).toEqual(["POST gw-retry/refreshSecret 200"]);
    expect(e.message).toMatch(/could not fetch certificate 'gw-retry' from Key Vault \(Forbidden/);
    expect(e).toMatchObject({ name: "AzureCertsError", code: "KeyVaultFetchFailed" });
    expect(e.requestId).toBe(lastRequestId());
  });
});

describe.each(["azure-asyncoperation", "location"] as const)("ARM answering asynchronously (%s)", (style) => {
  afterEach(() => fx.emu.admin.setApimAsyncOperations({}));
  const ref = (certificateId: string) => ({ ...SERVICE, certificateId });

  it("creates, updates and deletes, each awaited to its end", async () => {
    fx.emu.admin.setApimAsyncOperations({ put: style, delete: style, refreshSecret: style, polls: 2 });
    const id = `async-${style}`;
    const first = makePfx({ cn: "async.contoso.com" });
    fx.resetLog();
    const created = await provider.create(inputs(id, { data: first.data, password: first.password }));
    expect(created.outs.thumbprint).toBe(fx.emu.admin.getApimCertificate(ref(id))?.thumbprint);
    expect(created.outs.etag).toBe(fx.emu.admin.getApimCertificate(ref(id))?.etag);
    const poll = style === "azure-asyncoperation" ? "operationStatuses" : "operationResults";
    expect(calls().map((c) => c.replace(/op-\d+/, "op"))).toEqual([
      `GET certificates/${id} 404`,
      `PUT certificates/${id} 202`,
      `GET ${poll}/op ${style === "location" ? 202 : 200}`,
      `GET ${poll}/op ${style === "location" ? 202 : 200}`,
      `GET ${poll}/op ${style === "location" ? 201 : 200}`,
      `GET certificates/${id} 200`,
    ]);

    const second = makePfx({ cn: "async2.contoso.com" });
    const updated = await provider.update(
      created.id,
      created.outs as ApimCertificateOutputs,
      inputs(id, { data: second.data, password: second.password }),
    );
    expect(updated.outs.subject).toBe("CN=async2.contoso.com");
    expect(fx.emu.admin.getApimCertificate(ref(id))?.subject).toBe("CN=async2.contoso.com");

    await provider.delete(created.id, updated.outs as ApimCertificateOutputs);
    expect(fx.emu.admin.getApimCertificate(ref(id))).toBeUndefined();
  });

  it("refreshes a Key Vault certificate, awaited to its end", async () => {
    const vault = fx.emu.vaults.demo;
    const name = `async-kv-${style === "location" ? "l" : "a"}`;
    await fx.transport().keyVault(vault, {
      method: "POST",
      path: `/certificates/${name}/create`,
      apiVersion: "7.4",
      body: selfSignedPolicy(`CN=${name}.contoso.com`),
    });
    const keyVault = { secretIdentifier: `${vault}/secrets/${name}` };
    const created = await provider.create(inputs(name, { keyVault, refreshTrigger: "v1" }));
    const rotated = await fx.emu.admin.rotateCertificate("demo", name);
    fx.emu.admin.setApimAsyncOperations({ refreshSecret: style, polls: 1 });
    fx.resetLog();
    const { outs } = await provider.update(
      created.id,
      created.outs as ApimCertificateOutputs,
      inputs(name, { keyVault, refreshTrigger: "v2" }),
    );
    expect(outs.thumbprint).toBe(rotated.thumbprint);
    expect(calls()[0]).toBe(`POST ${name}/refreshSecret 202`);
    expect(calls().at(-1)).toBe(`GET certificates/${name} 200`);
  });

  it("fails with Azure's code and message when the operation fails, naming the operation", async () => {
    fx.emu.admin.setApimAsyncOperations({ put: style, polls: 1 });
    const e = await failureOf(() =>
      provider.create(
        inputs(`async-fail-${style}`, { keyVault: { secretIdentifier: "https://localhost:1/secrets/none" } }),
      ),
    );
    expect(e.message).toMatch(
      style === "azure-asyncoperation"
        ? /^PUT of API Management certificate 'async-fail-\S+' in service 'prov' was accepted by Azure, but the operation ended as Failed: .*keyVault\.secretIdentifier: No Key Vault answers at https:\/\/localhost:1.* \(ValidationError\); polled 2 time\(s\)/
        : /operationResults\/op-\d+.* failed with 400 ValidationError: .*keyVault\.secretIdentifier: No Key Vault answers at https:\/\/localhost:1/,
    );
    expect(fx.emu.admin.getApimCertificate(ref(`async-fail-${style}`))).toBeUndefined();
  });
});

describe("a 412 means changed elsewhere only when the content changed", () => {
  beforeAll(() => {
    configureTransport(
      fx.config({
        "azure-certs:logLevel": "off",
        "azure-certs:maxRetries": "2",
        "azure-certs:retryDelayMs": "10",
        "azure-certs:requestTimeoutMs": "1000",
      }),
      { env: {} },
    );
  });
  afterAll(() => {
    configureTransport(fx.config({ "azure-certs:logLevel": "off", "azure-certs:maxRetries": "0" }), {
      env: {},
    });
  });

  it("succeeds when the update was applied but its answer lost (the retry met its own write)", async () => {
    const first = makePfx({ cn: "lost.contoso.com" });
    const created = await provider.create(inputs("lost", { data: first.data, password: first.password }));
    const second = makePfx({ cn: "lost2.contoso.com" });
    fx.resetLog(); // (clears faults too)
    fx.emu.admin.addFault({ listener: "arm", route: "apim.certificate.put", kind: "lose-answer" });
    const { outs } = await provider.update(
      created.id,
      created.outs as ApimCertificateOutputs,
      inputs("lost", { data: second.data, password: second.password }),
    );
    expect(calls()).toEqual([
      `PUT certificates/lost 200 If-Match ${created.outs.etag}`,
      `PUT certificates/lost 412 If-Match ${created.outs.etag}`,
      "GET certificates/lost 200",
    ]);
    const held = fx.emu.admin.getApimCertificate({ ...SERVICE, certificateId: "lost" });
    expect(outs).toMatchObject({ subject: "CN=lost2.contoso.com", etag: held?.etag });
  });

  it("puts again with the fresh ETag when only the ETag moved (a create answered late, applied twice)", async () => {
    const first = makePfx({ cn: "late.contoso.com" });
    fx.emu.admin.addFault({ listener: "arm", route: "apim.certificate.put", kind: "delay", delayMs: 1500 });
    const created = await provider.create(inputs("late", { data: first.data, password: first.password }));
    await new Promise((r) => setTimeout(r, 800)); // the first PUT is applied after the retry
    const held = fx.emu.admin.getApimCertificate({ ...SERVICE, certificateId: "late" });
    expect(held?.etag).not.toBe(created.outs.etag);
    const second = makePfx({ cn: "late2.contoso.com" });
    fx.resetLog();
    const { outs } = await provider.update(
      created.id,
      created.outs as ApimCertificateOutputs,
      inputs("late", { data: second.data, password: second.password }),
    );
    expect(calls()).toEqual([
      `PUT certificates/late 412 If-Match ${created.outs.etag}`,
      "GET certificates/late 200",
      `PUT certificates/late 200 If-Match ${held?.etag}`,
    ]);
    expect(outs.subject).toBe("CN=late2.contoso.com");
  });

  it("reports a change made elsewhere, and writes nothing", async () => {
    const first = makePfx({ cn: "else.contoso.com" });
    const created = await provider.create(inputs("else", { data: first.data, password: first.password }));
    const theirs = makePfx({ cn: "theirs.contoso.com" });
    await provider.update(
      created.id,
      created.outs as ApimCertificateOutputs,
      inputs("else", { data: theirs.data, password: theirs.password }),
    );
    const mine = makePfx({ cn: "mine2.contoso.com" });
    fx.resetLog();
    const e = await failureOf(() =>
      provider.update(
        created.id,
        created.outs as ApimCertificateOutputs,
        inputs("else", { data: mine.data, password: mine.password }),
      ),
    );
    expect(e.message).toMatch(/412.*pulumi refresh/s);
    expect(calls()).toEqual([
      `PUT certificates/else 412 If-Match ${created.outs.etag}`,
      "GET certificates/else 200",
    ]);
    // The 412 stays inspectable: its request id on the error, the transport's error as its cause.
    expect(e).toMatchObject({ name: "AzureCertsError", code: "CertificateChangedElsewhere" });
    expect(e.requestId).toBe(fx.requests("arm")[0].requestId);
    expect(e.cause).toMatchObject({ name: "AzureRequestError", kind: "status", status: 412 });
    expect(fx.emu.admin.getApimCertificate({ ...SERVICE, certificateId: "else" })?.subject).toBe(
      "CN=theirs.contoso.com",
    );
  });
});

describe("a service that does not exist", () => {
  it("fails create saying the service does not exist, and sends no PUT", async () => {
    const ref = { subscriptionId: SUBSCRIPTION, resourceGroup: "rg", serviceName: "absent" };
    fx.emu.admin.setApimServiceExists(ref, false);
    const pfx = makePfx({ cn: "absent.contoso.com" });
    const { inputs: absentInputs } = checkApimInputs({
      serviceId: `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg/providers/Microsoft.ApiManagement/service/absent`,
      certificateId: "c",
      data: pfx.data,
      password: pfx.password,
    });
    fx.resetLog();
    const e = await failureOf(() => provider.create(absentInputs as unknown as ApimCertificateInputs));
    expect(e.message).toMatch(
      /Not found: the parent resource \/subscriptions\/.*\/service\/absent does not exist\. Create it first/,
    );
    expect(calls()).toEqual(["GET certificates/c 404"]);
    expect(e).toMatchObject({ name: "AzureRequestError", code: "ParentResourceNotFound", status: 404 });
    expect(e.requestId).toBe(lastRequestId());
  });
});
