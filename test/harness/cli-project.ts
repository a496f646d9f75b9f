import { execFile, spawn, type ChildProcess } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { enginePath, pulumiBinDir, repoRoot } from "./pulumi-cli";

const run = promisify(execFile);

function hasOfficialLanguageHost(): boolean {
  return (process.env.PATH ?? "")
    .split(path.delimiter)
    .some((dir) => dir && fs.existsSync(path.join(dir, "pulumi-language-nodejs")));
}

/**
 * A copy of a project folder (its Pulumi.yaml pointing at compiled JavaScript) in a temporary
 * directory with its own file backend, run with the real `pulumi` CLI as a user would. The
 * stand-in language host is put on PATH only when no official one is installed.
 */
export class CliProject {
  private constructor(
    readonly dir: string,
    private readonly root: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  static async create(projectDir: string, extraEnv: Record<string, string> = {}): Promise<CliProject> {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "pac-cli-"));
    const dir = path.join(root, "project");
    fs.mkdirSync(dir);
    for (const d of ["backend", "home"]) fs.mkdirSync(path.join(root, d));
    const yaml = fs
      .readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8")
      .replace(/^main: (.+)$/m, (_m, main: string) => `main: ${path.resolve(projectDir, main.trim())}`);
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), yaml);
    fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(dir, "node_modules"), "dir");
    pulumiBinDir();
    const standIn = hasOfficialLanguageHost() ? [] : [path.join(repoRoot, "scripts", "bin")];
    const env = {
      ...process.env,
      PATH: enginePath(standIn),
      PULUMI_BACKEND_URL: `file://${path.join(root, "backend")}`,
      PULUMI_HOME: path.join(root, "home"),
      PULUMI_CONFIG_PASSPHRASE: "cli-test-passphrase",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      ...extraEnv,
    };
    const project = new CliProject(dir, root, env);
    await project.pulumi("stack", "init", "test");
    return project;
  }

  /** Runs `pulumi <args> --non-interactive` in the project; rejects with its output on failure. */
  pulumi(...args: string[]): Promise<{ stdout: string; stderr: string }> {
    return this.pulumiWith({}, ...args);
  }

  /** Starts `pulumi <args> --non-interactive` in its own process group, to be killed mid-way. */
  spawn(args: string[], extraEnv: Record<string, string> = {}): ChildProcess {
    return spawn("pulumi", [...args, "--non-interactive"], {
      cwd: this.dir,
      env: { ...this.env, ...extraEnv },
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
  }

  /** As `pulumi`, with more environment variables for that one command. */
  async pulumiWith(
    extraEnv: Record<string, string>,
    ...args: string[]
  ): Promise<{ stdout: string; stderr: string }> {
    try {
      return await run("pulumi", [...args, "--non-interactive"], {
        cwd: this.dir,
        env: { ...this.env, ...extraEnv },
      });
    } catch (e) {
      const err = e as Error & { stdout?: string; stderr?: string };
      throw new Error(
        `pulumi ${args.join(" ")} failed: ${err.message}\n${err.stdout ?? ""}\n${err.stderr ?? ""}`,
      );
    }
  }

  /**
   * Runs a pulumi command and returns everything it printed (stdout and stderr, or the failure's
   * message with both), whether it succeeded or not.
   */
  async attempt(...args: string[]): Promise<{ ok: boolean; output: string }> {
    try {
      const { stdout, stderr } = await this.pulumi(...args);
      return { ok: true, output: `${stdout}\n${stderr}` };
    } catch (e) {
      return { ok: false, output: (e as Error).message };
    }
  }

  /** Sets stack configuration, `secret` values with `--secret` (an Automation API `ConfigMap`). */
  async setConfig(config: Record<string, { value: string; secret?: boolean }>): Promise<void> {
    for (const [key, { value, secret }] of Object.entries(config)) {
      await this.pulumi("config", "set", ...(secret ? ["--secret"] : []), key, value);
    }
  }

  async outputs(): Promise<Record<string, unknown>> {
    const { stdout } = await this.pulumi("stack", "output", "--json", "--show-secrets");
    return JSON.parse(stdout);
  }

  async dispose(): Promise<void> {
    try {
      await this.pulumi("destroy", "--yes", "--skip-preview");
      await this.pulumi("stack", "rm", "--yes", "test");
    } finally {
      fs.rmSync(this.root, { recursive: true, force: true });
    }
  }
}
