import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  LocalWorkspace,
  PulumiCommand,
  type PulumiFn,
  type Stack,
  type ConfigMap,
  type UpResult,
  type PreviewResult,
  type RefreshResult,
  type DestroyResult,
} from "@pulumi/pulumi/automation";
import { enginePath, pulumiBinDir, repoRoot } from "./pulumi-cli";
import "./inspector";

export interface EngineStackOptions {
  /** The inline program: runs in this process, talks to a real CLI over gRPC. */
  program: PulumiFn;
  /** Stack configuration, e.g. `{ "azure-certs:foo": { value: "x" } }`. */
  config?: ConfigMap;
  /** Extra environment for the CLI and the provider plugin (e.g. NODE_EXTRA_CA_CERTS). */
  env?: Record<string, string>;
  projectName?: string;
}

/**
 * A stack on a throwaway file backend with its own PULUMI_HOME, driven through the Automation
 * API against the real CLI: one call per engine operation.
 */
export class EngineStack {
  private constructor(
    readonly stack: Stack,
    readonly root: string,
    readonly projectName: string,
  ) {}

  static async create(opts: EngineStackOptions): Promise<EngineStack> {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "pac-engine-"));
    const backend = path.join(root, "backend");
    const home = path.join(root, "home");
    const workDir = path.join(root, "work");
    for (const d of [backend, home, workDir]) fs.mkdirSync(d, { recursive: true });
    // The dynamic-provider plugin resolves @pulumi/pulumi from the program's folder.
    fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(workDir, "node_modules"), "dir");
    const projectName = opts.projectName ?? "engine-test";
    const pulumiCommand = await PulumiCommand.get({ root: path.dirname(pulumiBinDir()) });
    const stack = await LocalWorkspace.createOrSelectStack(
      { projectName, stackName: "test", program: opts.program },
      {
        workDir,
        pulumiHome: home,
        pulumiCommand,
        envVars: {
          PULUMI_BACKEND_URL: `file://${backend}`,
          PULUMI_CONFIG_PASSPHRASE: "engine-test-passphrase",
          PULUMI_SKIP_UPDATE_CHECK: "true",
          PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
          PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
          PATH: enginePath(),
          ...opts.env,
        },
      },
    );
    if (opts.config) await stack.setAllConfig(opts.config);
    return new EngineStack(stack, root, projectName);
  }

  preview(): Promise<PreviewResult> {
    return this.stack.preview();
  }
  up(): Promise<UpResult> {
    return this.stack.up();
  }
  refresh(): Promise<RefreshResult> {
    return this.stack.refresh();
  }
  destroy(): Promise<DestroyResult> {
    return this.stack.destroy();
  }

  /** The state file exactly as stored: secrets appear as ciphertext here. */
  rawState(): string {
    return fs.readFileSync(
      path.join(this.root, "backend", ".pulumi", "stacks", this.projectName, "test.json"),
      "utf8",
    );
  }

  /** Destroys whatever is left and removes the temporary folders. */
  async dispose(): Promise<void> {
    try {
      await this.stack.destroy();
      await this.stack.workspace.removeStack("test");
    } finally {
      fs.rmSync(this.root, { recursive: true, force: true });
    }
  }
}
