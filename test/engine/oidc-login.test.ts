/**
 * A GitHub Actions job's login, end to end: the real `pulumi up` (CLI, dynamic provider plugin)
 * creates an ApimCertificate with nothing but azure-native's OIDC variables as credentials
 * (ARM_USE_OIDC, ARM_CLIENT_ID, ARM_TENANT_ID) and the two GitHub sets for `id-token: write`
 * (ACTIONS_ID_TOKEN_REQUEST_URL / _TOKEN), here pointing at the emulator's GitHub Actions. The
 * emulator's logs prove how the token was had: an ID token from the GitHub endpoint, exchanged at
 * Entra ID as a federated assertion of the trusted issuer, and no client secret anywhere.
 */
import * as fs from "fs";
import * as path from "path";
import { startEmulator, trustEmulatorCa, type Emulator } from "../../emulator";
import { makePfx } from "../harness/certs";
import { CliProject } from "../harness/cli-project";
import { repoRoot } from "../harness/pulumi-cli";

const SUBSCRIPTION = "00000000-0000-0000-0000-000000000000";
const SERVICE = { subscriptionId: SUBSCRIPTION, resourceGroup: "rg-ci", serviceName: "apim-ci" };
const serviceId = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-ci/providers/Microsoft.ApiManagement/service/apim-ci`;

/**
 * Every variable through which a credential could reach the provider besides the OIDC ones:
 * emptied, so that the job's login is the only one (an empty value counts as unset).
 */
const OTHER_CREDENTIALS = [
  "ARM_CLIENT_SECRET",
  "AZURE_CLIENT_SECRET",
  "AZURE_CLIENT_ID",
  "AZURE_TENANT_ID",
  "ARM_CLIENT_CERTIFICATE_PATH",
  "ARM_CLIENT_CERTIFICATE_PASSWORD",
  "AZURE_CLIENT_CERTIFICATE_PATH",
  "ARM_OIDC_TOKEN",
  "ARM_OIDC_TOKEN_FILE_PATH",
  "AZURE_FEDERATED_TOKEN_FILE",
  "ARM_OIDC_REQUEST_URL",
  "ARM_OIDC_REQUEST_TOKEN",
  "ARM_USE_MSI",
  "ARM_USE_DEFAULT_AZURE_CREDENTIAL",
  "AZURE_AUTHORITY_HOST",
  "IDENTITY_ENDPOINT",
  "IDENTITY_HEADER",
];

let emu: Emulator;
let untrust: () => void;
let project: CliProject;

beforeAll(async () => {
  emu = await startEmulator({ reuseKeys: true });
  untrust = trustEmulatorCa(emu.caCertPem);
  const gh = emu.githubActions;
  project = await CliProject.create(path.join(repoRoot, "test", "fixtures", "oidc-login"), {
    ...Object.fromEntries(OTHER_CREDENTIALS.map((v) => [v, ""])),
    // The credentials: what a GitHub Actions job with azure-native's OIDC settings has.
    ARM_USE_OIDC: "true",
    ARM_CLIENT_ID: emu.clientId,
    ARM_TENANT_ID: emu.tenantId,
    ACTIONS_ID_TOKEN_REQUEST_URL: gh.requestUrl,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: gh.requestToken,
    // Not credentials: the subscription, and trust in the emulator's CA.
    ARM_SUBSCRIPTION_ID: SUBSCRIPTION,
    NODE_EXTRA_CA_CERTS: emu.caCertPath,
  });
  // The emulator's endpoints (not credentials), as a user points the package at it.
  for (const [key, value] of [
    ["azure-certs:armEndpoint", emu.armEndpoint],
    ["azure-certs:authorityHost", emu.authorityHost],
    ["oidc-login:serviceId", serviceId],
  ])
    await project.pulumi("config", "set", key, value);
}, 300_000);

afterAll(async () => {
  await project?.dispose();
  untrust?.();
  await emu?.stop();
});

it("pulumi up with only ARM_USE_OIDC + ACTIONS_ID_TOKEN_REQUEST_* creates the certificate through a federated token exchange", async () => {
  const pfx = makePfx({ cn: "ci.contoso.com", daysValid: 200 });
  await project.pulumi("config", "set", "--secret", "oidc-login:pfxBase64", pfx.data);
  await project.pulumi("config", "set", "--secret", "oidc-login:pfxPassword", pfx.password);
  emu.admin.clearRequests();
  const idTokensBefore = emu.admin.githubIdTokenCount();

  const up = await project.pulumi("up", "--yes", "--skip-preview");
  expect(up.stdout).toMatch(/\+ 2 created/);

  // The certificate exists in the emulated API Management, as the stack says.
  const stored = emu.admin.getApimCertificate({ ...SERVICE, certificateId: "oidc-tls" });
  expect(stored).toBeDefined();
  const outputs = await project.outputs();
  expect(outputs.thumbprint).toBe(stored!.thumbprint);

  // How the token was had: GitHub's ID-token endpoint, with azure-native's audience...
  const requests = emu.admin.requests();
  const idTokens = requests.filter((r) => r.route === "github.idToken");
  expect(idTokens.length).toBeGreaterThanOrEqual(1);
  expect(idTokens.every((r) => r.status === 200 && r.audience === "api://AzureADTokenExchange")).toBe(true);
  expect(emu.admin.githubIdTokenCount() - idTokensBefore).toBe(idTokens.length);
  // ...exchanged at Entra ID as a federated assertion of the trusted issuer and subject...
  const exchanges = requests.filter((r) => r.route === "entra.token");
  expect(exchanges.length).toBeGreaterThanOrEqual(1);
  for (const t of exchanges) {
    expect(t).toMatchObject({
      status: 200,
      clientId: emu.clientId,
      credential: "federated",
      assertionIssuer: emu.githubActions.issuer,
      assertionSubject: emu.githubActions.subject,
      audience: "https://management.azure.com",
    });
  }
  // ...one ID token per exchange, and that token is what reached ARM.
  expect(idTokens).toHaveLength(exchanges.length);
  const put = requests.find((r) => r.route === "apim.certificate.put");
  expect(put).toMatchObject({
    status: 201,
    clientId: emu.clientId,
    audience: "https://management.azure.com",
  });

  // The request token is nowhere in the stack's state or the CLI's output.
  const backend = path.join(path.dirname(project.dir), "backend");
  const state = readAll(backend);
  expect(state).toContain("oidc-tls");
  expect(state).not.toContain(emu.githubActions.requestToken);
  expect(up.stdout + up.stderr).not.toContain(emu.githubActions.requestToken);
});

/** The text of every file under `dir`. */
function readAll(dir: string): string {
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => fs.readFileSync(path.join(e.parentPath, e.name), "utf8"))
    .join("\n");
}
