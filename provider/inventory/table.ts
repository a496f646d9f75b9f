// The readable inventory: one row per certificate, soonest expiry first, the certificates that
// trip the gate listed before the table. Colour only on a terminal (see `shouldColour`). Pure.
import { parseSecretIdentifier } from "../apim-certificate/validate";
import { isoSeconds } from "../json-values";
import type { GateResult } from "./gate";
import type { Inventory } from "./inventory";
import { vaultLabel } from "./mappers";
import type { InventoryRecord, RenewalSummary } from "./types";

/** Days before expiry from which a row is shown in yellow (ApimCertificate's expiryWarningDays default). */
export const WARNING_DAYS = 30;
const SUBJECT_WIDTH = 40;

const ANSI = { red: "\x1b[31m", yellow: "\x1b[33m", bold: "\x1b[1m", reset: "\x1b[0m" } as const;

/**
 * Whether to colour: only when the output is a terminal, `NO_COLOR` is not set (no-color.org: set
 * and not empty), `TERM` is not `dumb` and no CI system says it runs the command (`CI`).
 */
export function shouldColour(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (stream.isTTY !== true) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.TERM === "dumb") return false;
  return !(env.CI !== undefined && env.CI !== "" && env.CI.toLowerCase() !== "false");
}

/** `auto-renew at 80% of lifetime (2027-02-01)`, `e-mail contacts 30 days before expiry (...)`. */
export function describeRenewal(r: RenewalSummary | undefined): string {
  if (!r) return "no lifetime action";
  const what = r.action === "AutoRenew" ? "auto-renew" : "e-mail contacts";
  const when =
    r.lifetimePercentage !== undefined
      ? `at ${r.lifetimePercentage}% of lifetime`
      : r.daysBeforeExpiry !== undefined
        ? `${r.daysBeforeExpiry} days before expiry`
        : "";
  return [what, when, r.at ? `(${r.at.slice(0, 10)})` : ""].filter(Boolean).join(" ");
}

/** Where the certificate comes from (API Management), or its policy in brief (Key Vault). */
export function describeSource(r: InventoryRecord): string {
  if (r.keyVault) {
    if (!r.keyVault.policy) return "policy not readable";
    return [describeRenewal(r.keyVault.renewal), r.keyVault.issuer ? `issuer ${r.keyVault.issuer}` : ""]
      .filter(Boolean)
      .join(", ");
  }
  const s = r.apim!.source;
  if (s.type === "pfx") return "PFX upload";
  const parsed = s.secretIdentifier ? parseSecretIdentifier(s.secretIdentifier) : undefined;
  const where =
    parsed && !("property" in parsed)
      ? `${vaultLabel(parsed.vaultUrl)}/${parsed.name}${parsed.version ? `/${parsed.version.slice(0, 8)}…` : ""}`
      : (s.secretIdentifier ?? "?");
  return `Key Vault ${where}${s.fetchFailed ? " (fetch failed)" : ""}`;
}

const short = (s: string | undefined, width: number) =>
  !s ? "-" : s.length <= width ? s : `${s.slice(0, width - 1)}…`;

/** The rows of the table, as cells. */
function rows(records: InventoryRecord[]): string[][] {
  return records.map((r) => [
    r.daysLeft === undefined ? "-" : String(r.daysLeft),
    r.expirationDate ? r.expirationDate.slice(0, 10) : "-",
    r.kind === "apim" ? "APIM" : "Key Vault",
    r.displayName,
    short(r.subject, SUBJECT_WIDTH),
    r.thumbprint ?? "-",
    describeSource(r),
    r.notes.join("; "),
  ]);
}

const HEADER = [
  "DAYS",
  "EXPIRES",
  "KIND",
  "CERTIFICATE",
  "SUBJECT",
  "THUMBPRINT",
  "SOURCE / POLICY",
  "NOTES",
];
/** Columns aligned to the right (numbers). */
const RIGHT = new Set([0]);

function layout(cells: string[][]): string[] {
  const widths = HEADER.map((_, i) => Math.max(...cells.map((row) => [...row[i]].length)));
  return cells.map((row) =>
    row
      .map((cell, i) => {
        if (i === row.length - 1) return cell;
        const pad = " ".repeat(widths[i] - [...cell].length);
        return RIGHT.has(i) ? pad + cell : cell + pad;
      })
      .join("  ")
      .trimEnd(),
  );
}

/** The colour of a row: red when it trips the gate (or is expired, or failed), yellow within 30 days. */
function rowColour(r: InventoryRecord, tripped: Set<InventoryRecord>): string | undefined {
  if (tripped.has(r) || (r.daysLeft !== undefined && r.daysLeft < 0) || r.apim?.source.fetchFailed)
    return ANSI.red;
  if (r.daysLeft !== undefined && r.daysLeft < WARNING_DAYS) return ANSI.yellow;
  return undefined;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** The whole text output: the gate's hits, the table, a summary and the targets that failed. */
export function renderTable(
  inventory: Inventory,
  options: { colour?: boolean; gate?: GateResult } = {},
): string {
  const { records, errors } = inventory;
  const colour = options.colour === true;
  const paint = (code: string | undefined, text: string) =>
    colour && code ? `${code}${text}${ANSI.reset}` : text;
  const out: string[] = [];
  const gate = options.gate;
  const tripped = new Set(gate?.hits.map((h) => h.record) ?? []);

  if (gate && gate.hits.length > 0) {
    const n = gate.hits.length;
    out.push(
      paint(
        ANSI.bold,
        `${plural(n, "certificate")} trip${n === 1 ? "s" : ""} --fail-within ${gate.withinDays}:`,
      ),
    );
    const width = Math.max(...gate.hits.map((h) => h.record.displayName.length));
    for (const h of gate.hits) {
      const kind = h.record.kind === "apim" ? "APIM     " : "Key Vault";
      out.push(paint(ANSI.red, `  ${kind}  ${h.record.displayName.padEnd(width)}  ${h.reasons.join("; ")}`));
    }
    out.push("");
  }

  if (records.length > 0) {
    const lines = layout([HEADER, ...rows(records)]);
    out.push(paint(ANSI.bold, lines[0]));
    lines.slice(1).forEach((line, i) => out.push(paint(rowColour(records[i], tripped), line)));
    out.push("");
  }

  const apim = records.filter((r) => r.kind === "apim");
  const services = new Set(apim.map((r) => r.apim!.serviceName.toLowerCase())).size;
  const kv = records.filter((r) => r.kind === "keyVault");
  const vaults = new Set(kv.map((r) => r.keyVault!.vaultBaseUrl)).size;
  out.push(
    `${plural(records.length, "certificate")}: ${apim.length} in API Management (${plural(services, "service")}), ` +
      `${kv.length} in Key Vault (${plural(vaults, "vault")}); listed ${isoSeconds(inventory.now)}.`,
  );
  const soon = records.filter((r) => r.daysLeft !== undefined && r.daysLeft < WARNING_DAYS).length;
  const failed = apim.filter((r) => r.apim!.source.fetchFailed).length;
  const pinned = apim.filter((r) => r.apim!.source.pinnedVersion).length;
  const facts = [
    soon > 0
      ? `${plural(soon, "certificate")} expire${soon === 1 ? "s" : ""} within ${WARNING_DAYS} days`
      : "",
    failed > 0 ? `${failed} failed the last Key Vault fetch` : "",
    pinned > 0 ? `${pinned} read${pinned === 1 ? "s" : ""} a versioned secret` : "",
  ].filter(Boolean);
  if (facts.length > 0) out.push(`${facts.join("; ")}.`);
  if (gate) {
    out.push(
      gate.hits.length > 0
        ? paint(
            ANSI.red,
            `--fail-within ${gate.withinDays}: ${plural(gate.hits.length, "certificate")} trip${gate.hits.length === 1 ? "s" : ""} the gate (listed first).`,
          )
        : `--fail-within ${gate.withinDays}: no certificate expires within ${gate.withinDays} days or failed a Key Vault fetch.`,
    );
  }
  for (const e of errors) out.push(paint(ANSI.red, `Could not list ${e.target}: ${e.message}`));
  return `${out.join("\n")}\n`;
}
