import { UNKNOWN } from "../../provider/dynamic/unknown";
import { cloneJson, getPath, isoSeconds, isRecord, isSet, setPath } from "../../provider/json-values";

describe("JSON-like values (provider/json-values.ts)", () => {
  it("tells a plain object from arrays and null, and set values from undefined and null", () => {
    expect([{}, [], null, "x"].map(isRecord)).toEqual([true, false, false, false]);
    expect([0, "", false, null, undefined].map(isSet)).toEqual([true, true, true, false, false]);
  });

  it("reads and writes nested members; a containing object not known yet reads as unknown", () => {
    const obj: Record<string, unknown> = {};
    setPath(obj, ["a", "b"], 1);
    expect(obj).toEqual({ a: { b: 1 } });
    expect(getPath(obj, ["a", "b"])).toBe(1);
    expect(getPath(obj, ["a", "c", "d"])).toBeUndefined();
    expect(getPath({ a: UNKNOWN }, ["a", "b"])).toBe(UNKNOWN);
    const list = { xs: [1] };
    expect(cloneJson(list).xs).not.toBe(list.xs);
  });

  it("writes dates to the second, as Azure does", () => {
    expect(isoSeconds(new Date("2030-01-01T00:00:00.123Z"))).toBe("2030-01-01T00:00:00Z");
  });
});
