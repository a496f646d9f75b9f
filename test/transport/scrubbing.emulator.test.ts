/**
 * The scrubber removes what the process knows to be secret, by value, and leaves what a user needs
 * to act on: a Key Vault secret's URI is an identifier, not a secret, even though its field is
 * called `secretIdentifier`.
 */
import { APIM_API, CERTIFICATES_PATH, failureOf, startFixture, type Fixture } from "./emulator-fixture";

let fx: Fixture;
beforeAll(async () => {
  fx = await startFixture();
});
afterAll(() => fx.stop());
beforeEach(() => fx.resetLog());

test("APIM's InvalidKeyVaultSecret keeps the secret identifier it names", async () => {
  const secretIdentifier = "https://demo.vault.azure.net/secrets/web";
  fx.emu.admin.addFault({
    listener: "arm",
    kind: "status",
    status: 400,
    body: {
      error: { code: "InvalidKeyVaultSecret", message: `Cannot read ${secretIdentifier}: access denied` },
    },
  });
  const e = await failureOf(() =>
    fx.transport().arm({
      method: "PUT",
      path: `${CERTIFICATES_PATH}/kv`,
      apiVersion: APIM_API,
      body: { properties: { keyVault: { secretIdentifier, identityClientId: null } } },
    }),
  );
  expect(e.message).toContain(`InvalidKeyVaultSecret: Cannot read ${secretIdentifier}: access denied`);
  expect(e.serviceMessage).toBe(`Cannot read ${secretIdentifier}: access denied`);
});

test("secret values in the body go, whatever their length; identifiers next to them stay", async () => {
  const password = "pw7";
  fx.emu.admin.addFault({
    listener: "arm",
    kind: "status",
    status: 400,
    body: {
      error: {
        code: "BadRequest",
        message: "The password pw7 does not open the PFX of certificate web (identity client id 3f2a).",
      },
    },
  });
  const e = await failureOf(() =>
    fx.transport().arm({
      method: "PUT",
      path: `${CERTIFICATES_PATH}/web`,
      apiVersion: APIM_API,
      body: { properties: { data: "MIIK", password, identityClientId: "3f2a" } },
    }),
  );
  expect(e.message).not.toContain(password);
  expect(e.message).toContain(
    "BadRequest: The password [redacted] does not open the PFX of certificate web (identity client id 3f2a).",
  );
});
