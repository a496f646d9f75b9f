import * as v from "valibot";
import {
  check,
  checkedFirst,
  describeValue,
  members,
  mustBe,
  oneOf,
  orUnknown,
} from "../../provider/dynamic/schema";
import { UNKNOWN } from "../../provider/dynamic/unknown";

describe("check schemas (provider/dynamic/schema.ts)", () => {
  const flag = v.optional(orUnknown(v.boolean(mustBe("a boolean"))));

  it("describes values after 'got' without showing objects", () => {
    expect(describeValue("rsa")).toBe('"rsa"');
    expect(describeValue("2048", true)).toBe('a string ("2048")');
    expect(describeValue(8, true)).toBe("a number (8)");
    expect(describeValue(undefined, true)).toBe("an undefined (undefined)");
    expect(describeValue({ password: "x" }, true)).toBe("an object");
    expect(describeValue(["x"])).toBe("a list");
    expect(describeValue(null, true)).toBe("null");
    expect(describeValue("y".repeat(300))).toHaveLength(205);
  });

  it("accepts the preview's unknown marker for any schema, and still checks the known values beside it", () => {
    const schema = members({ a: flag, b: flag, c: v.optional(orUnknown(members({ d: flag }))) });
    expect(check(schema, { a: UNKNOWN, b: true, c: UNKNOWN }).failures).toEqual([]);
    expect(check(schema, { a: UNKNOWN, b: "yes" }).failures).toEqual([
      { property: "b", reason: 'must be a boolean; got a string ("yes")' },
    ]);
    expect(check(v.boolean(), UNKNOWN).failures).toEqual([{ property: "", reason: "is not valid" }]);
  });

  it("names every unknown member first, in the order given, with 'did you mean' or the members allowed", () => {
    const schema = members({ keyType: flag, keySize: flag, group: v.optional(members({ enabled: flag })) });
    expect(
      check(schema, { keySize: "x", keytype: true, colour: 1, group: { enabeld: true, enabled: 2 } })
        .failures,
    ).toEqual([
      { property: "keytype", reason: "is not a member (did you mean keyType?)" },
      { property: "colour", reason: "is not a member; allowed: keyType, keySize, group" },
      { property: "keySize", reason: 'must be a boolean; got a string ("x")' },
      { property: "group.enabeld", reason: "is not a member of group (did you mean enabled?)" },
      { property: "group.enabled", reason: "must be a boolean; got a number (2)" },
    ]);
    const root = members(
      { a: flag },
      { unknownMember: "is not an input of R", allowedIntro: "; its inputs are " },
    );
    expect(check(root, { b: 1 }).failures).toEqual([
      { property: "b", reason: "is not an input of R; its inputs are a" },
    ]);
  });

  it("refuses outputs given a value, passes ignored keys and unset outputs, and reads null as unset when told", () => {
    const schema = members(
      { a: v.nonOptional(flag, "is required") },
      { outputs: { names: ["out"], reason: "is an output" }, ignored: ["__provider"], nullIsUnset: true },
    );
    expect(check(schema, { a: true, out: undefined, __provider: "p" }).failures).toEqual([]);
    expect(check(schema, { a: null, out: "x" }).failures).toEqual([
      { property: "out", reason: "is an output" },
      { property: "a", reason: "is required" },
    ]);
    expect(check(schema, { a: true, out: null, __provider: "p" }).output).toEqual({ a: true });
  });

  it("refuses a list or a string as an object", () => {
    const schema = members({ a: flag });
    expect(check(schema, ["a"]).failures).toEqual([
      { property: "", reason: "must be an object with a; got a list" },
    ]);
    expect(check(members({ a: flag }, { notAnObject: () => "must be { a }" }), "x").failures).toEqual([
      { property: "", reason: "must be { a }" },
    ]);
  });

  it("names paths as the user writes them, under the path given", () => {
    const schema = members({ list: v.array(members({ n: v.number(mustBe("a number")) })) });
    expect(check(schema, { list: [{ n: 1 }, { n: "2" }] }, "outer").failures).toEqual([
      { property: "outer.list[1].n", reason: 'must be a number; got a string ("2")' },
    ]);
    expect(check(v.array(v.string(mustBe("a string"))), [1], "xs").failures).toEqual([
      { property: "xs[0]", reason: "must be a string; got a number (1)" },
    ]);
  });

  it("reports a check of the whole value before the checks of its parts, and still runs them", () => {
    const schema = checkedFirst(
      (list) => (Array.isArray(list) && list.length > 1 ? "may hold one" : undefined),
      v.array(v.string(mustBe("a string"))),
    );
    expect(check(schema, [1, "b"]).failures).toEqual([
      { property: "", reason: "may hold one" },
      { property: "[0]", reason: "must be a string; got a number (1)" },
    ]);
    expect(check(schema, ["a"]).failures).toEqual([]);
  });

  it("suggests the spelling of an enumeration, case-sensitive", () => {
    expect(check(oneOf(["AutoRenew", "EmailContacts"]), "autorenew").failures[0].reason).toBe(
      'must be one of AutoRenew, EmailContacts; got "autorenew" (did you mean AutoRenew?)',
    );
    expect(check(oneOf(["7.4", "7.5"]), "7.3").failures[0].reason).toBe('must be one of 7.4, 7.5; got "7.3"');
    expect(check(oneOf(["7.4"]), 7.4).failures[0].reason).toBe("must be a string; got a number (7.4)");
  });

  it("never gives valibot's default message, which quotes the value", () => {
    const secret = "hunter2-very-secret";
    const schema = members({ password: v.pipe(v.string(), v.minLength(100)), pin: v.number() });
    const failures = check(schema, { password: secret, pin: secret }).failures;
    expect(failures).toEqual([
      { property: "password", reason: "is not valid" },
      { property: "pin", reason: "is not valid" },
    ]);
    expect(v.safeParse(v.number(), secret).issues?.[0].message).toContain(secret); // what it would be
  });
});
