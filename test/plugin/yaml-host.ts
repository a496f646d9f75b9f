import { execFileSync } from "child_process";
import * as path from "path";
import { repoRoot } from "../harness/pulumi-cli";

let cached: string | undefined;

/**
 * The folder holding `pulumi-language-yaml`, from scripts/ensure-pulumi-yaml.sh: one on PATH,
 * else the cached build, else built once from the Go module proxy (one to two minutes).
 */
export function yamlHostDir(): string {
  cached ??= execFileSync("bash", [path.join(repoRoot, "scripts", "ensure-pulumi-yaml.sh")], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  }).trim();
  return cached;
}
