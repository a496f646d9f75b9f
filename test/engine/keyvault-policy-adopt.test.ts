/**
 * KeyVaultCertificatePolicy through the real engine against the emulator: adopting a policy as it
 * is, reading one with `KeyVaultCertificatePolicy.get`, a certificate deleted elsewhere, replacing
 * the resource for another certificate, and `restoreOnDelete`.
 */
import { KeyVaultCertificatePolicy } from "../../provider";
import { toPublicPolicy } from "../../provider/keyvault-policy/mappers";
import { EngineStack } from "../harness/engine";
import { startEmulatedAzure, type EmulatedAzure } from "../harness/emulated-azure";
import { certificateFacts, mutatingCalls, storedPolicies, wirePolicy } from "../harness/keyvault";

let azure: EmulatedAzure;
beforeAll(async () => {
  azure = await startEmulatedAzure();
});
afterAll(async () => {
  await azure?.stop();
});

describe("KeyVaultCertificatePolicy over existing policies", () => {
  let stack: EngineStack;
  let vault: string;
  let withGet = true;

  beforeAll(async () => {
    vault = azure.emu.vaults.demo;
    await azure.createKeyVaultCertificate("legacy");
    await azure.createKeyVaultCertificate("legacy2");
    stack = await EngineStack.create({
      program: async () => {
        // Nothing set: takes the policy over as it is.
        const adopted = new KeyVaultCertificatePolicy("adopted", {
          vaultBaseUrl: vault,
          certificateName: "legacy",
        });
        // Members set as Key Vault already has them (spelt differently): nothing to change either.
        const same = new KeyVaultCertificatePolicy("same", {
          vaultBaseUrl: `${vault.toUpperCase()}/`,
          certificateName: "legacy2",
          keyProperties: { keyType: "RSA", keySize: 2048 },
          x509Properties: { subject: "cn=legacy2.example.com", validityInMonths: 12 },
          lifetimeActions: [{ action: "AutoRenew", lifetimePercentage: 80 }],
        });
        const outputs: Record<string, unknown> = {
          adoptedPolicy: adopted.effectivePolicy,
          adoptedThumbprint: adopted.thumbprint,
          sameVault: same.vaultBaseUrl,
        };
        if (withGet) {
          const seen = KeyVaultCertificatePolicy.get("seen", `${vault}/certificates/legacy/policy`);
          Object.assign(outputs, {
            seenPolicy: seen.effectivePolicy,
            seenThumbprint: seen.thumbprint,
            seenExpiration: seen.expirationDate,
            seenName: seen.certificateName,
          });
        }
        return outputs;
      },
      config: azure.config,
      env: azure.env,
    });
  });
  afterAll(async () => {
    await stack?.dispose();
  });

  it("adopts existing policies without a PATCH, and reads one with .get", async () => {
    const legacy = wirePolicy(azure, "legacy");
    const legacy2 = wirePolicy(azure, "legacy2");
    azure.clearLog();
    const up = await stack.up();
    expect(up.summary.resourceChanges).toEqual({ create: 3 }); // the stack and two policies
    expect(mutatingCalls(azure)).toEqual([]);
    expect(wirePolicy(azure, "legacy")).toEqual(legacy);
    expect(wirePolicy(azure, "legacy2")).toEqual(legacy2);

    const facts = await certificateFacts(azure, "legacy");
    expect(up.outputs.adoptedPolicy.value).toEqual(toPublicPolicy(legacy));
    expect(up.outputs.adoptedThumbprint.value).toBe(facts.thumbprint);
    expect(up.outputs.sameVault.value).toBe(vault);
    expect(up.outputs.seenPolicy.value).toEqual(toPublicPolicy(legacy));
    expect(up.outputs.seenThumbprint.value).toBe(facts.thumbprint);
    expect(up.outputs.seenExpiration.value).toBe(facts.expirationDate);
    expect(up.outputs.seenName.value).toBe("legacy");

    const stored = await storedPolicies(stack);
    expect(stored.seen.external).toBe(true);
    expect(stored.seen.id).toBe(`${vault}/certificates/legacy/policy`);
    expect(stored.adopted.id).toBe(`${vault}/certificates/legacy/policy`);
    expect(stored.adopted.outputs.originalPolicy).toEqual(toPublicPolicy(legacy));
  });

  it("has nothing to do on the next preview; .get reads without changing anything", async () => {
    azure.clearLog();
    const pre = await stack.preview();
    expect(pre.changeSummary).toEqual({ same: 3 }); // the stack and the two managed policies
    expect(mutatingCalls(azure)).toEqual([]);
    // Only the .get resource reads (a policy and a certificate, after the challenge).
    expect(
      azure
        .requests()
        .filter((r) => r.listener === "demo" && r.status === 200)
        .map((r) => `${r.method} ${r.path}`),
    ).toEqual(["GET /certificates/legacy/policy", "GET /certificates/legacy"]);
  });

  it("drops a policy whose certificate was deleted in Key Vault on refresh", async () => {
    withGet = false;
    await stack.up();
    azure.emu.admin.deleteKeyVaultCertificate("demo", "legacy2", { purge: true });
    const refresh = await stack.refresh();
    expect(refresh.summary.resourceChanges?.delete).toBe(1);
    expect(Object.keys(await storedPolicies(stack))).toEqual(["adopted"]);
  });

  it("leaves the adopted policy as it is on destroy", async () => {
    const legacy = wirePolicy(azure, "legacy");
    azure.clearLog();
    await stack.destroy();
    expect(mutatingCalls(azure)).toEqual([]);
    expect(wirePolicy(azure, "legacy")).toEqual(legacy);
  });
});

describe("KeyVaultCertificatePolicy with restoreOnDelete", () => {
  let stack: EngineStack;
  let certificateName = "blue";
  const originals: Record<string, Record<string, unknown>> = {};

  beforeAll(async () => {
    for (const name of ["blue", "green"]) {
      await azure.createKeyVaultCertificate(name);
      originals[name] = wirePolicy(azure, name);
    }
    stack = await EngineStack.create({
      program: async () => {
        const policy = new KeyVaultCertificatePolicy("policy", {
          vaultBaseUrl: azure.emu.vaults.demo,
          certificateName,
          restoreOnDelete: true,
          importExisting: true,
          keyProperties: { keySize: 4096, reuseKey: true },
          x509Properties: { keyUsage: ["digitalSignature"], validityInMonths: 3 },
          lifetimeActions: [],
        });
        return { thumbprint: policy.thumbprint };
      },
      config: azure.config,
      env: azure.env,
    });
  });
  afterAll(async () => {
    await stack?.dispose();
  });

  it("sets the policy, turning auto-renewal off with an empty lifetimeActions", async () => {
    await stack.up();
    expect(wirePolicy(azure, "blue")).toEqual({
      ...originals.blue,
      key_props: { ...(originals.blue.key_props as object), key_size: 4096, reuse_key: true },
      x509_props: {
        ...(originals.blue.x509_props as object),
        key_usage: ["digitalSignature"],
        validity_months: 3,
      },
      lifetime_actions: [],
    });
  });

  it("replaces the resource for another certificate, restoring the first certificate's policy", async () => {
    certificateName = "green";
    const pre = await stack.preview();
    expect(pre.changeSummary.replace).toBe(1);
    azure.clearLog();
    const up = await stack.up();
    expect(up.summary.resourceChanges?.replace).toBe(1);
    expect(mutatingCalls(azure)).toEqual([
      "PATCH /certificates/green/policy",
      "PATCH /certificates/blue/policy",
    ]);
    expect(wirePolicy(azure, "blue")).toEqual(originals.blue);
    expect(wirePolicy(azure, "green")).not.toEqual(originals.green);
    expect(up.outputs.thumbprint.value).toBe((await certificateFacts(azure, "green")).thumbprint);
  });

  it("puts the policy back as it was on destroy, keeping a change made elsewhere to an unmanaged member", async () => {
    azure.emu.admin.setCertificatePolicy("demo", "green", { issuer: { cert_transparency: false } });
    azure.clearLog();
    await stack.destroy();
    expect(mutatingCalls(azure)).toEqual(["PATCH /certificates/green/policy"]);
    expect(wirePolicy(azure, "green")).toEqual({
      ...originals.green,
      issuer: { ...(originals.green.issuer as object), cert_transparency: false },
    });
  });
});

describe("KeyVaultCertificatePolicy: two stacks, one policy", () => {
  let first: EngineStack;
  let second: EngineStack;
  let importExisting = false;

  beforeAll(async () => {
    await azure.createKeyVaultCertificate("shared");
    const vaultBaseUrl = azure.emu.vaults.demo;
    first = await EngineStack.create({
      program: async () => {
        new KeyVaultCertificatePolicy("shared", {
          vaultBaseUrl,
          certificateName: "shared",
          importExisting: true,
          x509Properties: { validityInMonths: 6 },
        });
        return {};
      },
      config: azure.config,
      env: azure.env,
    });
    await first.up();
    second = await EngineStack.create({
      program: async () => {
        new KeyVaultCertificatePolicy("shared", {
          vaultBaseUrl,
          certificateName: "shared",
          importExisting,
          keyProperties: { keySize: 2048 },
          x509Properties: { validityInMonths: 24 },
        });
        return {};
      },
      config: azure.config,
      env: azure.env,
    });
  });
  afterAll(async () => {
    await second?.dispose();
    await first?.dispose();
  });

  it("refuses a second stack's create over a policy it would change, naming what differs, and changes nothing", async () => {
    const before = wirePolicy(azure, "shared");
    expect((await second.preview()).changeSummary).toEqual({ create: 2 });
    azure.clearLog();
    const failure = second.up();
    await expect(failure).rejects.toThrow(
      /already has a policy, and a member this resource manages differs from it: x509Properties\.validityInMonths \(Key Vault: 6 → this resource: 24\)/,
    );
    await expect(failure).rejects.toThrow(
      /set importExisting: true on this resource to take the policy over/,
    );
    expect(mutatingCalls(azure)).toEqual([]);
    expect(wirePolicy(azure, "shared")).toEqual(before);
    expect(await storedPolicies(second)).toEqual({});
  });

  it("takes the policy over once importExisting: true says so", async () => {
    importExisting = true;
    azure.clearLog();
    await second.up();
    expect(mutatingCalls(azure)).toEqual(["PATCH /certificates/shared/policy"]);
    expect(wirePolicy(azure, "shared").x509_props).toMatchObject({ validity_months: 24 });
  });

  it("treats a later change of importExisting as an update that calls nothing, never a replace", async () => {
    importExisting = false;
    const pre = await second.preview();
    expect(pre.changeSummary).toEqual({ same: 1, update: 1 });
    azure.clearLog();
    const up = await second.up();
    expect(up.summary.resourceChanges).toEqual({ same: 1, update: 1 });
    expect(mutatingCalls(azure)).toEqual([]);
    expect((await storedPolicies(second)).shared.outputs.importExisting).toBe(false);
  });
});
