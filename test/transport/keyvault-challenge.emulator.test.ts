/**
 * Key Vault's challenge authentication and where tokens may go: the scope comes from the vault's
 * 401 challenge, is checked against the host, and tokens only travel over https to hosts of the
 * cloud's vault suffix or hosts the user trusts.
 */
import * as http from "http";
import type { AddressInfo } from "net";
import { AzureRequestError } from "../../provider/transport";
import {
  APIM_API,
  CERTIFICATES_PATH,
  failureOf,
  KV_API,
  selfSignedPolicy,
  startFixture,
  type Fixture,
} from "./emulator-fixture";

let fx: Fixture;
beforeAll(async () => {
  fx = await startFixture();
});
afterAll(() => fx.stop());
beforeEach(() => fx.resetLog());

const VAULT_SCOPE = "https://vault.azure.net/.default";
const demoPort = () => new URL(fx.emu.vaults.demo).port;

test("the first request learns the scope from the 401 challenge, then carries a Key Vault token", async () => {
  const transport = fx.transport();
  const created = await transport.keyVault(fx.emu.vaults.demo, {
    method: "POST",
    path: "/certificates/challenged/create",
    apiVersion: KV_API,
    body: selfSignedPolicy("CN=challenged"),
  });
  expect(created.status).toBe(202);
  const updated = await transport.keyVault<{ lifetime_actions: unknown[] }>(fx.emu.vaults.demo, {
    method: "PATCH",
    path: "/certificates/challenged/policy",
    apiVersion: KV_API,
    body: {
      lifetime_actions: [{ trigger: { days_before_expiry: 30 }, action: { action_type: "AutoRenew" } }],
    },
  });
  expect(updated.data.lifetime_actions).toHaveLength(1);
  const log = fx.requests("demo");
  expect(log.map((r) => [r.method, r.status, r.audience])).toEqual([
    ["POST", 401, undefined],
    ["POST", 202, "https://vault.azure.net"],
    ["PATCH", 200, "https://vault.azure.net"],
  ]);
  expect(fx.emu.admin.tokenRequestCounts()).toEqual({ [VAULT_SCOPE]: 1 });
});

test("a token is refused to the vault reached as 127.0.0.1 when only localhost is trusted: nothing is sent", async () => {
  const transport = fx.transport({ "azure-certs:trustedVaultHosts": "localhost" });
  const e = await failureOf(() =>
    transport.keyVault(`https://127.0.0.1:${demoPort()}`, {
      method: "GET",
      path: "/certificates",
      apiVersion: KV_API,
    }),
  );
  expect(AzureRequestError.isInstance(e)).toBe(true);
  expect(e).toMatchObject({ kind: "refused", code: "RequestRefused" });
  expect(e.message).toBe(
    `Refusing to send GET https://127.0.0.1:${demoPort()}/certificates?api-version=7.4: a Key Vault token may not go ` +
      `to this host: the host "127.0.0.1:${demoPort()}" is not a Key Vault of this cloud (its vaults live under ` +
      '"*.vault.azure.net"). If this host really is your vault (for example a local emulator), add it to ' +
      "azure-certs:trustedVaultHosts.",
  );
  expect(fx.requests("demo")).toHaveLength(0);
  expect(fx.emu.admin.tokenRequestCounts()).toEqual({});
});

test("with no trusted hosts, the emulator's localhost vault is refused too", async () => {
  const transport = fx.transport({ "azure-certs:trustedVaultHosts": undefined });
  const e = await failureOf(() =>
    transport.keyVault(fx.emu.vaults.demo, { method: "GET", path: "/certificates", apiVersion: KV_API }),
  );
  expect(e.kind).toBe("refused");
  expect(e.message).toMatch(/is not a Key Vault of this cloud/);
  expect(fx.requests("demo")).toHaveLength(0);
});

test("a trusted host whose challenge asks for another resource gets no token", async () => {
  for (const resource of ["https://evil.example", "https://management.azure.com"]) {
    fx.resetLog();
    fx.emu.admin.addFault({
      listener: "demo",
      kind: "status",
      status: 401,
      headers: {
        "www-authenticate": `Bearer authorization="${fx.emu.authorityHost}/${fx.emu.tenantId}", resource="${resource}"`,
      },
    });
    const e = await failureOf(() =>
      fx
        .transport()
        .keyVault(fx.emu.vaults.demo, { method: "GET", path: "/certificates", apiVersion: KV_API }),
    );
    expect(e.kind).toBe("refused");
    expect(e.message).toContain(
      `its authentication challenge asks for a token for "${resource}", but a trusted vault host may only receive ` +
        'tokens for this cloud\'s Key Vault audience "https://vault.azure.net"',
    );
    expect(fx.requests("demo").map((r) => r.status)).toEqual([401]);
    expect(fx.emu.admin.tokenRequestCounts()).toEqual({});
  }
});

test("a vault that changes its challenge to another tenant is followed, and the identity's tenant limits apply", async () => {
  const transport = fx.transport();
  await transport.keyVault(fx.emu.vaults.demo, { method: "GET", path: "/certificates", apiVersion: KV_API });
  const other = "99999999-9999-9999-9999-999999999999";
  fx.resetLog();
  fx.emu.admin.addFault({
    listener: "demo",
    kind: "status",
    status: 401,
    headers: {
      "www-authenticate": `Bearer authorization="${fx.emu.authorityHost}/${other}", resource="https://vault.azure.net"`,
    },
  });
  const e = await failureOf(() =>
    transport.keyVault(fx.emu.vaults.demo, { method: "GET", path: "/certificates", apiVersion: KV_API }),
  );
  expect(e.kind).toBe("authentication");
  expect(e.message).toContain(
    `Could not get an access token for https://vault.azure.net/.default in tenant ${other} with ClientSecretCredential`,
  );
  expect(e.message).toContain(
    `The vault asked for a token from tenant ${other}, which this identity is not configured for: if that is ` +
      "intended, add the tenant to azure-native:auxiliaryTenantIds",
  );
  // The credential refused locally: no token request for a tenant the user did not allow.
  expect(fx.emu.admin.tokenRequestCounts()).toEqual({});
});

test("bearer tokens only over https: plain http is refused unless allowed, and then only to loopback", async () => {
  const port = new URL(fx.emu.armEndpoint).port;
  const plain = fx.transport({ "azure-certs:armEndpoint": `http://localhost:${port}` });
  const e = await failureOf(() =>
    plain.arm({ method: "GET", path: CERTIFICATES_PATH, apiVersion: APIM_API }),
  );
  expect(e.kind).toBe("refused");
  expect(e.message).toBe(
    `Refusing to send GET http://localhost:${port}${CERTIFICATES_PATH}?api-version=2024-05-01: bearer tokens are ` +
      "only sent over https; for a local emulator on loopback set azure-certs:allowHttp to true.",
  );
  const remote = fx.transport({
    "azure-certs:armEndpoint": "http://management.example",
    "azure-certs:trustedArmHosts": "management.example",
    "azure-certs:allowHttp": "true",
  });
  const e2 = await failureOf(() =>
    remote.arm({ method: "GET", path: CERTIFICATES_PATH, apiVersion: APIM_API }),
  );
  expect(e2.message).toMatch(
    /^Refusing to send GET http:\/\/management.example\/.*: bearer tokens are only sent over https\.$/,
  );
  expect(fx.emu.admin.tokenRequestCounts()).toEqual({});
  expect(fx.requests()).toHaveLength(0);
});

test("with azure-certs:allowHttp, a loopback http server receives the request and its token", async () => {
  const seen: { auth?: string; url?: string }[] = [];
  const server = http.createServer((req, res) => {
    seen.push({ auth: req.headers.authorization, url: req.url });
    res.writeHead(200, { "content-type": "application/json", "x-ms-request-id": "local-1" });
    res.end('{"value":[]}');
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  try {
    const port = (server.address() as AddressInfo).port;
    const transport = fx.transport({
      "azure-certs:armEndpoint": `http://127.0.0.1:${port}`,
      "azure-certs:allowHttp": "true",
    });
    const res = await transport.arm({ method: "GET", path: CERTIFICATES_PATH, apiVersion: APIM_API });
    expect(res).toMatchObject({ status: 200, data: { value: [] }, requestId: "local-1" });
    expect(seen).toHaveLength(1);
    expect(seen[0].auth).toMatch(/^Bearer eyJ/);
    expect(seen[0].url).toBe(`${CERTIFICATES_PATH}?api-version=2024-05-01`);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});

test("an absolute URL (a nextLink) must stay on the endpoint's origin; a vault URL has no path", async () => {
  const transport = fx.transport();
  const e = await failureOf(() =>
    transport.arm({ method: "GET", path: "https://elsewhere.example/subscriptions/x?$skipToken=secret-ish" }),
  );
  expect(e.kind).toBe("refused");
  expect(e.message).toBe(
    `Refusing to send GET https://elsewhere.example/subscriptions/x?%24skipToken=***: the URL is not on ` +
      `${fx.emu.armEndpoint}, and tokens for it may only go there.`,
  );
  const same = await transport.arm({
    method: "GET",
    path: `${fx.emu.armEndpoint}${CERTIFICATES_PATH}?api-version=${APIM_API}`,
  });
  expect(same.status).toBe(200);
  const e2 = await failureOf(() =>
    transport.keyVault(`${fx.emu.vaults.demo}/certificates`, {
      method: "GET",
      path: "/x",
      apiVersion: KV_API,
    }),
  );
  expect(e2.message).toMatch(/a vault URL has no path, query or user info/);
});
