/**
 * "Did you mean …?": the nearest valid name to a mistyped one, and the one shape every "unknown …"
 * usage message takes: `unknown option "--SecretNam" (did you mean "--SecretName"?)`.
 */

/** Edit distance with adjacent transpositions, case-insensitive (a wrong capital is a near miss). */
function distance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const rows: number[][] = Array.from({ length: s.length + 1 }, (_, i) =>
    Array.from({ length: t.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number): number => rows[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i <= s.length; i++) {
    const row = rows[i] ?? [];
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) {
        best = Math.min(best, at(i - 2, j - 2) + 1);
      }
      row[j] = best;
    }
  }
  return at(s.length, t.length);
}

/**
 * The candidate closest to `given`, if it is close enough to be a typo (at most a third of its length
 * apart, and at most 3 edits), or one that starts with it (an abbreviation).
 */
export function nearest(given: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const d = distance(given, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  if (best === undefined) return undefined;
  const limit = Math.min(3, Math.max(1, Math.floor(given.length / 3)));
  if (bestDistance <= limit) return best;
  const lower = given.toLowerCase();
  if (given.length >= 3) {
    const prefixed = [...candidates].filter((c) => c.toLowerCase().startsWith(lower));
    if (prefixed.length === 1) return prefixed[0];
  }
  return undefined;
}

/** `unknown <kind> "<given>"`, with the nearest candidate suggested when there is one. */
export function unknownName(kind: string, given: string, candidates: Iterable<string>): string {
  const suggestion = nearest(given, candidates);
  return `unknown ${kind} "${given}"${suggestion === undefined ? '' : ` (did you mean "${suggestion}"?)`}`;
}
