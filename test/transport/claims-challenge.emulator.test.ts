/**
 * Continuous access evaluation and Conditional Access claims challenges: a 401 with
 * `WWW-Authenticate: Bearer error="insufficient_claims", claims="<base64 JSON>"` is answered the way
 * @azure/core-rest-pipeline's bearer token policy answers it: a new token asked for with those
 * claims (past every cache), and the request sent once more; never a second time.
 */
import type { AccessToken } from "@azure/identity";
import axios from "axios";
import { TokenCache } from "../../provider/transport/token-cache";
import {
  APIM_API,
  CERTIFICATES_PATH,
  failureOf,
  KV_API,
  startFixture,
  type Fixture,
} from "./emulator-fixture";

const CLAIMS = '{"access_token":{"acrs":{"essential":true,"value":"c1"}}}';
const b64 = (s: string) => Buffer.from(s).toString("base64");
const challenge = (claims = CLAIMS) =>
  `Bearer authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", ` +
  `error="insufficient_claims", claims="${b64(claims)}"`;
const ARM_SCOPE = "https://management.azure.com/.default";

let fx: Fixture;
beforeAll(async () => {
  fx = await startFixture();
});
afterAll(() => fx.stop());
beforeEach(() => fx.resetLog());

test("ARM demands claims: one token with those claims, the request sent again, the new token kept", async () => {
  const transport = fx.transport();
  await transport.arm({ method: "GET", path: CERTIFICATES_PATH, apiVersion: APIM_API });
  fx.resetLog();
  fx.emu.admin.requireArmClaims({ value: "c1", times: 1 });

  const res = await transport.arm({ method: "GET", path: CERTIFICATES_PATH, apiVersion: APIM_API });
  expect(res.status).toBe(200);
  expect(fx.requests("arm").map((r) => r.status)).toEqual([401, 200]);
  // The cached token was bypassed: exactly one new token request, for the same scope.
  expect(fx.emu.admin.tokenRequestCounts()).toEqual({ [ARM_SCOPE]: 1 });
  expect(fx.logs.some((l) => /^info: GET .* asked for more claims \(insufficient_claims\)/.test(l))).toBe(
    true,
  );

  // The token with the claims replaced the old one in the cache: no further challenge, no token request.
  fx.emu.admin.requireArmClaims({ value: "c1", times: 1 });
  await transport.arm({ method: "GET", path: CERTIFICATES_PATH, apiVersion: APIM_API });
  expect(fx.requests("arm").map((r) => r.status)).toEqual([401, 200, 200]);
  expect(fx.emu.admin.tokenRequestCounts()).toEqual({ [ARM_SCOPE]: 1 });
  fx.emu.admin.requireArmClaims({ times: 0 });
});

test("the admin API's HTTP route sets the same demand", async () => {
  const transport = fx.transport();
  await transport.arm({ method: "GET", path: CERTIFICATES_PATH, apiVersion: APIM_API });
  fx.resetLog();
  const set = await axios.post(`${fx.emu.adminEndpoint}/arm/claims-challenges`, { times: 1 });
  expect(set.status).toBe(204);
  const bad = await axios.post(
    `${fx.emu.adminEndpoint}/arm/claims-challenges`,
    { times: -1 },
    {
      validateStatus: () => true,
    },
  );
  expect(bad.status).toBe(400);
  await transport.arm({ method: "GET", path: CERTIFICATES_PATH, apiVersion: APIM_API });
  expect(fx.requests("arm").map((r) => r.status)).toEqual([401, 200]);
});

test("a second insufficient_claims answer is the end: no loop, a 401 that says what Azure asked", async () => {
  const transport = fx.transport();
  await transport.arm({ method: "GET", path: CERTIFICATES_PATH, apiVersion: APIM_API });
  fx.resetLog();
  fx.emu.admin.addFault({
    listener: "arm",
    kind: "status",
    status: 401,
    times: 10,
    headers: { "www-authenticate": challenge() },
    body: {
      error: {
        code: "InvalidAuthenticationToken",
        message: "Continuous access evaluation resulted in challenge.",
      },
    },
  });
  const e = await failureOf(() =>
    transport.arm({ method: "GET", path: CERTIFICATES_PATH, apiVersion: APIM_API }),
  );
  expect(fx.requests("arm")).toHaveLength(2);
  expect(fx.emu.admin.tokenRequestCounts()).toEqual({ [ARM_SCOPE]: 1 });
  expect(e).toMatchObject({ kind: "status", status: 401, code: "InvalidAuthenticationToken" });
  expect(e.message).toMatch(
    /failed with 401 InvalidAuthenticationToken: Continuous access evaluation resulted in challenge\..* Azure asked again for more claims \(insufficient_claims\) after a token with the claims it asked for was sent/,
  );
});

test("claims that do not decode are not followed: the 401 is reported", async () => {
  const transport = fx.transport();
  fx.emu.admin.addFault({
    listener: "arm",
    kind: "status",
    status: 401,
    headers: { "www-authenticate": 'Bearer error="insufficient_claims", claims="%%%not-base64"' },
  });
  const e = await failureOf(() =>
    transport.arm({ method: "GET", path: CERTIFICATES_PATH, apiVersion: APIM_API }),
  );
  expect(e.status).toBe(401);
  expect(fx.requests("arm")).toHaveLength(1);
});

test("Key Vault: a claims challenge after the vault's own challenge is followed once", async () => {
  const transport = fx.transport();
  await transport.keyVault(fx.emu.vaults.demo, { method: "GET", path: "/certificates", apiVersion: KV_API });
  fx.resetLog();
  fx.emu.admin.addFault({
    listener: "demo",
    kind: "status",
    status: 401,
    headers: { "www-authenticate": challenge() },
  });
  const res = await transport.keyVault(fx.emu.vaults.demo, {
    method: "GET",
    path: "/certificates",
    apiVersion: KV_API,
  });
  expect(res.status).toBe(200);
  expect(fx.requests("demo").map((r) => r.status)).toEqual([401, 200]);
  expect(fx.emu.admin.tokenRequestCounts()).toEqual({ "https://vault.azure.net/.default": 1 });
});

test("the token cache: a request with claims bypasses the cached token and replaces it", async () => {
  const seen: (string | undefined)[] = [];
  let n = 0;
  const cache = new TokenCache(async (_scope, _tenant, _signal, claims): Promise<AccessToken> => {
    seen.push(claims);
    return { token: `t${++n}`, expiresOnTimestamp: Date.now() + 3600_000 };
  });
  expect((await cache.get("s", undefined)).token).toBe("t1");
  expect((await cache.get("s", undefined)).token).toBe("t1");
  expect((await cache.get("s", undefined, undefined, { claims: CLAIMS })).token).toBe("t2");
  expect((await cache.get("s", undefined)).token).toBe("t2");
  expect(seen).toEqual([undefined, CLAIMS]);
});
