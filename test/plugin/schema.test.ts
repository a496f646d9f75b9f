/**
 * The plugin's schema is generated from the sources (scripts/native-schema.ts) and committed: it
 * must be what the generator writes today, list every input the providers' check accepts, and
 * mark the secrets.
 */
import * as fs from "fs";
import { CREDENTIAL_KEYS, OWN_KEYS } from "../../provider/plugin/config";
import { SCHEMA_PATH, buildSchema } from "../../scripts/native-schema";

// The inputs ApimCertificate takes (README, "`ApimCertificate` reference").
const APIM_INPUTS = [
  "serviceId",
  "subscriptionId",
  "resourceGroupName",
  "serviceName",
  "certificateId",
  "apiVersion",
  "data",
  "password",
  "keyVault",
  "refreshTrigger",
  "expiryWarningDays",
  "importExisting",
];
const schema = JSON.parse(fs.readFileSync(SCHEMA_PATH, "utf8"));
const apim = schema.resources["azure-certs:index:ApimCertificate"];
const policy = schema.resources["azure-certs:index:KeyVaultCertificatePolicy"];

// Its formatting is prettier's (checked with the rest of the tree); its content is the generator's.
test("provider/plugin/schema.json is what scripts/native-schema.ts writes (run it after changing a doc comment)", () => {
  expect(schema).toEqual(buildSchema());
});

test("ApimCertificate's inputs are exactly those check accepts, data and password secret", () => {
  expect(Object.keys(apim.inputProperties).sort()).toEqual([...APIM_INPUTS].sort());
  const secrets = Object.entries(apim.inputProperties as Record<string, { secret?: boolean }>)
    .filter(([, p]) => p.secret)
    .map(([k]) => k);
  expect(secrets.sort()).toEqual(["data", "password"]);
  expect(apim.properties.data).toBeUndefined();
  expect(apim.properties.password).toBeUndefined();
});

test("every property and type member has a description", () => {
  const missing: string[] = [];
  const visit = (where: string, props: Record<string, { description?: string }>) => {
    for (const [k, p] of Object.entries(props)) if (!p.description) missing.push(`${where}.${k}`);
  };
  for (const [token, r] of Object.entries(schema.resources as Record<string, Record<string, never>>)) {
    visit(`${token} input`, r.inputProperties);
    visit(`${token} output`, r.properties);
  }
  for (const [name, t] of Object.entries(schema.types as Record<string, { properties: never }>))
    visit(name, t.properties);
  expect(missing).toEqual([]);
  expect(policy.description).toMatch(/Only the members you set are managed/);
});

test("the provider configuration has every key settings.ts reads, the credentials' secrets marked", () => {
  const names = [...Object.keys(OWN_KEYS), ...Object.keys(CREDENTIAL_KEYS)].sort();
  expect(Object.keys(schema.config.variables).sort()).toEqual(names);
  expect(Object.keys(schema.provider.inputProperties).sort()).toEqual(names);
  const secrets = Object.entries(schema.config.variables as Record<string, { secret?: boolean }>)
    .filter(([, p]) => p.secret)
    .map(([k]) => k);
  expect(secrets.sort()).toEqual([
    "clientCertificatePassword",
    "clientSecret",
    "oidcRequestToken",
    "oidcToken",
  ]);
  expect(schema.pluginDownloadURL).toBe("github://api.github.com/pulumi-azure-certs");
});
