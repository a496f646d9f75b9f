/**
 * Where ARM and Entra ID tokens (and the client secret) may go: the clouds' own endpoints, loopback
 * (the emulator), or hosts trusted explicitly through `azure-certs:trustedArmHosts` /
 * `azure-certs:trustedAuthorityHosts`. Anything else is refused when the transport is configured,
 * before any token is requested.
 */
import { configFromRecord, resolveSettings } from "../../provider/transport";

const resolve = (config: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) =>
  resolveSettings(configFromRecord(config), env);

describe("azure-certs:armEndpoint", () => {
  test("an ARM endpoint that is neither a cloud's, loopback nor trusted is refused, naming the setting", () => {
    expect(() => resolve({ "azure-certs:armEndpoint": "https://management.example.com" })).toThrow(
      "azure-certs:armEndpoint is https://management.example.com, which is not the Resource Manager endpoint of " +
        "a known Azure cloud (management.azure.com, management.chinacloudapi.cn, management.usgovcloudapi.net) " +
        "nor a loopback address, so ARM tokens will not be sent there. If it really is your ARM endpoint " +
        "(a proxy or an emulator on another machine), add management.example.com (or management.example.com:443) " +
        "to azure-certs:trustedArmHosts.",
    );
    // A cloud's host on another port is another server.
    expect(() => resolve({ "azure-certs:armEndpoint": "https://management.azure.com:8443" })).toThrow(
      /azure-certs:trustedArmHosts/,
    );
    // Looks like loopback, is not.
    expect(() => resolve({ "azure-certs:armEndpoint": "https://localhost.example.com" })).toThrow(
      /azure-certs:trustedArmHosts/,
    );
  });

  test("the clouds' endpoints, loopback and trusted hosts are accepted", () => {
    for (const endpoint of [
      "https://management.azure.com",
      "https://management.chinacloudapi.cn",
      "https://management.usgovcloudapi.net/",
      "https://localhost:41002",
      "https://127.0.0.5:8443",
      "https://[::1]:8443",
    ]) {
      expect(resolve({ "azure-certs:armEndpoint": endpoint }).armEndpoint).toBe(endpoint.replace(/\/$/, ""));
    }
    expect(
      resolve({
        "azure-certs:armEndpoint": "https://arm.contoso.example:8443",
        "azure-certs:trustedArmHosts": "arm.contoso.example",
      }).armEndpoint,
    ).toBe("https://arm.contoso.example:8443");
    expect(
      resolve({
        "azure-certs:armEndpoint": "https://arm.contoso.example:8443",
        "azure-certs:trustedArmHosts": '["arm.contoso.example:8443"]',
      }).armEndpoint,
    ).toBe("https://arm.contoso.example:8443");
    expect(() =>
      resolve({
        "azure-certs:armEndpoint": "https://arm.contoso.example:8443",
        "azure-certs:trustedArmHosts": "arm.contoso.example:9000",
      }),
    ).toThrow(/azure-certs:trustedArmHosts/);
  });
});

describe("the authority host", () => {
  test("an unknown authority host is refused instead of silently turning off instance discovery", () => {
    expect(() => resolve({ "azure-certs:authorityHost": "https://login.example.com" })).toThrow(
      "azure-certs:authorityHost is https://login.example.com, which is not the Entra ID authority host of a " +
        "known Azure cloud (login.microsoftonline.com, login.chinacloudapi.cn, login.microsoftonline.us, ...) " +
        "nor a loopback address, so the client secret or assertion and token requests will not be sent there. " +
        "If it really is your authority host (an Azure Stack or emulator on another machine), add " +
        "login.example.com (or login.example.com:443) to azure-certs:trustedAuthorityHosts.",
    );
    expect(() => resolve({}, { AZURE_AUTHORITY_HOST: "https://login.example.com" })).toThrow(
      /^AZURE_AUTHORITY_HOST is https:\/\/login\.example\.com, which is not .* to azure-certs:trustedAuthorityHosts\.$/,
    );
  });

  test("known, loopback and trusted authority hosts; instance discovery stays on only for known ones", () => {
    expect(
      resolve({}, { AZURE_AUTHORITY_HOST: "https://login.microsoftonline.us" }).disableInstanceDiscovery,
    ).toBe(false);
    expect(resolve({ "azure-certs:authorityHost": "https://localhost:41001" }).disableInstanceDiscovery).toBe(
      true,
    );
    const trusted = resolve({
      "azure-certs:authorityHost": "https://adfs.contoso.example/adfs",
      "azure-certs:trustedAuthorityHosts": "adfs.contoso.example",
    });
    expect(trusted.authorityHost).toBe("https://adfs.contoso.example/adfs");
    expect(trusted.disableInstanceDiscovery).toBe(true);
  });

  test("managed identity does not use the authority host, so an ambient AZURE_AUTHORITY_HOST is not refused", () => {
    expect(
      resolve({ "azure-native:useMsi": "true" }, { AZURE_AUTHORITY_HOST: "https://login.example.com" })
        .credential.kind,
    ).toBe("managedIdentity");
  });
});
