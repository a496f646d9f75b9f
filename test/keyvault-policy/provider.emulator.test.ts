/**
 * The KeyVaultCertificatePolicy provider module called directly (no engine) against the emulator
 * over HTTPS: one test per row of the status table in provider.ts, and the exact calls each
 * operation makes. The engine tests (test/engine/keyvault-policy.test.ts) cover the same code
 * through `pulumi up`.
 */
import * as provider from "../../provider/keyvault-policy/provider";
import { toPublicPolicy } from "../../provider/keyvault-policy/mappers";
import type { PolicyState } from "../../provider/keyvault-policy/outputs";
import type { KeyVaultCertificatePolicyInputs } from "../../provider/keyvault-policy/types";
import { checkInputs } from "../../provider/keyvault-policy/validate";
import { configureTransport, resetTransport } from "../../provider/transport";
import { failureOf, selfSignedPolicy, startFixture, type Fixture } from "../transport/emulator-fixture";

let fx: Fixture;
let vault: string;

beforeAll(async () => {
  fx = await startFixture();
  vault = fx.emu.vaults.demo;
  configureTransport(fx.config({ "azure-certs:logLevel": "off" }), { env: {} });
  // Learn the vault's challenge now (a read of a missing certificate is "gone"), so that every test
  // sees only its own calls; the engine tests check the challenge itself.
  expect(await provider.read(`${vault}/certificates/warm-up/policy`, {})).toEqual({});
});
afterAll(async () => {
  resetTransport();
  await fx?.stop();
});

async function newCertificate(name: string): Promise<void> {
  await fx.transport().keyVault(vault, {
    method: "POST",
    path: `/certificates/${name}/create`,
    apiVersion: "7.4",
    body: selfSignedPolicy(`CN=${name}.contoso.com`),
  });
  fx.resetLog();
}

function inputs(name: string, extra: Record<string, unknown> = {}): KeyVaultCertificatePolicyInputs {
  const { inputs, failures } = checkInputs(
    { vaultBaseUrl: vault, certificateName: name, ...extra },
    { vaultDnsSuffix: "vault.azure.net", trustedHosts: ["localhost"] },
  );
  expect(failures).toEqual([]);
  return inputs;
}

const calls = () => fx.requests("demo").map((r) => `${r.method} ${r.path} ${r.status}`);
const wire = (name: string) => fx.emu.admin.getKeyVaultCertificate("demo", name)!.policy;

describe("KeyVaultCertificatePolicy provider: create", () => {
  it("adopts a policy without a PATCH when no member is managed, and remembers it", async () => {
    await newCertificate("adopt");
    const before = wire("adopt");
    const { id, outs } = await provider.create(inputs("adopt"));
    expect(id).toBe(`${vault}/certificates/adopt/policy`);
    expect(calls()).toEqual(["GET /certificates/adopt/policy 200", "GET /certificates/adopt 200"]);
    const info = fx.emu.admin.getKeyVaultCertificate("demo", "adopt")!;
    expect(outs).toMatchObject({
      vaultBaseUrl: vault,
      certificateName: "adopt",
      apiVersion: "7.4",
      restoreOnDelete: false,
      effectivePolicy: toPublicPolicy(before),
      originalPolicy: toPublicPolicy(before),
      thumbprint: info.thumbprint,
      version: info.latestVersion,
    });
    expect(wire("adopt")).toEqual(before);
  });

  it("sends one PATCH with only the members that differ", async () => {
    await newCertificate("set");
    const { outs } = await provider.create(
      inputs("set", {
        keyProperties: { keySize: 2048, reuseKey: true },
        x509Properties: { validityInMonths: 6 },
      }),
    );
    expect(calls()).toEqual([
      "GET /certificates/set/policy 200",
      "PATCH /certificates/set/policy 200",
      "GET /certificates/set 200",
    ]);
    expect(wire("set")).toMatchObject({
      key_props: { kty: "RSA", key_size: 2048, reuse_key: true, exportable: true },
      x509_props: { subject: "CN=set.contoso.com", validity_months: 6 },
    });
    expect((outs as PolicyState).originalPolicy?.keyProperties?.reuseKey).toBe(false);
    expect((outs as PolicyState).effectivePolicy.keyProperties?.reuseKey).toBe(true);
  });

  it("fails for a certificate that does not exist, saying to create it first, and sends no PATCH", async () => {
    fx.resetLog();
    const e = await failureOf(() => provider.create(inputs("missing", { keyProperties: { keySize: 4096 } })));
    expect(e.message).toMatch(
      /Key Vault certificate "missing" in https:\/\/localhost:\d+ does not exist: KeyVaultCertificatePolicy manages the policy of an existing certificate\. Create the certificate first/,
    );
    expect(e.message).toMatch(/404 CertificateNotFound/);
    expect(calls()).toEqual(["GET /certificates/missing/policy 404"]);
  });

  it("fails with Key Vault's words when it refuses the policy, and changes nothing", async () => {
    await newCertificate("refused");
    const before = wire("refused");
    // 12 months allow at most 324 days; check() cannot know the validity when it is not managed.
    const e = await failureOf(() =>
      provider.create(
        inputs("refused", { lifetimeActions: [{ action: "AutoRenew", daysBeforeExpiry: 400 }] }),
      ),
    );
    expect(e.message).toMatch(/400 BadParameter: .*days_before_expiry/);
    expect(wire("refused")).toEqual(before);
  });

  it("reports a partial create, with the policy to restore, when the certificate cannot be read after the PATCH", async () => {
    await newCertificate("partial");
    const original = wire("partial");
    fx.emu.admin.addFault({ route: "kv.certificate.get", kind: "status", status: 403 });
    const e = await failureOf(() =>
      provider.create(inputs("partial", { x509Properties: { validityInMonths: 3 } })),
    );
    expect(e.message).toMatch(/the policy was set, but reading the certificate failed: .*403/);
    expect(e.id).toBe(`${vault}/certificates/partial/policy`);
    expect(e.properties).toMatchObject({
      certificateName: "partial",
      originalPolicy: toPublicPolicy(original),
      x509Properties: { validityInMonths: 3 },
    });
    expect(e.reasons).toHaveLength(1);
  });
});

describe("KeyVaultCertificatePolicy provider: read, update, delete", () => {
  let state: PolicyState;
  const managed = { x509Properties: { validityInMonths: 10 }, lifetimeActions: [] };

  beforeAll(async () => {
    await newCertificate("life");
    state = (await provider.create(inputs("life", { ...managed, restoreOnDelete: true })))
      .outs as PolicyState;
  });

  it("reads the policy and the latest version; a renewal changes the version outputs only", async () => {
    const rotated = await fx.emu.admin.rotateCertificate("demo", "life");
    fx.resetLog();
    const { id, props } = await provider.read(`${vault}/certificates/life/policy`, { ...state });
    expect(calls()).toEqual(["GET /certificates/life/policy 200", "GET /certificates/life 200"]);
    expect(id).toBe(`${vault}/certificates/life/policy`);
    expect(props).toEqual({
      ...state,
      thumbprint: rotated.thumbprint,
      version: rotated.latestVersion,
      ...dates(props),
    });
    expect(props.thumbprint).not.toBe(state.thumbprint);
  });

  it("reads a policy from its id alone (KeyVaultCertificatePolicy.get), with nothing managed", async () => {
    const { id, props } = await provider.read(`${vault}/certificates/life`, {});
    expect(id).toBe(`${vault}/certificates/life`);
    expect(props).toMatchObject({ vaultBaseUrl: vault, certificateName: "life", apiVersion: "7.4" });
    expect(props.x509Properties).toBeUndefined();
    expect(props.originalPolicy).toBeUndefined();
    expect(props.effectivePolicy).toEqual(toPublicPolicy(wire("life")));
  });

  it("refuses an id it cannot read, saying what an id looks like", async () => {
    await expect(provider.read("life", {})).rejects.toThrow(
      /'life' is not a Key Vault certificate policy id: expected https:\/\/\{vault\}\.vault\.azure\.net\/certificates\/\{name\}\/policy/,
    );
  });

  it("updates only what changed, and makes no PATCH when only settings changed", async () => {
    fx.resetLog();
    const news = inputs("life", { ...managed, apiVersion: "7.6", restoreOnDelete: true });
    const same = await provider.update(state.vaultBaseUrl!, state, news);
    expect(fx.requests("demo").map((r) => `${r.method} ${r.query["api-version"]}`)).toEqual([
      "GET 7.6",
      "GET 7.6",
    ]);
    expect(same.outs.apiVersion).toBe("7.6");

    fx.resetLog();
    const changed = inputs("life", {
      ...managed,
      x509Properties: { validityInMonths: 8 },
      restoreOnDelete: true,
    });
    const res = await provider.update("id", same.outs, changed);
    expect(calls()).toEqual([
      "GET /certificates/life/policy 200",
      "PATCH /certificates/life/policy 200",
      "GET /certificates/life 200",
    ]);
    expect(wire("life").x509_props?.validity_months).toBe(8);
    expect(res.outs.originalPolicy).toEqual(state.originalPolicy);
    state = res.outs;
  });

  it("restores the managed members on delete with restoreOnDelete, leaving the others", async () => {
    fx.emu.admin.setCertificatePolicy("demo", "life", {
      secret_props: { contentType: "application/x-pem-file" },
    });
    fx.resetLog();
    await provider.delete(state.vaultBaseUrl!, state);
    expect(calls()).toEqual(["GET /certificates/life/policy 200", "PATCH /certificates/life/policy 200"]);
    const after = wire("life");
    expect(after.x509_props?.validity_months).toBe(state.originalPolicy!.x509Properties!.validityInMonths);
    expect(after.lifetime_actions).toEqual([
      { trigger: { lifetime_percentage: 80 }, action: { action_type: "AutoRenew" } },
    ]);
    expect(after.secret_props?.contentType).toBe("application/x-pem-file");
  });

  it("deletes without a call when restoreOnDelete is off", async () => {
    fx.resetLog();
    await provider.delete("id", { ...state, restoreOnDelete: false });
    expect(calls()).toEqual([]);
  });

  it("treats a deleted certificate as gone on read, as finished on delete, and as an error on update", async () => {
    fx.emu.admin.deleteKeyVaultCertificate("demo", "life", { purge: true });
    fx.resetLog();
    expect(await provider.read("id", { ...state })).toEqual({});
    await expect(provider.delete("id", state)).resolves.toBeUndefined();
    await expect(provider.update("id", state, inputs("life", managed))).rejects.toThrow(
      /Key Vault certificate "life" in https:\/\/localhost:\d+ no longer exists \(deleted outside Pulumi\?\): run `pulumi refresh`/,
    );
    expect(fx.requests("demo").filter((r) => r.method === "PATCH")).toEqual([]);
  });
});

function dates(props: Record<string, unknown>): Record<string, unknown> {
  return { expirationDate: props.expirationDate, notBefore: props.notBefore };
}

describe("KeyVaultCertificatePolicy provider: check", () => {
  it("makes no call for a new resource or an unchanged one", async () => {
    await newCertificate("check-quiet");
    const olds = inputs("check-quiet", { x509Properties: { validityInMonths: 12 } });
    expect(await provider.check({}, { ...olds })).toEqual({ inputs: olds, failures: [] });
    expect(await provider.check({ ...olds }, { ...olds })).toEqual({ inputs: olds, failures: [] });
    expect(calls()).toEqual([]);
  });

  it("reads the current version for an update in place, and returns what a PATCH cannot change", async () => {
    await newCertificate("check-update");
    const olds = inputs("check-update", { x509Properties: { validityInMonths: 12 } });
    const news = inputs("check-update", { x509Properties: { validityInMonths: 6 } });
    const result = await provider.check({ ...olds }, { ...news });
    const info = fx.emu.admin.getKeyVaultCertificate("demo", "check-update")!;
    expect(calls()).toEqual(["GET /certificates/check-update 200"]);
    expect(result.failures).toEqual([]);
    expect(result.inputs).toEqual({
      ...news,
      thumbprint: info.thumbprint,
      version: info.latestVersion,
      expirationDate: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      notBefore: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
    });
  });

  it("leaves those outputs unknown, and the preview passing, when Key Vault cannot be read", async () => {
    await newCertificate("check-denied");
    const olds = inputs("check-denied", { x509Properties: { validityInMonths: 12 } });
    const news = inputs("check-denied", { x509Properties: { validityInMonths: 6 } });
    fx.emu.admin.addFault({
      listener: "demo",
      method: "GET",
      path: "/certificates/check-denied$",
      kind: "status",
      status: 403,
    });
    expect(await provider.check({ ...olds }, { ...news })).toEqual({ inputs: news, failures: [] });
    expect(calls()).toEqual(["GET /certificates/check-denied 403"]);
  });

  it("makes no call for a replacement (another certificate) or when the inputs fail", async () => {
    fx.resetLog();
    const olds = inputs("check-a");
    expect(await provider.check({ ...olds }, { ...inputs("check-b") })).toMatchObject({ failures: [] });
    const bad = await provider.check({ ...olds }, { ...olds, x509Properties: { validityInMonths: -1 } });
    expect(bad.failures?.[0]).toMatchObject({
      property: "",
      reason: expect.stringMatching(/^x509Properties\.validityInMonths: /),
    });
    expect(calls()).toEqual([]);
  });
});
