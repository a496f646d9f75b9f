/**
 * Bad inputs fail at `pulumi preview`, one failure per case, each naming the property the user
 * wrote, with no stack trace, no request to Azure (the emulator's request log stays empty, token
 * endpoint included) and no change to state. Run through the real CLI: one program declares one
 * resource per case (as a JavaScript user would, untyped), and a single preview reports every
 * failing resource. Names, ids, base64, PFX problems, dates, enumerations, ranges, unknown and
 * misspelt properties, outputs given as inputs, URIs and types, for both resources.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { buildCertificate, buildPfx } from "../../emulator/pki";
import { CliProject } from "../harness/cli-project";
import { startEmulatedAzure, SUBSCRIPTION, type EmulatedAzure } from "../harness/emulated-azure";
import { makePfx } from "../harness/certs";
import { repoRoot } from "../harness/pulumi-cli";

const DAY = 24 * 60 * 60 * 1000;
const serviceId = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apim1`;
const secretUri = "https://myvault.vault.azure.net/secrets/mycert";

/** A bad input: what it changes in a valid resource, and what its failure must say. */
interface Case {
  name: string;
  resource: "ApimCertificate" | "KeyVaultCertificatePolicy";
  /** Dotted paths into a valid resource's inputs and their bad values (`undefined` removes it). */
  set: Record<string, unknown>;
  /** Top-level inputs given as `pulumi.secret`s. */
  secrets?: string[];
  /** What the failure's reason must say, property path first. */
  expect: RegExp;
}

/** A PFX whose certificate is valid from `notBefore` on. */
function pfxValidFrom(notBefore: Date): { data: string; password: string } {
  const key = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
  const der = buildCertificate({
    subject: [{ oid: "2.5.4.3", value: "future.contoso.com" }],
    key,
    notBefore,
    notAfter: new Date(notBefore.getTime() + 365 * DAY),
  });
  const password = "future-pass";
  return { data: buildPfx({ certificates: [der], privateKey: key, password }).toString("base64"), password };
}

function cases(): Case[] {
  const good = makePfx({ cn: "good.contoso.com" });
  const expired = makePfx({ cn: "expired.contoso.com", notAfter: new Date(Date.now() - DAY) });
  const noKey = makePfx({ cn: "nokey.contoso.com", withKey: false });
  const future = pfxValidFrom(new Date(Date.now() + 10 * DAY));
  // From a PFX instead of the base's Key Vault secret.
  const fromPfx = (data: unknown, password: unknown) => ({ keyVault: undefined, data, password });
  const parts = {
    serviceId: undefined,
    subscriptionId: SUBSCRIPTION,
    resourceGroupName: "rg1",
    serviceName: "apim1",
  };
  const apim = (name: string, set: Record<string, unknown>, expect: RegExp, secrets?: string[]): Case => ({
    name,
    resource: "ApimCertificate",
    set,
    expect,
    secrets,
  });
  const kvAt = (name: string, secretIdentifier: unknown, expect: RegExp) =>
    apim(name, { "keyVault.secretIdentifier": secretIdentifier }, expect);
  const policy = (name: string, set: Record<string, unknown>, expect: RegExp): Case => ({
    name,
    resource: "KeyVaultCertificatePolicy",
    set,
    expect,
  });
  const pfx = { data: good.data, password: good.password };

  return [
    // ApimCertificate: names and ids.
    apim("a-certid-slash", { certificateId: "a/b" }, /certificateId: must be 1-80 characters/),
    apim("a-certid-star", { certificateId: "a*b" }, /certificateId: must be 1-80 characters/),
    apim("a-certid-long", { certificateId: "c".repeat(81) }, /certificateId: must be 1-80 characters/),
    apim("a-certid-empty", { certificateId: "" }, /certificateId: must be 1-80 characters/),
    apim("a-certid-missing", { certificateId: undefined }, /certificateId: is required/),
    apim("a-certid-number", { certificateId: 42 }, /certificateId: must be 1-80 characters/),
    apim("a-service-digit", { ...parts, serviceName: "1apim" }, /serviceName: must be 1-50 letters/),
    apim("a-service-long", { ...parts, serviceName: "s".repeat(51) }, /serviceName: must be 1-50 letters/),
    apim("a-service-hyphen-end", { ...parts, serviceName: "apim-" }, /serviceName: must be 1-50 letters/),
    apim("a-group-dot", { ...parts, resourceGroupName: "rg." }, /resourceGroupName: must be 1-90 letters/),
    apim("a-group-bang", { ...parts, resourceGroupName: "rg!" }, /resourceGroupName: must be 1-90 letters/),
    apim("a-group-missing", { ...parts, resourceGroupName: undefined }, /resourceGroupName: is required/),
    apim(
      "a-sub-not-uuid",
      { ...parts, subscriptionId: "my-sub" },
      /subscriptionId: must be a subscription id/,
    ),
    apim(
      "a-serviceid-short",
      { serviceId: "/subscriptions/x" },
      /serviceId: must be an API Management service id/,
    ),
    apim(
      "a-serviceid-web",
      { serviceId: serviceId.replace("Microsoft.ApiManagement", "Microsoft.Web") },
      /serviceId: must be an API Management service id/,
    ),
    apim(
      "a-serviceid-disagree",
      { serviceId, serviceName: "other" },
      /serviceName: is other but serviceId names apim1/,
    ),
    apim("a-serviceid-number", { serviceId: 7 }, /serviceId: must be an API Management service id/),
    // The certificate: base64, PFX, dates, sources.
    apim("a-data-not-base64", fromPfx("not base64!", "x"), /data: must be the base64 encoding/, ["data"]),
    apim(
      "a-data-not-pfx",
      fromPfx(Buffer.from("hello").toString("base64"), "x"),
      /data: is not a readable PKCS#12/,
    ),
    apim("a-data-number", fromPfx(12345, "x"), /data: must be a base64 string/),
    apim("a-pfx-wrong-password", fromPfx(good.data, "wrong"), /password: does not open the PFX/, [
      "data",
      "password",
    ]),
    apim("a-password-number", fromPfx(good.data, 1234), /password: must be a string/),
    apim("a-pfx-no-key", fromPfx(noKey.data, noKey.password), /data: the PFX holds no private key/),
    apim(
      "a-pfx-expired",
      fromPfx(expired.data, expired.password),
      /data: the certificate CN=expired\.contoso\.com \(thumbprint [0-9A-F]{40}\) expired on/,
    ),
    apim(
      "a-pfx-not-yet-valid",
      fromPfx(future.data, future.password),
      /data: the certificate CN=future\.contoso\.com \(thumbprint [0-9A-F]{40}\) is not valid before \d{4}-\d\d-\d\dT/,
    ),
    apim("a-password-alone", { password: "x" }, /password: is only used with data/),
    apim(
      "a-both-sources",
      { data: good.data, password: good.password },
      /keyVault: give exactly one certificate source/,
    ),
    apim("a-no-source", { keyVault: undefined }, /data: give exactly one certificate source/),
    // Key Vault secret URIs.
    kvAt(
      "a-kv-certificates-uri",
      "https://myvault.vault.azure.net/certificates/mycert",
      /keyVault\.secretIdentifier: is a \/certificates\/ URI; .* use https:\/\/myvault\.vault\.azure\.net\/secrets\/mycert/,
    ),
    kvAt(
      "a-kv-http",
      "http://myvault.vault.azure.net/secrets/mycert",
      /keyVault\.secretIdentifier: must be an https URI/,
    ),
    kvAt(
      "a-kv-not-uri",
      "myvault/secrets/mycert",
      /keyVault\.secretIdentifier: must be a Key Vault secret URI/,
    ),
    kvAt("a-kv-query", `${secretUri}?x=1`, /keyVault\.secretIdentifier: must be a Key Vault secret URI/),
    kvAt(
      "a-kv-too-deep",
      `${secretUri}/v1/extra`,
      /keyVault\.secretIdentifier: must be a Key Vault secret URI/,
    ),
    kvAt("a-kv-number", 5, /keyVault\.secretIdentifier: must be a string/),
    kvAt(
      "a-kv-other-host",
      "https://vault.example.com/secrets/mycert",
      /keyVault\.secretIdentifier: must be a secret in a vault under vault\.azure\.net .*got host "vault\.example\.com"/,
    ),
    kvAt(
      "a-kv-lookalike",
      "https://myvault.vault.azure.net.example.com/secrets/mycert",
      /keyVault\.secretIdentifier: must be a secret in a vault under vault\.azure\.net .*got host "myvault\.vault\.azure\.net\.example\.com"/,
    ),
    kvAt(
      "a-kv-two-labels",
      "https://a.b.vault.azure.net/secrets/mycert",
      /keyVault\.secretIdentifier: must be a secret in a vault under vault\.azure\.net/,
    ),
    kvAt(
      "a-kv-port",
      "https://myvault.vault.azure.net:8443/secrets/mycert",
      /keyVault\.secretIdentifier: must be a secret in a vault under vault\.azure\.net .*got host "myvault\.vault\.azure\.net:8443"/,
    ),
    kvAt("a-kv-missing-id", undefined, /keyVault\.secretIdentifier: is required/),
    apim("a-kv-string", { keyVault: secretUri }, /keyVault: must be an object/),
    apim(
      "a-kv-client-not-uuid",
      { "keyVault.identityClientId": "my-identity" },
      /keyVault\.identityClientId: must be the client id \(a UUID\)/,
    ),
    apim(
      "a-kv-unknown-member",
      { "keyVault.bogus": 1 },
      /keyVault\.bogus: is not a member of keyVault; allowed: secretIdentifier, identityClientId/,
    ),
    apim(
      "a-kv-misspelt-member",
      { "keyVault.secretIdentifier": undefined, "keyVault.secretIdentifer": secretUri },
      /keyVault\.secretIdentifer: is not a member of keyVault \(did you mean secretIdentifier\?\)/,
    ),
    apim(
      "a-kv-output-member",
      { "keyVault.lastStatus": { code: "Success" } },
      /keyVault\.lastStatus: is an output of ApimCertificate/,
    ),
    // Enumerations, ranges, types.
    apim("a-apiversion", { apiVersion: "2021-01-01" }, /apiVersion: must be one of 2024-05-01, 2022-08-01/),
    apim(
      "a-warn-negative",
      { expiryWarningDays: -1 },
      /expiryWarningDays: must be a whole number of days, 0 or more/,
    ),
    apim("a-warn-fraction", { expiryWarningDays: 1.5 }, /expiryWarningDays: must be a whole number of days/),
    apim("a-warn-string", { expiryWarningDays: "30" }, /expiryWarningDays: must be a whole number of days/),
    apim("a-import-string", { importExisting: "yes" }, /importExisting: must be true or false/),
    apim("a-trigger-number", { refreshTrigger: 5 }, /refreshTrigger: must be a string/),
    // Unknown and misspelt properties, outputs given as inputs.
    apim(
      "a-unknown",
      { bogusProperty: true },
      /bogusProperty: is not an input of ApimCertificate; allowed: serviceId/,
    ),
    apim(
      "a-misspelt",
      { expiryWarningDay: 10 },
      /expiryWarningDay: is not an input of ApimCertificate \(did you mean expiryWarningDays\?\)/,
    ),
    apim(
      "a-miscased",
      { certificateID: "x" },
      /certificateID: is not an input of ApimCertificate \(did you mean certificateId\?\)/,
    ),
    apim(
      "a-out-thumbprint",
      { ...fromPfx(pfx.data, pfx.password), thumbprint: "ABCDEF" },
      /thumbprint: is an output of ApimCertificate/,
    ),
    apim("a-out-subject", { subject: "CN=me" }, /subject: is an output of ApimCertificate/),
    apim(
      "a-out-expiration",
      { expirationDate: "2030-01-01T00:00:00Z" },
      /expirationDate: is an output of ApimCertificate/,
    ),
    apim("a-out-resourceid", { resourceId: "/x" }, /resourceId: is an output of ApimCertificate/),
    apim("a-out-etag", { etag: 'W/"1"' }, /etag: is an output of ApimCertificate/),

    // KeyVaultCertificatePolicy.
    policy("p-url-http", { vaultBaseUrl: "http://myvault.vault.azure.net" }, /vaultBaseUrl: must use https/),
    policy(
      "p-url-path",
      { vaultBaseUrl: "https://myvault.vault.azure.net/certificates" },
      /vaultBaseUrl: must be the vault's base URL without path/,
    ),
    policy(
      "p-url-lookalike",
      { vaultBaseUrl: "https://myvault.vault.azure.net.example.com" },
      /vaultBaseUrl: must be a vault under vault\.azure\.net/,
    ),
    policy(
      "p-url-none",
      { vaultBaseUrl: undefined },
      /vaultBaseUrl: set either vaultBaseUrl .* or vaultName/,
    ),
    policy("p-vault-name", { vaultBaseUrl: undefined, vaultName: "a" }, /vaultName: must be 3-24 characters/),
    policy(
      "p-cert-name",
      { certificateName: "my_cert" },
      /certificateName: must be 1-127 characters of letters, digits and hyphens/,
    ),
    policy("p-cert-name-missing", { certificateName: undefined }, /certificateName: is required/),
    policy("p-apiversion", { apiVersion: "7.9" }, /apiVersion: must be one of 7\.4, 7\.5, 7\.6/),
    policy("p-restore-string", { restoreOnDelete: "yes" }, /restoreOnDelete: must be a boolean/),
    policy(
      "p-keytype-case",
      { "keyProperties.keyType": "rsa" },
      /keyProperties\.keyType: must be one of .*\(did you mean RSA\?\)/,
    ),
    policy(
      "p-keytype-oct",
      { "keyProperties.keyType": "oct" },
      /keyProperties\.keyType: must be one of .*symmetric key/,
    ),
    policy(
      "p-keysize",
      { "keyProperties.keyType": "RSA", "keyProperties.keySize": 1024 },
      /keyProperties\.keySize: must be one of 2048, 3072, 4096 for RSA keys; got 1024/,
    ),
    policy(
      "p-curve-on-rsa",
      { "keyProperties.keyType": "RSA", "keyProperties.keyCurveName": "P-256" },
      /keyProperties\.keyCurveName: is not allowed for RSA keys/,
    ),
    policy(
      "p-ec-no-curve",
      { "keyProperties.keyType": "EC" },
      /keyProperties\.keyCurveName: is required for EC keys/,
    ),
    policy(
      "p-key-member",
      { "keyProperties.keyTyp": "RSA" },
      /keyProperties\.keyTyp: is not a member of keyProperties \(did you mean keyType\?\)/,
    ),
    policy(
      "p-validity-zero",
      { "x509Properties.validityInMonths": 0 },
      /x509Properties\.validityInMonths: must be a whole number of months from 1 to 1200; got 0/,
    ),
    policy(
      "p-subject",
      { "x509Properties.subject": "contoso.com" },
      /x509Properties\.subject: must be an X\.500 distinguished name/,
    ),
    policy(
      "p-dns-name",
      { "x509Properties.subjectAlternativeNames.dnsNames": ["bad_name!.com"] },
      /x509Properties\.subjectAlternativeNames\.dnsNames\[0\]: must be a DNS name/,
    ),
    policy(
      "p-email",
      { "x509Properties.subjectAlternativeNames.emails": ["not-an-email"] },
      /x509Properties\.subjectAlternativeNames\.emails\[0\]: must be an e-mail address/,
    ),
    policy(
      "p-eku",
      { "x509Properties.enhancedKeyUsage": ["serverAuth"] },
      /x509Properties\.enhancedKeyUsage\[0\]: must be a dotted OID/,
    ),
    policy(
      "p-two-actions",
      {
        lifetimeActions: [
          { action: "AutoRenew", daysBeforeExpiry: 30 },
          { action: "EmailContacts", lifetimePercentage: 80 },
        ],
      },
      /lifetimeActions: may hold at most one action/,
    ),
    policy(
      "p-action-name",
      { lifetimeActions: [{ action: "Renew", daysBeforeExpiry: 30 }] },
      /lifetimeActions\[0\]\.action: must be one of AutoRenew, EmailContacts/,
    ),
    policy(
      "p-action-both",
      { lifetimeActions: [{ action: "AutoRenew", daysBeforeExpiry: 30, lifetimePercentage: 80 }] },
      /lifetimeActions\[0\]: must set exactly one trigger.*got both/,
    ),
    policy(
      "p-percentage",
      { lifetimeActions: [{ action: "AutoRenew", lifetimePercentage: 100 }] },
      /lifetimeActions\[0\]\.lifetimePercentage: must be a whole percentage .* from 1 to 99; got 100/,
    ),
    policy(
      "p-days-range",
      {
        "x509Properties.validityInMonths": 1,
        lifetimeActions: [{ action: "AutoRenew", daysBeforeExpiry: 40 }],
      },
      /lifetimeActions\[0\]\.daysBeforeExpiry: must be a whole number of days from 1 to 27 .*got 40/,
    ),
    policy(
      "p-content-type",
      { "secretProperties.contentType": "text/plain" },
      /secretProperties\.contentType: must be one of application\/x-pkcs12, application\/x-pem-file/,
    ),
    policy("p-issuer-empty", { "issuer.name": "" }, /issuer\.name: must be a non-empty issuer name/),
    policy("p-enabled-string", { "attributes.enabled": "yes" }, /attributes\.enabled: must be a boolean/),
    policy("p-unknown", { bogusProperty: 1 }, /bogusProperty: is not an input of KeyVaultCertificatePolicy/),
    policy(
      "p-misspelt",
      { lifetimeAction: [] },
      /lifetimeAction: is not an input of KeyVaultCertificatePolicy \(did you mean lifetimeActions\?\)/,
    ),
  ];
}

/** Valid inputs that each case changes. */
const BASES: Record<Case["resource"], Record<string, unknown>> = {
  ApimCertificate: { serviceId, certificateId: "bad", keyVault: { secretIdentifier: secretUri } },
  KeyVaultCertificatePolicy: { vaultBaseUrl: "https://myvault.vault.azure.net", certificateName: "bad" },
};

const overlaps = (a: string, b: string) => a === b || a.startsWith(b + ".") || b.startsWith(a + ".");

/**
 * The cases as resources: cases that change disjoint paths of the same resource type share one
 * resource, whose check reports all their failures. (The engine stops a preview at the first
 * resource whose check fails, so each resource needs a preview of its own.)
 */
function asResources(
  all: Case[],
): { resource: Case["resource"]; args: Record<string, unknown>; secrets: string[]; cases: Case[] }[] {
  const groups: { resource: Case["resource"]; paths: string[]; cases: Case[] }[] = [];
  for (const c of all) {
    const paths = Object.keys(c.set);
    const group = groups.find(
      (g) => g.resource === c.resource && !g.paths.some((p) => paths.some((q) => overlaps(p, q))),
    );
    if (group) {
      group.paths.push(...paths);
      group.cases.push(c);
    } else groups.push({ resource: c.resource, paths, cases: [c] });
  }
  return groups.map((g) => {
    const args = structuredClone(BASES[g.resource]);
    for (const c of g.cases) {
      for (const [p, v] of Object.entries(c.set)) {
        const keys = p.split(".");
        let at = args;
        for (const k of keys.slice(0, -1)) {
          if (typeof at[k] !== "object" || at[k] === null) at[k] = {};
          at = at[k] as Record<string, unknown>;
        }
        if (v === undefined) delete at[keys[keys.length - 1]];
        else at[keys[keys.length - 1]] = v;
      }
    }
    return { resource: g.resource, args, secrets: g.cases.flatMap((c) => c.secrets ?? []), cases: g.cases };
  });
}

let azure: EmulatedAzure;
let project: CliProject;
let dir: string;
let all: Case[];
let previews: { name: string; cases: Case[]; ok: boolean; output: string }[];
let stateBefore: string;
let stateAfter: string;
let requests: string[];

const run = (...args: string[]) => project.attempt(...args);

beforeAll(async () => {
  azure = await startEmulatedAzure();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "pac-bad-input-"));
  const casesFile = path.join(dir, "cases.json");
  project = await CliProject.create(path.join(repoRoot, "test", "fixtures", "bad-input-project"), {
    ...azure.env,
    BAD_INPUT_CASES_FILE: casesFile,
  });
  await project.pulumi(
    "config",
    "set-all",
    ...Object.entries(azure.config).flatMap(([k, { value, secret }]) => [
      secret ? "--secret" : "--plaintext",
      `${k}=${value}`,
    ]),
  );
  // State to keep: one certificate deployed before the bad inputs arrive.
  const deployed = makePfx({ cn: "deployed.contoso.com" });
  const baseline = {
    name: "deployed",
    resource: "ApimCertificate",
    args: { serviceId, certificateId: "deployed", data: deployed.data, password: deployed.password },
  };
  fs.writeFileSync(casesFile, JSON.stringify([baseline]));
  expect(await run("up", "--yes", "--skip-preview")).toMatchObject({ ok: true });
  stateBefore = (await project.pulumi("stack", "export")).stdout;

  all = cases();
  azure.clearLog();
  previews = [];
  for (const [i, r] of asResources(all).entries()) {
    const name = `bad-${String(i + 1).padStart(2, "0")}`;
    fs.writeFileSync(
      casesFile,
      JSON.stringify([baseline, { name, resource: r.resource, args: r.args, secrets: r.secrets }]),
    );
    previews.push({ name, cases: r.cases, ...(await run("preview")) });
  }
  requests = azure.requests().map((r) => `${r.listener} ${r.method} ${r.path}`);
  stateAfter = (await project.pulumi("stack", "export")).stdout;
}, 240_000);
afterAll(async () => {
  await project?.dispose();
  await azure?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe("bad inputs at pulumi preview", () => {
  it("has at least 60 cases across both resources, with distinct names", () => {
    expect(all.length).toBeGreaterThanOrEqual(60);
    expect(new Set(all.map((c) => c.name)).size).toBe(all.length);
    expect(all.filter((c) => c.resource === "KeyVaultCertificatePolicy").length).toBeGreaterThanOrEqual(20);
  });

  it("each preview fails; none sends a request to Azure (token endpoint included) or changes state", () => {
    expect(previews.filter((p) => p.ok).map((p) => p.name)).toEqual([]);
    expect(requests).toEqual([]);
    expect(stateAfter).toBe(stateBefore);
  });

  it("prints no stack trace and no install path", () => {
    const lines = previews
      .flatMap((p) => p.output.split("\n"))
      .filter((l) => !l.includes("using pulumi-resource-pulumi-nodejs from $PATH"));
    expect(lines.filter((l) => /^\s+at /.test(l) || l.includes("node_modules"))).toEqual([]);
  });

  it("prints no PFX or password given", () => {
    const secrets = all.flatMap((c) =>
      ["data", "password"]
        .map((k) => c.set[k])
        .filter((v): v is string => typeof v === "string" && v.length >= 8),
    );
    expect(secrets.length).toBeGreaterThan(5);
    const leaked = secrets.filter((v) => previews.some((p) => p.output.includes(v.slice(0, 40))));
    expect(leaked.map((v) => v.slice(0, 12))).toEqual([]);
  });

  it("reports every case, naming its property", () => {
    const missing = previews.flatMap((p) => {
      const lines = p.output.split("\n").filter((l) => l.includes(`'${p.name}' has a problem: `));
      return p.cases
        .filter((c) => !lines.some((l) => c.expect.test(l)))
        .map((c) => `${c.name} (${p.name}): ${lines.join(" | ") || "no failure line"}`);
    });
    expect(missing).toEqual([]);
  });
});
