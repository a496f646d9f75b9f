import { challengeRefusal, parseChallenge } from "../../provider/transport";
import { isInVaultSuffix, isTrustedVaultHost, vaultHostRefusal } from "../../provider/transport/challenge";

const PUBLIC = {
  keyVaultDnsSuffix: "vault.azure.net",
  keyVaultResource: "https://vault.azure.net",
  trustedVaultHosts: [],
};

describe("parseChallenge", () => {
  test("Key Vault's challenge: resource becomes {resource}/.default, tenant from authorization", () => {
    expect(
      parseChallenge(
        'Bearer authorization="https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47", resource="https://vault.azure.net"',
      ),
    ).toEqual({
      scope: "https://vault.azure.net/.default",
      tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47",
      authorization: "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47",
    });
  });

  test("scope= is used as given; authorization_uri and extra path segments are understood", () => {
    expect(
      parseChallenge(
        'Bearer authorization_uri="https://login.microsoftonline.us/tenant-x/oauth2/authorize", scope="https://vault.usgovcloudapi.net/.default"',
      ),
    ).toMatchObject({ scope: "https://vault.usgovcloudapi.net/.default", tenantId: "tenant-x" });
  });

  test("a trailing slash on resource does not double the slash; unquoted values and commas in quotes work", () => {
    expect(parseChallenge('Bearer resource="https://vault.azure.cn/", realm="a, b"')?.scope).toBe(
      "https://vault.azure.cn/.default",
    );
    expect(parseChallenge("Bearer resource=https://vault.azure.net")?.scope).toBe(
      "https://vault.azure.net/.default",
    );
  });

  test("only the Bearer challenge counts when several schemes are offered", () => {
    expect(parseChallenge('Basic realm="x", Bearer resource="https://vault.azure.net"')?.scope).toBe(
      "https://vault.azure.net/.default",
    );
  });

  test("no usable challenge: missing, another scheme, or a CAE claims challenge without scope", () => {
    expect(parseChallenge(undefined)).toBeUndefined();
    expect(parseChallenge('Basic realm="vault"')).toBeUndefined();
    expect(
      parseChallenge('Bearer error="insufficient_claims", claims="eyJhY2Nlc3NfdG9rZW4iOnt9fQ=="'),
    ).toBeUndefined();
  });
});

describe("which hosts may receive a Key Vault token", () => {
  const challenge = (resource: string) => parseChallenge(`Bearer resource="${resource}"`)!;

  test("a vault of the cloud whose challenge names the cloud's resource is accepted", () => {
    expect(
      challengeRefusal("myvault.vault.azure.net", challenge("https://vault.azure.net"), PUBLIC),
    ).toBeUndefined();
    expect(
      challengeRefusal("myvault.vault.azure.net:443", challenge("https://vault.azure.net"), PUBLIC),
    ).toBeUndefined();
  });

  test("a challenge resource whose domain does not match the vault host is refused", () => {
    expect(challengeRefusal("myvault.vault.azure.net", challenge("https://evil.example"), PUBLIC)).toMatch(
      /"https:\/\/evil.example", whose domain does not match the vault host "myvault.vault.azure.net"/,
    );
    expect(challengeRefusal("myvault.vault.azure.net", challenge("https://vault.azure.cn"), PUBLIC)).toMatch(
      /does not match/,
    );
    // The vault's own host name is not a parent domain of itself.
    expect(
      challengeRefusal("myvault.vault.azure.net", challenge("https://myvault.vault.azure.net"), PUBLIC),
    ).toMatch(/does not match/);
  });

  test("a host outside the cloud's vault suffix is refused even with a matching challenge", () => {
    expect(challengeRefusal("vault.evil.example", challenge("https://evil.example"), PUBLIC)).toMatch(
      /not a Key Vault of this cloud.*azure-certs:trustedVaultHosts/,
    );
    expect(vaultHostRefusal("localhost:8443", PUBLIC)).toMatch(/\*\.vault\.azure\.net/);
    expect(vaultHostRefusal("myvault.vault.azure.net", PUBLIC)).toBeUndefined();
  });

  test("a trusted host skips the domain check but may only ask for the cloud's Key Vault audience", () => {
    const trust = { ...PUBLIC, trustedVaultHosts: ["localhost"] };
    expect(vaultHostRefusal("localhost:8443", trust)).toBeUndefined();
    expect(challengeRefusal("localhost:8443", challenge("https://vault.azure.net"), trust)).toBeUndefined();
    expect(challengeRefusal("localhost:8443", challenge("https://management.azure.com"), trust)).toMatch(
      /trusted vault host may only receive tokens for this cloud's Key Vault audience "https:\/\/vault.azure.net"/,
    );
  });

  test("trusted entries match a host name (any port) or exactly host:port", () => {
    expect(isTrustedVaultHost("localhost:1234", ["localhost"])).toBe(true);
    expect(isTrustedVaultHost("localhost:1234", ["localhost:1234"])).toBe(true);
    expect(isTrustedVaultHost("localhost:1234", ["localhost:9999"])).toBe(false);
    expect(isTrustedVaultHost("127.0.0.1:1234", ["localhost"])).toBe(false);
    expect(isTrustedVaultHost("[::1]:1234", ["[::1]"])).toBe(true);
    expect(isInVaultSuffix("a.vault.azure.net", "vault.azure.net")).toBe(true);
    expect(isInVaultSuffix("a.vault.azure.net.evil.example", "vault.azure.net")).toBe(false);
    expect(isInVaultSuffix("vault.azure.net", "vault.azure.net")).toBe(false);
  });
});
