// The schema and the public types say the same: ApimCertificateArgs, every Input resolved, is the
// schema's input type. These are compile-time checks (ts-jest type-checks this file, and so does
// the build): a member added to one and not the other fails to compile.
import type * as pulumi from "@pulumi/pulumi";
import type * as v from "valibot";
import { ApimInputsSchema, KeyVaultSourceSchema } from "../../provider/apim-certificate/schema";
import type { ApimCertificateArgs, ApimKeyVaultSourceArgs } from "../../provider/apim-certificate/types";
import type { Equal } from "../unit/type-equality";

describe("ApimCertificate schema and types", () => {
  it("takes exactly the members of ApimCertificateArgs, with the same types", () => {
    const args: Equal<pulumi.Unwrap<ApimCertificateArgs>, v.InferInput<typeof ApimInputsSchema>> = true;
    const keyVault: Equal<
      pulumi.Unwrap<ApimKeyVaultSourceArgs>,
      v.InferInput<typeof KeyVaultSourceSchema>
    > = true;
    // The comparison can fail: one member fewer, or optional where it is required, is not equal.
    // @ts-expect-error the schema without `data` is another type
    const fewer: Equal<
      pulumi.Unwrap<ApimCertificateArgs>,
      Omit<v.InferInput<typeof ApimInputsSchema>, "data">
    > = true;
    // @ts-expect-error certificateId is required
    const optional: Equal<
      pulumi.Unwrap<ApimCertificateArgs>,
      Partial<v.InferInput<typeof ApimInputsSchema>>
    > = true;
    expect([args, keyVault, fewer, optional]).toEqual([true, true, true, true]);
    expect(Object.keys(ApimInputsSchema.entries)).toContain("expiryWarningDays");
  });
});
