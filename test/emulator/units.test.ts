/**
 * Pure pieces of the emulator, without a server: distinguished names, policy parsing and merging,
 * and the OData filter.
 */
import { formatDistinguishedName, parseDistinguishedName } from "../../emulator/pki";
import {
  PolicyError,
  applyCreateDefaults,
  checkPolicy,
  mergePolicy,
  parsePolicy,
} from "../../emulator/kv-policy";
import { FilterError, compileFilter } from "../../emulator/odata";

describe("distinguished names", () => {
  test.each([
    ["CN=contoso.com", "CN=contoso.com"],
    ["CN=a, O=Contoso, C=US", "CN=a, O=Contoso, C=US"],
    ["cn=a;o=b", "CN=a, O=b"],
    ['CN="Contoso, Inc.", ST=WA', 'CN="Contoso, Inc.", S=WA'],
    ["E=ops@contoso.com, CN=x", "E=ops@contoso.com, CN=x"],
  ])("%s reads back as %s", (input, output) => {
    expect(formatDistinguishedName(parseDistinguishedName(input))).toBe(output);
  });

  test("unknown attributes and text without '=' are refused", () => {
    expect(() => parseDistinguishedName("XX=1")).toThrow(/unknown attribute/);
    expect(() => parseDistinguishedName("contoso")).toThrow(/not a distinguished name/);
  });
});

describe("policies", () => {
  const created = applyCreateDefaults(
    parsePolicy({ issuer: { name: "Self" }, x509_props: { subject: "CN=x", sans: { dns_names: ["x"] } } }),
  );

  test("parse keeps only what was sent; nulls count as not sent; read-only members are dropped", () => {
    expect(
      parsePolicy({
        id: "ignored",
        key_props: { kty: "RSA", key_size: null },
        attributes: { enabled: false, created: 1 },
      }),
    ).toEqual({
      key_props: { kty: "RSA" },
      attributes: { enabled: false },
    });
  });

  test("merge replaces members given, one level down, and keeps the rest", () => {
    const merged = mergePolicy(
      created,
      parsePolicy({ x509_props: { validity_months: 6, sans: { emails: ["a@b.c"] } } }),
    );
    expect(merged.x509_props).toEqual({
      ...created.x509_props,
      validity_months: 6,
      sans: { emails: ["a@b.c"] },
    });
    expect(merged.key_props).toEqual(created.key_props);
    expect(merged.lifetime_actions).toEqual(created.lifetime_actions);
    expect(mergePolicy(created, parsePolicy({ lifetime_actions: [] })).lifetime_actions).toEqual([]);
    // The input objects are not changed.
    expect(created.x509_props?.validity_months).toBe(12);
  });

  test("switching key type drops the old type's size", () => {
    const ec = mergePolicy(created, parsePolicy({ key_props: { kty: "EC" } }));
    expect(ec.key_props).toEqual({ exportable: true, kty: "EC", reuse_key: false });
    expect(applyCreateDefaults(ec).key_props).toMatchObject({ crv: "P-256", key_size: 256 });
  });

  test("cross-member rules", () => {
    expect(() => checkPolicy({ key_props: { kty: "EC", crv: "P-384", key_size: 256 } }, "update")).toThrow(
      PolicyError,
    );
    expect(() => checkPolicy({ key_props: { kty: "RSA-HSM", key_size: 1024 } }, "update")).toThrow(
      /2048, 3072, 4096/,
    );
    expect(() => checkPolicy({ x509_props: { subject: "CN=x" } }, "create")).toThrow(/issuer\.name/);
    expect(() => checkPolicy(created, "create")).not.toThrow();
  });
});

describe("OData $filter", () => {
  const rows = [
    { name: "a", subject: "CN=O'Brien", expirationDate: "2030-01-01T00:00:00Z" },
    { name: "b", subject: "CN=Contoso", expirationDate: "2031-01-01T00:00:00Z" },
  ];
  const run = (f: string) =>
    rows.filter(compileFilter(f, ["name", "subject", "expirationDate"])).map((r) => r.name);

  test("quotes, case, dates and precedence", () => {
    expect(run("subject eq 'cn=o''brien'")).toEqual(["a"]);
    expect(run("expirationDate gt 2030-06-01T00:00:00Z")).toEqual(["b"]);
    expect(run("name eq 'a' or name eq 'b' and name eq 'a'")).toEqual(["a"]);
    expect(run("(name eq 'a' or name eq 'b') and not contains(subject,'contoso')")).toEqual(["a"]);
    expect(run("NAME ne 'a'")).toEqual(["b"]);
  });

  test.each(["", "name", "name eq", "name eq 'a' xor", "size eq 1", "contains(name 'a')", "name eq 'open"])(
    "'%s' is refused",
    (f) => expect(() => compileFilter(f, ["name"])).toThrow(FilterError),
  );
});
