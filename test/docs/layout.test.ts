/**
 * CONTRIBUTING.md's layout table cannot drift from the tree: every folder at the top of the
 * repository has a row, and in the rows of the folders a newcomer reads as a map (provider/,
 * scripts/, test/, bench/) every entry directly inside the folder, as git tracks it, is named.
 * Files are named with their extension (`pki.ts`), folders with a trailing slash (`dynamic/`).
 */
import { execFileSync } from "child_process";
import { readText, repoRoot, section } from "./markdown";

const MAPPED = ["provider/", "scripts/", "test/", "bench/"];

function trackedFiles(): string[] {
  return execFileSync("git", ["ls-files"], { cwd: repoRoot }).toString().split("\n").filter(Boolean);
}

/** The layout table's rows: the folder in the first cell, the whole row's text. */
function layoutRows(): Map<string, string> {
  const text = section(readText("CONTRIBUTING.md"), "Layout");
  if (!text) throw new Error('CONTRIBUTING.md has no "## Layout" section');
  const rows = new Map<string, string>();
  for (const line of text.split("\n")) {
    const cells = /^\|\s*`([^`]+)`\s*\|(.*)\|\s*$/.exec(line);
    if (cells) rows.set(cells[1], cells[2]);
  }
  return rows;
}

describe("CONTRIBUTING.md layout table", () => {
  const files = trackedFiles();
  const rows = layoutRows();

  it("has a row for every folder at the top of the repository", () => {
    const folders = [
      ...new Set(files.filter((f) => f.includes("/")).map((f) => `${f.split("/")[0]}/`)),
    ].filter((f) => !f.startsWith("."));
    expect(folders.filter((f) => !rows.has(f))).toEqual([]);
    expect([...rows.keys()].filter((f) => !folders.includes(f))).toEqual([]);
  });

  it.each(MAPPED)("names every entry directly inside %s", (folder) => {
    const row = rows.get(folder) ?? "";
    const entries = new Set(
      files
        .filter((f) => f.startsWith(folder))
        .map((f) => f.slice(folder.length).split("/"))
        .map((parts) => (parts.length > 1 ? `${parts[0]}/` : parts[0])),
    );
    const named = (e: string) => new RegExp("`" + e.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") + "`").test(row);
    expect([...entries].filter((e) => !named(e)).sort()).toEqual([]);
  });
});
