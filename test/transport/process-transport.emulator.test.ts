/**
 * The process-wide transport as resource providers use it: configured from `configure(req)` with
 * the dynamic provider's own config object, shared by every resource type of the process.
 */
import { Config as DynamicProviderConfig } from "@pulumi/pulumi/cmd/dynamic-provider/config";
import {
  configureTransport,
  defaultSubscriptionId,
  getTransport,
  keyVaultHosts,
  resetTransport,
} from "../../provider/transport";
import {
  APIM_API,
  CERTIFICATES_PATH,
  KV_API,
  startFixture,
  SUBSCRIPTION,
  type Fixture,
} from "./emulator-fixture";

let fx: Fixture;
beforeAll(async () => {
  fx = await startFixture();
});
afterAll(() => fx.stop());
beforeEach(() => {
  fx.resetLog();
  resetTransport();
});

/** What the engine hands a dynamic provider's `configure`: the whole stack configuration. */
const configureRequest = (overrides: Record<string, unknown> = {}) => ({
  config: new DynamicProviderConfig(
    fx.config({ "azure-certs:logLevel": "warn", ...overrides }),
    "my-project",
  ),
});

test("configure(req) of each resource type shares one transport, so tokens are asked for once per process", async () => {
  const first = configureTransport(configureRequest().config, { env: {} });
  // The second resource type's provider is configured with the same stack configuration.
  const second = configureTransport(configureRequest().config, { env: {} });
  expect(second).toBe(first);
  expect(getTransport()).toBe(first);

  // Resource code may take the methods off the transport.
  const { arm, keyVault } = getTransport();
  await arm({ method: "GET", path: CERTIFICATES_PATH, apiVersion: APIM_API });
  await keyVault(fx.emu.vaults.demo, { method: "GET", path: "/certificates", apiVersion: KV_API });
  configureTransport(configureRequest().config, { env: {} });
  await getTransport().arm({ method: "GET", path: CERTIFICATES_PATH, apiVersion: APIM_API });
  await getTransport().keyVault(fx.emu.vaults.demo, {
    method: "GET",
    path: "/certificates",
    apiVersion: KV_API,
  });
  expect(fx.emu.admin.tokenRequestCounts()).toEqual({
    "https://management.azure.com/.default": 1,
    "https://vault.azure.net/.default": 1,
  });

  expect(defaultSubscriptionId()).toBe(SUBSCRIPTION);
  expect(keyVaultHosts()).toEqual({ vaultDnsSuffix: "vault.azure.net", trustedHosts: ["localhost"] });
});

test("different configuration replaces the transport; none at all falls back to the environment", async () => {
  const first = configureTransport(configureRequest().config, { env: {} });
  const other = configureTransport(configureRequest({ "azure-native:environment": "china" }).config, {
    env: {},
  });
  expect(other).not.toBe(first);
  expect(other.cloud.name).toBe("AzureChinaCloud");
  expect(keyVaultHosts().vaultDnsSuffix).toBe("vault.azure.cn");

  resetTransport();
  const saved = process.env.ARM_SUBSCRIPTION_ID;
  process.env.ARM_SUBSCRIPTION_ID = "from-the-environment";
  try {
    expect(defaultSubscriptionId()).toBe("from-the-environment");
  } finally {
    if (saved === undefined) delete process.env.ARM_SUBSCRIPTION_ID;
    else process.env.ARM_SUBSCRIPTION_ID = saved;
  }
});

test("invalid configuration fails configure with the key named, as InvalidConfiguration", () => {
  const configure = (config: Record<string, string>) => () =>
    configureTransport(configureRequest(config).config, { env: {} });
  expect(configure({ "azure-certs:maxRetries": "many" })).toThrow(
    'azure-certs:maxRetries must be an integer >= 0; got "many".',
  );
  expect(configure({ "azure-certs:maxRetries": "many" })).toThrow(
    expect.objectContaining({ name: "AzureCertsError", code: "InvalidConfiguration" }),
  );
  // An unknown cloud is refused the same way.
  expect(configure({ "azure-native:environment": "germany" })).toThrow(
    expect.objectContaining({
      code: "InvalidConfiguration",
      message: expect.stringMatching(/^Unknown Azure environment/),
    }),
  );
});
