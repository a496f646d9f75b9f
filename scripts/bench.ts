/**
 * `npm run bench`: speed and size figures of the resources through the real engine, against the
 * emulator, next to the engine's own floor (the Echo resource, which makes no HTTP call).
 * Prints a table and ratios; asserts nothing (tests assert behaviour, this measures).
 */
import * as pulumi from "@pulumi/pulumi";
import { ApimCertificate } from "../provider";
import { EngineStack } from "../test/harness/engine";
import { startEmulatedAzure, SUBSCRIPTION } from "../test/harness/emulated-azure";
import { makePfx } from "../test/harness/certs";
import { Echo } from "../test/fixtures/echo";

const serviceId = `/subscriptions/${SUBSCRIPTION}/resourceGroups/bench/providers/Microsoft.ApiManagement/service/bench`;

interface Row {
  case: string;
  n: number;
  upS: number;
  unchangedPreviewS: number;
  destroyS: number;
  httpCalls: number;
  tokenRequests: number;
  stateBytesPerResource: number;
}

async function time<T>(fn: () => Promise<T>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

async function main(): Promise<void> {
  const sizes = (process.env.BENCH_SIZES ?? "1,20").split(",").map(Number);
  const azure = await startEmulatedAzure();
  const rows: Row[] = [];
  try {
    for (const n of sizes) {
      const pfxs = Array.from({ length: n }, (_, i) => makePfx({ cn: `bench-${i}.contoso.com` }));
      for (const kind of ["Echo (engine floor)", "ApimCertificate (PFX)"]) {
        const stack = await EngineStack.create({
          projectName: "bench",
          config: azure.config,
          env: azure.env,
          program: async () => {
            for (let i = 0; i < n; i++) {
              if (kind.startsWith("Echo")) new Echo(`e${i}`, { message: `m${i}` });
              else
                new ApimCertificate(`c${i}`, {
                  serviceId,
                  certificateId: `c${i}`,
                  data: pfxs[i].data,
                  password: pulumi.secret(pfxs[i].password),
                });
            }
            return {};
          },
        });
        azure.clearLog();
        azure.emu.admin.resetTokenCounts();
        const upS = await time(() => stack.up());
        const httpCalls = azure.requests().length;
        const tokenRequests = Object.values(azure.emu.admin.tokenRequestCounts()).reduce((a, b) => a + b, 0);
        const state = JSON.parse(stack.rawState());
        const mine = state.checkpoint.latest.resources.filter((r: { type: string }) =>
          r.type.includes("azure-certs"),
        );
        const stateBytesPerResource = Math.round(
          mine.reduce((a: number, r: unknown) => a + JSON.stringify(r).length, 0) / Math.max(1, mine.length),
        );
        const unchangedPreviewS = await time(() => stack.preview());
        const destroyS = await time(() => stack.destroy());
        await stack.dispose();
        rows.push({
          case: kind,
          n,
          upS,
          unchangedPreviewS,
          destroyS,
          httpCalls,
          tokenRequests,
          stateBytesPerResource,
        });
      }
    }
  } finally {
    await azure.stop();
  }
  const f = (x: number) => x.toFixed(2);
  console.log(
    "case                    n    up s  preview s  destroy s  HTTP calls  token req  state B/resource",
  );
  for (const r of rows) {
    console.log(
      `${r.case.padEnd(22)} ${String(r.n).padStart(3)} ${f(r.upS).padStart(7)} ${f(r.unchangedPreviewS).padStart(10)} ` +
        `${f(r.destroyS).padStart(10)} ${String(r.httpCalls).padStart(11)} ${String(r.tokenRequests).padStart(10)} ` +
        `${String(r.stateBytesPerResource).padStart(17)}`,
    );
  }
  for (const n of sizes) {
    const floor = rows.find((r) => r.n === n && r.case.startsWith("Echo"))!;
    const apim = rows.find((r) => r.n === n && r.case.startsWith("Apim"))!;
    console.log(
      `n=${n}: up ${f(apim.upS / floor.upS)}x the engine floor, unchanged preview ` +
        `${f(apim.unchangedPreviewS / floor.unchangedPreviewS)}x, ${f(apim.httpCalls / n)} HTTP calls per certificate`,
    );
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
