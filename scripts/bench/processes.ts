/**
 * The processes one bench run starts, found by a marker in their environment: every `pulumi`
 * command gets `PAC_BENCH_RUN=<id>`, and the language host and plugins it starts inherit it (a
 * killed CLI leaves them running in process groups of their own, so its group is not enough).
 * Linux only: it reads /proc.
 */
import { execFileSync } from "child_process";
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
   * Watches this run's processes until `stop()`, polling /proc every `everyMs`: the largest VmHWM
   * (the kernel's peak resident set) of a dynamic-provider process, and the CPU time (user +
   * system) each process had used when last seen, summed by role. A process's last `everyMs`
   * before it exits is not seen, so the CPU figures are a little short. `stop()` returns the peak
   * in MB (undefined when no provider process ran) and the CPU seconds by role.
   */
  watch(everyMs = 50): { stop(): { providerPeakRssMB?: number; cpuSeconds: Record<Role, number> } } {
    const foreign = new Set<number>();
    const seen = new Map<number, { role: Role; cpuTicks: number }>();
    let peakKb: number | undefined;
    const tick = () => {
      for (const pid of pids()) {
        if (foreign.has(pid)) continue;
        if (!seen.has(pid) && !this.ours(pid)) {
          foreign.add(pid); // the marker is inherited at fork, so a process without it never gets it
          continue;
        }
        const stat = read(`/proc/${pid}/stat`);
        if (stat === undefined) continue;
        // Ours but maybe not yet exec'd into what it becomes: looked at again until it has a role.
        // Once it has one it keeps it (an exited process, a zombie until reaped, shows no cmdline
        // but still its final CPU time).
        const known = seen.get(pid)?.role;
        const role = known && known !== "other" ? known : roleOf(pid);
        // Fields after the command name (which may hold spaces): state is the first, utime the 12th.
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        seen.set(pid, { role, cpuTicks: Number(fields[11]) + Number(fields[12]) });
        if (role === "provider") {
          const hwm = /^VmHWM:\s+(\d+) kB/m.exec(read(`/proc/${pid}/status`) ?? "");
          if (hwm) peakKb = Math.max(peakKb ?? 0, Number(hwm[1]));
        }
      }
    };
    tick();
    const timer = setInterval(tick, everyMs);
    return {
      stop() {
        clearInterval(timer);
        tick();
        const cpuSeconds = Object.fromEntries(ROLES.map((r) => [r, 0])) as Record<Role, number>;
        for (const { role, cpuTicks } of seen.values()) cpuSeconds[role] += cpuTicks / clockTicks();
        return { providerPeakRssMB: peakKb === undefined ? undefined : peakKb / 1024, cpuSeconds };
      },
    };
  }
}

/**
 * What a process of a `pulumi` command is: the CLI itself (the engine), the language host that
 * runs the program (the stand-in `language-host.js`, or the official host and the `node` it starts
 * for the program), the dynamic-provider plugin, or anything else (the plugin's start-up script).
 */
export const ROLES = ["engine", "program", "provider", "other"] as const;
export type Role = (typeof ROLES)[number];

function roleOf(pid: number): Role {
  const argv = (read(`/proc/${pid}/cmdline`) ?? "").split("\0");
  if (argv.slice(1, 3).some((a) => PROVIDER_SCRIPT.test(a))) return "provider";
  if (
    argv.some((a) => /language-host\.js$|pulumi-language-nodejs$|[/\\]cmd[/\\]run([/\\]index\.js)?$/.test(a))
  )
    return "program";
  if ((read(`/proc/${pid}/comm`) ?? "").trim() === "pulumi") return "engine";
  return "other";
}

let ticksPerSecond: number | undefined;
/** The kernel's clock ticks per second (`getconf CLK_TCK`), in which /proc reports CPU time. */
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}
