#!/usr/bin/env node
/**
 * `pulumi-azure-certs <command>`: the package's command line (the `bin` of package.json). A small
 * dispatcher: each command is a module of this folder, loaded only when it runs, so that a command
 * that needs nothing heavy starts fast and a new one (say `inventory`) is one more entry below.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** What a command module exports. */
export interface CommandModule {
  /** Runs the command with the arguments after its name; resolves to the exit code. */
  run(argv: string[]): Promise<number>;
}

interface Command {
  name: string;
  summary: string;
  load(): CommandModule;
}

const COMMANDS: Command[] = [
  {
    name: "emulator",
    summary: "start the local Azure emulator and print (or write) the Pulumi configuration for it",
    load: () => require("./emulator"),
  },
  {
    name: "inventory",
    summary: "list the certificates of API Management services and Key Vaults, with an expiry gate",
    load: () => require("./inventory"),
  },
];

const BIN = "pulumi-azure-certs";

export function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    `Usage: ${BIN} <command> [flags]`,
    "",
    "Commands:",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}   ${c.summary}`),
    "",
    `Run \`${BIN} <command> --help\` for a command's flags; \`${BIN} --version\` prints the version.`,
  ].join("\n");
}

function version(): string {
  // dist/provider/cli/index.js → the package root.
  const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "..", "package.json"), "utf8"));
  return String(pkg.version);
}

/** Dispatches `argv` (without `node` and the script) to a command; resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    const about = name === "help" && rest[0] ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
    if (about) return about.load().run(["--help"]);
    // Asked for: usage on stdout; no command at all: on stderr, with a failing exit code.
    (name === undefined ? process.stderr : process.stdout).write(`${usage()}\n`);
    return name === undefined ? 2 : 0;
  }
  if (name === "--version" || name === "-v") {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`${BIN}: unknown command "${name}"\n\n${usage()}\n`);
    return 2;
  }
  return command.load().run(rest);
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: Error) => {
      process.stderr.write(`${BIN}: ${e.message}\n`);
      process.exitCode = 1;
    },
  );
}
