import { checkResult } from "../../provider/dynamic/check-result";

describe("checkResult", () => {
  it("names no property to the engine (which would print the property's value), only in the reason", () => {
    const inputs = { data: "MIIK...", password: "hunter2" };
    const result = checkResult(inputs, [
      { property: "password", reason: "does not open the PFX given in data (wrong password?)" },
      { property: "keyVault.secretIdentifier", reason: "must be an https URI" },
      { property: "", reason: "give exactly one certificate source" },
    ]);
    expect(result.inputs).toBe(inputs);
    expect(result.failures).toEqual([
      { property: "", reason: "password: does not open the PFX given in data (wrong password?)" },
      { property: "", reason: "keyVault.secretIdentifier: must be an https URI" },
      { property: "", reason: "give exactly one certificate source" },
    ]);
  });

  it("has no failures when there are none", () => {
    expect(checkResult({}, []).failures).toEqual([]);
  });
});
