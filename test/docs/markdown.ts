/**
 * Reading the README the way the docs tests need it: its fenced code blocks, its sections and the
 * reference tables in them. Plain string work on Markdown as prettier writes it.
 */
import * as fs from "fs";
import * as path from "path";

export const repoRoot = path.resolve(__dirname, "..", "..");

/** The README under test: README.md, or another file given in DOCS_README (to show a test failing). */
export function readmePath(): string {
  return path.resolve(repoRoot, process.env.DOCS_README ?? "README.md");
}

export interface CodeBlock {
  /** 1-based line of the opening fence. */
  line: number;
  /** The heading the block sits under. */
  heading: string;
  lang: string;
  code: string;
}

/** Fenced code blocks (```lang ... ```), with the line and heading each starts under. */
export function codeBlocks(markdown: string): CodeBlock[] {
  const lines = markdown.split("\n");
  const blocks: CodeBlock[] = [];
  let heading = "(top)";
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(\S*)\s*$/.exec(lines[i]);
    if (!open) {
      const h = /^#+\s+(.*)$/.exec(lines[i]);
      if (h) heading = h[1];
      continue;
    }
    const indent = open[1].length;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !/^\s*```\s*$/.test(lines[j]); j++) body.push(lines[j].slice(indent));
    blocks.push({ line: i + 1, heading, lang: open[2], code: body.join("\n") });
    i = j;
  }
  return blocks;
}

/** The text of the section under the heading `title` (any level), up to the next heading of that level or above. */
export function section(markdown: string, title: string): string | undefined {
  const lines = markdown.split("\n");
  const start = lines.findIndex((l) => /^#+\s/.test(l) && l.replace(/^#+\s+/, "").trim() === title);
  if (start < 0) return undefined;
  const level = /^#+/.exec(lines[start])![0].length;
  let end = start + 1;
  while (end < lines.length) {
    const h = /^(#+)\s/.exec(lines[end]);
    if (h && h[1].length <= level) break;
    end++;
  }
  return lines.slice(start + 1, end).join("\n");
}

/**
 * The names in the first column of the table whose first header cell is `header` (e.g. `input`):
 * each row's first cell, backticks removed.
 */
export function tableNames(text: string, header: string): string[] | undefined {
  const lines = text.split("\n");
  const cells = (l: string) =>
    l
      .trim()
      .replace(/^\||\|$/g, "")
      .split("|")
      .map((c) => c.trim());
  const start = lines.findIndex((l) => l.trim().startsWith("|") && cells(l)[0] === header);
  if (start < 0) return undefined;
  const names: string[] = [];
  for (let i = start + 2; i < lines.length && lines[i].trim().startsWith("|"); i++) {
    names.push(cells(lines[i])[0].replace(/`/g, ""));
  }
  return names;
}

export function readText(file: string): string {
  return fs.readFileSync(file, "utf8");
}
