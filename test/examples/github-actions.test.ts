/**
 * The GitHub Actions examples (examples/github-actions/*.yml): actionlint finds nothing in them (and
 * does find the faults of a broken copy, so it really runs), and the facts that must not drift hold:
 * OIDC sign-in with no client secret, the inputs each action takes, environment variable names that
 * the providers really read.
 *
 * actionlint comes from scripts/ensure-actionlint.sh (a pinned build from the Go module proxy,
 * cached); `npm test` runs it first and passes the folder in ACTIONLINT_BIN_DIR.
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const repoRoot = path.resolve(__dirname, "..", "..");
const examples = path.join(repoRoot, "examples", "github-actions");
const workflows = { preview: path.join(examples, "preview.yml"), deploy: path.join(examples, "deploy.yml") };
const text = {
  preview: fs.readFileSync(workflows.preview, "utf8"),
  deploy: fs.readFileSync(workflows.deploy, "utf8"),
};
const both = Object.entries(text) as [keyof typeof text, string][];

// ---------------------------------------------------------------------------------------------
// actionlint

function actionlintPath(): string {
  const dir =
    process.env.ACTIONLINT_BIN_DIR ||
    execFileSync("bash", [path.join(repoRoot, "scripts", "ensure-actionlint.sh")], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    }).trim();
  return path.join(dir, "actionlint");
}

interface Finding {
  message: string;
  filepath: string;
  line: number;
  kind: string;
}

/** Runs actionlint on files (or, without files, on the repository layout found from cwd). */
function actionlint(
  files: string[],
  cwd = repoRoot,
): { status: number | null; findings: Finding[]; stderr: string } {
  const res = spawnSync(actionlintPath(), ["-no-color", "-format", "{{json .}}", ...files], {
    cwd,
    encoding: "utf8",
  });
  const out = res.stdout.trim();
  return { status: res.status, findings: out ? (JSON.parse(out) as Finding[]) : [], stderr: res.stderr };
}

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "gha-examples-"));
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe("actionlint", () => {
  it("reports nothing for preview.yml and deploy.yml", () => {
    const res = actionlint([workflows.preview, workflows.deploy]);
    expect(res.findings).toEqual([]);
    expect(res.stderr).toBe("");
    expect(res.status).toBe(0);
  });

  it("reports nothing for them copied into a repository's .github/workflows/ (as users do)", () => {
    const repo = path.join(tmp, "copied");
    fs.mkdirSync(path.join(repo, ".github", "workflows"), { recursive: true });
    for (const f of Object.values(workflows)) {
      fs.copyFileSync(f, path.join(repo, ".github", "workflows", path.basename(f)));
    }
    // actionlint finds the project by its .git folder.
    execFileSync("git", ["init", "--quiet", repo]);
    const res = actionlint([], repo);
    expect(res.findings).toEqual([]);
    expect(res.status).toBe(0);
  });

  it("does check: a copy with a wrong permission and an undefined expression fails", () => {
    const broken = text.preview
      .replace(/^ {2}id-token: write$/m, "  id-token: writer")
      .replace("${{ vars.AZURE_CLIENT_ID }}", "${{ var.AZURE_CLIENT_ID }}");
    expect(broken).not.toBe(text.preview);
    const file = path.join(tmp, "broken-preview.yml");
    fs.writeFileSync(file, broken);
    const res = actionlint([file]);
    expect(res.status).toBe(1);
    const summary = res.findings.map((f) => `${f.kind}: ${f.message}`);
    expect(summary).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^permissions: "writer" is invalid as permission of scope "id-token"/),
        expect.stringMatching(/^expression: undefined variable "var"/),
      ]),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// A small reader for these workflow files: keys by indentation, comments ignored. Enough for the
// shapes used here (block mappings, `- uses:` steps); actionlint above checks that they are YAML.

interface Line {
  indent: number;
  /** The first key of a sequence item (`- uses: ...`): a step starts here. */
  item: boolean;
  key: string;
  value: string;
}

function lines(src: string): Line[] {
  const out: Line[] = [];
  for (const raw of src.split("\n")) {
    const m = /^(\s*)(?:- )?([A-Za-z0-9_.-]+):(?:\s+(.*))?$/.exec(raw.replace(/\s+#.*$/, ""));
    if (!m || raw.trim().startsWith("#")) continue;
    const dash = /^\s*- /.test(raw) ? 2 : 0;
    out.push({ indent: m[1].length + dash, item: dash > 0, key: m[2], value: (m[3] ?? "").trim() });
  }
  return out;
}

/** The `with:` inputs of every step that uses `action` (owner/name@ref). */
function stepInputs(src: string, action: string): Record<string, string>[] {
  const ls = lines(src);
  const found: Record<string, string>[] = [];
  ls.forEach((l, i) => {
    if (l.key !== "uses" || l.value !== action) return;
    // The step: from its `- ` item line to the next item at the same indent or a line indented less.
    let start = i;
    while (!ls[start].item && start > 0 && ls[start - 1].indent >= l.indent) start--;
    let end = i + 1;
    while (end < ls.length && ls[end].indent >= l.indent && !(ls[end].item && ls[end].indent === l.indent))
      end++;
    const inputs: Record<string, string> = {};
    for (let j = start; j < end; j++) {
      if (ls[j].indent !== l.indent || ls[j].key !== "with") continue;
      for (let k = j + 1; k < end && ls[k].indent > l.indent; k++) {
        if (ls[k].indent === l.indent + 2) inputs[ls[k].key] = ls[k].value;
      }
    }
    found.push(inputs);
  });
  return found;
}

/** Every environment variable a workflow sets (upper-case keys), with its value. */
function envVars(src: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const l of lines(src)) if (/^[A-Z][A-Z0-9_]*$/.test(l.key)) vars[l.key] = l.value;
  return vars;
}

// ---------------------------------------------------------------------------------------------
// Facts

/**
 * The inputs of the action versions used, from each action's action.yml at its tag: actionlint
 * v1.7.12 knows these actions only up to v6, so for v7 it cannot check input names itself.
 */
// prettier-ignore
const ACTION_INPUTS: Record<string, string[]> = {
  "pulumi/actions@v7": [
    "command", "stack-name", "pulumi-version", "pulumi-version-file", "work-dir", "comment-on-pr",
    "comment-on-pr-number", "comment-on-summary", "github-token", "cloud-url", "secrets-provider",
    "parallel", "message", "config-map", "expect-no-changes", "diff", "replace", "exclude",
    "exclude-dependents", "target", "target-dependents", "policyPacks", "policyPackConfigs", "refresh",
    "upsert", "remove", "edit-pr-comment", "color", "exclude-protected", "plan", "suppress-outputs",
    "suppress-progress", "always-include-summary", "continue-on-error", "log-verbosity", "log-flow", "debug",
  ],
  "actions/checkout@v7": [
    "repository", "ref", "token", "ssh-key", "ssh-known-hosts", "ssh-strict", "ssh-user",
    "persist-credentials", "path", "clean", "filter", "sparse-checkout", "sparse-checkout-cone-mode",
    "fetch-depth", "fetch-tags", "show-progress", "lfs", "submodules", "set-safe-directory",
    "github-server-url", "allow-unsafe-pr-checkout",
  ],
  "actions/setup-node@v7": [
    "node-version", "node-version-file", "architecture", "check-latest", "registry-url", "scope", "token",
    "cache", "package-manager-cache", "cache-dependency-path", "mirror", "mirror-token",
  ],
};

/**
 * The environment variables the Azure native provider reads for its identity
 * (pulumi-azure-native, provider/pkg/provider/auth_azidentity.go, readAuthConfig), plus the two
 * that GitHub Actions sets itself for OIDC.
 */
// prettier-ignore
const AZURE_NATIVE_ENV = [
  "ARM_CLIENT_ID", "ARM_TENANT_ID", "ARM_SUBSCRIPTION_ID", "ARM_AUXILIARY_TENANT_IDS", "ARM_ENVIRONMENT",
  "ARM_CLIENT_SECRET", "ARM_CLIENT_CERTIFICATE_PATH", "ARM_CLIENT_CERTIFICATE_PASSWORD", "ARM_USE_MSI",
  "ARM_USE_OIDC", "ARM_OIDC_AUDIENCE", "ARM_OIDC_TOKEN", "ARM_OIDC_TOKEN_FILE_PATH",
  "ARM_USE_DEFAULT_AZURE_CREDENTIAL", "ACTIONS_ID_TOKEN_REQUEST_TOKEN", "ACTIONS_ID_TOKEN_REQUEST_URL",
];

/** GitHub's OIDC for azure-native: ARM_USE_OIDC plus the two variables GitHub gives the job. */
const OIDC_ENV = ["ARM_USE_OIDC", "ACTIONS_ID_TOKEN_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_TOKEN"];

const settingsSource = fs.readFileSync(path.join(repoRoot, "provider", "transport", "settings.ts"), "utf8");
/** Whether provider/transport/settings.ts reads an environment variable (its name as a literal). */
const transportReads = (name: string) => new RegExp(`["'\`.]${name}\\b`).test(settingsSource);

describe.each(both)("%s.yml", (name, src) => {
  const env = envVars(src);

  it("signs in to Azure with OIDC from repository variables, and has no client secret", () => {
    expect(env.ARM_USE_OIDC).toBe('"true"'); // a string: azure-native compares it with "true"
    expect(env.ARM_CLIENT_ID).toBe("${{ vars.AZURE_CLIENT_ID }}");
    expect(env.ARM_TENANT_ID).toBe("${{ vars.AZURE_TENANT_ID }}");
    expect(env.ARM_SUBSCRIPTION_ID).toBe("${{ vars.AZURE_SUBSCRIPTION_ID }}");
    expect(src).not.toMatch(/CLIENT_SECRET|clientSecret|client-secret/i);
    const permissions = lines(src).filter((l) => l.key === "id-token");
    expect(permissions.map((l) => l.value)).toEqual(["write"]);
    expect(src).toMatch(/^permissions:\n(?: {2}\S.*\n)*? {2}contents: read$/m);
  });

  it("uses secrets only for the Pulumi backend and GitHub", () => {
    const secrets = [
      ...src
        .split("\n")
        .filter((l) => !l.trim().startsWith("#"))
        .join("\n")
        .matchAll(/secrets\.(\w+)/g),
    ];
    for (const [, s] of secrets) expect(["PULUMI_ACCESS_TOKEN", "GITHUB_TOKEN"]).toContain(s);
  });

  it("gives each action only inputs it has", () => {
    const uses = lines(src)
      .filter((l) => l.key === "uses")
      .map((l) => l.value);
    expect(uses).toEqual(["actions/checkout@v7", "actions/setup-node@v7", "pulumi/actions@v7"]);
    for (const action of uses) {
      for (const inputs of stepInputs(src, action)) {
        for (const input of Object.keys(inputs))
          expect([action, input, ACTION_INPUTS[action].includes(input)]).toEqual([action, input, true]);
      }
    }
    const [node] = stepInputs(src, "actions/setup-node@v7");
    expect(node["node-version"]).toBe("22");
  });

  it("sets only Azure variables that azure-native reads", () => {
    const azure = Object.keys(env).filter((k) => /^(ARM|AZURE)_/.test(k));
    expect(azure.sort()).toEqual(["ARM_CLIENT_ID", "ARM_SUBSCRIPTION_ID", "ARM_TENANT_ID", "ARM_USE_OIDC"]);
    for (const k of azure) expect([k, AZURE_NATIVE_ENV.includes(k)]).toEqual([k, true]);
  });

  it("sets only Azure variables that provider/transport/settings.ts reads (or, for OIDC, will)", () => {
    for (const k of Object.keys(env).filter((v) => /^(ARM|AZURE)_/.test(v))) {
      const ok = transportReads(k) || (OIDC_ENV.includes(k) && AZURE_NATIVE_ENV.includes(k));
      expect([name, k, ok]).toEqual([name, k, true]);
    }
  });
});

describe("preview.yml", () => {
  const src = text.preview;
  const [pulumi] = stepInputs(src, "pulumi/actions@v7");

  it("runs pulumi preview --diff on pull requests and comments on them", () => {
    expect(src).toMatch(/^on:\n {2}pull_request:/m);
    expect(pulumi).toMatchObject({ command: "preview", diff: "true", "comment-on-pr": "true" });
    expect(pulumi["github-token"]).toBe("${{ secrets.GITHUB_TOKEN }}");
    expect(pulumi["stack-name"]).toBeTruthy();
    expect(pulumi["work-dir"]).toBeTruthy();
    expect(lines(src).find((l) => l.key === "pull-requests")?.value).toBe("write");
  });

  it("keeps one preview per pull request", () => {
    expect(src).toMatch(
      /concurrency:\n {2}group: .*\$\{\{ github\.event\.pull_request\.number \}\}\n {2}cancel-in-progress: true/,
    );
  });
});

describe("deploy.yml", () => {
  const src = text.deploy;
  const [pulumi] = stepInputs(src, "pulumi/actions@v7");

  it("runs pulumi up on pushes to main and by hand, behind the production environment", () => {
    expect(src).toMatch(/^on:\n {2}push:\n {4}branches: \[main\]\n {2}workflow_dispatch:/m);
    expect(pulumi).toMatchObject({ command: "up" });
    expect(src).toMatch(/environment:\n\s+name: production/);
    expect(lines(src).some((l) => l.key === "pull-requests")).toBe(false);
  });

  it("never cancels a running deployment", () => {
    expect(src).toMatch(/concurrency:\n {2}group: \S+\n {2}cancel-in-progress: false/);
  });
});

describe("README.md", () => {
  const readme = fs.readFileSync(path.join(examples, "README.md"), "utf8");

  it("names the federated credentials' subjects and audience the workflows need", () => {
    for (const s of [
      "repo:OWNER/REPO:pull_request",
      "repo:OWNER/REPO:environment:production",
      "repo:OWNER/REPO:ref:refs/heads/main",
      "api://AzureADTokenExchange",
      "https://token.actions.githubusercontent.com",
    ]) {
      expect(readme).toContain(s);
    }
  });

  it("lists the variables the workflows read", () => {
    const used = new Set(
      [
        ...Object.values(text)
          .join("\n")
          .matchAll(/\b(?:vars|secrets)\.(\w+)/g),
      ].map((m) => m[1]),
    );
    used.delete("GITHUB_TOKEN"); // GitHub's own
    for (const v of used) expect(readme).toContain(`\`${v}\``);
  });

  it("gives the least roles for each resource", () => {
    for (const role of [
      "API Management Service Reader Role",
      "API Management Service Contributor",
      "Key Vault Reader",
      "Key Vault Certificates Officer",
      "Key Vault Secrets User",
      "Microsoft.ApiManagement/service/certificates/refreshSecret/action",
      "Microsoft.KeyVault/vaults/certificates/update/action",
    ]) {
      expect(readme).toContain(role);
    }
  });
});

describe("GitHub OIDC in provider/transport/settings.ts", () => {
  // Until the transport reads these, the workflows' OIDC names are checked against azure-native's
  // list above and these cases are reported as skipped; once it does, they run.
  const pending = OIDC_ENV.filter((k) => !transportReads(k));
  (pending.length > 0 ? it.skip : it).each(OIDC_ENV)("reads %s", (k) => {
    expect(transportReads(k)).toBe(true);
  });
});
