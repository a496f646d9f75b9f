/**
 * The state contract: every resource's state holds its provider as
 * `require("pulumi-azure-certs/dist/provider/<x>/provider")`, and `pulumi refresh`/`destroy` of an
 * existing stack run whatever that name resolves to in the installed package, calling the methods
 * by name. Moving or renaming a provider module, dropping it from the tarball or renaming one of
 * its methods would break every stack deployed with an earlier release: this test fails first.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { PROVIDER_MODULE as APIM_MODULE } from "../../provider/apim-certificate/resource";
import { PROVIDER_MODULE as POLICY_MODULE } from "../../provider/keyvault-policy/resource";
import { GUARDED_METHODS, isGuarded } from "../../provider/dynamic/guard";

const root = path.resolve(__dirname, "../..");
const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as {
  name: string;
  files?: string[];
  exports?: unknown;
};

/** The module names written into state by every release so far. Never change these. */
const PINNED = [
  { resource: "ApimCertificate", named: APIM_MODULE, file: "dist/provider/apim-certificate/provider.js" },
  {
    resource: "KeyVaultCertificatePolicy",
    named: POLICY_MODULE,
    file: "dist/provider/keyvault-policy/provider.js",
  },
];

/** What the provider host calls on a provider module, by name. */
const METHODS = ["configure", "check", "diff", "create", "read", "update", "delete"];

let packed: string[] = [];

beforeAll(() => {
  const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
    cwd: root,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "ignore"],
  });
  packed = (JSON.parse(out) as { files: { path: string }[] }[])[0].files.map((f) => f.path);
});

describe.each(PINNED)("$resource's provider module", ({ named, file }) => {
  it("is the module the resource class names", () => {
    expect(named).toBe(`${pkg.name}/${file.replace(/\.js$/, "")}`);
  });

  it("is built at exactly that path and packed into the tarball", () => {
    expect(fs.existsSync(path.join(root, file))).toBe(true);
    expect(packed).toContain(file);
    expect(packed).toContain("package.json");
  });

  it("resolves by name from a project that installed the package", () => {
    // No `exports` map (which would hide deep paths), or one that lists the module.
    if (pkg.exports !== undefined) expect(JSON.stringify(pkg.exports)).toContain(`./${file}`);
    expect(pkg.files).toContain("dist/provider");
    // scripts/install-self.sh installs the build under node_modules, as npm does for users.
    const resolved = require.resolve(named, { paths: [root] });
    expect(resolved).toBe(path.join(root, "node_modules", pkg.name, file));
  });

  it("exports configure, check, diff, create, read, update and delete, each a guarded function", () => {
    expect([...GUARDED_METHODS].sort()).toEqual([...METHODS].sort());
    const mod = require(require.resolve(named, { paths: [root] })) as Record<string, unknown>;
    for (const method of METHODS) {
      expect({ method, type: typeof mod[method] }).toEqual({ method, type: "function" });
      expect({ method, guarded: isGuarded(mod[method]) }).toEqual({ method, guarded: true });
    }
  });
});
