/**
 * The inventory scenario of issue #16, seeded through the emulator's real APIs (ARM and Key Vault
 * REST, with tokens the emulator minted) and its admin API (a Key Vault renewal): one API
 * Management service holding 25 certificates, listed in pages of 10, 17 of them uploaded as PFX
 * files and 8 read from Key Vault (one on a versioned secret since renewed, one whose last fetch
 * failed because the Key Vault version it reads was disabled), and one vault holding 12
 * certificates, listed in pages of 5, with a variety of policies.
 */
import axios from "axios";
import { startEmulator, trustEmulatorCa, type Emulator } from "../../emulator";
import { makePfx, type TestPfx } from "../harness/certs";

export const SUBSCRIPTION = "00000000-0000-0000-0000-000000000000";
export const SERVICE = {
  subscriptionId: SUBSCRIPTION,
  resourceGroupName: "inventory-rg",
  serviceName: "inventory-apim",
};
export const SERVICE_ID = `/subscriptions/${SUBSCRIPTION}/resourceGroups/${SERVICE.resourceGroupName}/providers/Microsoft.ApiManagement/service/${SERVICE.serviceName}`;
export const VAULT = "demo";
const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const USER_ASSIGNED = "77777777-7777-7777-7777-777777777777";

/**
 * Days of validity left for the PFX uploads; a half day each so that `--fail-within` sits well
 * away from every boundary while a test runs. The soonest is 3.5 days.
 */
export const PFX_DAYS = [
  3.5, 12.5, 20.5, 45.5, 60.5, 75.5, 90.5, 120.5, 150.5, 180.5, 240.5, 300.5, 365.5, 400.5, 500.5, 730.5,
  800.5,
];
/** Days left of the Key Vault certificate imported to expire soon (`kv-soon`). */
export const KV_SOON_DAYS = 10.5;

/** Key Vault certificates: name → create policy (wire) or an imported PFX's days of validity. */
const VAULT_CERTIFICATES: Array<{ name: string; policy?: Record<string, unknown>; importDays?: number }> = [
  {
    name: "kv-gateway",
    policy: {
      lifetime_actions: [{ trigger: { days_before_expiry: 30 }, action: { action_type: "AutoRenew" } }],
    },
  },
  { name: "kv-portal", policy: { x509_props: { subject: "CN=portal.contoso.com", validity_months: 6 } } },
  { name: "kv-api", policy: {} },
  {
    name: "kv-mtls",
    policy: {
      key_props: { kty: "EC", crv: "P-256", exportable: true, reuse_key: false },
      x509_props: { subject: "CN=mtls.contoso.com", ekus: ["1.3.6.1.5.5.7.3.2"] },
    },
  },
  { name: "kv-pinned", policy: {} },
  { name: "kv-broken", policy: {} },
  { name: "kv-soon", importDays: KV_SOON_DAYS },
  { name: "kv-imported", importDays: 400.5 },
  {
    name: "kv-email",
    policy: {
      lifetime_actions: [{ trigger: { lifetime_percentage: 90 }, action: { action_type: "EmailContacts" } }],
    },
  },
  { name: "kv-no-renew", policy: { lifetime_actions: [] } },
  {
    name: "kv-wide",
    policy: {
      x509_props: {
        subject: "CN=wide.contoso.com, O=Contoso",
        sans: { dns_names: ["wide.contoso.com", "*.wide.contoso.com"], emails: ["ops@contoso.com"] },
        ekus: ["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"],
        key_usage: ["digitalSignature", "keyEncipherment"],
        validity_months: 24,
      },
    },
  },
  {
    name: "kv-reuse",
    policy: { key_props: { kty: "RSA", key_size: 2048, exportable: true, reuse_key: true } },
  },
];

/** API Management certificates read from Key Vault: certificate id → the secret (and identity). */
const FROM_KEY_VAULT: Array<{ id: string; secret: string; identityClientId?: string }> = [
  { id: "gateway", secret: "kv-gateway" },
  { id: "gateway-backup", secret: "kv-gateway", identityClientId: USER_ASSIGNED },
  { id: "portal", secret: "kv-portal" },
  { id: "api", secret: "kv-api" },
  { id: "mtls", secret: "kv-mtls" },
  { id: "soon-from-kv", secret: "kv-soon" },
  { id: "pinned", secret: "kv-pinned" }, // made versioned below
  { id: "broken", secret: "kv-broken" }, // its version disabled below, then refreshSecret fails
];

export interface Scenario {
  emu: Emulator;
  /** The vault's base URL. */
  vaultUrl: string;
  /** The PFX uploaded as each certificate (certificate id → PFX and password). */
  pfx: Record<string, TestPfx>;
  /** Certificate ids in the service. */
  apimIds: string[];
  /** Certificate names in the vault. */
  vaultNames: string[];
  /** The version `pinned` names (Key Vault's current one is newer). */
  pinnedVersion: string;
  /** Environment and flags that point the inventory command at the emulator (no secret in flags). */
  env: Record<string, string>;
  configFlags: string[];
  stop(): Promise<void>;
}

/** Starts an emulator and seeds the scenario. */
export async function startScenario(): Promise<Scenario> {
  const emu = await startEmulator({ reuseKeys: true, apimPageSize: 10, keyVaultPageSize: 5 });
  const untrust = trustEmulatorCa(emu.caCertPem);
  const vaultUrl = emu.vaults[VAULT];
  const kvAuth = {
    headers: { Authorization: `Bearer ${emu.admin.issueToken({ audience: "https://vault.azure.net" })}` },
  };
  const armAuth = {
    headers: {
      Authorization: `Bearer ${emu.admin.issueToken({ audience: "https://management.azure.com/" })}`,
    },
  };
  const kv = (p: string) => `${vaultUrl}${p}${p.includes("?") ? "&" : "?"}api-version=7.4`;
  const arm = (id: string, suffix = "") =>
    `${emu.armEndpoint}${SERVICE_ID}/certificates/${id}${suffix}?api-version=2024-05-01`;

  for (const c of VAULT_CERTIFICATES) {
    if (c.importDays !== undefined) {
      const pfx = makePfx({
        cn: `${c.name}.contoso.com`,
        notAfter: new Date(Date.now() + c.importDays * DAY),
      });
      await axios.post(kv(`/certificates/${c.name}/import`), { value: pfx.data, pwd: pfx.password }, kvAuth);
    } else {
      const base = {
        key_props: { kty: "RSA", key_size: 2048, exportable: true, reuse_key: false },
        secret_props: { contentType: "application/x-pkcs12" },
        x509_props: { subject: `CN=${c.name}.contoso.com`, validity_months: 12 },
        issuer: { name: "Self" },
      };
      await axios.post(kv(`/certificates/${c.name}/create`), { policy: { ...base, ...c.policy } }, kvAuth);
    }
  }

  const pfx: Record<string, TestPfx> = {};
  for (const [i, days] of PFX_DAYS.entries()) {
    const id = `pfx-${String(i + 1).padStart(2, "0")}`;
    pfx[id] = makePfx({ cn: `${id}.contoso.com`, notAfter: new Date(Date.now() + days * DAY) });
    await axios.put(arm(id), { properties: { data: pfx[id].data, password: pfx[id].password } }, armAuth);
  }

  const current = async (name: string): Promise<string> =>
    (await axios.get<{ id: string }>(kv(`/certificates/${name}`), kvAuth)).data.id.split("/").pop()!;
  const pinnedVersion = await current("kv-pinned");
  for (const c of FROM_KEY_VAULT) {
    const secretIdentifier = `${vaultUrl}/secrets/${c.secret}${c.id === "pinned" ? `/${pinnedVersion}` : ""}`;
    await axios.put(
      arm(c.id),
      {
        properties: {
          keyVault: {
            secretIdentifier,
            ...(c.identityClientId ? { identityClientId: c.identityClientId } : {}),
          },
        },
      },
      armAuth,
    );
  }
  // A renewal after API Management pinned a version: the pinned one is no longer current.
  await emu.admin.rotateCertificate(VAULT, "kv-pinned");
  // The version "broken" reads is disabled: API Management's next fetch fails, and says so.
  await axios.patch(
    kv(`/certificates/kv-broken/${await current("kv-broken")}`),
    { attributes: { enabled: false } },
    kvAuth,
  );
  const refresh = await axios.post(
    arm("broken", "/refreshSecret"),
    {},
    { ...armAuth, validateStatus: () => true },
  );
  if (refresh.status !== 400)
    throw new Error(`refreshSecret of "broken" answered ${refresh.status}, expected 400`);

  return {
    emu,
    vaultUrl,
    pfx,
    apimIds: [...Object.keys(pfx), ...FROM_KEY_VAULT.map((c) => c.id)],
    vaultNames: VAULT_CERTIFICATES.map((c) => c.name),
    pinnedVersion,
    env: {
      ARM_CLIENT_ID: emu.clientId,
      ARM_CLIENT_SECRET: emu.clientSecret,
      ARM_TENANT_ID: emu.tenantId,
      ARM_SUBSCRIPTION_ID: SUBSCRIPTION,
      NODE_EXTRA_CA_CERTS: emu.caCertPath,
    },
    configFlags: [
      "--config",
      `azure-certs:armEndpoint=${emu.armEndpoint}`,
      "--config",
      `azure-certs:authorityHost=${emu.authorityHost}`,
      "--config",
      "azure-certs:trustedVaultHosts=localhost",
    ],
    async stop() {
      untrust();
      await emu.stop();
    },
  };
}
