import {
  SECRET_SIGNATURE,
  SIGNATURE_KEY,
  reveal,
  secret,
  unwrapProperties,
  wrapProperties,
} from "../../provider/plugin/secrets";

const s = (value: unknown) => ({ [SIGNATURE_KEY]: SECRET_SIGNATURE, value });

test("secrets are unwrapped at any depth, and the top-level keys that held one are named", () => {
  const { plain, secretKeys } = unwrapProperties({
    data: s("pfx"),
    keyVault: { secretIdentifier: s("https://v/secrets/x") },
    list: [1, s(2)],
    certificateId: "tls",
  });
  expect(plain).toEqual({
    data: "pfx",
    keyVault: { secretIdentifier: "https://v/secrets/x" },
    list: [1, 2],
    certificateId: "tls",
  });
  expect([...secretKeys].sort()).toEqual(["data", "keyVault", "list"]);
});

test("wrapping marks the keys given (present ones only, never twice) and leaves the rest", () => {
  const out = wrapProperties({ data: "pfx", keyVault: { a: 1 }, certificateId: "tls", already: s("x") }, [
    "data",
    "keyVault",
    "password",
    "already",
  ]);
  expect(out).toEqual({ data: s("pfx"), keyVault: s({ a: 1 }), certificateId: "tls", already: s("x") });
  expect("password" in out).toBe(false);
  expect(reveal(out).value).toEqual({ data: "pfx", keyVault: { a: 1 }, certificateId: "tls", already: "x" });
  expect(secret(1)).toEqual(s(1));
});
