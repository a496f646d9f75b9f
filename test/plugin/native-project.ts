/**
 * A CLI project (test/harness/cli-project.ts) whose engine finds the `pulumi-resource-azure-certs`
 * plugin on PATH, with the stack configuration pointing the native provider at the emulator: the
 * same settings as the dynamic resources', under the plugin's own `azure-certs:*` keys (a resource
 * plugin only receives its own package's configuration).
 */
import * as fs from "fs";
import * as path from "path";
import { CliProject } from "../harness/cli-project";
import type { EmulatedAzure } from "../harness/emulated-azure";
import { enginePath, repoRoot } from "../harness/pulumi-cli";
import { pluginBinDir } from "./plugin-bin";

export interface NativeProject {
  project: CliProject;
  /** The backend's file for the stack: the state as stored, secrets encrypted. */
  rawState(): string;
  dispose(): Promise<void>;
}

export interface NativeProjectOptions {
  /** Folders to put on PATH before the engine's (a language host). */
  extraPath?: string[];
  /**
   * The whole PATH instead, with no plugin on it: the engine must then find the plugin in its
   * plugin cache (`pulumi plugin install`).
   */
  path?: string[];
}

export async function createNativeProject(
  projectDir: string,
  azure: EmulatedAzure,
  options: NativeProjectOptions = {},
): Promise<NativeProject> {
  const pluginDir = options.path ? undefined : pluginBinDir();
  const standIn = path.join(repoRoot, "scripts", "bin");
  const project = await CliProject.create(projectDir, {
    ...azure.env,
    PATH: options.path
      ? options.path.join(path.delimiter)
      : enginePath([pluginDir!, ...(options.extraPath ?? []), standIn]),
  });
  const { emu } = azure;
  await project.setConfig({
    "azure-certs:clientId": { value: emu.clientId },
    "azure-certs:clientSecret": { value: emu.clientSecret, secret: true },
    "azure-certs:tenantId": { value: emu.tenantId },
    "azure-certs:subscriptionId": { value: "00000000-0000-0000-0000-000000000000" },
    "azure-certs:armEndpoint": { value: emu.armEndpoint },
    "azure-certs:authorityHost": { value: emu.authorityHost },
    "azure-certs:trustedVaultHosts": { value: "localhost" },
    "azure-certs:retryDelayMs": { value: "100" },
  });
  const root = path.dirname(project.dir);
  const projectName = /^name:\s*(\S+)/m.exec(
    fs.readFileSync(path.join(project.dir, "Pulumi.yaml"), "utf8"),
  )![1];
  return {
    project,
    rawState: () =>
      fs.readFileSync(path.join(root, "backend", ".pulumi", "stacks", projectName, "test.json"), "utf8"),
    async dispose() {
      try {
        await project.dispose();
      } finally {
        if (pluginDir) fs.rmSync(pluginDir, { recursive: true, force: true });
      }
    },
  };
}
