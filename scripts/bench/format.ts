/** How the benchmark reports print durations and request counts. */

/** `850 ms`, `1.42 s`. */
export const fmt = (ms: number): string =>
  ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`;

/** Requests by method, sorted: `DELETE 3, GET 12`, or `none`. */
export const methods = (r: Record<string, number>): string =>
  Object.entries(r)
    .sort()
    .map(([m, n]) => `${m} ${n}`)
    .join(", ") || "none";
