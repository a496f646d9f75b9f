import * as pulumi from "@pulumi/pulumi";
import * as identity from "@azure/identity";
import { guardProviderSerialization, MAX_SERIALIZED_PROVIDER_BYTES } from "../harness/serialization-guard";
import { loadProvider } from "../../provider/dynamic/shell";

// Every provider module the package defines is listed here; a new resource adds its own.
const packageProviders: [string, pulumi.dynamic.ResourceProvider][] = [
  ["Echo (engine smoke fixture)", loadProvider("pulumi-azure-certs/dist/test/fixtures/echo-impl")],
  ["KeyVaultCertificatePolicy", loadProvider("pulumi-azure-certs/dist/provider/keyvault-policy/provider")],
  ["ApimCertificate", loadProvider("pulumi-azure-certs/dist/provider/apim-certificate/provider")],
];

// A client built at module scope, the classic mistake.
const moduleScopeCredential = new identity.ClientSecretCredential(
  "00000000-0000-0000-0000-000000000000",
  "11111111-1111-1111-1111-111111111111",
  "not-a-real-secret",
);

describe("serialized dynamic providers", () => {
  it.each(packageProviders)("%s stays a thin shell with nothing secret", async (_name, provider) => {
    const { bytes, text } = await guardProviderSerialization(provider);
    expect(bytes).toBeLessThanOrEqual(MAX_SERIALIZED_PROVIDER_BYTES);
    expect(text).toMatch(/require\("pulumi-azure-certs\/dist\//);
  });
});

describe("the guard itself", () => {
  it("fails a provider that captures a module-scope client", async () => {
    const leaky: pulumi.dynamic.ResourceProvider = {
      async create() {
        await moduleScopeCredential.getToken("https://management.azure.com/.default");
        return { id: "x", outs: {} };
      },
    };
    await expect(guardProviderSerialization(leaky)).rejects.toThrow();
  });

  it("fails a provider that captures @azure/identity imported at module scope", async () => {
    const leaky: pulumi.dynamic.ResourceProvider = {
      async create() {
        const credential = new identity.DefaultAzureCredential();
        await credential.getToken("https://management.azure.com/.default");
        return { id: "x", outs: {} };
      },
    };
    await expect(guardProviderSerialization(leaky)).rejects.toThrow(/captures the module "@azure\/identity"/);
  });

  it("fails a provider that captures a secret value", async () => {
    const clientSecret = "s3cr3t-" + "x".repeat(12);
    const leaky: pulumi.dynamic.ResourceProvider = {
      async create() {
        const body = { client_secret: clientSecret };
        return { id: JSON.stringify(body).length.toString(), outs: {} };
      },
    };
    await expect(guardProviderSerialization(leaky)).rejects.toThrow(/client secret or password/);
  });

  it("fails a provider that grows past the size budget", async () => {
    const table = Array.from({ length: 300 }, (_, i) => `entry-${i}`);
    const heavy: pulumi.dynamic.ResourceProvider = {
      async create() {
        return { id: table.join(","), outs: {} };
      },
    };
    await expect(guardProviderSerialization(heavy)).rejects.toThrow(/over the 2048-byte budget/);
  });
});
