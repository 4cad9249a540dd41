/**
 * The scale benchmark's report (`npm run bench -- --scale`): the measurements per size as
 * a table, their growth as a small ASCII plot, and the targets checked at the
 * largest size. Pure: numbers in, text out (tests/unit/bench/scaleReport.test.ts).
 */

/** One engine command of a scale run. */
export interface ScaleOperation {
  /** The `pulumi` command, from the call to the engine's last event. */
  ms: number;
  /** Incus API requests of the plugin, by method. */
  requests: Record<string, number>;
  /** Requests that change something (anything but GET/HEAD). */
  writes: number;
  /** The engine's resource changes by operation (`create`, `same`, ...). */
  changes: Record<string, number>;
}

/** The `incus` CLI lower bounds for the same objects (scripts/bench/cliLowerBound.ts). */
export interface ScaleBound {
  objects: number;
  /** The objects alone: each instance created and started in one request. */
  upMs: number;
  /**
   * The same work as the provider's: each instance created stopped, its files pushed, then
   * started and its `once`/`on_start` execs run (absent in runs before it was measured).
   */
  workUpMs?: number;
  destroyMs: number;
  /** Failed removals: the destroy bound is not a bound when there are any. */
  removeFailures: string[];
}

/** Everything measured for one size: cluster01 with `nodes` node exporters. */
export interface ScalePoint {
  nodes: number;
  /** Resources in the state (components and providers included): the engine's count. */
  resources: number;
  /** Incus objects among them (profiles, instances, volumes, networks). */
  incusResources: number;
  up: ScaleOperation;
  noopUp: ScaleOperation;
  refreshPreview: ScaleOperation;
  /** One changed service (Prometheus' scrape interval): the `up` that applies it. */
  change: ScaleOperation;
  destroy: ScaleOperation;
  bound: ScaleBound;
}

/**
 * The engine's fixed start-up, measured on a stack holding only an Incus provider: the
 * `pulumi` process, the program host, the plugin's Node start-up, the backend's reads and
 * writes. What an operation costs beyond it is what the resources cost.
 */
export interface FixedCost {
  noopUpMs: number;
  refreshPreviewMs: number;
}

export interface ScaleTargets {
  /** `up` / CLI bound. */
  upRatio: number;
  /** ms per resource beyond the fixed start-up, for no-op `up` and `preview --refresh`. */
  noopMsPerResource: number;
  /** `destroy` / CLI bound. */
  destroyRatio: number;
}

export const scaleTargets: ScaleTargets = {
  upRatio: 1.3,
  noopMsPerResource: 10,
  destroyRatio: 1.3,
};

export const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

/** Milliseconds per resource an operation costs beyond the fixed start-up. */
export function perResource(ms: number, fixedMs: number, resources: number): number {
  return resources > 0 ? (ms - fixedMs) / resources : 0;
}

const gets = (op: ScaleOperation): number => (op.requests.GET ?? 0) + (op.requests.HEAD ?? 0);

/** The growth table, one row per size (markdown, so docs/benchmarks.md can take it as is). */
export function scaleTable(points: readonly ScalePoint[], fixed: FixedCost): string {
  const head = [
    "N",
    "resources (Incus)",
    "`up`",
    "CLI bound",
    "ratio",
    "same-work bound",
    "ratio",
    "no-op `up`",
    "ms/res.",
    "`preview --refresh` (GETs)",
    "ms/res.",
    "one change",
    "`destroy`",
    "CLI bound",
    "ratio",
  ];
  const rows = points.map((p) => [
    String(p.nodes),
    `${p.resources} (${p.incusResources})`,
    seconds(p.up.ms),
    seconds(p.bound.upMs),
    (p.up.ms / p.bound.upMs).toFixed(2),
    p.bound.workUpMs === undefined ? "-" : seconds(p.bound.workUpMs),
    p.bound.workUpMs === undefined ? "-" : (p.up.ms / p.bound.workUpMs).toFixed(2),
    seconds(p.noopUp.ms),
    perResource(p.noopUp.ms, fixed.noopUpMs, p.resources).toFixed(1),
    `${seconds(p.refreshPreview.ms)} (${gets(p.refreshPreview)})`,
    perResource(p.refreshPreview.ms, fixed.refreshPreviewMs, p.resources).toFixed(1),
    seconds(p.change.ms),
    seconds(p.destroy.ms),
    seconds(p.bound.destroyMs),
    (p.destroy.ms / p.bound.destroyMs).toFixed(2),
  ]);
  const line = (cells: string[]): string => `| ${cells.join(" | ")} |`;
  return [line(head), line(head.map(() => "---")), ...rows.map(line)].join("\n");
}

/** Marginal cost: ms per extra resource between the smallest and the largest size. */
export function marginalCosts(points: readonly ScalePoint[]): Record<string, number> {
  if (points.length < 2) return {};
  const sorted = [...points].sort((a, b) => a.nodes - b.nodes);
  const [lo, hi] = [sorted[0], sorted[sorted.length - 1]];
  const dr = hi.resources - lo.resources;
  if (dr <= 0) return {};
  const slope = (f: (p: ScalePoint) => number): number => (f(hi) - f(lo)) / dr;
  return {
    up: slope((p) => p.up.ms),
    "CLI up bound": slope((p) => p.bound.upMs),
    "no-op up": slope((p) => p.noopUp.ms),
    "preview --refresh": slope((p) => p.refreshPreview.ms),
    "one change": slope((p) => p.change.ms),
    destroy: slope((p) => p.destroy.ms),
    "CLI destroy bound": slope((p) => p.bound.destroyMs),
  };
}

/** The series the plot draws: marker, label, value. */
const series: readonly { mark: string; label: string; of: (p: ScalePoint) => number }[] = [
  { mark: "U", label: "up", of: (p) => p.up.ms },
  { mark: "u", label: "CLI up bound", of: (p) => p.bound.upMs },
  { mark: "D", label: "destroy", of: (p) => p.destroy.ms },
  { mark: "d", label: "CLI destroy bound", of: (p) => p.bound.destroyMs },
  { mark: "R", label: "preview --refresh", of: (p) => p.refreshPreview.ms },
  { mark: "N", label: "no-op up", of: (p) => p.noopUp.ms },
  { mark: "C", label: "one change", of: (p) => p.change.ms },
];

/**
 * Seconds against N on a character grid. At each N the series stand side by side, one
 * column each in the legend's order, so none hides another; `*` only where two sizes lie
 * too close together. The x axis runs from 0 to the largest N, so a straight line through
 * the origin would be pure per-node cost. `height` is a multiple of 5 (one label per fifth).
 */
export function scalePlot(points: readonly ScalePoint[], width = 60, height = 15): string {
  if (points.length === 0) return "(no points)";
  const maxN = Math.max(...points.map((p) => p.nodes));
  const maxMs = Math.max(...points.flatMap((p) => series.map((s) => s.of(p))));
  const top = Math.max(5, Math.ceil(maxMs / 1000 / 5) * 5);
  const spread = series.length;
  // The group of columns at each N is centred on N's position.
  const half = Math.floor(spread / 2);
  const left = half + 1;
  const cols = width + spread;
  const grid = Array.from({ length: height + 1 }, () => Array<string>(cols).fill(" "));
  const column = (n: number): number => left + Math.round((n / maxN) * (width - left));
  for (const p of points) {
    series.forEach((s, i) => {
      const x = column(p.nodes) + i - half;
      const y = height - Math.round((s.of(p) / 1000 / top) * height);
      const cell = grid[y][x];
      grid[y][x] = cell === " " || cell === s.mark ? s.mark : "*";
    });
  }
  const step = height / 5;
  const label = (row: number): string =>
    row % step === 0 ? `${String((top * (height - row)) / height).padStart(4)} s |` : "       |";
  const lines = grid.map((cells, row) => `${label(row)}${cells.join("")}`.trimEnd());
  const ticks = Array<string>(cols + 8).fill(" ");
  for (const p of points) {
    const text = String(p.nodes);
    const at = 8 + column(p.nodes) - Math.floor(text.length / 2);
    for (let i = 0; i < text.length; i++) ticks[at + i] = text[i];
  }
  const legend = series.map((s) => `${s.mark} ${s.label}`).join(", ");
  return [
    ...lines,
    `       +${"-".repeat(cols)}`,
    `${ticks.join("").trimEnd()}   N (node exporters)`,
    `       ${legend} (left to right at each N); * overlap`,
  ].join("\n");
}

export interface TargetVerdict {
  name: string;
  value: string;
  target: string;
  met: boolean;
}

/** The targets, checked at the largest size measured. */
export function checkTargets(
  points: readonly ScalePoint[],
  fixed: FixedCost,
  targets: ScaleTargets = scaleTargets,
): TargetVerdict[] {
  if (points.length === 0) return [];
  const p = [...points].sort((a, b) => b.nodes - a.nodes)[0];
  const at = `N=${p.nodes}`;
  const upRatio = p.up.ms / p.bound.upMs;
  const destroyRatio = p.destroy.ms / p.bound.destroyMs;
  const noop = perResource(p.noopUp.ms, fixed.noopUpMs, p.resources);
  const refresh = perResource(p.refreshPreview.ms, fixed.refreshPreviewMs, p.resources);
  const boundOk = p.bound.removeFailures.length === 0;
  return [
    {
      name: `up / CLI bound (${at})`,
      value:
        `${upRatio.toFixed(2)} (${seconds(p.up.ms)} / ${seconds(p.bound.upMs)})` +
        (p.bound.workUpMs === undefined
          ? ""
          : `; against the same-work bound ${(p.up.ms / p.bound.workUpMs).toFixed(2)} (${seconds(p.bound.workUpMs)})`),
      target: `<= ${targets.upRatio}`,
      met: upRatio <= targets.upRatio,
    },
    {
      name: `no-op up beyond the fixed start-up (${at}, ${p.resources} resources)`,
      value: `${noop.toFixed(1)} ms/resource (${seconds(p.noopUp.ms)} - ${seconds(fixed.noopUpMs)})`,
      target: `<= ${targets.noopMsPerResource} ms/resource`,
      met: noop <= targets.noopMsPerResource,
    },
    {
      name: `preview --refresh beyond the fixed start-up (${at}, ${p.resources} resources)`,
      value: `${refresh.toFixed(1)} ms/resource (${seconds(p.refreshPreview.ms)} - ${seconds(fixed.refreshPreviewMs)})`,
      target: `<= ${targets.noopMsPerResource} ms/resource`,
      met: refresh <= targets.noopMsPerResource,
    },
    {
      name: `destroy / CLI bound (${at})`,
      value:
        `${destroyRatio.toFixed(2)} (${seconds(p.destroy.ms)} / ${seconds(p.bound.destroyMs)})` +
        (boundOk ? "" : `; ${p.bound.removeFailures.length} CLI removals failed: no bound`),
      target: `<= ${targets.destroyRatio}`,
      met: boundOk && destroyRatio <= targets.destroyRatio,
    },
  ];
}

export function targetLines(verdicts: readonly TargetVerdict[]): string {
  return verdicts
    .map((v) => `${v.name}: ${v.value} — target ${v.target}: ${v.met ? "met" : "MISSED"}`)
    .join("\n");
}
