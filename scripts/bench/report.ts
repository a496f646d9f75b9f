/**
 * What `npm run bench` reports: the figures of each (case, N, operation) from its repeated runs,
 * the JSON of issue #14 (bench/results/latest.json) and the table on stdout with the issue's
 * targets, met or not.
 */

export const OPERATIONS = ["previewUnchanged", "create", "updateAll", "refresh", "destroy"] as const;
export type Operation = (typeof OPERATIONS)[number];

/**
 * `apim`: ApimCertificate from a PFX; `policy`: KeyVaultCertificatePolicy; `noop`: Echo (no call);
 * the references of bench/hand-written: `handWritten`, `handWrittenSameOutputs` and `pfxFloor`
 * (the hand-written resource, holding the PFX, doing nothing: the floor of any provider given one).
 */
export type Kind = "apim" | "policy" | "handWritten" | "handWrittenSameOutputs" | "pfxFloor" | "noop";
export const KINDS: readonly Kind[] = [
  "apim",
  "policy",
  "handWritten",
  "handWrittenSameOutputs",
  "pfxFloor",
  "noop",
];
/** The cases compared with `pfxFloor` too (`ratioToPfxFloor`): those that hold a PFX. */
export const HOLDING_PFX: readonly Kind[] = ["apim", "handWritten", "handWrittenSameOutputs"];

/** Methods always present in `httpPerResource` (others appear when used). */
const METHODS = ["GET", "PUT", "PATCH", "POST", "DELETE"];

/** One timed `pulumi` command. */
export interface Sample {
  seconds: number;
  /** Requests the emulator served during it, by method, token requests excluded. */
  http: Record<string, number>;
  /** Token requests during it, by audience (the scope without `/.default`). */
  tokens: Record<string, number>;
  /** Peak RSS of the dynamic-provider process, if one ran. */
  providerPeakRssMB?: number;
  /** CPU seconds by process role (scripts/bench/processes.ts) and of the emulator. */
  cpuSeconds: Record<string, number>;
}

export interface OperationFigures {
  /** Median over the repeats. */
  seconds: number;
  /** This case's median over the no-op case's median, same N, same operation (absent for no-op). */
  ratioToNoop?: number;
  /** The same over `pfxFloor`'s median, for the cases holding a PFX where it ran (N = 50). */
  ratioToPfxFloor?: number;
  /** Requests per resource by method (the largest count over the repeats, over N). */
  httpPerResource: Record<string, number>;
  /** Token requests per audience in one run (the largest over the repeats). */
  tokensPerAudience: Record<string, number>;
  /** Largest over the repeats; null when no provider process ran. */
  providerPeakRssMB: number | null;
  /** Median over the repeats, by role: engine, program, provider, other, emulator. */
  cpuSeconds: Record<string, number>;
}

/** State of one resource as the file backend stores it. */
export interface StateSize {
  /** The resource's entry in the stack file, as compact JSON. */
  stateBytesPerResource: number;
  /** Its `__provider` values (inputs and outputs both hold one). */
  providerBytesPerResource: number;
}

/** The figures kept of a reference provider (bench/hand-written). */
export type ReferenceFigures = {
  seconds: number;
  ratioToNoop: number;
  ratioToPfxFloor?: number;
  httpPerResource: Record<string, number>;
  cpuSeconds: Record<string, number>;
};

export interface BenchResult {
  meta: Record<string, string | number | boolean>;
  apim: Record<string, Record<string, OperationFigures | { seconds: number; ratioTo0ms: number }>>;
  policy: Record<string, Record<string, OperationFigures>>;
  handWritten: Record<string, Record<string, ReferenceFigures>>;
  handWrittenSameOutputs: Record<string, Record<string, ReferenceFigures>>;
  pfxFloor: Record<string, Record<string, ReferenceFigures>>;
  noop: Record<string, Record<string, { seconds: number; cpuSeconds: Record<string, number> }>>;
  tokensPerAudience: Record<string, number>;
  stateBytesPerResource: Partial<Record<Kind, number>>;
  providerBytesPerResource: Partial<Record<Kind, number>>;
  providerPeakRssMB: Partial<Record<Kind, number>>;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const round = (x: number, digits: number) => Number(x.toFixed(digits));

function maxBy(samples: Sample[], pick: (s: Sample) => Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of samples) for (const [k, v] of Object.entries(pick(s))) out[k] = Math.max(out[k] ?? 0, v);
  return out;
}

/** The figures of one case at one N and operation, from its samples, the no-op's and the PFX floor's. */
export function figures(
  n: number,
  samples: Sample[],
  noop?: Sample[],
  pfxFloor?: Sample[],
): OperationFigures {
  const seconds = median(samples.map((s) => s.seconds));
  const ratioTo = (base: Sample[]) => round(seconds / median(base.map((s) => s.seconds)), 3);
  const http: Record<string, number> = Object.fromEntries(METHODS.map((m) => [m, 0]));
  for (const [m, count] of Object.entries(maxBy(samples, (s) => s.http))) http[m] = round(count / n, 3);
  const rss = samples.map((s) => s.providerPeakRssMB).filter((x): x is number => x !== undefined);
  return {
    seconds: round(seconds, 3),
    ...(noop ? { ratioToNoop: ratioTo(noop) } : {}),
    ...(pfxFloor ? { ratioToPfxFloor: ratioTo(pfxFloor) } : {}),
    httpPerResource: http,
    tokensPerAudience: maxBy(samples, (s) => s.tokens),
    providerPeakRssMB: rss.length ? round(Math.max(...rss), 1) : null,
    cpuSeconds: Object.fromEntries(
      Object.keys(samples[0].cpuSeconds).map((role) => [
        role,
        round(median(samples.map((s) => s.cpuSeconds[role] ?? 0)), 2),
      ]),
    ),
  };
}

/** One checked target of issue #14. */
interface Target {
  text: string;
  met: boolean;
}

const RATIO_TARGETS: Partial<Record<Operation, number>> = {
  create: 1.3,
  previewUnchanged: 1.1,
  refresh: 1.3,
  destroy: 1.3,
};
/** Most requests per resource, from "Targets" of issue #14. */
const HTTP_TARGETS: Record<"apim" | "policy", Partial<Record<Operation, number>>> = {
  apim: { previewUnchanged: 0, create: 2, refresh: 1, destroy: 1 },
  policy: { previewUnchanged: 0, refresh: 2 },
};
/** The N at which the issue sets the ratio targets. */
const RATIO_TARGET_N: Record<"apim" | "policy", number> = { apim: 50, policy: 10 };

const total = (http: Record<string, number>) => Object.values(http).reduce((a, b) => a + b, 0);

export function targetsOf(kind: Kind, n: number, op: Operation, f: OperationFigures): Target[] {
  if (kind !== "apim" && kind !== "policy") return [];
  const out: Target[] = [];
  const ratio = RATIO_TARGETS[op];
  if (ratio !== undefined && n === RATIO_TARGET_N[kind] && f.ratioToNoop !== undefined)
    out.push({ text: `ratio <= ${ratio}`, met: f.ratioToNoop <= ratio });
  const http = HTTP_TARGETS[kind][op];
  if (http !== undefined) out.push({ text: `HTTP <= ${http}`, met: total(f.httpPerResource) <= http });
  const tokens = Math.max(0, ...Object.values(f.tokensPerAudience));
  out.push({ text: "tokens <= 1/audience", met: tokens <= 1 });
  return out;
}

const fmt = (x: number | undefined, digits = 2) => (x === undefined ? "-" : x.toFixed(digits));
const byMethod = (http: Record<string, number>) =>
  Object.entries(http)
    .filter(([, v]) => v > 0)
    .map(([m, v]) => `${m} ${+v.toFixed(2)}`)
    .join(", ") || "0";
const byAudience = (tokens: Record<string, number>) =>
  Object.entries(tokens)
    .map(([a, v]) => `${a.replace(/^https:\/\//, "")} ${v}`)
    .join(", ") || "0";
const verdict = (ts: Target[]) => ts.map((t) => `${t.text}: ${t.met ? "met" : "NOT met"}`).join("; ");

/** The table printed on stdout: one row per case, N and operation. */
export function table(rows: { kind: Kind; n: number; op: Operation; f: OperationFigures }[]): string {
  const head = [
    "case",
    "N",
    "operation",
    "s (median)",
    "x no-op",
    "x PFX floor",
    "HTTP/resource",
    "tokens/run",
    "RSS MB",
    "CPU s engine/program/provider/emulator",
    "targets",
  ];
  const body = rows.map(({ kind, n, op, f }) => [
    kind,
    String(n),
    op,
    fmt(f.seconds),
    fmt(f.ratioToNoop),
    fmt(f.ratioToPfxFloor),
    byMethod(f.httpPerResource),
    byAudience(f.tokensPerAudience),
    fmt(f.providerPeakRssMB ?? undefined, 0),
    ["engine", "program", "provider", "emulator"].map((r) => fmt(f.cpuSeconds[r])).join(" / "),
    verdict(targetsOf(kind, n, op, f)),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i])))
      .join("  ")
      .trimEnd();
  return [line(head), line(widths.map((w) => "-".repeat(w))), ...body.map(line)].join("\n");
}

/** The run-wide targets: `__provider` size, tokens per audience per run, latency hidden. */
export function summary(result: BenchResult, latencyN: number | undefined): string[] {
  const lines: string[] = [];
  for (const kind of ["apim", "policy"] as const) {
    const bytes = result.providerBytesPerResource[kind];
    if (bytes !== undefined)
      lines.push(
        `${kind}: __provider ${bytes} B per resource (<= 1024: ${bytes <= 1024 ? "met" : "NOT met"})`,
      );
    const state = result.stateBytesPerResource[kind];
    if (state !== undefined) lines.push(`${kind}: state ${state} B per resource`);
    const rss = result.providerPeakRssMB[kind];
    if (rss !== undefined) lines.push(`${kind}: provider peak RSS ${rss} MB`);
  }
  const tokens = Object.entries(result.tokensPerAudience);
  lines.push(
    `tokens per audience per run (largest): ${byAudience(result.tokensPerAudience)} ` +
      `(<= 1: ${tokens.every(([, v]) => v <= 1) ? "met" : "NOT met"})`,
  );
  const late = latencyN === undefined ? undefined : result.apim[`N${latencyN}`]?.createAt100ms;
  if (late && "ratioTo0ms" in late) {
    lines.push(
      `apim N=${latencyN} create with 100 ms per request: ${fmt(late.seconds)} s, ${fmt(late.ratioTo0ms)}x ` +
        `the 0 ms create (<= 1.5${latencyN === 50 ? "" : ", the issue's N is 50"}: ${late.ratioTo0ms <= 1.5 ? "met" : "NOT met"})`,
    );
  }
  return lines;
}
