import { execFileSync } from "child_process";
import * as path from "path";

/** The repository root, from any compiled or ts-jest location under test/. */
export const repoRoot = path.resolve(__dirname, "..", "..").replace(/[/\\]dist$/, "");

let cachedBin: string | undefined;

/**
 * The folder that holds a `pulumi` CLI v3.259.0, made available by `scripts/ensure-pulumi.sh`
 * (which reuses a CLI on PATH or the cached build, and builds it once otherwise).
 */
export function pulumiBinDir(): string {
  if (!cachedBin) {
    cachedBin = execFileSync("bash", [path.join(repoRoot, "scripts", "ensure-pulumi.sh")], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    }).trim();
  }
  return cachedBin;
}

/**
 * PATH for every process the engine starts: the CLI, Node 22 from node_modules/.bin (the dynamic
 * provider plugin runs `node` from PATH) and the plugin script `pulumi-resource-pulumi-nodejs`.
 */
export function enginePath(extra: string[] = []): string {
  return [
    ...extra,
    pulumiBinDir(),
    path.join(repoRoot, "node_modules", ".bin"),
    path.join(repoRoot, "node_modules", "@pulumi", "pulumi"),
    process.env.PATH ?? "",
  ].join(path.delimiter);
}
