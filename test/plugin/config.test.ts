/**
 * The plugin's configuration reaches the transport as the dynamic resources' does: endpoint keys
 * under azure-certs:*, credentials handed on as azure-native:*, from the Configure request's args
 * or, for an engine that sends none, its variables.
 */
import * as fs from "fs";
import * as path from "path";
import {
  argsFromVariables,
  CREDENTIAL_KEYS,
  inPluginTerms,
  moduleConfig,
  OWN_KEYS,
} from "../../provider/plugin/config";
import { resolveSettings } from "../../provider/transport/settings";

const args = {
  clientId: "11111111-1111-1111-1111-111111111111",
  tenantId: "22222222-2222-2222-2222-222222222222",
  clientSecret: "not-a-real-secret",
  subscriptionId: "00000000-0000-0000-0000-000000000000",
  armEndpoint: "https://localhost:8443",
  trustedVaultHosts: ["localhost"],
  maxRetries: 2,
  somethingElse: "ignored",
};

test("credentials become azure-native:*, endpoints and limits stay azure-certs:*, unknown names are dropped", () => {
  const config = moduleConfig(args);
  expect(config.keys.sort()).toEqual(
    [
      "azure-certs:armEndpoint",
      "azure-certs:maxRetries",
      "azure-certs:trustedVaultHosts",
      "azure-native:clientId",
      "azure-native:clientSecret",
      "azure-native:subscriptionId",
      "azure-native:tenantId",
    ].sort(),
  );
  const settings = resolveSettings(config, {});
  expect(settings.credential).toEqual(
    expect.objectContaining({ kind: "clientSecret", clientId: args.clientId, tenantId: args.tenantId }),
  );
  expect(settings.armEndpoint).toBe("https://localhost:8443");
  expect(settings.trustedVaultHosts).toEqual(["localhost"]);
  expect(settings.retry.maxRetries).toBe(2);
  expect(settings.subscriptionId).toBe(args.subscriptionId);
});

test("the variables map (azure-certs:config:<name>) gives the same names", () => {
  expect(
    argsFromVariables([
      ["azure-certs:config:clientId", "abc"],
      ["azure-certs:config:trustedVaultHosts", '["localhost"]'],
      ["azure-native:config:clientId", "not ours"],
    ]),
  ).toEqual({ clientId: "abc", trustedVaultHosts: '["localhost"]' });
});

test("the plugin offers every key provider/transport/settings.ts reads (a new setting needs a line in config.ts)", () => {
  const source = fs.readFileSync(
    path.join(__dirname, "..", "..", "provider", "transport", "settings.ts"),
    "utf8",
  );
  const own = [...source.matchAll(/\bown\("([A-Za-z]+)"\)/g)].map((m) => m[1]);
  const native = [
    ...[...source.matchAll(/\b(?:native|sourced|flag)\("([A-Za-z]+)"/g)].map((m) => m[1]),
    ...[...source.matchAll(/"azure-native:([A-Za-z]+)"/g)].map((m) => m[1]),
  ];
  expect(own.length).toBeGreaterThan(5);
  expect(native.length).toBeGreaterThan(5);
  expect([...new Set(own)].filter((k) => !(k in OWN_KEYS))).toEqual([]);
  expect([...new Set(native)].filter((k) => !(k in CREDENTIAL_KEYS))).toEqual([]);
});

test("errors name the keys a plugin user sets: azure-certs:<credential>, not azure-native:", () => {
  let message = "";
  try {
    resolveSettings(moduleConfig({ clientSecret: "not-a-real-secret" }), {});
  } catch (e) {
    message = (e as Error).message;
  }
  expect(message).toMatch(/azure-native:clientId/); // what the modules say
  expect(inPluginTerms(message)).toMatch(/azure-certs:clientId/);
  expect(inPluginTerms(message)).not.toMatch(/azure-native:client/);
  // Other azure-native mentions (not a key the plugin offers) stay as they are.
  expect(inPluginTerms("see azure-native:location and azure-native:tenantId")).toBe(
    "see azure-native:location and azure-certs:tenantId",
  );
});
