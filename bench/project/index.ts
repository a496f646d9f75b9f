/**
 * The program `npm run bench` deploys (scripts/bench.ts) through the real CLI, in its own process
 * as a user's program runs. What it declares comes from the environment the bench gives each
 * command:
 * - BENCH_KIND: `apim` (ApimCertificate from a PFX), `policy` (KeyVaultCertificatePolicy),
 *   `handWritten` (bench/hand-written), `handWrittenSameOutputs` (the same with this package's
 *   outputs), `pfxFloor` (the hand-written resource doing nothing: the floor with a PFX in state)
 *   or `noop` (Echo, which makes no call: the engine's floor);
 * - BENCH_N resources; BENCH_GENERATION 0 as created, 1 with every resource changed in place;
 * - BENCH_PFX_DIR: `g<generation>/<i>.pfx` and `.pass`, made before timing;
 * - BENCH_SERVICE_ID (API Management service) and BENCH_VAULT_URL (vault of the policies).
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { ApimCertificate, KeyVaultCertificatePolicy } from "pulumi-azure-certs";
import { Echo } from "../../test/fixtures/echo";
import {
  HandWrittenCertificate,
  HandWrittenSameOutputsCertificate,
  PfxFloorCertificate,
} from "../hand-written/resource";

const env = (name: string): string => {
  const v = process.env[name];
  if (v === undefined) throw new Error(`${name} is not set (run this program with npm run bench)`);
  return v;
};
const kind = env("BENCH_KIND");
const n = Number(env("BENCH_N"));
const generation = Number(env("BENCH_GENERATION"));

/** The i-th PFX of this generation, as a user reads one: the file as base64, its password a secret. */
function pfx(i: number): { data: pulumi.Output<string>; password: pulumi.Output<string> } {
  const file = path.join(env("BENCH_PFX_DIR"), `g${generation}`, String(i));
  return {
    data: pulumi.secret(fs.readFileSync(`${file}.pfx`).toString("base64")),
    password: pulumi.secret(fs.readFileSync(`${file}.pass`, "utf8")),
  };
}

for (let i = 0; i < n; i++) {
  if (kind === "noop") {
    new Echo(`e${i}`, { message: `m${i}-g${generation}` });
  } else if (kind === "apim") {
    new ApimCertificate(`c${i}`, { serviceId: env("BENCH_SERVICE_ID"), certificateId: `c${i}`, ...pfx(i) });
  } else if (kind === "handWritten") {
    new HandWrittenCertificate(`h${i}`, {
      serviceId: env("BENCH_SERVICE_ID"),
      certificateId: `h${i}`,
      ...pfx(i),
    });
  } else if (kind === "handWrittenSameOutputs") {
    new HandWrittenSameOutputsCertificate(`o${i}`, {
      serviceId: env("BENCH_SERVICE_ID"),
      certificateId: `o${i}`,
      ...pfx(i),
    });
  } else if (kind === "pfxFloor") {
    new PfxFloorCertificate(`f${i}`, {
      serviceId: env("BENCH_SERVICE_ID"),
      certificateId: `f${i}`,
      ...pfx(i),
    });
  } else if (kind === "policy") {
    new KeyVaultCertificatePolicy(`p${i}`, {
      vaultBaseUrl: env("BENCH_VAULT_URL"),
      certificateName: `bench-p${i}`,
      // The certificates exist before the stack (made by the bench): taking their policy over is explicit.
      importExisting: true,
      x509Properties: { validityInMonths: 12 },
      lifetimeActions: [{ action: "AutoRenew", daysBeforeExpiry: generation === 0 ? 30 : 45 }],
    });
  } else {
    throw new Error(`unknown BENCH_KIND ${kind}`);
  }
}
