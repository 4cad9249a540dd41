/**
 * "Did you mean": the known key closest to an unknown one, so a typo or a key copied from
 * the wrong place is answered with the key to set rather than a list to read through.
 */

/** Lower case without separators: `grafana_domain`, `grafana.domain` and `grafanaDomain` meet. */
function normalise(key: string): string {
  return key.toLowerCase().replace(/[._\-[\]]/g, "");
}

/** Levenshtein distance, small strings only (config keys). */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current.push(Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost));
    }
    previous = current;
  }
  return previous[b.length];
}

/**
 * The key to suggest for `given`: a known key that differs only in case or separators, the
 * entry of `moved` for it, or the nearest known key within a few edits (about one in three
 * characters); undefined when nothing is close.
 */
export function suggestKey(
  given: string,
  known: readonly string[],
  moved: Readonly<Record<string, string>> = {},
): string | undefined {
  if (moved[given] !== undefined) return moved[given];
  const target = normalise(given);
  const same = known.find((k) => normalise(k) === target);
  if (same !== undefined) return same;
  let best: { key: string; cost: number } | undefined;
  for (const key of known) {
    const cost = distance(target, normalise(key));
    if (best === undefined || cost < best.cost) best = { key, cost };
  }
  const limit = Math.max(2, Math.floor(target.length / 3));
  return best !== undefined && best.cost <= limit ? best.key : undefined;
}

/** `a known key (did you mean X?): a, b, c`: the allowed-text of an unknown key. */
export function knownKeyText(
  given: string,
  known: readonly string[],
  moved: Readonly<Record<string, string>> = {},
  list: readonly string[] = known,
): string {
  const suggestion = suggestKey(given, known, moved);
  const hint = suggestion === undefined ? "" : ` (did you mean ${suggestion}?)`;
  return `a known key${hint}: ${list.join(", ")}`;
}
