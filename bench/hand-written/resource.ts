import * as pulumi from "@pulumi/pulumi";
import { loadProvider } from "../../provider/dynamic/shell";

export interface HandWrittenCertificateArgs {
  /** The API Management service's ARM id. */
  serviceId: pulumi.Input<string>;
  certificateId: pulumi.Input<string>;
  /** base64 PFX. */
  data: pulumi.Input<string>;
  password: pulumi.Input<string>;
}

/** The hand-written reference resource of `npm run bench` (./provider.ts), loaded by name as test/fixtures/echo.ts is. */
export class HandWrittenCertificate extends pulumi.dynamic.Resource {
  declare readonly thumbprint: pulumi.Output<string>;

  constructor(name: string, args: HandWrittenCertificateArgs, opts?: pulumi.CustomResourceOptions) {
    const provider = loadProvider("pulumi-azure-certs/dist/bench/hand-written/provider");
    super(provider, name, { ...args, thumbprint: undefined }, opts, "bench", "HandWrittenCertificate");
  }
}

/** The third reference (./pfx-floor.ts): the hand-written resource, holding the PFX, doing nothing. */
export class PfxFloorCertificate extends pulumi.dynamic.Resource {
  declare readonly thumbprint: pulumi.Output<string>;

  constructor(name: string, args: HandWrittenCertificateArgs, opts?: pulumi.CustomResourceOptions) {
    const provider = loadProvider("pulumi-azure-certs/dist/bench/hand-written/pfx-floor");
    super(provider, name, { ...args, thumbprint: undefined }, opts, "bench", "PfxFloorCertificate");
  }
}

/** The outputs the second reference declares: ApimCertificate's, but `etag` and `keyVault`. */
const SAME_OUTPUTS = [
  "thumbprint",
  "expirationDate",
  "subject",
  "resourceId",
  "subscriptionId",
  "resourceGroupName",
  "serviceName",
];

/** The same with this package's outputs (./same-outputs.ts), secrets as in ApimCertificate. */
export class HandWrittenSameOutputsCertificate extends pulumi.dynamic.Resource {
  declare readonly thumbprint: pulumi.Output<string>;
  declare readonly subject: pulumi.Output<string>;
  declare readonly expirationDate: pulumi.Output<string>;

  constructor(name: string, args: HandWrittenCertificateArgs, opts?: pulumi.CustomResourceOptions) {
    const provider = loadProvider("pulumi-azure-certs/dist/bench/hand-written/same-outputs");
    super(
      provider,
      name,
      { ...args, ...Object.fromEntries(SAME_OUTPUTS.map((k) => [k, undefined])) },
      { ...opts, additionalSecretOutputs: ["data", "password"] },
      "bench",
      "HandWrittenSameOutputsCertificate",
    );
  }
}
