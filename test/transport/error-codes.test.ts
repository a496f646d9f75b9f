/**
 * The table of error codes in provider/transport/README.md is the list users and tests match
 * against: it names exactly the codes the sources raise (`new AzureCertsError("<code>", ...)`
 * anywhere under provider/, and the codes an `AzureRequestError` takes when Azure names none).
 * The provider tests against the emulator (test/apim-certificate/, test/keyvault-policy/,
 * test/transport/) raise each of them in a real scenario.
 */
import * as fs from "fs";
import * as path from "path";
import { AzureRequestError, type AzureFailureKind } from "../../provider/transport";

const root = path.join(__dirname, "..", "..");
const KINDS: AzureFailureKind[] = ["status", "network", "timeout", "deadline", "authentication", "refused"];

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const full = path.join(dir, d.name);
    if (d.isDirectory()) return sources(full);
    return d.name.endsWith(".ts") ? [full] : [];
  });
}

/** The string literals of the first argument of every `new AzureCertsError(` in `text`. */
function raisedIn(text: string): string[] {
  const codes: string[] = [];
  for (const m of text.matchAll(/new AzureCertsError\(\s*((?:[^,"]|"[^"]*")+),/g)) {
    for (const literal of m[1].matchAll(/"(\w+)"/g)) codes.push(literal[1]);
  }
  return codes;
}

function tableCodes(): string[] {
  const readme = fs.readFileSync(path.join(root, "provider", "transport", "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("\n## Errors\n"), readme.indexOf("\n## Decisions\n"));
  return [...section.matchAll(/^\| `(\w+)` +\|/gm)].map((m) => m[1]);
}

test("the README's table lists exactly the codes the sources raise, once each", () => {
  const raised = new Set(
    sources(path.join(root, "provider")).flatMap((f) => raisedIn(fs.readFileSync(f, "utf8"))),
  );
  for (const kind of KINDS)
    raised.add(new AzureRequestError("x", { kind, method: "GET", url: "u", attempts: 1, elapsedMs: 0 }).code);
  const listed = tableCodes();
  expect(new Set(listed).size).toBe(listed.length);
  expect([...listed].sort()).toEqual([...raised].sort());
});

test("the reading of the sources finds a code in either branch of a choice", () => {
  expect(raisedIn('throw new AzureCertsError(\n  ok ? "A" : "B",\n  `x, y`,\n);')).toEqual(["A", "B"]);
  expect(raisedIn('new AzureCertsError("InvalidConfiguration", message)')).toEqual(["InvalidConfiguration"]);
});
