/**
 * `npm run bench` (scripts/bench.ts) at its smallest (N = 1, one repeat, no latency case), into a
 * temporary file: its JSON has every key of issue #14 with numbers, the request counts agree with
 * what the emulator must have served, and it leaves no folder or process behind. No time is
 * asserted: the bench measures, this checks that it does.
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { repoRoot } from "../harness/pulumi-cli";

const run = promisify(execFile);
const OPERATIONS = ["previewUnchanged", "create", "updateAll", "refresh", "destroy"];

type Json = Record<string, unknown>;
let result: Json;
let stderr: string;
let dir: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "pac-bench-test-"));
  const output = path.join(dir, "latest.json");
  ({ stderr } = await run(process.execPath, [path.join(repoRoot, "dist", "scripts", "bench.js")], {
    cwd: repoRoot,
    env: {
      ...process.env,
      BENCH_SIZES: "1",
      BENCH_REPEATS: "1",
      BENCH_SKIP_LATENCY: "1",
      BENCH_OUTPUT: output,
    },
    maxBuffer: 16 * 1024 * 1024,
  }));
  result = JSON.parse(fs.readFileSync(output, "utf8"));
}, 300_000);
afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const at = (p: string): unknown =>
  p.split(".").reduce<unknown>((v, k) => (v as Json | undefined)?.[k], result);
const isNumber = (v: unknown) => typeof v === "number" && Number.isFinite(v);
/** Every value of an object is a finite number (and there is at least one when `nonEmpty`). */
const numbersIn = (v: unknown, nonEmpty = true) =>
  typeof v === "object" &&
  v !== null &&
  (!nonEmpty || Object.keys(v).length > 0) &&
  Object.values(v).every(isNumber);

it("writes every key of issue #14 with numbers", () => {
  const missing: string[] = [];
  for (const op of OPERATIONS) {
    for (const c of ["apim.N1", "policy.N1"]) {
      for (const k of ["seconds", "ratioToNoop"])
        if (!isNumber(at(`${c}.${op}.${k}`))) missing.push(`${c}.${op}.${k}`);
      if (!numbersIn(at(`${c}.${op}.httpPerResource`))) missing.push(`${c}.${op}.httpPerResource`);
      if (!numbersIn(at(`${c}.${op}.tokensPerAudience`), false)) missing.push(`${c}.${op}.tokensPerAudience`);
    }
    for (const c of ["handWritten.N1", "handWrittenSameOutputs.N1", "pfxFloor.N1"])
      for (const k of ["seconds", "ratioToNoop"])
        if (!isNumber(at(`${c}.${op}.${k}`))) missing.push(`${c}.${op}.${k}`);
    // The cases holding a PFX are also compared with the floor of holding one.
    for (const c of ["apim.N1", "handWritten.N1", "handWrittenSameOutputs.N1"])
      if (!isNumber(at(`${c}.${op}.ratioToPfxFloor`))) missing.push(`${c}.${op}.ratioToPfxFloor`);
  }
  for (const k of [
    "tokensPerAudience",
    "stateBytesPerResource",
    "providerBytesPerResource",
    "providerPeakRssMB",
  ])
    if (!numbersIn(at(k))) missing.push(k);
  for (const kind of ["apim", "policy"])
    for (const k of ["stateBytesPerResource", "providerBytesPerResource", "providerPeakRssMB"])
      if (!isNumber(at(`${k}.${kind}`))) missing.push(`${k}.${kind}`);
  expect(missing).toEqual([]);
  // Skipped, and said to be partial.
  expect(at("apim.N1.createAt100ms")).toBeUndefined();
  expect(result.meta).toMatchObject({ repeats: 1, sizes: "1", partial: true, cli: "v3.259.0" });
});

it("counts what the emulator served", () => {
  // The certificate is written by create and update, deleted by destroy, read by refresh.
  expect(at("apim.N1.create.httpPerResource.PUT")).toBeGreaterThanOrEqual(1);
  expect(at("apim.N1.updateAll.httpPerResource.PUT")).toBeGreaterThanOrEqual(1);
  expect(at("apim.N1.refresh.httpPerResource.GET")).toBeGreaterThanOrEqual(1);
  expect(at("apim.N1.destroy.httpPerResource.DELETE")).toBeGreaterThanOrEqual(1);
  // The policy is read at refresh and set (PATCH) at create, since its members differ from the vault's.
  expect(at("policy.N1.refresh.httpPerResource.GET")).toBeGreaterThanOrEqual(1);
  expect(at("policy.N1.create.httpPerResource.PATCH")).toBeGreaterThanOrEqual(1);
  expect(at("apim.N1.create.tokensPerAudience")).toHaveProperty(["https://management.azure.com"]);
  expect(at("policy.N1.create.tokensPerAudience")).toHaveProperty(["https://vault.azure.net"]);
  // The second reference holds this package's outputs: a larger state than the first's.
  expect(at("stateBytesPerResource.handWrittenSameOutputs")).toBeGreaterThan(
    at("stateBytesPerResource.handWritten") as number,
  );
  // The PFX floor holds what the hand-written provider holds and makes no request at all.
  for (const op of OPERATIONS) {
    const http = at(`pfxFloor.N1.${op}.httpPerResource`);
    expect(numbersIn(http)).toBe(true);
    expect(Object.values(http as Record<string, number>).filter((v) => v !== 0)).toEqual([]);
  }
  expect(at("handWritten.N1.create.httpPerResource.PUT")).toBeGreaterThanOrEqual(1);
  expect(at("stateBytesPerResource.pfxFloor")).toBeGreaterThan(
    (at("stateBytesPerResource.noop") as number) + 2000,
  );
  // The __provider of a resource loaded by name is a require(), far smaller than its state.
  expect(at("providerBytesPerResource.apim")).toBeLessThan(at("stateBytesPerResource.apim") as number);
});

it("splits each operation's CPU time by process: engine, program, provider, emulator", () => {
  for (const c of [
    "apim.N1",
    "policy.N1",
    "handWritten.N1",
    "handWrittenSameOutputs.N1",
    "pfxFloor.N1",
    "noop.N1",
  ]) {
    for (const op of OPERATIONS) {
      const cpu = at(`${c}.${op}.cpuSeconds`) as Record<string, number>;
      expect(numbersIn(cpu)).toBe(true);
      // The CLI and the provider process run for every operation, and each takes CPU to start.
      expect(cpu.engine).toBeGreaterThan(0);
      expect(cpu.provider).toBeGreaterThan(0);
    }
    // The program runs at a preview and an up (the language host loads @pulumi/pulumi).
    expect(at(`${c}.create.cpuSeconds.program`)).toBeGreaterThan(0);
  }
  // The emulator's share is measured (it runs in the bench's process, whose own polling it also
  // counts: at N = 1 that is as large as serving one certificate, so no case is compared here).
  expect(at("apim.N1.create.cpuSeconds.emulator")).toBeGreaterThan(0);
});

it("leaves no folder and no process behind", () => {
  const run = /run (\S+), files in (\S+)/.exec(stderr);
  expect(run).not.toBeNull();
  const folders = [run![2], ...[...stderr.matchAll(/stack in (\S+)/g)].map((m) => m[1])];
  expect(folders.length).toBeGreaterThanOrEqual(6); // its own, and one per case
  expect(folders.filter((f) => fs.existsSync(f))).toEqual([]);
  const marked = fs
    .readdirSync("/proc")
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return fs.readFileSync(`/proc/${p}/environ`, "latin1").includes(`PAC_BENCH_RUN=${run![1]}`);
      } catch {
        return false;
      }
    });
  expect(marked).toEqual([]);
});
