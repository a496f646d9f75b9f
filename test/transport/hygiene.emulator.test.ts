/**
 * No client secret, PFX, password or token in anything the transport says: every log line (at
 * debug level) and every error, including errors whose service answer echoes those values back.
 */
import * as http from "http";
import type { AddressInfo } from "net";
import { inspect } from "util";
import { createSelfSignedPfx } from "../../emulator";
import {
  APIM_API,
  CERTIFICATES_PATH,
  failureOf,
  KV_API,
  selfSignedPolicy,
  startFixture,
  type Fixture,
} from "./emulator-fixture";

const CLIENT_SECRET = "Hygiene-Client-Secret-7f3a9c";
const WRONG_SECRET = "Hygiene-Wrong-Secret-5e1d";
const PASSWORD = "Hygiene-Pfx-Password-42!";
const WRONG_PASSWORD = "Hygiene-Wrong-Password-99";

let fx: Fixture;
beforeAll(async () => {
  fx = await startFixture({ clientSecret: CLIENT_SECRET });
});
afterAll(() => fx.stop());

test("secrets, PFX data, passwords and tokens never appear in logs or errors", async () => {
  const pfx = await createSelfSignedPfx({ subject: "CN=hygiene", password: PASSWORD });
  const seen: string[] = [];
  const record = (e: unknown) => {
    seen.push((e as Error).message, inspect(e, { depth: 5 }), JSON.stringify(e));
  };
  const transport = fx.transport({ "azure-native:clientSecret": CLIENT_SECRET });
  const body = { properties: { data: pfx.pfxBase64, password: PASSWORD } };

  // Successful calls, with bodies carrying the PFX and its password.
  await transport.arm({ method: "PUT", path: `${CERTIFICATES_PATH}/hygiene`, apiVersion: APIM_API, body });
  await transport.arm({ method: "GET", path: `${CERTIFICATES_PATH}/hygiene`, apiVersion: APIM_API });
  await transport.keyVault(fx.emu.vaults.demo, {
    method: "POST",
    path: "/certificates/hygiene/create",
    apiVersion: KV_API,
    body: selfSignedPolicy("CN=hygiene"),
  });

  // Azure's own refusal of a wrong password.
  record(
    await failureOf(() =>
      transport.arm({
        method: "PUT",
        path: `${CERTIFICATES_PATH}/wrong`,
        apiVersion: APIM_API,
        body: { properties: { data: pfx.pfxBase64, password: WRONG_PASSWORD } },
      }),
    ),
  );

  // A service that echoes back what it was sent, and more: found by name in the body, by shape, or as
  // a value the caller named.
  const token = fx.emu.admin.issueToken({ audience: "https://management.azure.com" });
  const echo = `password ${PASSWORD} data ${pfx.pfxBase64} secret ${CLIENT_SECRET} header Bearer ${token}`;
  fx.emu.admin.addFault({
    listener: "arm",
    kind: "status",
    status: 400,
    body: { error: { code: "BadRequest", message: echo } },
  });
  record(
    await failureOf(() =>
      transport.arm({ method: "PUT", path: `${CERTIFICATES_PATH}/echo`, apiVersion: APIM_API, body }),
    ),
  );
  fx.emu.admin.addFault({
    listener: "arm",
    kind: "status",
    status: 400,
    body: { error: { code: "BadRequest", message: echo } },
  });
  record(
    await failureOf(() =>
      transport.arm({
        method: "POST",
        path: `${CERTIFICATES_PATH}/echo/refreshSecret`,
        apiVersion: APIM_API,
        secretValues: [PASSWORD],
      }),
    ),
  );
  // Token- and PFX-shaped text and the client secret go even when the request carried nothing secret.
  const echoNoPassword = `data ${pfx.pfxBase64} secret ${CLIENT_SECRET} header Bearer ${token}`;
  fx.emu.admin.addFault({
    listener: "demo",
    kind: "status",
    status: 400,
    body: { error: { code: "BadParameter", message: echoNoPassword } },
  });
  record(
    await failureOf(() =>
      transport.keyVault(fx.emu.vaults.demo, {
        method: "PATCH",
        path: "/certificates/hygiene/policy",
        apiVersion: KV_API,
        body: {},
      }),
    ),
  );

  // Retries and their log lines.
  fx.emu.admin.addFault({ listener: "arm", kind: "status", status: 503, retryAfterMs: 50 });
  await transport.arm({ method: "GET", path: CERTIFICATES_PATH, apiVersion: APIM_API });

  // A wrong client secret, and a refused host.
  record(
    await failureOf(() =>
      fx
        .transport({ "azure-native:clientSecret": WRONG_SECRET })
        .arm({ method: "GET", path: CERTIFICATES_PATH, apiVersion: APIM_API }),
    ),
  );
  record(
    await failureOf(() =>
      transport.keyVault(`https://127.0.0.1:${new URL(fx.emu.vaults.demo).port}`, {
        method: "GET",
        path: "/certificates",
        apiVersion: KV_API,
      }),
    ),
  );

  // A loopback server that echoes the Authorization header it received: the transport's own token.
  const tokensSent: string[] = [];
  const server = http.createServer((req, res) => {
    const auth = req.headers.authorization ?? "";
    tokensSent.push(auth.replace(/^Bearer /, ""));
    res.writeHead(400, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: { code: "Echo", message: `you sent ${auth} (raw ${auth.slice(7)})` } }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  try {
    const port = (server.address() as AddressInfo).port;
    const local = fx.transport({
      "azure-native:clientSecret": CLIENT_SECRET,
      "azure-certs:armEndpoint": `http://127.0.0.1:${port}`,
      "azure-certs:allowHttp": "true",
    });
    record(
      await failureOf(() => local.arm({ method: "GET", path: CERTIFICATES_PATH, apiVersion: APIM_API })),
    );
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
  expect(tokensSent).toHaveLength(1);
  expect(tokensSent[0]).toMatch(/^eyJ/);

  const everything = [...fx.logs, ...seen].join("\n");
  // The capture is not empty: requests, tokens, retries and refusals were all logged.
  expect(
    fx.logs.some((l) => l.startsWith("debug: got a token for https://management.azure.com/.default")),
  ).toBe(true);
  expect(fx.logs.some((l) => /^info: GET .* answered 503; retrying in/.test(l))).toBe(true);
  expect(fx.logs.some((l) => l.startsWith("warn: Could not get an access token"))).toBe(true);
  expect(fx.logs.some((l) => l.startsWith("warn: refused to send a Key Vault token to 127.0.0.1"))).toBe(
    true,
  );
  expect(seen.some((s) => s.includes("[redacted]"))).toBe(true);

  for (const secret of [CLIENT_SECRET, WRONG_SECRET, PASSWORD, WRONG_PASSWORD, token, tokensSent[0]]) {
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain(encodeURIComponent(secret));
  }
  expect(everything).not.toContain(pfx.pfxBase64.slice(0, 40));
  expect(everything).not.toContain(pfx.pfxBase64.slice(-40));
  expect(everything).not.toMatch(/eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}/);
  expect(everything).not.toMatch(/Bearer\s+[A-Za-z0-9._-]{8,}/);
});
