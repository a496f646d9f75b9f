/**
 * The Azure native provider's login methods for CI, each getting real tokens from the emulator's
 * Entra ID through @azure/identity, configured with azure-native's names (stack config or ARM_*
 * variables): GitHub Actions OIDC (an ID token requested from ACTIONS_ID_TOKEN_REQUEST_URL and
 * exchanged as a federated client assertion), a literal OIDC token, a token file, and a client
 * certificate (PFX). Managed identity and the Azure CLI have files of their own (MSAL picks a
 * managed identity source once per process).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { createSelfSignedPfx, OidcIssuer } from "../../emulator";
import { AzureRequestError } from "../../provider/transport";
import { resolveSettings, configFromRecord } from "../../provider/transport/settings";
import {
  APIM_API,
  CERTIFICATES_PATH,
  failureOf,
  KV_API,
  startFixture,
  type Fixture,
} from "./emulator-fixture";

let fx: Fixture;
let dir: string;

beforeAll(async () => {
  fx = await startFixture();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "login-methods-"));
});
afterAll(async () => {
  await fx.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  fx.resetLog();
  fx.logs.length = 0;
});

/** Stack configuration with the emulator's endpoints but no identity: each test brings its own. */
const NO_IDENTITY = {
  "azure-native:clientId": undefined,
  "azure-native:clientSecret": undefined,
  "azure-native:tenantId": undefined,
};

/** What a GitHub Actions job with `permissions: id-token: write` and azure-native's variables has. */
function githubEnv(extra: Record<string, string> = {}): Record<string, string> {
  const gh = fx.emu.githubActions;
  return {
    ARM_USE_OIDC: "true",
    ARM_CLIENT_ID: fx.emu.clientId,
    ARM_TENANT_ID: fx.emu.tenantId,
    ACTIONS_ID_TOKEN_REQUEST_URL: gh.requestUrl,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: gh.requestToken,
    ...extra,
  };
}

async function armAndVault(transport: ReturnType<Fixture["transport"]>): Promise<void> {
  expect((await transport.arm({ method: "GET", path: CERTIFICATES_PATH, apiVersion: APIM_API })).status).toBe(
    200,
  );
  const vault = await transport.keyVault(fx.emu.vaults.demo, {
    method: "GET",
    path: "/certificates",
    apiVersion: KV_API,
  });
  expect(vault.status).toBe(200);
}

const tokenRequests = () => fx.requests("token").filter((r) => r.route === "entra.token");
const idTokenRequests = () => fx.requests("identity").filter((r) => r.route === "github.idToken");

/** No log line and no error text may hold these. */
function expectNoSecrets(texts: string[], secrets: string[]): void {
  for (const t of texts) for (const s of secrets) expect(t).not.toContain(s);
}

describe("GitHub Actions OIDC (useOidc + ID token request)", () => {
  test("ARM_USE_OIDC with ACTIONS_ID_TOKEN_REQUEST_URL/TOKEN: each Entra token request exchanges a fresh ID token", async () => {
    const transport = fx.transport(NO_IDENTITY, { env: githubEnv() });
    expect(transport.describeIdentity()).toBe(
      `ClientAssertionCredential with an ID token from ACTIONS_ID_TOKEN_REQUEST_URL (client id ${fx.emu.clientId}, tenant ${fx.emu.tenantId})`,
    );
    const before = fx.emu.admin.githubIdTokenCount();
    await armAndVault(transport);

    // One ID token per Entra token request (ARM, then Key Vault), asked for with azure-native's audience.
    const ids = idTokenRequests();
    expect(ids.map((r) => [r.status, r.audience])).toEqual([
      [200, "api://AzureADTokenExchange"],
      [200, "api://AzureADTokenExchange"],
    ]);
    expect(ids[0].query.audience).toBe("api://AzureADTokenExchange");
    expect(fx.emu.admin.githubIdTokenCount() - before).toBe(2);
    // Entra accepted them as federated assertions of the emulator's GitHub issuer.
    expect(
      tokenRequests().map((r) => [r.status, r.credential, r.assertionIssuer, r.assertionSubject]),
    ).toEqual([
      [200, "federated", fx.emu.githubActions.issuer, "repo:contoso/infra:ref:refs/heads/main"],
      [200, "federated", fx.emu.githubActions.issuer, "repo:contoso/infra:ref:refs/heads/main"],
    ]);
    expect(fx.requests("arm")[0].clientId).toBe(fx.emu.clientId);
    // The tokens are cached: more calls ask neither GitHub nor Entra again.
    await armAndVault(transport);
    expect(idTokenRequests()).toHaveLength(2);
    expectNoSecrets(fx.logs, [fx.emu.githubActions.requestToken]);
  });

  test("the stack config keys (useOidc, oidcRequestUrl, oidcRequestToken) and ARM_OIDC_REQUEST_* win over ACTIONS_ID_TOKEN_REQUEST_*", async () => {
    const gh = fx.emu.githubActions;
    const fromConfig = fx.transport(
      {
        ...NO_IDENTITY,
        "azure-native:clientId": fx.emu.clientId,
        "azure-native:tenantId": fx.emu.tenantId,
        "azure-native:useOidc": "true",
        "azure-native:oidcRequestUrl": gh.requestUrl,
        "azure-native:oidcRequestToken": gh.requestToken,
      },
      { env: { ACTIONS_ID_TOKEN_REQUEST_TOKEN: "not-the-token-0000" } },
    );
    expect(fromConfig.describeIdentity()).toContain("an ID token from azure-native:oidcRequestUrl");
    await armAndVault(fromConfig);

    const fromArm = fx.transport(NO_IDENTITY, {
      env: githubEnv({
        ARM_OIDC_REQUEST_URL: gh.requestUrl,
        ARM_OIDC_REQUEST_TOKEN: gh.requestToken,
        ACTIONS_ID_TOKEN_REQUEST_URL: "https://127.0.0.1:1/nothing-listens-here",
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: "not-the-token-0000",
      }),
    });
    expect(fromArm.describeIdentity()).toContain("an ID token from ARM_OIDC_REQUEST_URL");
    await armAndVault(fromArm);
    expect(idTokenRequests().every((r) => r.status === 200)).toBe(true);
  });

  test("a wrong request token: GitHub's 401, named by its setting, the token nowhere", async () => {
    const wrong = "wrong-request-token-1234567890";
    const transport = fx.transport(NO_IDENTITY, {
      env: githubEnv({ ACTIONS_ID_TOKEN_REQUEST_TOKEN: wrong }),
    });
    const e = await failureOf(() =>
      transport.arm({ method: "GET", path: CERTIFICATES_PATH, apiVersion: APIM_API }),
    );
    expect(AzureRequestError.isInstance(e)).toBe(true);
    expect(e.kind).toBe("authentication");
    expect(e.message).toContain(
      `the ID token endpoint of ACTIONS_ID_TOKEN_REQUEST_URL (https://localhost:${new URL(fx.emu.identityEndpoint).port}/github-actions/idtoken?api-version=2.0&audience=***) answered 401: Invalid bearer token.`,
    );
    expect(e.message).toContain("Check ACTIONS_ID_TOKEN_REQUEST_TOKEN");
    expectNoSecrets([e.message, e.stack ?? "", JSON.stringify(e), ...fx.logs], [wrong]);
    expect(idTokenRequests().map((r) => r.status)).toEqual([401]);
    expect(tokenRequests()).toHaveLength(0);
    expect(fx.requests("arm")).toHaveLength(0);
  });

  test("an unreachable ID-token URL: the message names the setting and the address, not the token", async () => {
    const transport = fx.transport(NO_IDENTITY, {
      env: githubEnv({ ACTIONS_ID_TOKEN_REQUEST_URL: "https://127.0.0.1:1/idtoken?api-version=2.0" }),
    });
    const e = await failureOf(() =>
      transport.arm({ method: "GET", path: CERTIFICATES_PATH, apiVersion: APIM_API }),
    );
    expect(e.message).toContain(
      "could not reach the ID token endpoint of ACTIONS_ID_TOKEN_REQUEST_URL (https://127.0.0.1:1/idtoken?api-version=2.0&audience=***): ECONNREFUSED. Check ACTIONS_ID_TOKEN_REQUEST_URL.",
    );
    expectNoSecrets([e.message, ...fx.logs], [fx.emu.githubActions.requestToken]);
  });

  test("an ID-token endpoint that does not answer is given up on in time", async () => {
    fx.emu.admin.addFault({ route: "github.idToken", kind: "delay", delayMs: 5000, times: 10 });
    const transport = fx.transport(
      { ...NO_IDENTITY, "azure-certs:requestTimeoutMs": "1000", "azure-certs:maxRetries": "0" },
      { env: githubEnv() },
    );
    const started = Date.now();
    const e = await failureOf(() =>
      transport.arm({ method: "GET", path: CERTIFICATES_PATH, apiVersion: APIM_API }),
    );
    expect(Date.now() - started).toBeLessThan(4000);
    // Half of requestTimeoutMs for the ID token, so that it is the one reported, by its setting.
    expect(e.message).toMatch(
      /with ClientAssertionCredential with an ID token from ACTIONS_ID_TOKEN_REQUEST_URL \(client id [0-9a-f-]+, tenant [0-9a-f-]+\): the ID token endpoint of ACTIONS_ID_TOKEN_REQUEST_URL \(https:\/\/localhost:\d+\/github-actions\/idtoken\?api-version=2\.0&audience=\*\*\*\) did not answer within 500 ms\. Check ACTIONS_ID_TOKEN_REQUEST_URL and the network path to it\.$/,
    );
    expectNoSecrets([e.message, ...fx.logs], [fx.emu.githubActions.requestToken]);
    fx.emu.admin.clearFaults();
  });

  test("a subject no federated credential trusts: AADSTS70021", async () => {
    fx.emu.admin.configureGitHubActions({ subject: "repo:contoso/infra:pull_request" });
    try {
      const e = await failureOf(() =>
        fx
          .transport(NO_IDENTITY, { env: githubEnv() })
          .arm({ method: "GET", path: CERTIFICATES_PATH, apiVersion: APIM_API }),
      );
      expect(e.kind).toBe("authentication");
      expect(e.message).toContain(
        "AADSTS70021: No matching federated identity record found for presented assertion. " +
          `Assertion Issuer: '${fx.emu.githubActions.issuer}'. Assertion Subject: 'repo:contoso/infra:pull_request'.`,
      );
      expect(e.message).toContain("has a federated credential whose issuer, subject");
    } finally {
      fx.emu.admin.configureGitHubActions({ subject: "repo:contoso/infra:ref:refs/heads/main" });
    }
  });

  test("an app that does not trust the issuer, and a token the issuer did not sign, are refused", async () => {
    const untrusting = "88888888-8888-8888-8888-888888888888";
    fx.emu.admin.addClient({
      clientId: untrusting,
      federatedCredentials: [
        {
          issuer: "https://token.actions.githubusercontent.com",
          subject: "repo:contoso/infra:ref:refs/heads/main",
        },
      ],
    });
    const e = await failureOf(() =>
      fx
        .transport(NO_IDENTITY, { env: githubEnv({ ARM_CLIENT_ID: untrusting }) })
        .arm({ method: "GET", path: CERTIFICATES_PATH, apiVersion: APIM_API }),
    );
    expect(e.message).toContain(
      `AADSTS70021: No matching federated identity record found for presented assertion. Assertion Issuer: '${fx.emu.githubActions.issuer}'`,
    );

    // Same issuer URL and claims, another key: Entra checks the signature against the issuer's JWKS.
    const forged = new OidcIssuer(fx.emu.githubActions.issuer).mint(
      { sub: "repo:contoso/infra:ref:refs/heads/main", aud: "api://AzureADTokenExchange" },
      300,
    );
    const f = await failureOf(() =>
      fx
        .transport(NO_IDENTITY, { env: { ...githubEnv(), ARM_OIDC_TOKEN: forged } })
        .arm({ method: "GET", path: CERTIFICATES_PATH, apiVersion: APIM_API }),
    );
    expect(f.message).toContain("AADSTS50013: Assertion failed signature validation.");
    expectNoSecrets([f.message, ...fx.logs], [forged]);
  });

  test("half-configured OIDC fails at configure time, naming what is missing", () => {
    const resolve = (env: Record<string, string>) => () => resolveSettings(configFromRecord({}), env);
    expect(resolve({ ARM_USE_OIDC: "true", ARM_CLIENT_ID: "c" })).toThrow(
      "OIDC (azure-native:useOidc / ARM_USE_OIDC) is configured, but azure-native:tenantId (or ARM_TENANT_ID / AZURE_TENANT_ID) is missing.",
    );
    expect(resolve({ ARM_USE_OIDC: "true", ARM_CLIENT_ID: "c", ARM_TENANT_ID: "t" })).toThrow(
      /azure-native:useOidc \(or ARM_USE_OIDC\) is true, but no OIDC token is configured: set azure-native:oidcToken/,
    );
    expect(
      resolve({
        ARM_USE_OIDC: "true",
        ARM_CLIENT_ID: "c",
        ARM_TENANT_ID: "t",
        ACTIONS_ID_TOKEN_REQUEST_URL: "https://x/y",
      }),
    ).toThrow(
      "azure-native:useOidc (or ARM_USE_OIDC) is true and ACTIONS_ID_TOKEN_REQUEST_URL is set, but azure-native:oidcRequestToken (or ARM_OIDC_REQUEST_TOKEN / ACTIONS_ID_TOKEN_REQUEST_TOKEN) is missing.",
    );
    expect(resolve({ ARM_OIDC_REQUEST_URL: "https://x/y", ARM_CLIENT_ID: "c", ARM_TENANT_ID: "t" })).toThrow(
      "azure-native:oidcRequestUrl (or ARM_OIDC_REQUEST_URL / ACTIONS_ID_TOKEN_REQUEST_URL) is configured (ARM_OIDC_REQUEST_URL), but azure-native:useOidc (or ARM_USE_OIDC) is not true.",
    );
    expect(
      resolve({ ...githubEnvFor("http://example.com/idtoken"), ARM_CLIENT_ID: "c", ARM_TENANT_ID: "t" }),
    ).toThrow(/ACTIONS_ID_TOKEN_REQUEST_URL must use https: the request token is a bearer secret/);
    // GitHub sets ACTIONS_ID_TOKEN_REQUEST_* for every job with id-token: write: alone they choose nothing.
    expect(
      resolveSettings(configFromRecord({}), { ...githubEnvFor("https://x/y"), ARM_USE_OIDC: "false" })
        .credential.kind,
    ).toBe("default");
    // http to loopback only with azure-certs:allowHttp.
    expect(
      resolveSettings(configFromRecord({ "azure-certs:allowHttp": "true" }), {
        ...githubEnvFor("http://127.0.0.1:8080/idtoken"),
        ARM_CLIENT_ID: "c",
        ARM_TENANT_ID: "t",
      }).credential,
    ).toMatchObject({ kind: "oidcRequest", requestUrl: "http://127.0.0.1:8080/idtoken" });
  });

  test("precedence: explicit useOidc wins over AZURE_CLIENT_SECRET and AZURE_FEDERATED_TOKEN_FILE; an ARM_CLIENT_SECRET wins over it, as in azure-native", () => {
    const env = { ...githubEnvFor("https://gh.example/idtoken"), ARM_CLIENT_ID: "c", ARM_TENANT_ID: "t" };
    const kind = (extra: Record<string, string>) =>
      resolveSettings(configFromRecord({}), { ...env, ...extra }).credential.kind;
    expect(
      kind({ AZURE_CLIENT_SECRET: "ambient-secret", AZURE_FEDERATED_TOKEN_FILE: "/var/run/token" }),
    ).toBe("oidcRequest");
    expect(kind({ ARM_CLIENT_SECRET: "stack-secret" })).toBe("clientSecret");
    expect(kind({ ARM_OIDC_TOKEN: "a.b.c" })).toBe("clientAssertion");
    expect(kind({ ARM_OIDC_TOKEN_FILE_PATH: "/f" })).toBe("workloadIdentity");
    expect(kind({ ARM_USE_MSI: "true" })).toBe("oidcRequest");
    expect(kind({ ARM_USE_DEFAULT_AZURE_CREDENTIAL: "true" })).toBe("default");
    expect(
      resolveSettings(configFromRecord({}), { ...env, ARM_OIDC_AUDIENCE: "api://custom" }).credential,
    ).toMatchObject({ audience: "api://custom" });
  });
});

function githubEnvFor(url: string): Record<string, string> {
  return {
    ARM_USE_OIDC: "true",
    ACTIONS_ID_TOKEN_REQUEST_URL: url,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: "rt-123456",
  };
}

describe("a literal OIDC token and a token file", () => {
  test("ARM_USE_OIDC + ARM_OIDC_TOKEN: the token is the client assertion", async () => {
    const token = fx.emu.admin.issueGitHubIdToken();
    const transport = fx.transport(NO_IDENTITY, {
      env: {
        ARM_USE_OIDC: "true",
        ARM_OIDC_TOKEN: token,
        ARM_CLIENT_ID: fx.emu.clientId,
        ARM_TENANT_ID: fx.emu.tenantId,
      },
    });
    expect(transport.describeIdentity()).toMatch(/^ClientAssertionCredential from azure-native:oidcToken/);
    await armAndVault(transport);
    expect(tokenRequests().map((r) => r.credential)).toEqual(["federated", "federated"]);
    expectNoSecrets(fx.logs, [token]);
  });

  test("azure-native:oidcTokenFilePath with useOidc: a workload identity token file", async () => {
    const file = path.join(dir, "oidc-token");
    fs.writeFileSync(file, fx.emu.admin.issueGitHubIdToken());
    const transport = fx.transport(
      {
        ...NO_IDENTITY,
        "azure-native:useOidc": true,
        "azure-native:oidcTokenFilePath": file,
        "azure-native:clientId": fx.emu.clientId,
        "azure-native:tenantId": fx.emu.tenantId,
      },
      { env: {} },
    );
    expect(transport.describeIdentity()).toMatch(/^WorkloadIdentityCredential/);
    await armAndVault(transport);
    expect(tokenRequests().map((r) => [r.status, r.credential])).toEqual([
      [200, "federated"],
      [200, "federated"],
    ]);
  });

  test("an expired ID token in ARM_OIDC_TOKEN: AADSTS700024", async () => {
    const token = fx.emu.admin.issueGitHubIdToken({ lifetimeSeconds: -600 });
    const e = await failureOf(() =>
      fx
        .transport(NO_IDENTITY, {
          env: {
            ARM_USE_OIDC: "true",
            ARM_OIDC_TOKEN: token,
            ARM_CLIENT_ID: fx.emu.clientId,
            ARM_TENANT_ID: fx.emu.tenantId,
          },
        })
        .arm({ method: "GET", path: CERTIFICATES_PATH, apiVersion: APIM_API }),
    );
    expect(e.message).toContain("AADSTS700024: Client assertion is not within its valid time range.");
  });
});

describe("client certificate (azure-native:clientCertificatePath, a PFX)", () => {
  const CERT_CLIENT = "99999999-9999-9999-9999-999999999999";
  let pfxFile: string;
  let password: string;

  beforeAll(async () => {
    const pfx = await createSelfSignedPfx({ subject: "CN=ci-deployer", password: "pfx-Passw0rd-secret" });
    pfxFile = path.join(dir, "client.pfx");
    fs.writeFileSync(pfxFile, pfx.pfx);
    password = pfx.password;
    const pem = `-----BEGIN CERTIFICATE-----\n${pfx.certificateDer.toString("base64")}\n-----END CERTIFICATE-----\n`;
    fx.emu.admin.addClient({ clientId: CERT_CLIENT, certificates: [pem] });
  });

  test("ARM_CLIENT_CERTIFICATE_PATH + ARM_CLIENT_CERTIFICATE_PASSWORD: an assertion signed by the registered certificate", async () => {
    const transport = fx.transport(NO_IDENTITY, {
      env: {
        ARM_CLIENT_ID: CERT_CLIENT,
        ARM_TENANT_ID: fx.emu.tenantId,
        ARM_CLIENT_CERTIFICATE_PATH: pfxFile,
        ARM_CLIENT_CERTIFICATE_PASSWORD: password,
      },
    });
    expect(transport.describeIdentity()).toBe(
      `ClientCertificateCredential from azure-native:clientCertificatePath (client id ${CERT_CLIENT}, tenant ${fx.emu.tenantId})`,
    );
    await armAndVault(transport);
    expect(tokenRequests().map((r) => [r.status, r.credential, r.clientId])).toEqual([
      [200, "certificate", CERT_CLIENT],
      [200, "certificate", CERT_CLIENT],
    ]);
    expect(fx.requests("arm")[0].clientId).toBe(CERT_CLIENT);
    expectNoSecrets(fx.logs, [password]);
    // Nothing but the PFX itself exists: the PEM made from it stayed in memory.
    expect(fs.readdirSync(dir).filter((f) => /\.pem$|\.key$/.test(f))).toEqual([]);
  });

  test("a wrong password names the setting, never the password; an unregistered certificate gets AADSTS700027", async () => {
    const wrong = "not-the-pfx-password";
    const config = {
      ...NO_IDENTITY,
      "azure-native:clientId": CERT_CLIENT,
      "azure-native:tenantId": fx.emu.tenantId,
      "azure-native:clientCertificatePath": pfxFile,
      "azure-native:clientCertificatePassword": wrong,
    };
    const e = await failureOf(() =>
      fx.transport(config, { env: {} }).arm({ method: "GET", path: CERTIFICATES_PATH, apiVersion: APIM_API }),
    );
    expect(e.kind).toBe("authentication");
    expect(e.message).toContain(
      `azure-native:clientCertificatePath (ARM_CLIENT_CERTIFICATE_PATH): ${pfxFile} could not be opened with azure-native:clientCertificatePassword (ARM_CLIENT_CERTIFICATE_PASSWORD): the password is wrong or missing.`,
    );
    expectNoSecrets([e.message, ...fx.logs], [wrong, password]);
    expect(tokenRequests()).toHaveLength(0);

    const other = await createSelfSignedPfx({ subject: "CN=unregistered", password: "" });
    const otherFile = path.join(dir, "unregistered.pfx");
    fs.writeFileSync(otherFile, other.pfx);
    const u = await failureOf(() =>
      fx
        .transport(
          {
            ...config,
            "azure-native:clientCertificatePath": otherFile,
            "azure-native:clientCertificatePassword": undefined,
          },
          { env: {} },
        )
        .arm({ method: "GET", path: CERTIFICATES_PATH, apiVersion: APIM_API }),
    );
    expect(u.message).toContain(
      "AADSTS700027: Client assertion contains an invalid signature. [Reason - The key was not found.",
    );
    expect(u.message).toContain("is registered for the app");
  });

  test("a password without a certificate path, or a path without client id, is a configuration error", () => {
    expect(() =>
      resolveSettings(configFromRecord({}), {
        ARM_CLIENT_CERTIFICATE_PASSWORD: "pw-1234",
        ARM_CLIENT_ID: "c",
        ARM_TENANT_ID: "t",
      }),
    ).toThrow(
      "azure-native:clientCertificatePassword (or ARM_CLIENT_CERTIFICATE_PASSWORD) is configured, but azure-native:clientCertificatePath (or ARM_CLIENT_CERTIFICATE_PATH) (the PFX file) is missing.",
    );
    expect(() =>
      resolveSettings(configFromRecord({}), { ARM_CLIENT_CERTIFICATE_PATH: "/x.pfx", ARM_TENANT_ID: "t" }),
    ).toThrow(
      "A client certificate (azure-native:clientCertificatePath / ARM_CLIENT_CERTIFICATE_PATH) is configured, but azure-native:clientId (or ARM_CLIENT_ID / AZURE_CLIENT_ID) is missing.",
    );
  });
});
