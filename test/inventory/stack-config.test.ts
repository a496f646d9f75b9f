/**
 * `--stack` reads `pulumi config --json --show-secrets`: what that output holds, as the transport's
 * settings take it (test/engine/inventory-adopt.test.ts runs it through the real CLI).
 */
import { parseConfigJson } from "../../provider/inventory/stack-config";

test("plain and secret values, structured values as their JSON, keys without a value left out", () => {
  const printed = JSON.stringify({
    "azure-certs:armEndpoint": { value: "https://localhost:41002", secret: false },
    "azure-native:clientSecret": { value: "s3cret", secret: true },
    "azure-certs:trustedVaultHosts": { value: '["localhost"]', objectValue: ["localhost"], secret: false },
    "azure-native:clientCertificatePassword": { secret: true }, // without --show-secrets
  });
  expect(parseConfigJson(printed)).toEqual({
    "azure-certs:armEndpoint": "https://localhost:41002",
    "azure-native:clientSecret": "s3cret",
    "azure-certs:trustedVaultHosts": '["localhost"]',
  });
});

test("output that is not a JSON object is refused without echoing it", () => {
  expect(() => parseConfigJson("error: no stack named 'x' found")).toThrow(
    /^pulumi config --json printed something that is not JSON$/,
  );
  expect(() => parseConfigJson("[1]")).toThrow(/not an object/);
});
