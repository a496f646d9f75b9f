/**
 * `npm run bench` (issue #14, item 4): speed and size figures of the resources through the real
 * engine against the emulator, each next to N no-op dynamic resources (Echo, which makes no call:
 * the engine's floor) run the same way in the same run, the cases taking turns at every operation
 * (in the other order every other repeat) so that all see the same machine state.
 *
 * How it runs: the `pulumi` CLI on a project folder (bench/project, compiled to JavaScript), with a
 * file backend and its own PULUMI_HOME (test/harness/cli-project.ts), and the language-host
 * stand-in where no official host is installed. Not the Automation API's inline programs: those
 * run the program inside this process, next to the emulator, while a user's program runs in a
 * process of its own started by the CLI, and that is part of the cost being measured.
 *
 * Operations, each one `pulumi` command: unchanged `preview` (--expect-no-changes), `up` create,
 * `up` updating every resource in place (a new PFX per certificate, a new thumbprint, which
 * provider/apim-certificate/diff.ts updates rather than replaces; the policy's AutoRenew 30 -> 45
 * days before expiry; checked in the CLI's summary), `refresh`, `destroy`; the `up`s with
 * --skip-preview, so that create times the create. Per case, N and operation (BENCH_REPEATS runs,
 * default 5): the median time and its ratio to the no-op's median; requests per resource by method
 * from the emulator's request log (token requests excluded; Key Vault's 401 challenges counted) and
 * token requests per audience (admin API, both reset before each command), the largest over the
 * repeats; the peak RSS of the dynamic-provider process, read as VmHWM from /proc/<pid>/status by
 * polling while the command runs (scripts/bench/processes.ts; a wrapper around the plugin would
 * change what runs), and from the same polling the CPU seconds of the engine (the CLI), the
 * program (language host), the provider process and the emulator (this process), the median over
 * the repeats: where the time goes; state and `__provider` bytes from the file backend's stack file
 * after create.
 * Then `up` create of the ApimCertificates with a 100 ms delay on every ARM and Key Vault request
 * (the emulator's "delay" fault), as a ratio to the 0 ms create.
 *
 * Cases: ApimCertificate from a PFX (N from BENCH_SIZES, default "1,10,50"; each resource its own
 * PFX, made before timing, and a second set for the update), KeyVaultCertificatePolicy at N = 10
 * (over certificates created in the emulator before timing), the hand-written provider of
 * bench/hand-written, the same with this package's outputs, the same resource doing nothing while
 * holding the PFX (`pfxFloor`: the engine's floor for any provider given a PFX, which the cases
 * holding one are also compared with, `ratioToPfxFloor`), and the latency case at N = 50; each at
 * the largest size when its N is not in BENCH_SIZES.
 *
 * Writes a table to stdout and the JSON to BENCH_OUTPUT (default bench/results/latest.json).
 * BENCH_SKIP_LATENCY=1 skips the latency case; a command running longer than
 * BENCH_COMMAND_TIMEOUT_S (default 600) is killed and the bench fails. Done, failed, or stopped by
 * SIGINT/SIGTERM, it kills the processes it started and removes its folders. Asserts nothing:
 * tests assert behaviour, this measures.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CliProject } from "../test/harness/cli-project";
import { startEmulatedAzure, SUBSCRIPTION, type EmulatedAzure } from "../test/harness/emulated-azure";
import { makePfx } from "../test/harness/certs";
import { pulumiBinDir, repoRoot } from "../test/harness/pulumi-cli";
import { RunProcesses } from "./bench/processes";
import {
  type BenchResult,
  figures,
  HOLDING_PFX,
  type Kind,
  KINDS,
  median,
  type Operation,
  type OperationFigures,
  OPERATIONS,
  type Sample,
  type StateSize,
  summary,
  table,
} from "./bench/report";

const SERVICE_ID = `/subscriptions/${SUBSCRIPTION}/resourceGroups/bench/providers/Microsoft.ApiManagement/service/bench`;
const LATENCY_MS = 100;

const options = {
  sizes: (process.env.BENCH_SIZES ?? "1,10,50")
    .split(",")
    .map((s) => Number(s.trim()))
    .sort((a, b) => a - b),
  repeats: Number(process.env.BENCH_REPEATS ?? 5),
  skipLatency: !!process.env.BENCH_SKIP_LATENCY && process.env.BENCH_SKIP_LATENCY !== "0",
  output: path.resolve(repoRoot, process.env.BENCH_OUTPUT ?? path.join("bench", "results", "latest.json")),
  /** A command taking longer is killed (with what it started) and the bench fails. */
  commandTimeoutMs: Number(process.env.BENCH_COMMAND_TIMEOUT_S ?? 600) * 1000,
};
if (options.sizes.some((n) => !Number.isInteger(n) || n < 1) || !(options.repeats >= 1))
  throw new Error("BENCH_SIZES must be positive integers (e.g. 1,10,50) and BENCH_REPEATS at least 1");
const largest = options.sizes[options.sizes.length - 1];
const at = (n: number) => (options.sizes.includes(n) ? n : largest);
const POLICY_N = at(10);
const HAND_WRITTEN_N = at(50);
const LATENCY_N = at(50);

/** Command line and generation (0: as created, 1: every resource changed in place) of each operation. */
const COMMANDS: Record<Operation, { args: string[]; generation: number }> = {
  create: { args: ["up", "--yes", "--skip-preview"], generation: 0 },
  // --expect-no-changes: an unchanged preview that finds changes would make the figure meaningless.
  previewUnchanged: { args: ["preview", "--expect-no-changes"], generation: 0 },
  updateAll: { args: ["up", "--yes", "--skip-preview"], generation: 1 },
  refresh: { args: ["refresh", "--yes", "--skip-preview"], generation: 1 },
  destroy: { args: ["destroy", "--yes", "--skip-preview"], generation: 1 },
};
/** The order the lifecycle runs in, once per repeat. */
const LIFECYCLE: Operation[] = ["create", "previewUnchanged", "updateAll", "refresh", "destroy"];

const TYPE_SUFFIX: Record<Kind, string> = {
  apim: "azure-certs:ApimCertificate",
  policy: "azure-certs:KeyVaultCertificatePolicy",
  handWritten: "bench:HandWrittenCertificate",
  handWrittenSameOutputs: "bench:HandWrittenSameOutputsCertificate",
  pfxFloor: "bench:PfxFloorCertificate",
  noop: "azure-certs:Echo",
};

class Bench {
  private readonly procs = new RunProcesses();
  private readonly tmp = fs.mkdtempSync(path.join(os.tmpdir(), "pac-bench-"));
  private readonly projects = new Map<Kind, CliProject>();
  private azure?: EmulatedAzure;
  /** Samples by `kind/N/operation`. */
  private readonly samples = new Map<string, Sample[]>();
  private readonly sizes = new Map<string, StateSize>();
  private readonly latency: number[] = [];

  async run(): Promise<BenchResult> {
    // What it leaves behind can be checked (test/bench/bench.test.ts): nothing, once it is done.
    log(`run ${this.procs.id}, files in ${this.tmp}`);
    this.azure = await startEmulatedAzure();
    this.makePfxFiles(largest);
    for (const n of options.sizes) {
      const kinds: Kind[] = [
        "apim",
        ...(n === POLICY_N ? (["policy"] as const) : []),
        ...(n === HAND_WRITTEN_N ? (["handWritten", "handWrittenSameOutputs", "pfxFloor"] as const) : []),
        "noop",
      ];
      if (kinds.includes("policy")) await this.makeKeyVaultCertificates(n);
      for (const kind of kinds) await this.project(kind);
      for (let r = 0; r < options.repeats; r++) {
        // Taking turns, in the other order every other repeat: no case always runs right after another.
        const order = r % 2 ? [...kinds].reverse() : kinds;
        for (const op of LIFECYCLE) {
          for (const kind of order) {
            log(`N=${n} repeat ${r + 1}/${options.repeats}: ${kind} ${op}`);
            this.add(kind, n, op, await this.measure(kind, n, op));
            if (op === "create") this.sizes.set(`${kind}/${n}`, this.stateSize(kind, n));
          }
        }
      }
      if (n === LATENCY_N && !options.skipLatency) await this.measureLatency(n);
    }
    return this.result();
  }

  /** N PFX files per generation (each its own certificate and password), before any timing. */
  private makePfxFiles(n: number): void {
    for (const g of [0, 1]) {
      const dir = path.join(this.tmp, "pfx", `g${g}`);
      fs.mkdirSync(dir, { recursive: true });
      for (let i = 0; i < n; i++) {
        const pfx = makePfx({ cn: `bench-${i}-g${g}.contoso.com` });
        fs.writeFileSync(path.join(dir, `${i}.pfx`), Buffer.from(pfx.data, "base64"));
        fs.writeFileSync(path.join(dir, `${i}.pass`), pfx.password, { mode: 0o600 });
      }
    }
  }

  private async makeKeyVaultCertificates(n: number): Promise<void> {
    for (let i = 0; i < n; i++) await this.azure!.createKeyVaultCertificate(`bench-p${i}`);
  }

  private async project(kind: Kind): Promise<CliProject> {
    let project = this.projects.get(kind);
    if (!project) {
      const azure = this.azure!;
      project = await CliProject.create(path.join(repoRoot, "bench", "project"), {
        ...this.procs.env,
        ...azure.env,
        BENCH_KIND: kind,
        BENCH_PFX_DIR: path.join(this.tmp, "pfx"),
        BENCH_SERVICE_ID: SERVICE_ID,
        BENCH_VAULT_URL: azure.emu.vaults.demo,
      });
      this.projects.set(kind, project);
      log(`${kind} stack in ${path.dirname(project.dir)}`);
      // One command for the whole configuration (the harness's setConfig runs one per key).
      const pairs = Object.entries(azure.config).flatMap(([k, { value, secret }]) => [
        secret ? "--secret" : "--plaintext",
        `${k}=${value}`,
      ]);
      await project.pulumi("config", "set-all", ...pairs);
    }
    return project;
  }

  /** Runs one operation of one case, timed, with what the emulator and the provider process saw. */
  private async measure(kind: Kind, n: number, op: Operation): Promise<Sample> {
    const azure = this.azure!;
    const project = await this.project(kind);
    const { args, generation } = COMMANDS[op];
    azure.clearLog();
    azure.emu.admin.resetTokenCounts();
    const watch = this.procs.watch();
    const benchCpu = process.cpuUsage();
    let timedOut = false;
    const watchdog = setTimeout(() => {
      timedOut = true;
      this.procs.killAll();
    }, options.commandTimeoutMs);
    const t0 = process.hrtime.bigint();
    let stdout: string;
    let seconds: number;
    let watched: ReturnType<ReturnType<RunProcesses["watch"]>["stop"]>;
    try {
      ({ stdout } = await project.pulumiWith(
        { BENCH_N: String(n), BENCH_GENERATION: String(generation) },
        ...args,
      ));
      seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    } catch (e) {
      if (!timedOut) throw e;
      throw new Error(
        `${kind} ${op} at N=${n} ran longer than BENCH_COMMAND_TIMEOUT_S (${options.commandTimeoutMs / 1000} s): stopped`,
      );
    } finally {
      clearTimeout(watchdog);
      watched = watch.stop();
    }
    // The update must be in place for every resource (a replacement would be another figure).
    if (op === "updateAll" && !new RegExp(`~ ${n} updated`).test(stdout))
      throw new Error(`${kind}: the update did not update all ${n} resources in place:\n${stdout}`);
    const http: Record<string, number> = {};
    for (const r of azure.requests()) if (r.listener !== "token") http[r.method] = (http[r.method] ?? 0) + 1;
    const tokens: Record<string, number> = {};
    for (const [scope, count] of Object.entries(azure.emu.admin.tokenRequestCounts()))
      if (count > 0) tokens[scope.replace(/\/\.default$/, "")] = count;
    // This process's CPU meanwhile is the emulator's (with the polling above, a small part).
    const used = process.cpuUsage(benchCpu);
    const cpuSeconds = { ...watched.cpuSeconds, emulator: (used.user + used.system) / 1e6 };
    return { seconds, http, tokens, providerPeakRssMB: watched.providerPeakRssMB, cpuSeconds };
  }

  /** `up` create with every ARM and Key Vault request delayed, then an untimed destroy. */
  private async measureLatency(n: number): Promise<void> {
    const admin = this.azure!.emu.admin;
    for (let r = 0; r < options.repeats; r++) {
      log(`N=${n} repeat ${r + 1}/${options.repeats}: apim create with ${LATENCY_MS} ms per request`);
      const faults = ["arm", ...Object.keys(this.azure!.emu.vaults)].map((listener) =>
        admin.addFault({ listener, kind: "delay", delayMs: LATENCY_MS, times: 1_000_000 }),
      );
      try {
        this.latency.push((await this.measure("apim", n, "create")).seconds);
      } finally {
        for (const f of faults) admin.removeFault(f.id);
      }
      await (await this.project("apim")).pulumi(...COMMANDS.destroy.args);
    }
  }

  private add(kind: Kind, n: number, op: Operation, s: Sample): void {
    const key = `${kind}/${n}/${op}`;
    this.samples.set(key, [...(this.samples.get(key) ?? []), s]);
  }

  /** Bytes of this case's resources in the file backend's stack file (not an export). */
  private stateSize(kind: Kind, n: number): StateSize {
    const project = this.projects.get(kind)!;
    // CliProject keeps its file backend next to the project folder (test/harness/cli-project.ts).
    const file = path.join(path.dirname(project.dir), "backend", ".pulumi", "stacks", "bench", "test.json");
    const resources = (JSON.parse(fs.readFileSync(file, "utf8")).checkpoint.latest.resources ?? []) as {
      type: string;
      inputs?: Record<string, unknown>;
      outputs?: Record<string, unknown>;
    }[];
    const mine = resources.filter((r) => r.type.endsWith(`/${TYPE_SUFFIX[kind]}`));
    if (mine.length !== n)
      throw new Error(`${kind}: ${mine.length} resources in state after create, not ${n}`);
    const bytes = (v: unknown) => (v === undefined ? 0 : Buffer.byteLength(JSON.stringify(v)));
    const sum = (f: (r: (typeof mine)[number]) => number) => mine.reduce((a, r) => a + f(r), 0);
    return {
      stateBytesPerResource: Math.round(sum(bytes) / n),
      providerBytesPerResource: Math.round(
        sum((r) => bytes(r.inputs?.__provider) + bytes(r.outputs?.__provider)) / n,
      ),
    };
  }

  private result(): BenchResult {
    const get = (kind: Kind, n: number, op: Operation) => this.samples.get(`${kind}/${n}/${op}`);
    const rows: { kind: Kind; n: number; op: Operation; f: OperationFigures }[] = [];
    const result: BenchResult = {
      meta: meta(),
      apim: {},
      policy: {},
      handWritten: {},
      handWrittenSameOutputs: {},
      pfxFloor: {},
      noop: {},
      tokensPerAudience: {},
      stateBytesPerResource: {},
      providerBytesPerResource: {},
      providerPeakRssMB: {},
    };
    for (const kind of KINDS) {
      // The top-level size and memory figures are those of the largest N each case ran at.
      for (const n of options.sizes) {
        let peakRss: number | undefined;
        for (const op of OPERATIONS) {
          const samples = get(kind, n, op);
          if (!samples) continue;
          const f = figures(
            n,
            samples,
            kind === "noop" ? undefined : get("noop", n, op),
            HOLDING_PFX.includes(kind) ? get("pfxFloor", n, op) : undefined,
          );
          rows.push({ kind, n, op, f });
          const entry = (result[kind][`N${n}`] ??= {}) as Record<string, unknown>;
          if (kind === "handWritten" || kind === "handWrittenSameOutputs" || kind === "pfxFloor")
            entry[op] = {
              seconds: f.seconds,
              ratioToNoop: f.ratioToNoop,
              ...(f.ratioToPfxFloor === undefined ? {} : { ratioToPfxFloor: f.ratioToPfxFloor }),
              httpPerResource: f.httpPerResource,
              cpuSeconds: f.cpuSeconds,
            };
          else if (kind === "noop") entry[op] = { seconds: f.seconds, cpuSeconds: f.cpuSeconds };
          else entry[op] = f;
          if (kind === "apim" || kind === "policy")
            for (const [aud, c] of Object.entries(f.tokensPerAudience))
              result.tokensPerAudience[aud] = Math.max(result.tokensPerAudience[aud] ?? 0, c);
          if (f.providerPeakRssMB !== null) peakRss = Math.max(peakRss ?? 0, f.providerPeakRssMB);
        }
        if (peakRss !== undefined) result.providerPeakRssMB[kind] = peakRss;
        const size = this.sizes.get(`${kind}/${n}`);
        if (size) {
          result.stateBytesPerResource[kind] = size.stateBytesPerResource;
          result.providerBytesPerResource[kind] = size.providerBytesPerResource;
        }
      }
    }
    if (this.latency.length) {
      const seconds = median(this.latency);
      const create = (result.apim[`N${LATENCY_N}`].create as OperationFigures).seconds;
      result.apim[`N${LATENCY_N}`].createAt100ms = {
        seconds: Number(seconds.toFixed(3)),
        ratioTo0ms: Number((seconds / create).toFixed(3)),
      };
    }
    console.log(table(rows));
    console.log("");
    for (const line of summary(result, this.latency.length ? LATENCY_N : undefined)) console.log(line);
    return result;
  }

  /** Kills whatever this run left running and removes its folders (stacks and PFX files). */
  cleanUp(): void {
    const killed = this.procs.killAll();
    if (killed) log(`killed ${killed} process(es) left running`);
    // The stacks' resources were destroyed (measured) or go with the emulator: no `pulumi destroy`.
    for (const p of this.projects.values()) fs.rmSync(path.dirname(p.dir), { recursive: true, force: true });
    fs.rmSync(this.tmp, { recursive: true, force: true });
  }

  async stop(): Promise<void> {
    this.cleanUp();
    await this.azure?.stop();
  }
}

/** When the run started, and the machine's load then (a busy machine makes the figures wrong). */
const started = { date: new Date().toISOString(), loadAverage1m: Number(os.loadavg()[0].toFixed(2)) };

function meta(): BenchResult["meta"] {
  const partial = options.sizes.join(",") !== "1,10,50" || options.repeats < 5 || options.skipLatency;
  return {
    date: started.date,
    node: process.version,
    cli: execFileSync(path.join(pulumiBinDir(), "pulumi"), ["version"], { encoding: "utf8" }).trim(),
    cores: os.cpus().length,
    repeats: options.repeats,
    sizes: options.sizes.join(","),
    latencyMs: options.skipLatency ? 0 : LATENCY_MS,
    loadAverage1m: started.loadAverage1m,
    partial,
  };
}

function log(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

async function main(): Promise<void> {
  const bench = new Bench();
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      bench.cleanUp();
      process.exit(130);
    });
  }
  let result: BenchResult;
  try {
    result = await bench.run();
  } finally {
    await bench.stop();
  }
  fs.mkdirSync(path.dirname(options.output), { recursive: true });
  fs.writeFileSync(options.output, JSON.stringify(result, null, 2) + "\n");
  log(`wrote ${path.relative(process.cwd(), options.output) || options.output}`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
