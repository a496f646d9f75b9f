import {
  AZURE_CLOUDS,
  cloudFor,
  configFromRecord,
  DEFAULTS,
  resolveSettings,
} from "../../provider/transport";

const resolve = (config: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) =>
  resolveSettings(configFromRecord(config), env);

describe("cloudFor", () => {
  test("accepts azure-native's names and Azure CLI's, in any case", () => {
    expect(cloudFor(undefined).name).toBe("AzureCloud");
    expect(cloudFor("public").name).toBe("AzureCloud");
    expect(cloudFor("AzureCloud").name).toBe("AzureCloud");
    expect(cloudFor("china").name).toBe("AzureChinaCloud");
    expect(cloudFor("AzureChinaCloud").name).toBe("AzureChinaCloud");
    expect(cloudFor("usgovernment").name).toBe("AzureUSGovernment");
    expect(cloudFor("AZUREUSGOVERNMENT").name).toBe("AzureUSGovernment");
  });

  test("knows each cloud's endpoints, audiences and vault suffix", () => {
    expect(AZURE_CLOUDS.AzureChinaCloud).toEqual({
      name: "AzureChinaCloud",
      armEndpoint: "https://management.chinacloudapi.cn",
      armScope: "https://management.chinacloudapi.cn/.default",
      authorityHost: "https://login.chinacloudapi.cn",
      keyVaultDnsSuffix: "vault.azure.cn",
      keyVaultResource: "https://vault.azure.cn",
    });
    expect(AZURE_CLOUDS.AzureUSGovernment.keyVaultDnsSuffix).toBe("vault.usgovcloudapi.net");
    expect(AZURE_CLOUDS.AzureUSGovernment.authorityHost).toBe("https://login.microsoftonline.us");
    expect(AZURE_CLOUDS.AzureCloud.armScope).toBe("https://management.azure.com/.default");
  });

  test("refuses an unknown cloud, listing the accepted names", () => {
    expect(() => cloudFor("germany")).toThrow(
      /Unknown Azure environment "germany".*public.*china.*usgovernment/,
    );
  });
});

describe("resolveSettings", () => {
  test("defaults: public cloud, DefaultAzureCredential, documented limits", () => {
    const s = resolve({});
    expect(s.cloud.name).toBe("AzureCloud");
    expect(s.armEndpoint).toBe("https://management.azure.com");
    expect(s.authorityHost).toBe("https://login.microsoftonline.com");
    expect(s.disableInstanceDiscovery).toBe(false);
    expect(s.credential).toEqual({ kind: "default", tenantId: undefined, clientId: undefined });
    expect(s.retry).toEqual({ maxRetries: 5, retryDelayMs: 1000, maxRetryDelayMs: 60_000 });
    expect(s.deadlineMs).toBe(300_000);
    expect(s.requestTimeoutMs).toBe(60_000);
    expect(s.allowHttp).toBe(false);
    expect(s.trustedVaultHosts).toEqual([]);
    expect(s.logLevel).toBe(DEFAULTS.logLevel);
  });

  test("reads the Azure native provider's keys: client secret, subscription, cloud", () => {
    const s = resolve({
      "azure-native:clientId": "cid",
      "azure-native:clientSecret": "csecret",
      "azure-native:tenantId": "tid",
      "azure-native:subscriptionId": "sub",
      "azure-native:environment": "china",
    });
    expect(s.credential).toEqual({
      kind: "clientSecret",
      clientId: "cid",
      clientSecret: "csecret",
      tenantId: "tid",
    });
    expect(s.subscriptionId).toBe("sub");
    expect(s.cloud.name).toBe("AzureChinaCloud");
    expect(s.armEndpoint).toBe("https://management.chinacloudapi.cn");
    expect(s.authorityHost).toBe("https://login.chinacloudapi.cn");
    // A known sovereign authority needs no instance discovery switch.
    expect(s.disableInstanceDiscovery).toBe(false);
  });

  test("config wins over ARM_* which wins over AZURE_*", () => {
    const env = {
      ARM_CLIENT_ID: "arm-cid",
      AZURE_CLIENT_ID: "azure-cid",
      ARM_TENANT_ID: "arm-tid",
      AZURE_TENANT_ID: "azure-tid",
      AZURE_CLIENT_SECRET: "azure-secret",
      ARM_SUBSCRIPTION_ID: "arm-sub",
      AZURE_SUBSCRIPTION_ID: "azure-sub",
      ARM_ENVIRONMENT: "usgovernment",
    };
    expect(resolve({}, env)).toMatchObject({
      credential: {
        kind: "clientSecret",
        clientId: "arm-cid",
        tenantId: "arm-tid",
        clientSecret: "azure-secret",
      },
      subscriptionId: "arm-sub",
      cloud: { name: "AzureUSGovernment" },
    });
    expect(
      resolve({ "azure-native:clientId": "cfg-cid", "azure-native:environment": "public" }, env),
    ).toMatchObject({ credential: { clientId: "cfg-cid" }, cloud: { name: "AzureCloud" } });
  });

  test("a federated token file means workload identity; a literal OIDC token means a client assertion", () => {
    expect(
      resolve(
        {},
        { AZURE_CLIENT_ID: "c", AZURE_TENANT_ID: "t", AZURE_FEDERATED_TOKEN_FILE: "/var/run/token" },
      ).credential,
    ).toEqual({
      kind: "workloadIdentity",
      clientId: "c",
      tenantId: "t",
      tokenFilePath: "/var/run/token",
      source: "AZURE_FEDERATED_TOKEN_FILE",
    });
    expect(
      resolve({
        "azure-native:clientId": "c",
        "azure-native:tenantId": "t",
        "azure-native:oidcTokenFilePath": "/f",
      }).credential.kind,
    ).toBe("workloadIdentity");
    expect(
      resolve({ "azure-native:clientId": "c", "azure-native:tenantId": "t" }, { ARM_OIDC_TOKEN: "x.y.z" })
        .credential,
    ).toEqual({ kind: "clientAssertion", clientId: "c", tenantId: "t", assertion: "x.y.z" });
  });

  test("a client id and tenant alone leave the choice to DefaultAzureCredential", () => {
    expect(resolve({ "azure-native:clientId": "c", "azure-native:tenantId": "t" }).credential).toEqual({
      kind: "default",
      clientId: "c",
      tenantId: "t",
    });
  });

  test("a half-configured secret or token file is an error naming what is missing", () => {
    expect(() => resolve({ "azure-native:clientSecret": "s", "azure-native:clientId": "c" })).toThrow(
      /client secret .* is configured, but azure-native:tenantId \(or ARM_TENANT_ID \/ AZURE_TENANT_ID\) is missing/,
    );
    expect(() => resolve({}, { AZURE_FEDERATED_TOKEN_FILE: "/f", AZURE_TENANT_ID: "t" })).toThrow(
      /federated token file .* azure-native:clientId .* is missing/,
    );
  });

  test("the package's own keys: endpoints, trusted vaults, limits; an emulator authority disables instance discovery", () => {
    const s = resolve({
      "azure-certs:armEndpoint": "https://localhost:8443/",
      "azure-certs:authorityHost": "https://localhost:8444",
      "azure-certs:trustedVaultHosts": '["localhost", "127.0.0.1:9000"]',
      "azure-certs:allowHttp": "true",
      "azure-certs:maxRetries": "2",
      "azure-certs:retryDelayMs": 10,
      "azure-certs:maxRetryDelayMs": "100",
      "azure-certs:deadlineMs": "5000",
      "azure-certs:requestTimeoutMs": "1000",
      "azure-certs:logLevel": "DEBUG",
    });
    expect(s).toMatchObject({
      armEndpoint: "https://localhost:8443",
      authorityHost: "https://localhost:8444",
      disableInstanceDiscovery: true,
      trustedVaultHosts: ["localhost", "127.0.0.1:9000"],
      allowHttp: true,
      retry: { maxRetries: 2, retryDelayMs: 10, maxRetryDelayMs: 100 },
      deadlineMs: 5000,
      requestTimeoutMs: 1000,
      logLevel: "debug",
    });
    // Endpoint overrides keep the cloud's audiences.
    expect(s.cloud.armScope).toBe("https://management.azure.com/.default");
    expect(resolve({ "azure-certs:trustedVaultHosts": "a, b;c" }).trustedVaultHosts).toEqual(["a", "b", "c"]);
  });

  test("AZURE_AUTHORITY_HOST is honoured; auxiliary tenants become additionally allowed tenants", () => {
    const s = resolve(
      { "azure-native:auxiliaryTenantIds": '["t2"]' },
      {
        AZURE_AUTHORITY_HOST: "https://login.microsoftonline.us",
        AZURE_ADDITIONALLY_ALLOWED_TENANTS: "t3;t2",
      },
    );
    expect(s.authorityHost).toBe("https://login.microsoftonline.us");
    expect(s.disableInstanceDiscovery).toBe(false);
    expect(s.additionallyAllowedTenants).toEqual(["t2", "t3"]);
  });

  test("invalid values are errors that name the key", () => {
    expect(() => resolve({ "azure-certs:maxRetries": "-1" })).toThrow(
      /azure-certs:maxRetries must be an integer >= 0/,
    );
    expect(() => resolve({ "azure-certs:requestTimeoutMs": "soon" })).toThrow(/azure-certs:requestTimeoutMs/);
    expect(() => resolve({ "azure-certs:allowHttp": "maybe" })).toThrow(
      /azure-certs:allowHttp must be true or false/,
    );
    expect(() => resolve({ "azure-certs:armEndpoint": "localhost:8443" })).toThrow(
      /azure-certs:armEndpoint must be an absolute URL/,
    );
    expect(() => resolve({ "azure-certs:armEndpoint": "https://x.example/?sig=1" })).toThrow(
      /must not carry a query/,
    );
    expect(() => resolve({ "azure-certs:logLevel": "loud" })).toThrow(/azure-certs:logLevel must be one of/);
    expect(() => resolve({ "azure-native:environment": "mars" })).toThrow(/Unknown Azure environment "mars"/);
  });

  test("the login methods of the Azure native provider, in its order (see README: Login methods)", () => {
    const ids = { ARM_CLIENT_ID: "c", ARM_TENANT_ID: "t" };
    const kind = (env: NodeJS.ProcessEnv, config: Record<string, unknown> = {}) =>
      resolve(config, { ...ids, ...env }).credential.kind;
    const all = {
      ARM_USE_DEFAULT_AZURE_CREDENTIAL: "true",
      ARM_CLIENT_CERTIFICATE_PATH: "/c.pfx",
      ARM_CLIENT_SECRET: "s-1234",
      ARM_USE_OIDC: "true",
      ARM_OIDC_TOKEN: "a.b.c",
      ARM_USE_MSI: "true",
    };
    expect(kind(all)).toBe("default");
    expect(kind({ ...all, ARM_USE_DEFAULT_AZURE_CREDENTIAL: "false" })).toBe("clientCertificate");
    expect(kind({ ...all, ARM_USE_DEFAULT_AZURE_CREDENTIAL: "", ARM_CLIENT_CERTIFICATE_PATH: "" })).toBe(
      "clientSecret",
    );
    expect(kind({ ARM_USE_OIDC: "true", ARM_OIDC_TOKEN: "a.b.c", ARM_USE_MSI: "true" })).toBe(
      "clientAssertion",
    );
    expect(kind({ ARM_USE_MSI: "true" })).toBe("managedIdentity");
    expect(kind({}, { "azure-native:useMsi": true, "azure-native:clientId": "mi" })).toBe("managedIdentity");
    expect(
      resolve(
        { "azure-native:clientCertificatePath": "/c.pfx", "azure-native:clientCertificatePassword": "pw" },
        ids,
      ).credential,
    ).toEqual({
      kind: "clientCertificate",
      clientId: "c",
      tenantId: "t",
      certificatePath: "/c.pfx",
      certificatePassword: "pw",
    });
  });

  test("ARM_DISABLE_INSTANCE_DISCOVERY, as azure-native reads it", () => {
    expect(resolve({}, { ARM_DISABLE_INSTANCE_DISCOVERY: "true" }).disableInstanceDiscovery).toBe(true);
    expect(() => resolve({}, { ARM_DISABLE_INSTANCE_DISCOVERY: "sometimes" })).toThrow(
      /azure-native:disableInstanceDiscovery \(ARM_DISABLE_INSTANCE_DISCOVERY\) must be true or false/,
    );
  });
});
