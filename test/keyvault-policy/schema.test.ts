// The schema and the public types say the same (compile-time checks: ts-jest type-checks this
// file, and so does the build): KeyVaultCertificatePolicyArgs with every Input resolved is the
// schema's input type, and the resolved inputs are the documented plain types.
import type * as pulumi from "@pulumi/pulumi";
import type * as v from "valibot";
import { PolicyInputsSchema } from "../../provider/keyvault-policy/schema";
import type {
  CertificatePolicy,
  KeyVaultCertificatePolicyArgs,
  KeyVaultCertificatePolicyInputs,
  PolicyLocation,
} from "../../provider/keyvault-policy/types";
import type { Equal } from "../unit/type-equality";

type Flat<T> = { [K in keyof T]: T[K] };

describe("KeyVaultCertificatePolicy schema and types", () => {
  it("takes exactly the members of KeyVaultCertificatePolicyArgs, with the same types", () => {
    const args: Equal<
      pulumi.Unwrap<KeyVaultCertificatePolicyArgs>,
      v.InferInput<typeof PolicyInputsSchema>
    > = true;
    const plain: Equal<KeyVaultCertificatePolicyInputs, Flat<PolicyLocation & CertificatePolicy>> = true;
    // The comparison can fail: a member fewer is another type.
    // @ts-expect-error the inputs without `issuer` are another type
    const fewer: Equal<
      KeyVaultCertificatePolicyInputs,
      Flat<Omit<PolicyLocation & CertificatePolicy, "issuer">>
    > = true;
    expect([args, plain, fewer]).toEqual([true, true, true]);
  });
});
