/**
 * KeyVaultCertificatePolicy through the real engine (Automation API, inline programs, real
 * `pulumi preview/up/refresh/destroy`) against the emulator's vault over HTTPS: setting a policy,
 * updating one member, a renewal in Key Vault, drift, and the calls each operation makes.
 */
import { KeyVaultCertificatePolicy, type KeyVaultCertificatePolicyArgs } from "../../provider";
import { toPublicPolicy } from "../../provider/keyvault-policy/mappers";
import type { OutputMap } from "@pulumi/pulumi/automation";
import { EngineStack } from "../harness/engine";
import { startEmulatedAzure, type EmulatedAzure } from "../harness/emulated-azure";
import {
  certificateFacts,
  mutatingCalls,
  storedPolicies,
  vaultRequests,
  wirePolicy,
} from "../harness/keyvault";

let azure: EmulatedAzure;
beforeAll(async () => {
  azure = await startEmulatedAzure();
});
afterAll(async () => {
  await azure?.stop();
});

/** The vault calls since the last `clearLog`, as `METHOD path status` (a 401 is Key Vault's challenge). */
const vaultCalls = () => vaultRequests(azure).map((r) => `${r.method} ${r.path} ${r.status}`);

// Key Vault does not publish how PATCH /certificates/{name}/policy treats the members it is not
// sent (docs/style.md, habit 11): the same story runs against each reading the emulator can play,
// and the policy stored after every step must be the same under all three.
describe.each(["merge", "replace-groups", "replace"] as const)(
  "KeyVaultCertificatePolicy on a certificate (Key Vault's PATCH: %s)",
  (semantics) => {
    let stack: EngineStack;
    let vault: string;
    let args: KeyVaultCertificatePolicyArgs;
    let created: OutputMap;
    const web = `web-${semantics}`;

    beforeAll(async () => {
      vault = azure.emu.vaults.demo;
      azure.emu.admin.setPolicyPatch(semantics);
      // Created by someone else, with an e-mail SAN this program does not manage.
      await azure.createKeyVaultCertificate(web, {
        x509_props: {
          subject: "CN=web.contoso.com",
          validity_months: 12,
          sans: { emails: ["ops@contoso.com"] },
        },
      });
      args = {
        vaultBaseUrl: vault,
        certificateName: web,
        // The certificate and its policy were there before this stack: taking it over is explicit.
        importExisting: true,
        keyProperties: { keyType: "RSA", keySize: 3072 },
        x509Properties: {
          subjectAlternativeNames: { dnsNames: ["web.contoso.com", "www.contoso.com"] },
          validityInMonths: 24,
        },
        lifetimeActions: [{ action: "AutoRenew", daysBeforeExpiry: 30 }],
      };
      stack = await EngineStack.create({
        program: async () => {
          const policy = new KeyVaultCertificatePolicy("web", args);
          return {
            id: policy.id,
            thumbprint: policy.thumbprint,
            expirationDate: policy.expirationDate,
            notBefore: policy.notBefore,
            version: policy.version,
            effectivePolicy: policy.effectivePolicy,
            originalPolicy: policy.originalPolicy,
            vaultBaseUrl: policy.vaultBaseUrl,
          };
        },
        config: azure.config,
        env: azure.env,
      });
    });
    afterAll(async () => {
      await stack?.dispose();
    });

    it("sets the policy with one PATCH, after Key Vault's challenge, and reports the current version", async () => {
      const before = wirePolicy(azure, web);
      azure.clearLog();
      const up = await stack.up();
      expect(up.summary.resourceChanges).toEqual({ create: 2 }); // the stack and the policy
      const calls = vaultRequests(azure);
      const tokens = azure.requests().filter((r) => r.route === "entra.token");

      // Outputs equal what the certificate's own DER says.
      const facts = await certificateFacts(azure, web);
      expect(up.outputs.thumbprint.value).toBe(facts.thumbprint);
      expect(up.outputs.expirationDate.value).toBe(facts.expirationDate);
      expect(up.outputs.notBefore.value).toBe(facts.notBefore);
      expect(up.outputs.version.value).toBe(facts.version);
      expect(up.outputs.id.value).toBe(`${vault}/certificates/${web}/policy`);
      expect(up.outputs.vaultBaseUrl.value).toBe(vault);
      expect(up.outputs.originalPolicy.value).toEqual(toPublicPolicy(before));
      expect(up.outputs.effectivePolicy.value).toEqual(toPublicPolicy(wirePolicy(azure, web)));

      // The managed members are set; the others stay as Key Vault had them.
      expect(wirePolicy(azure, web)).toEqual({
        ...before,
        key_props: { ...(before.key_props as object), key_size: 3072 },
        x509_props: {
          ...(before.x509_props as object),
          validity_months: 24,
          sans: { emails: ["ops@contoso.com"], dns_names: ["web.contoso.com", "www.contoso.com"] },
        },
        lifetime_actions: [{ trigger: { days_before_expiry: 30 }, action: { action_type: "AutoRenew" } }],
      });
      // No certificate version is issued by a policy change.
      expect(azure.emu.admin.getKeyVaultCertificate("demo", web)!.versions).toHaveLength(1);

      // The challenge: the first vault request goes without a token (and without body) and is answered
      // 401; a Key Vault token is fetched for the challenge's resource; then every request carries it.
      expect(calls.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
        `GET /certificates/${web}/policy 401`,
        `GET /certificates/${web}/policy 200`,
        `PATCH /certificates/${web}/policy 200`,
        `GET /certificates/${web} 200`,
      ]);
      expect(calls[0].audience).toBeUndefined();
      expect(calls.slice(1).every((r) => r.audience === "https://vault.azure.net")).toBe(true);
      expect(tokens.map((r) => r.scope)).toEqual(["https://vault.azure.net/.default"]);
      expect(tokens[0].seq).toBeGreaterThan(calls[0].seq);
      expect(tokens[0].seq).toBeLessThan(calls[1].seq);
      created = up.outputs;
    });

    it("previews the unchanged stack without a single HTTP call", async () => {
      azure.clearLog();
      const pre = await stack.preview();
      expect(pre.changeSummary).toEqual({ same: 2 });
      expect(azure.requests()).toEqual([]);
    });

    it("updates one member with one PATCH, and every member it does not set stays as it was", async () => {
      const before = wirePolicy(azure, web);
      args = { ...args, x509Properties: { ...(args.x509Properties as object), validityInMonths: 36 } };
      azure.clearLog();
      const pre = await stack.preview();
      expect(pre.changeSummary.update).toBe(1);
      // One read, to show the current version (which a PATCH keeps) as known; nothing written.
      expect(vaultCalls()).toEqual([`GET /certificates/${web} 401`, `GET /certificates/${web} 200`]);

      azure.clearLog();
      const up = await stack.up();
      expect(up.summary.resourceChanges?.update).toBe(1);
      expect(mutatingCalls(azure)).toEqual([`PATCH /certificates/${web}/policy`]);
      // The version is read once, by check; update uses that (a PATCH issues no version).
      expect(vaultCalls().filter((c) => c.startsWith(`GET /certificates/${web} `))).toEqual([
        `GET /certificates/${web} 401`,
        `GET /certificates/${web} 200`,
      ]);
      expect(wirePolicy(azure, web)).toEqual({
        ...before,
        x509_props: { ...(before.x509_props as object), validity_months: 36 },
      });
      expect(up.outputs.thumbprint.value).toBe(created.thumbprint.value);
      expect(up.outputs.originalPolicy.value).toEqual(created.originalPolicy.value);
    });

    it("follows a renewal in Key Vault on refresh, and the next preview and up have nothing to do", async () => {
      const rotated = await azure.emu.admin.rotateCertificate("demo", web);
      expect(rotated.thumbprint).not.toBe(created.thumbprint.value);
      // The renewal followed the policy this resource set.
      expect(rotated.policy.key_props?.key_size).toBe(3072);

      const refresh = await stack.refresh();
      // New outputs, but nothing that differs from the program: the refresh shows no change.
      expect(refresh.summary.resourceChanges).toEqual({ same: 2 });
      const facts = await certificateFacts(azure, web);
      expect(facts.thumbprint).toBe(rotated.thumbprint);
      const { web: stored } = await storedPolicies(stack);
      expect(stored.outputs).toMatchObject({
        thumbprint: facts.thumbprint,
        expirationDate: facts.expirationDate,
        notBefore: facts.notBefore,
        version: rotated.latestVersion,
      });
      expect(stored.outputs.x509Properties).toEqual(args.x509Properties);

      azure.clearLog();
      const pre = await stack.preview();
      expect(pre.changeSummary).toEqual({ same: 2 });
      expect(azure.requests()).toEqual([]);
      const up = await stack.up();
      expect(up.summary.resourceChanges).toEqual({ same: 2 });
      expect(mutatingCalls(azure)).toEqual([]);
      expect(up.outputs.thumbprint.value).toBe(rotated.thumbprint);
    });

    it("sets a managed member changed in Key Vault back after a refresh, and leaves unmanaged changes", async () => {
      azure.emu.admin.setCertificatePolicy("demo", web, {
        x509_props: { validity_months: 6 },
        secret_props: { contentType: "application/x-pem-file" },
      });
      const refresh = await stack.refresh();
      // The refresh shows the drift of the managed member (and only of it) as a difference.
      expect(refresh.summary.resourceChanges?.update).toBe(1);
      const { web: stored } = await storedPolicies(stack);
      expect((stored.outputs.x509Properties as Record<string, unknown>).validityInMonths).toBe(6);
      // The inputs too, so that `preview --diff` marks the member to be set back.
      expect(stored.inputs.x509Properties).toEqual({
        ...(args.x509Properties as object),
        validityInMonths: 6,
      });

      azure.clearLog();
      const pre = await stack.preview();
      expect(pre.changeSummary.update).toBe(1);
      expect(vaultCalls()).toEqual([`GET /certificates/${web} 401`, `GET /certificates/${web} 200`]);
      const up = await stack.up();
      expect(up.summary.resourceChanges?.update).toBe(1);
      expect(mutatingCalls(azure)).toEqual([`PATCH /certificates/${web}/policy`]);
      const after = wirePolicy(azure, web) as { x509_props: Record<string, unknown>; secret_props: unknown };
      expect(after.x509_props.validity_months).toBe(36);
      expect(after.secret_props).toEqual({ contentType: "application/x-pem-file" });

      const again = await stack.preview();
      expect(again.changeSummary).toEqual({ same: 2 });
    });

    it("stops managing the policy on destroy without touching it (restoreOnDelete off)", async () => {
      const before = wirePolicy(azure, web);
      azure.clearLog();
      const destroy = await stack.destroy();
      expect(destroy.summary.resourceChanges?.delete).toBe(2);
      expect(azure.requests()).toEqual([]);
      expect(wirePolicy(azure, web)).toEqual(before);
    });
  },
);

describe("KeyVaultCertificatePolicy input errors at preview", () => {
  it("fails with the property named, before any HTTP call", async () => {
    const stack = await EngineStack.create({
      program: async () => {
        new KeyVaultCertificatePolicy("bad", {
          vaultBaseUrl: azure.emu.vaults.demo,
          certificateName: "web",
          keyProperties: { keyType: "RSA", keySize: 1024 },
          lifetimeActions: [{ action: "AutoRenew", lifetimePercentage: 80, daysBeforeExpiry: 30 }],
        });
        return {};
      },
      config: azure.config,
      env: azure.env,
    });
    try {
      azure.clearLog();
      const failure = stack.preview();
      await expect(failure).rejects.toThrow(
        /keyProperties\.keySize.*must be one of 2048, 3072, 4096 for RSA keys; got 1024/s,
      );
      await expect(failure).rejects.toThrow(
        /lifetimeActions\[0\].*must set exactly one trigger, lifetimePercentage or daysBeforeExpiry; got both/s,
      );
      expect(azure.requests()).toEqual([]);
    } finally {
      await stack.dispose();
    }
  });

  it("refuses what Key Vault would refuse at up: two lifetime actions, an oct key", async () => {
    const stack = await EngineStack.create({
      program: async () => {
        new KeyVaultCertificatePolicy("refused", {
          vaultBaseUrl: azure.emu.vaults.demo,
          certificateName: "web",
          keyProperties: { keyType: "oct-HSM" as "RSA" },
          lifetimeActions: [
            { action: "AutoRenew", daysBeforeExpiry: 30 },
            { action: "EmailContacts", daysBeforeExpiry: 10 },
          ],
        });
        return {};
      },
      config: azure.config,
      env: azure.env,
    });
    try {
      azure.clearLog();
      const failure = stack.preview();
      await expect(failure).rejects.toThrow(/lifetimeActions.*may hold at most one action/s);
      await expect(failure).rejects.toThrow(/keyProperties\.keyType.*oct-HSM is a symmetric key/s);
      expect(azure.requests()).toEqual([]);
    } finally {
      await stack.dispose();
    }
  });

  it("accepts a vault trusted in the documented host:port form (azure-certs:trustedVaultHosts)", async () => {
    const vault = azure.emu.vaults.demo;
    const stack = await EngineStack.create({
      program: async () => {
        new KeyVaultCertificatePolicy("by-port", { vaultBaseUrl: vault, certificateName: "web" });
        return {};
      },
      config: { ...azure.config, "azure-certs:trustedVaultHosts": { value: new URL(vault).host } },
      env: azure.env,
    });
    try {
      const pre = await stack.preview();
      expect(pre.changeSummary).toEqual({ create: 2 });
    } finally {
      await stack.dispose();
    }
  });
});
