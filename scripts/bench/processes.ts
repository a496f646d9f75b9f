/**
 * The processes one bench run starts, found by a marker in their environment: every `pulumi`
 * command gets `PAC_BENCH_RUN=<id>`, and the language host and plugins it starts inherit it (a
 * killed CLI leaves them running in process groups of their own, so its group is not enough).
 * Linux only: it reads /proc.
 */
import * as crypto from "crypto";
import * as fs from "fs";

const MARKER = "PAC_BENCH_RUN";

/** The dynamic-provider plugin's node process (`node .../@pulumi/pulumi/cmd/dynamic-provider ...`). */
const PROVIDER_SCRIPT = /[/\\]cmd[/\\]dynamic-provider([/\\]index\.js)?$/;

function pids(): number[] {
  return fs
    .readdirSync("/proc")
    .filter((p) => /^\d+$/.test(p))
    .map(Number);
}

function read(file: string): string | undefined {
  try {
    return fs.readFileSync(file, "latin1");
  } catch {
    return undefined; // gone meanwhile, or not ours to read
  }
}

export class RunProcesses {
  readonly id = crypto.randomUUID();

  /** Environment that marks a command (and what it starts) as this run's. */
  get env(): Record<string, string> {
    return { [MARKER]: this.id };
  }

  /** Whether `pid` carries this run's marker. */
  private ours(pid: number): boolean {
    if (pid === process.pid) return false;
    const environ = read(`/proc/${pid}/environ`);
    return environ !== undefined && environ.split("\0").includes(`${MARKER}=${this.id}`);
  }

  /** SIGKILLs every process of this run still alive. */
  killAll(): number {
    let killed = 0;
    for (const pid of pids().filter((p) => this.ours(p))) {
      try {
        process.kill(pid, "SIGKILL");
        killed++;
      } catch {
        // already gone
      }
    }
    return killed;
  }

  /**
   * Watches this run's dynamic-provider processes until `stop()`, polling /proc every `everyMs`
   * and keeping the largest VmHWM (the kernel's peak resident set of the process) seen. `stop()`
   * returns it in MB, or undefined when no provider process ran.
   */
  watchProviderPeakRss(everyMs = 50): { stop(): number | undefined } {
    const foreign = new Set<number>();
    const providers = new Set<number>();
    let peakKb: number | undefined;
    const tick = () => {
      for (const pid of pids()) {
        if (foreign.has(pid) || providers.has(pid)) continue;
        if (!this.ours(pid)) {
          foreign.add(pid); // the marker is inherited at fork, so a process without it never gets it
          continue;
        }
        // Ours but maybe not yet exec'd into the provider: looked at again next tick.
        const argv = (read(`/proc/${pid}/cmdline`) ?? "").split("\0");
        if (argv.slice(1, 3).some((a) => PROVIDER_SCRIPT.test(a))) providers.add(pid);
      }
      for (const pid of providers) {
        const hwm = /^VmHWM:\s+(\d+) kB/m.exec(read(`/proc/${pid}/status`) ?? "");
        if (hwm) peakKb = Math.max(peakKb ?? 0, Number(hwm[1]));
      }
    };
    tick();
    const timer = setInterval(tick, everyMs);
    return {
      stop() {
        clearInterval(timer);
        tick();
        return peakKb === undefined ? undefined : peakKb / 1024;
      },
    };
  }
}
