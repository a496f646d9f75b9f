/**
 * The KeyVaultCertificatePolicy provider module called directly (no engine) against the emulator
 * over HTTPS: one test per row of the status table in provider.ts, and the exact calls each
 * operation makes, and each failure's `AzureCertsError` code and request id. The engine tests (test/engine/keyvault-policy.test.ts) cover the same code
 * through `pulumi up`.
 */
import * as provider from "../../provider/keyvault-policy/provider";
import { toPublicPolicy } from "../../provider/keyvault-policy/mappers";
import type { PolicyState } from "../../provider/keyvault-policy/outputs";
import {
  DEFAULT_KEY_VAULT_API_VERSION,
  type KeyVaultCertificatePolicyInputs,
} from "../../provider/keyvault-policy/types";
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
/** The request id the vault answered the last request with. */
const lastRequestId = () => fx.requests("demo").at(-1)?.requestId;
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
      apiVersion: DEFAULT_KEY_VAULT_API_VERSION,
      restoreOnDelete: false,
      effectivePolicy: toPublicPolicy(before),
      originalPolicy: toPublicPolicy(before),
      thumbprint: info.thumbprint,
      version: info.latestVersion,
    });
    expect(wire("adopt")).toEqual(before);
  });

  it("with importExisting, takes the policy over with one PATCH that sets the members that differ", async () => {
    await newCertificate("set");
    const { outs } = await provider.create(
      inputs("set", {
        importExisting: true,
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
    expect(outs.importExisting).toBe(true);
  });

  it("refuses to take over a policy whose managed members differ without importExisting, naming them; changes nothing", async () => {
    await newCertificate("taken");
    const before = wire("taken");
    const e = await failureOf(() =>
      provider.create(
        inputs("taken", {
          keyProperties: { keySize: 2048, reuseKey: true },
          x509Properties: { validityInMonths: 6 },
          lifetimeActions: [{ action: "EmailContacts", daysBeforeExpiry: 10 }],
        }),
      ),
    );
    expect(e.message).toMatch(
      /^Key Vault certificate "taken" in https:\/\/localhost:\d+ already has a policy, and members this resource manages differ from it: /,
    );
    expect(e.message).toContain(
      "keyProperties.reuseKey (Key Vault: false → this resource: true), " +
        "x509Properties.validityInMonths (Key Vault: 12 → this resource: 6), " +
        'lifetimeActions (Key Vault: [{"action":"AutoRenew","lifetimePercentage":80}] → this resource: ' +
        '[{"action":"EmailContacts","daysBeforeExpiry":10}])',
    );
    expect(e.message).toMatch(/set importExisting: true on this resource to take the policy over/);
    expect(e.message).toMatch(/or change the inputs to match Key Vault's values/);
    // keySize already matches: not named.
    expect(e.message).not.toContain("keySize");
    expect(calls()).toEqual(["GET /certificates/taken/policy 200"]);
    expect(e).toMatchObject({ name: "AzureCertsError", code: "PolicyManagedElsewhere" });
    expect(e.requestId).toBe(lastRequestId());
    expect(wire("taken")).toEqual(before);
  });

  it("adopts, without importExisting and without a PATCH, a policy that already has every managed value", async () => {
    await newCertificate("matching");
    const before = wire("matching");
    await provider.create(
      inputs("matching", {
        keyProperties: { keyType: "RSA", keySize: 2048, reuseKey: false },
        x509Properties: { subject: "cn=matching.contoso.com", validityInMonths: 12 },
        lifetimeActions: [{ action: "AutoRenew", lifetimePercentage: 80 }],
      }),
    );
    expect(calls()).toEqual(["GET /certificates/matching/policy 200", "GET /certificates/matching 200"]);
    expect(wire("matching")).toEqual(before);
  });

  it("fails for a certificate that does not exist, saying to create it first, and sends no PATCH", async () => {
    fx.resetLog();
    const e = await failureOf(() => provider.create(inputs("missing", { keyProperties: { keySize: 4096 } })));
    expect(e.message).toMatch(
      /Key Vault certificate "missing" in https:\/\/localhost:\d+ does not exist: KeyVaultCertificatePolicy manages the policy of an existing certificate\. Create the certificate first/,
    );
    expect(e.message).toMatch(/404 CertificateNotFound/);
    expect(calls()).toEqual(["GET /certificates/missing/policy 404"]);
    // Key Vault's 404 stays inspectable: its request id here, the transport's error as the cause.
    expect(e).toMatchObject({ name: "AzureCertsError", code: "CertificateNotFound" });
    expect(e.requestId).toBe(lastRequestId());
    expect(e.cause).toMatchObject({ name: "AzureRequestError", kind: "status", status: 404 });
  });

  it("fails with Key Vault's words when it refuses the policy, and changes nothing", async () => {
    await newCertificate("refused");
    const before = wire("refused");
    // 12 months allow at most 324 days; check() cannot know the validity when it is not managed.
    const e = await failureOf(() =>
      provider.create(
        inputs("refused", {
          importExisting: true,
          lifetimeActions: [{ action: "AutoRenew", daysBeforeExpiry: 400 }],
        }),
      ),
    );
    expect(e.message).toMatch(/400 BadParameter: .*days_before_expiry/);
    expect(e).toMatchObject({ name: "AzureRequestError", code: "BadParameter", status: 400 });
    expect(wire("refused")).toEqual(before);
  });

  it("reports a partial create, with the policy to restore, when the certificate cannot be read after the PATCH", async () => {
    await newCertificate("partial");
    const original = wire("partial");
    fx.emu.admin.addFault({ route: "kv.certificate.get", kind: "status", status: 403 });
    const e = await failureOf(() =>
      provider.create(inputs("partial", { importExisting: true, x509Properties: { validityInMonths: 3 } })),
    );
    expect(e.message).toMatch(/the policy was set, but reading the certificate failed: .*403/);
    expect(e).toMatchObject({ name: "AzureCertsError", code: "CertificateReadFailed" });
    expect(e.requestId).toBe(lastRequestId());
    expect(e.cause).toMatchObject({ name: "AzureRequestError", status: 403 });
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
  const managed = { importExisting: true, x509Properties: { validityInMonths: 10 }, lifetimeActions: [] };

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
    expect(props).toMatchObject({
      vaultBaseUrl: vault,
      certificateName: "life",
      apiVersion: DEFAULT_KEY_VAULT_API_VERSION,
    });
    expect(props.x509Properties).toBeUndefined();
    expect(props.originalPolicy).toBeUndefined();
    expect(props.effectivePolicy).toEqual(toPublicPolicy(wire("life")));
  });

  it("refuses an id it cannot read, saying what an id looks like", async () => {
    const e = await failureOf(() => provider.read("life", {}));
    expect(e.message).toMatch(
      /'life' is not a Key Vault certificate policy id: expected https:\/\/\{vault\}\.vault\.azure\.net\/certificates\/\{name\}\/policy/,
    );
    expect(e).toMatchObject({ name: "AzureCertsError", code: "InvalidResourceId" });
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
    const e = await failureOf(() => provider.update("id", state, inputs("life", managed)));
    expect(e.message).toMatch(
      /Key Vault certificate "life" in https:\/\/localhost:\d+ no longer exists \(deleted outside Pulumi\?\): run `pulumi refresh`/,
    );
    expect(e).toMatchObject({ name: "AzureCertsError", code: "CertificateDeletedElsewhere" });
    expect(e.requestId).toBe(lastRequestId());
    expect(e.cause).toMatchObject({ name: "AzureRequestError", kind: "status", status: 404 });
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

  it("accepts a vault trusted as host:port, the form the transport documents and sends tokens to", async () => {
    const hostPort = new URL(vault).host; // localhost:{port}
    configureTransport(
      fx.config({ "azure-certs:logLevel": "off", "azure-certs:trustedVaultHosts": hostPort }),
      { env: {} },
    );
    try {
      await newCertificate("check-port");
      const checked = await provider.check({}, { vaultBaseUrl: vault, certificateName: "check-port" });
      expect(checked.failures).toEqual([]);
      // The transport trusts the same vault: a read goes through.
      expect((await provider.read(`${vault}/certificates/check-port/policy`, {})).id).toBeDefined();
      const other = await provider.check({}, { vaultBaseUrl: "https://localhost:1", certificateName: "x" });
      expect(other.failures?.[0]?.reason).toMatch(/^vaultBaseUrl: must be a vault under vault\.azure\.net/);
    } finally {
      configureTransport(fx.config({ "azure-certs:logLevel": "off" }), { env: {} });
    }
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

// Key Vault does not publish how its policy PATCH treats members it is not sent; the provider must
// leave the same policy under each reading the emulator plays (docs/style.md, habit 11).
describe.each(["merge", "replace-groups", "replace"] as const)(
  "KeyVaultCertificatePolicy provider under Key Vault's PATCH read as %s",
  (semantics) => {
    const name = `semantics-${semantics}`;
    let original: ReturnType<typeof wire>;
    let state: PolicyState;

    beforeAll(async () => {
      fx.emu.admin.setPolicyPatch(semantics);
      await fx.transport().keyVault(vault, {
        method: "POST",
        path: `/certificates/${name}/create`,
        apiVersion: "7.4",
        body: {
          policy: {
            issuer: { name: "Self" },
            x509_props: {
              subject: `CN=${name}.contoso.com`,
              sans: { dns_names: [`${name}.contoso.com`], emails: ["ops@contoso.com"] },
              key_usage: ["digitalSignature", "keyEncipherment"],
            },
          },
        },
      });
      original = wire(name);
    });
    afterAll(() => {
      fx.emu.admin.setPolicyPatch("merge");
    });

    it("create sets one member and leaves every other member as it was", async () => {
      state = (
        await provider.create(
          inputs(name, {
            importExisting: true,
            restoreOnDelete: true,
            x509Properties: { validityInMonths: 6 },
          }),
        )
      ).outs as PolicyState;
      expect(wire(name)).toEqual({
        ...original,
        x509_props: { ...original.x509_props, validity_months: 6 },
      });
    });

    it("update sets one SAN list and the key size, and leaves every other member as it was", async () => {
      const news = inputs(name, {
        importExisting: true,
        restoreOnDelete: true,
        keyProperties: { keySize: 4096 },
        x509Properties: { validityInMonths: 6, subjectAlternativeNames: { dnsNames: ["b.contoso.com"] } },
      });
      state = (await provider.update("id", state, news)).outs as PolicyState;
      expect(wire(name)).toEqual({
        ...original,
        key_props: { ...original.key_props, key_size: 4096 },
        x509_props: {
          ...original.x509_props,
          validity_months: 6,
          sans: { ...original.x509_props?.sans, dns_names: ["b.contoso.com"] },
        },
      });
    });

    it("restoreOnDelete puts the policy back as it was", async () => {
      await provider.delete("id", state);
      expect(wire(name)).toEqual(original);
    });
  },
);
