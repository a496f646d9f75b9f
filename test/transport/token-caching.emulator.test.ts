/**
 * Tokens are asked for once per audience for the life of the process, shared by concurrent first
 * calls, and renewed ahead of expiry; the emulator counts every token request.
 */
import {
  APIM_API,
  CERTIFICATES_PATH,
  KV_API,
  selfSignedPolicy,
  startFixture,
  type Fixture,
} from "./emulator-fixture";

let fx: Fixture;
let shortLived: Fixture;

beforeAll(async () => {
  [fx, shortLived] = await Promise.all([startFixture(), startFixture({ tokenLifetimeSeconds: 4 })]);
});
afterAll(async () => {
  await Promise.all([fx.stop(), shortLived.stop()]);
});
beforeEach(() => {
  fx.resetLog();
  shortLived.resetLog();
});

const ARM_SCOPE = "https://management.azure.com/.default";
const VAULT_SCOPE = "https://vault.azure.net/.default";

test("20 ARM calls and 20 Key Vault calls ask for exactly one token per scope", async () => {
  const transport = fx.transport();
  await transport.keyVault(fx.emu.vaults.demo, {
    method: "POST",
    path: "/certificates/cached/create",
    apiVersion: KV_API,
    body: selfSignedPolicy("CN=cached"),
  });
  for (let i = 0; i < 20; i++) {
    await transport.arm({ method: "GET", path: CERTIFICATES_PATH, apiVersion: APIM_API });
    await transport.keyVault(fx.emu.vaults.demo, {
      method: "GET",
      path: "/certificates/cached/policy",
      apiVersion: KV_API,
    });
  }
  expect(fx.emu.admin.tokenRequestCounts()).toEqual({ [ARM_SCOPE]: 1, [VAULT_SCOPE]: 1 });
  expect(fx.requests("arm").map((r) => r.status)).toEqual(Array(20).fill(200));
  // One unauthenticated request to learn the vault's challenge, then only authenticated ones.
  const vault = fx.requests("demo");
  expect(vault.filter((r) => r.status === 401)).toHaveLength(1);
  expect(vault[0].status).toBe(401);
  expect(vault.slice(1).every((r) => r.audience === "https://vault.azure.net")).toBe(true);
  expect(vault).toHaveLength(22);
});

test("concurrent first calls share one token request and one challenge probe", async () => {
  const transport = fx.transport();
  const calls = [
    ...Array.from({ length: 20 }, () =>
      transport.arm({ method: "GET", path: CERTIFICATES_PATH, apiVersion: APIM_API }),
    ),
    ...Array.from({ length: 20 }, () =>
      transport.keyVault(fx.emu.vaults.demo, { method: "GET", path: "/certificates", apiVersion: KV_API }),
    ),
  ];
  const results = await Promise.all(calls);
  expect(results.map((r) => r.status)).toEqual(Array(40).fill(200));
  expect(fx.emu.admin.tokenRequestCounts()).toEqual({ [ARM_SCOPE]: 1, [VAULT_SCOPE]: 1 });
  expect(fx.requests("demo").filter((r) => r.status === 401)).toHaveLength(1);
});

test("separate transports (separate processes) each ask once; the vault's challenge is learnt per vault host", async () => {
  const second = await fx.emu.admin.addVault("second");
  const a = fx.transport();
  const b = fx.transport();
  for (const t of [a, b]) {
    for (const vault of [fx.emu.vaults.demo, second]) {
      await t.keyVault(vault, { method: "GET", path: "/certificates", apiVersion: KV_API });
      await t.keyVault(vault, { method: "GET", path: "/certificates", apiVersion: KV_API });
    }
  }
  // Same scope for both vaults: one token per transport.
  expect(fx.emu.admin.tokenRequestCounts()).toEqual({ [VAULT_SCOPE]: 2 });
  expect(fx.requests("demo").filter((r) => r.status === 401)).toHaveLength(2);
  expect(fx.requests("second").filter((r) => r.status === 401)).toHaveLength(2);
});

test("a token is renewed before it expires (4 s tokens: renewed after half their life)", async () => {
  const transport = shortLived.transport();
  const get = () => transport.arm({ method: "GET", path: CERTIFICATES_PATH, apiVersion: APIM_API });
  await get();
  await get();
  expect(shortLived.emu.admin.tokenRequestCounts()).toEqual({ [ARM_SCOPE]: 1 });
  await new Promise((r) => setTimeout(r, 2500));
  await get();
  await get();
  expect(shortLived.emu.admin.tokenRequestCounts()).toEqual({ [ARM_SCOPE]: 2 });
  // No call was ever made with an expired token.
  expect(shortLived.requests("arm").map((r) => r.status)).toEqual([200, 200, 200, 200]);
});
