/**
 * What the tests that use the package as a user installs it share (test/package/tarball.test.ts,
 * test/docs/quickstart.test.ts): a user's environment, the packed tarball, the emulator started in
 * the background from the installed bin, and GETs on its admin API.
 */
import { type ChildProcess, execFile, spawn, type SpawnOptions } from "child_process";
import * as fs from "fs";
import * as https from "https";
import * as net from "net";
import * as path from "path";
import { promisify } from "util";
import { repoRoot } from "./pulumi-cli";

const exec = promisify(execFile);

/** `env` without what a parent npm or the repository's tooling leaves in it. */
export function withoutParentNpm(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) {
    if (/^npm_/i.test(k) || ["NODE_PATH", "NODE_OPTIONS", "INIT_CWD"].includes(k)) continue;
    e[k] = v;
  }
  return e;
}

/** The PATH folders outside the repository (the user's own system). */
export function systemPath(): string[] {
  return (process.env.PATH ?? "")
    .split(path.delimiter)
    .filter((d) => d && !path.resolve(d).startsWith(repoRoot + path.sep));
}

/** The stand-in language host's folder, only where no official `pulumi-language-nodejs` is installed. */
export function standInHost(system: string[] = systemPath()): string[] {
  const official = system.some((d) => fs.existsSync(path.join(d, "pulumi-language-nodejs")));
  return official ? [] : [path.join(repoRoot, "scripts", "bin")];
}

/** Packs the repository (already built) into `dest`; returns the tarball's path. */
export async function packTarball(dest: string, env: NodeJS.ProcessEnv): Promise<string> {
  const { stdout } = await exec("npm", ["pack", "--json", "--pack-destination", dest], {
    cwd: repoRoot,
    env,
  });
  return path.join(dest, JSON.parse(stdout)[0].filename);
}

/** GET on the emulator's admin API, trusting the CA file it printed. */
export function adminGet(
  url: string,
  caFile: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca: fs.readFileSync(caFile) }, (res) => {
        let body = "";
        res.on("data", (d: Buffer) => (body += d.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: body ? JSON.parse(body) : {} }));
      })
      .on("error", reject);
  });
}

/**
 * A command started in a process group of its own (so that `stop` reaches whatever it started),
 * resolved once its stdout prints a line starting with "Ready." (what the emulator command prints).
 */
export class BackgroundProcess {
  /** Everything it printed on stdout so far. */
  printed = "";
  private readonly exited: Promise<number | null>;

  private constructor(private readonly child: ChildProcess) {
    this.exited = new Promise((resolve) => child.on("exit", (code) => resolve(code)));
  }

  static start(command: string, args: string[], options: SpawnOptions): Promise<BackgroundProcess> {
    const child = spawn(command, args, { ...options, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    const p = new BackgroundProcess(child);
    let stderr = "";
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    return new Promise((resolve, reject) => {
      child.stdout!.on("data", (d: Buffer) => {
        p.printed += d.toString();
        if (/^Ready\./m.test(p.printed)) resolve(p);
      });
      child.on("exit", (code) => reject(new Error(`${command} exited (${code}):\n${p.printed}\n${stderr}`)));
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Sends `signal` to its process group and waits for it to exit; its exit code. */
  async stop(signal: NodeJS.Signals = "SIGKILL"): Promise<number | null> {
    if (this.child.pid !== undefined && this.child.exitCode === null && this.child.signalCode === null) {
      try {
        process.kill(-this.child.pid, signal);
      } catch {
        // already gone
      }
    }
    return this.exited;
  }
}

/** Whether `count` ports from `first` on can be bound on 127.0.0.1 now. */
export async function portsFree(first: number, count: number): Promise<boolean> {
  for (let p = first; p < first + count; p++) {
    const free = await new Promise<boolean>((resolve) => {
      const s = net.createServer();
      s.once("error", () => resolve(false));
      s.listen(p, "127.0.0.1", () => s.close(() => resolve(true)));
    });
    if (!free) return false;
  }
  return true;
}

/** The first of `count` consecutive free ports (for the emulator's `--port`). */
export async function consecutiveFreePorts(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const first = 20000 + Math.floor(Math.random() * 40000);
    if (await portsFree(first, count)) return first;
  }
  throw new Error(`no ${count} consecutive free ports found`);
}
