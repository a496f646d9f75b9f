import type * as pulumi from "@pulumi/pulumi";
import type { CheckFailure } from "./unknown";

/**
 * The check result as it goes to the engine, with every failure's property folded into its reason.
 *
 * The engine prints a failure that names a property as `property <name> value {<value>} has a
 * problem: <reason>`, with the input's value whether it is a secret or not (`{&{{...}}}` for a
 * `pulumi.secret`): a wrong password or an expired PFX would land in CI logs in full. A failure
 * with no property prints `resource '<name>' has a problem: <reason>` and no value. The provider
 * cannot tell which inputs the user marked secret (the dynamic-provider host configures itself
 * with `acceptSecrets: false`, so secrets arrive unmarked), so no failure names a property to the
 * engine; the reason still starts with the property path the user wrote.
 */
export function checkResult<T>(inputs: T, failures: CheckFailure[]): pulumi.dynamic.CheckResult<T> {
  return {
    inputs,
    failures: failures.map((f) => ({
      property: "",
      reason: f.property ? `${f.property}: ${f.reason}` : f.reason,
    })),
  };
}
