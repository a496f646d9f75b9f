/**
 * What `--apim` and `--vault` accept: the forms of a service and of a vault, checked by the
 * resources' own rules (their `check`), so the inventory takes exactly what a program could name.
 */
import { parseApimTarget, parseVaultTarget, serviceId, TargetError } from "../../provider/inventory";

const SUB = "00000000-0000-0000-0000-000000000000";
const ID = `/subscriptions/${SUB}/resourceGroups/contoso-rg/providers/Microsoft.ApiManagement/service/contoso-apim`;
const PUBLIC = { vaultDnsSuffix: "vault.azure.net", trustedHosts: [] };

test("a service by ARM id, by subscription/group/name, or by group/name in the configured subscription", () => {
  const expected = { subscriptionId: SUB, resourceGroupName: "contoso-rg", serviceName: "contoso-apim" };
  expect(parseApimTarget(ID)).toEqual(expected);
  expect(parseApimTarget(`${ID}/`)).toEqual(expected);
  expect(parseApimTarget(`${SUB}/contoso-rg/contoso-apim`)).toEqual(expected);
  expect(parseApimTarget("contoso-rg/contoso-apim", SUB)).toEqual(expected);
  expect(serviceId(expected)).toBe(ID);
});

test("a service the resources would refuse is refused, naming what is wrong", () => {
  expect(() => parseApimTarget("contoso-rg/contoso-apim")).toThrow(/subscriptionId is required/);
  expect(() => parseApimTarget("contoso-apim")).toThrow(TargetError);
  expect(() => parseApimTarget(`${SUB}/contoso-rg/-apim`, SUB)).toThrow(/serviceName must be 1-50 letters/);
  expect(() => parseApimTarget(`${ID}/certificates/x`)).toThrow(
    /serviceId must be an API Management service id/,
  );
});

test("a vault by URL or by name (the cloud's suffix); other hosts only when trusted", () => {
  expect(parseVaultTarget("contoso-kv", PUBLIC)).toBe("https://contoso-kv.vault.azure.net");
  expect(parseVaultTarget("https://Contoso-KV.vault.azure.net/", PUBLIC)).toBe(
    "https://contoso-kv.vault.azure.net",
  );
  expect(parseVaultTarget("contoso-kv", { vaultDnsSuffix: "vault.azure.cn", trustedHosts: [] })).toBe(
    "https://contoso-kv.vault.azure.cn",
  );
  expect(() => parseVaultTarget("https://localhost:41003", PUBLIC)).toThrow(
    /vaultBaseUrl must be a vault under vault\.azure\.net/,
  );
  expect(parseVaultTarget("https://localhost:41003", { ...PUBLIC, trustedHosts: ["localhost"] })).toBe(
    "https://localhost:41003",
  );
  expect(() => parseVaultTarget("http://contoso-kv.vault.azure.net", PUBLIC)).toThrow(/must use https/);
  expect(() => parseVaultTarget("x", PUBLIC)).toThrow(/vaultName must be 3-24 characters/);
});
