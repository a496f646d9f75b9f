/**
 * The candidate a mistyped name was most likely meant to be, for "did you mean ...?" in check
 * failures: the same name in another case, a prefix either way, or the nearest within a few
 * edits (2, or 3 for names of 8 characters and more). `undefined` when nothing is close.
 */
export function closest(value: string, candidates: readonly string[]): string | undefined {
  const lower = value.toLowerCase();
  const exact = candidates.find((c) => c.toLowerCase() === lower);
  if (exact) return exact;
  // Short values (versions such as 7.3) are too close to everything to suggest anything.
  if (lower.length < 4) return undefined;
  const prefix = candidates.find(
    (c) => c.toLowerCase().startsWith(lower) || lower.startsWith(c.toLowerCase()),
  );
  if (prefix) return prefix;
  const near = candidates
    .map((c) => ({ c, d: editDistance(lower, c.toLowerCase()) }))
    .filter((x) => x.d <= (lower.length >= 8 ? 3 : 2))
    .sort((x, y) => x.d - y.d);
  return near[0]?.c;
}

/** Levenshtein distance. */
function editDistance(x: string, y: string): number {
  const row = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= y.length; j++) {
      const cur = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (x[i - 1] === y[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[y.length];
}
