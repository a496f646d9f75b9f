/**
 * A preview of a stack with no Azure credentials at all says so up front, once per program run,
 * without failing (the `up` would try DefaultAzureCredential); with credentials it says nothing.
 * Nothing is called: both previews plan creates only, which need no token.
 */
import { ApimCertificate, KeyVaultCertificatePolicy } from "../../provider";
import { NO_CREDENTIALS_WARNING } from "../../provider/dynamic/no-credentials";
import { makePfx } from "../harness/certs";
import { EngineStack } from "../harness/engine";

const SUBSCRIPTION = "00000000-0000-0000-0000-000000000000";
const pfx = makePfx({ cn: "nocreds.contoso.com" });

function program() {
  const a = new ApimCertificate("a", {
    subscriptionId: SUBSCRIPTION,
    resourceGroupName: "rg",
    serviceName: "svc",
    certificateId: "a",
    data: pfx.data,
    password: pfx.password,
  });
  const b = new ApimCertificate("b", {
    subscriptionId: SUBSCRIPTION,
    resourceGroupName: "rg",
    serviceName: "svc",
    certificateId: "b",
    data: pfx.data,
    password: pfx.password,
  });
  const policy = new KeyVaultCertificatePolicy("p", {
    vaultBaseUrl: "https://nocreds.vault.azure.net",
    certificateName: "gateway",
  });
  return Promise.resolve({ a: a.certificateId, b: b.certificateId, p: policy.certificateName });
}

/** How often the warning is in the preview's Diagnostics (the progress lines repeat each one). */
const count = (text: string): number =>
  (/^Diagnostics:$([\s\S]*?)^(Outputs|Resources):$/m.exec(text)?.[1] ?? "").split(
    "no Azure credentials are configured",
  ).length - 1;

// The program runs in this process: credentials in the environment of whoever runs the tests would
// count as configured.
const saved: Record<string, string | undefined> = {};
beforeAll(() => {
  for (const k of Object.keys(process.env)) {
    if (/^(ARM|AZURE)_/.test(k) || /^ACTIONS_ID_TOKEN/.test(k)) {
      saved[k] = process.env[k];
      delete process.env[k];
    }
  }
});
afterAll(() => Object.assign(process.env, saved));

it("no credential in the stack config or the environment: the preview warns once and succeeds", async () => {
  const stack = await EngineStack.create({ program, projectName: "no-credentials" });
  try {
    const pre = await stack.preview();
    expect(pre.changeSummary).toEqual({ create: 4 });
    expect(count(pre.stdout)).toBe(1);
    expect(pre.stdout).toContain(`warning: ${NO_CREDENTIALS_WARNING}`);
    expect(pre.stderr).not.toContain("no Azure credentials");
    expect(NO_CREDENTIALS_WARNING).toMatch(
      /`pulumi up` will try DefaultAzureCredential .*see README Authentication/,
    );
    // Once per program run, not once per process: a second preview warns again, once.
    expect(count((await stack.preview()).stdout)).toBe(1);
  } finally {
    await stack.dispose();
  }
});

it("azure-native:clientId and clientSecret in the stack: no warning", async () => {
  const stack = await EngineStack.create({
    program,
    projectName: "with-credentials",
    config: {
      "azure-native:clientId": { value: "22222222-2222-2222-2222-222222222222" },
      "azure-native:clientSecret": { value: "s3cret", secret: true },
      "azure-native:tenantId": { value: "11111111-1111-1111-1111-111111111111" },
    },
  });
  try {
    const pre = await stack.preview();
    expect(pre.changeSummary).toEqual({ create: 4 });
    expect(count(pre.stdout)).toBe(0);
  } finally {
    await stack.dispose();
  }
});

it("ARM_USE_MSI in the environment: no warning", async () => {
  process.env.ARM_USE_MSI = "true";
  const stack = await EngineStack.create({ program, projectName: "with-msi" });
  try {
    const pre = await stack.preview();
    expect(count(pre.stdout)).toBe(0);
  } finally {
    delete process.env.ARM_USE_MSI;
    await stack.dispose();
  }
});
