// `--emit-program <file.ts>`: a TypeScript module declaring one resource per certificate found,
// written so that the next `pulumi up` adopts everything with GETs only and the preview after it
// shows no change. Pure: the records in, the source text out.
//
// What each resource does at create decides what is emitted (see the providers):
// - ApimCertificate reads the certificate first; with `importExisting: true` it adopts one that
//   holds the same source (the same Key Vault secret, or a PFX of the same thumbprint) and sends
//   nothing. A PFX is never returned by Azure, so its data and password are `config.requireSecret`
//   references the user fills in (`check` opens the PFX locally to compare thumbprints), or, with
//   `readOnlyPfx`, a read-only `ApimCertificate.get`.
// - A Key Vault source whose last fetch failed is adopted too, but the next diff then asks for a
//   refreshSecret (a POST) to fetch it again: such a certificate is emitted as `ApimCertificate.get`,
//   with the managed declaration as a comment to use once API Management can read the secret.
// - An expired PFX is refused by ApimCertificate's `check` (it will not upload one): `.get` too.
// - KeyVaultCertificatePolicy reads the policy and adopts it without PATCH when every member it
//   manages already has its value. The members are emitted as Key Vault holds them, without
//   `importExisting`: should they change before `pulumi up`, create refuses (naming them) rather
//   than set them back.
import { createHash } from "node:crypto";
import { getPath, isoSeconds, isSet } from "../json-values";
import { memberName, POLICY_MEMBERS } from "../keyvault-policy/members";
import type { CertificatePolicy } from "../keyvault-policy/types";
import { checkInputs } from "../keyvault-policy/validate";
import { vaultLabel } from "./mappers";
import { serviceId } from "./targets";
import type { InventoryRecord } from "./types";

/** A secret the user gives before `pulumi up`: the PFX of a certificate uploaded as a file, or its password. */
export interface PfxSecret {
  /** The certificate, as the inventory shows it (`{service}/{certificateId}`). */
  certificate: string;
  /** Config key of the base64 PFX. */
  dataKey: string;
  /** Config key of its password. */
  passwordKey: string;
}

/** What `emitProgram` produced. */
export interface EmittedProgram {
  /** The TypeScript module. */
  source: string;
  /** The config secrets to set (none with `readOnlyPfx`). */
  pfxSecrets: PfxSecret[];
  /** Resources declared, by how. */
  counts: { apimManaged: number; apimReadOnly: number; policies: number };
}

/** Options of {@link emitProgram}. */
export interface EmitOptions {
  /** Declare PFX-uploaded certificates with `ApimCertificate.get` instead of config secrets. */
  readOnlyPfx?: boolean;
  /** The command line to name in the header (no secret: the command takes none). */
  command?: string;
  /** The run's time, for the header. */
  now?: Date;
}

/** A Pulumi name from parts of an id: lower case, letters, digits, `.`, `_` and `-`. */
function pulumiName(...parts: string[]): string {
  return parts
    .join("-")
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/-+/g, "-")
    .replace(/^-|-$/g, "");
}

/**
 * `inventory-apim-gateway` → `inventoryApimGateway`: the base of a variable (with a suffix such as
 * `Cert`, never a reserved word) and of config keys; never a leading digit.
 */
function identifier(name: string): string {
  const words = name.split(/[^A-Za-z0-9]+/).filter(Boolean);
  const camel = words.map((w, i) => (i === 0 ? w : w[0].toUpperCase() + w.slice(1))).join("");
  return /^[0-9]/.test(camel) || camel === "" ? `c${camel}` : camel;
}

/** Names unique within a program: a repeat (after the sanitising) gets a short hash of its id. */
class Names {
  private readonly used = new Set<string>();
  constructor(private readonly separator: string) {}
  take(name: string, id: string): string {
    const unique = this.used.has(name)
      ? `${name}${this.separator}${createHash("sha256").update(id).digest("hex").slice(0, 6)}`
      : name;
    this.used.add(unique);
    return unique;
  }
}

const str = (s: string) => JSON.stringify(s);

/** A JSON-like value as a TypeScript literal, indented by `indent` spaces after the first line. */
function literal(value: unknown, indent: number): string {
  const pad = " ".repeat(indent + 2);
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    if (value.every((v) => typeof v !== "object" || v === null))
      return `[${value.map((v) => literal(v, 0)).join(", ")}]`;
    return `[\n${value.map((v) => `${pad}${literal(v, indent + 2)},`).join("\n")}\n${" ".repeat(indent)}]`;
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return "{}";
    const key = (k: string) => (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) ? k : str(k));
    return `{\n${entries.map(([k, v]) => `${pad}${key(k)}: ${literal(v, indent + 2)},`).join("\n")}\n${" ".repeat(indent)}}`;
  }
  return typeof value === "string" ? str(value) : String(value);
}

/**
 * The policy members as Key Vault holds them, less any that `KeyVaultCertificatePolicy`'s own
 * check would refuse (a value newer than this package, say): those stay unmanaged, as Key Vault
 * has them. Returns the members to declare and the names of those left out, with why.
 */
export function adoptablePolicy(
  vaultBaseUrl: string,
  certificateName: string,
  policy: CertificatePolicy,
): { policy: CertificatePolicy; leftOut: string[] } {
  const members: Record<string, unknown> = JSON.parse(JSON.stringify(policy));
  const leftOut: string[] = [];
  for (let round = 0; round < POLICY_MEMBERS.length; round++) {
    // The vault's own address is checked against the transport's rules when the program runs.
    const { failures } = checkInputs(
      { vaultBaseUrl, certificateName, ...members },
      { vaultDnsSuffix: "vault.azure.net", trustedHosts: [new URL(vaultBaseUrl).host] },
    );
    const memberFailures = failures
      .map((f) => ({
        f,
        m: POLICY_MEMBERS.find(
          (m) =>
            f.property === memberName(m) ||
            f.property.startsWith(`${memberName(m)}.`) ||
            f.property.startsWith(`${memberName(m)}[`),
        ),
      }))
      .filter((x) => x.m && isSet(getPath(members, x.m.path)));
    if (memberFailures.length === 0) break;
    for (const { f, m } of memberFailures) {
      const path = m!.path;
      let parent: Record<string, unknown> | undefined = members;
      for (const k of path.slice(0, -1)) parent = parent?.[k] as Record<string, unknown> | undefined;
      if (parent && path[path.length - 1] in parent) {
        delete parent[path[path.length - 1]];
        leftOut.push(`${memberName(m!)} (${f.reason})`);
      }
    }
  }
  // Groups emptied by the above are left out too.
  for (const [k, v] of Object.entries(members))
    if (v && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 0) delete members[k];
  return { policy: members as CertificatePolicy, leftOut };
}

/** Comment lines, each starting with `// ` at `indent`. */
const comment = (indent: string, ...lines: string[]) =>
  lines.map((l) => `${indent}// ${l}`.trimEnd()).join("\n");

/** Writes the module. Records of both kinds may come in any order; the output is sorted by name. */
export function emitProgram(records: InventoryRecord[], options: EmitOptions = {}): EmittedProgram {
  const writer = new ProgramWriter(options);
  // Key Vault first: API Management certificates below follow their policy's version.
  const policyBlocks = sortedBy(
    records.filter((r) => r.keyVault),
    (r) => pulumiName(vaultLabel(r.keyVault!.vaultBaseUrl), r.keyVault!.certificateName),
  ).map(([r, name]) => writer.policyBlock(r, name));
  const apimBlocks = sortedBy(
    records.filter((r) => r.apim),
    (r) => pulumiName(r.apim!.serviceName, r.apim!.certificateId),
  ).map(([r, name]) => writer.apimBlock(r, name));
  return writer.program(policyBlocks, apimBlocks);
}

/** The records with their wanted Pulumi names, sorted by name. */
function sortedBy(
  records: InventoryRecord[],
  nameOf: (r: InventoryRecord) => string,
): [InventoryRecord, string][] {
  return records
    .map((r): [InventoryRecord, string] => [r, nameOf(r)])
    .sort((a, b) => a[1].localeCompare(b[1]));
}

/** What one emitted program has used so far: names, variables, secrets and counts. */
class ProgramWriter {
  // Pulumi names are unique per resource type; variables and config keys per kind (their suffixes differ).
  private readonly names = { policy: new Names("-"), apim: new Names("-") };
  private readonly variables = { policy: new Names("_"), apim: new Names("_") };
  private readonly policyVariable = new Map<string, string>();
  private readonly pfxSecrets: PfxSecret[] = [];
  private readonly counts = { apimManaged: 0, apimReadOnly: 0, policies: 0 };

  constructor(private readonly options: EmitOptions) {}

  /** A `KeyVaultCertificatePolicy` with the members as Key Vault holds them (or a comment why not). */
  policyBlock(r: InventoryRecord, wanted: string): string {
    const kv = r.keyVault!;
    if (!kv.policy) {
      // Key Vault would not show it to this identity: a declaration would guess at the policy.
      return comment(
        "",
        `${r.displayName}: not declared, its policy could not be read (${r.notes.join("; ")}).`,
      );
    }
    const name = this.names.policy.take(wanted, r.id);
    const variable = `${this.variables.policy.take(identifier(name), r.id)}Policy`;
    this.policyVariable.set(r.id, variable);
    const { policy, leftOut } = adoptablePolicy(kv.vaultBaseUrl, kv.certificateName, kv.policy);
    const args = { vaultBaseUrl: kv.vaultBaseUrl, certificateName: kv.certificateName, ...policy };
    const facts = [
      r.thumbprint ? `thumbprint ${r.thumbprint}` : "no version yet",
      r.expirationDate ? `expires ${r.expirationDate}` : "",
      kv.readBy.length > 0 ? `read by ${kv.readBy.length} API Management certificate(s) below` : "",
    ].filter(Boolean);
    this.counts.policies++;
    return [
      comment("", `${r.displayName}: ${facts.join(", ")}.`),
      ...(leftOut.length > 0
        ? [
            comment(
              "",
              `Not managed (this package's check refuses Key Vault's value): ${leftOut.join("; ")}.`,
            ),
          ]
        : []),
      `export const ${variable} = new KeyVaultCertificatePolicy(${str(name)}, ${literal(args, 0)});`,
    ].join("\n");
  }

  /** An `ApimCertificate` adopting the certificate, or an `ApimCertificate.get` where adopting would write. */
  apimBlock(r: InventoryRecord, wanted: string): string {
    const a = r.apim!;
    const name = this.names.apim.take(wanted, r.id);
    const base = this.variables.apim.take(identifier(name), r.id);
    const c: ApimCertificateBlock = {
      r,
      name,
      base,
      variable: `${base}Cert`,
      facts: `${r.displayName}: ${r.thumbprint ? `thumbprint ${r.thumbprint}` : "no certificate"}${r.expirationDate ? `, expires ${r.expirationDate}` : ""}.`,
    };
    if (a.source.type === "keyVault") return this.keyVaultCertificate(c);
    if (r.daysLeft !== undefined && r.daysLeft < 0) {
      return this.readOnly(c, [
        "Expired: ApimCertificate does not upload an expired PFX, so it is only read here. Upload a renewed",
        "certificate (a new PFX in data and password) to manage it.",
      ]);
    }
    if (this.options.readOnlyPfx) {
      return this.readOnly(c, [
        "Uploaded as a PFX, which Azure never returns: only read here (--read-only-pfx). To manage it, give the PFX",
        "and its password as config secrets and declare it with data, password and importExisting: true.",
      ]);
    }
    return this.pfxCertificate(c);
  }

  private keyVaultCertificate(c: ApimCertificateBlock): string {
    const a = c.r.apim!;
    const s = a.source;
    const keyVault: Record<string, string> = { secretIdentifier: s.secretIdentifier! };
    if (s.identityClientId) keyVault.identityClientId = s.identityClientId;
    const follows =
      !s.pinnedVersion && s.keyVaultCertificate ? this.policyVariable.get(s.keyVaultCertificate) : undefined;
    const body = [
      `  serviceId: ${str(serviceId(a))},`,
      `  certificateId: ${str(a.certificateId)},`,
      `  keyVault: ${literal(keyVault, 2)},`,
      ...(follows
        ? [
            "  // A new version in Key Vault (seen by `pulumi up --refresh`) makes API Management fetch it in the same up.",
            `  refreshTrigger: ${follows}.version,`,
          ]
        : []),
      "  importExisting: true,",
    ].join("\n");
    const declaration = `export const ${c.variable} = new ApimCertificate(${str(c.name)}, {\n${body}\n});`;
    if (s.fetchFailed) {
      return this.readOnly(
        c,
        [
          `API Management's last fetch from Key Vault failed (${s.lastStatus?.code ?? "no certificate"}): managing it now would make the next`,
          "`pulumi up` ask API Management to fetch it again (refreshSecret), so it is only read here. Once API Management's",
          "identity can read the secret, replace the line below with this declaration:",
        ],
        declaration,
      );
    }
    const notes = s.pinnedVersion
      ? [
          comment(
            "",
            `Pinned to version ${s.pinnedVersion}: API Management does not follow renewals of this certificate.`,
          ),
        ]
      : [];
    this.counts.apimManaged++;
    return [comment("", c.facts), ...notes, declaration].join("\n");
  }

  private pfxCertificate(c: ApimCertificateBlock): string {
    const a = c.r.apim!;
    const dataKey = `${c.base}Pfx`;
    const passwordKey = `${c.base}PfxPassword`;
    this.pfxSecrets.push({ certificate: c.r.displayName, dataKey, passwordKey });
    this.counts.apimManaged++;
    return [
      comment(
        "",
        c.facts,
        `Uploaded as a PFX: set ${dataKey} (the file, base64) and ${passwordKey} (see the top).`,
      ),
      `export const ${c.variable} = new ApimCertificate(${str(c.name)}, {`,
      `  serviceId: ${str(serviceId(a))},`,
      `  certificateId: ${str(a.certificateId)},`,
      `  data: config.requireSecret(${str(dataKey)}),`,
      `  password: config.requireSecret(${str(passwordKey)}),`,
      "  importExisting: true,",
      "});",
    ].join("\n");
  }

  private readOnly(c: ApimCertificateBlock, why: string[], managed?: string): string {
    this.counts.apimReadOnly++;
    return [
      comment("", c.facts, ...why),
      ...(managed
        ? [
            managed
              .split("\n")
              .map((l) => `// ${l}`)
              .join("\n"),
          ]
        : []),
      `export const ${c.variable} = ApimCertificate.get(${str(c.name)}, ${str(c.r.id)});`,
    ].join("\n");
  }

  /** The module: the header, the imports, then the blocks. */
  program(policyBlocks: string[], apimBlocks: string[]): EmittedProgram {
    const { counts, pfxSecrets } = this;
    const classes = [
      ...(counts.apimManaged + counts.apimReadOnly > 0 ? ["ApimCertificate"] : []),
      ...(counts.policies > 0 ? ["KeyVaultCertificatePolicy"] : []),
    ];
    const source = [
      comment("", ...this.header()),
      ...(pfxSecrets.length > 0 ? ['import * as pulumi from "@pulumi/pulumi";'] : []),
      `import { ${classes.join(", ")} } from "pulumi-azure-certs";`,
      ...(pfxSecrets.length > 0 ? ["", "const config = new pulumi.Config();"] : []),
      ...(policyBlocks.length > 0
        ? ["", comment("", "Key Vault certificate policies."), "", policyBlocks.join("\n\n")]
        : []),
      ...(apimBlocks.length > 0
        ? ["", comment("", "API Management certificates."), "", apimBlocks.join("\n\n")]
        : []),
      "",
    ].join("\n");
    return { source, pfxSecrets, counts };
  }

  private header(): string[] {
    const { counts, pfxSecrets, options } = this;
    return [
      `Generated by \`${options.command ?? "pulumi-azure-certs inventory"}\`${options.now ? ` at ${isoSeconds(options.now)}` : ""}:`,
      `${counts.apimManaged + counts.apimReadOnly} API Management certificates (${counts.apimReadOnly} read only) and ${counts.policies} Key Vault certificate policies, as Azure held them.`,
      "",
      "`pulumi up` adopts them with GETs only: each ApimCertificate (importExisting: true) finds the same certificate in API",
      "Management and uploads nothing; each KeyVaultCertificatePolicy finds its members as declared here and changes nothing",
      "(no importExisting: should a member change in Key Vault before then, create refuses, naming it, rather than set it",
      "back). The `pulumi preview` after it shows no change. Use this file as the program, or import it from yours.",
      ...(pfxSecrets.length > 0
        ? [
            "",
            "Certificates uploaded as PFX files: Azure never returns the file, so give each one and its password before",
            "`pulumi up` (the PFX must hold the certificate API Management has: the same thumbprint):",
            ...pfxSecrets.flatMap((p) => [
              `  base64 < ${p.certificate.split("/").pop()}.pfx | tr -d '\\n' | pulumi config set --secret ${p.dataKey}`,
              `  pulumi config set --secret ${p.passwordKey} '<its password>'`,
            ]),
          ]
        : []),
    ];
  }
}

/** One API Management certificate being written: its names and the comment line of its facts. */
interface ApimCertificateBlock {
  r: InventoryRecord;
  name: string;
  /** The variable's stem, also the stem of its config keys. */
  base: string;
  variable: string;
  facts: string;
}
