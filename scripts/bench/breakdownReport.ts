/**
 * Where the time goes, as tables: CPU by process for each operation of the scale run, and
 * the engine switches compared on one size (scripts/bench/scaleBreakdown.ts). Pure.
 */
import type { CpuByRole } from "./procCpu";

const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

/** One operation's wall time and the CPU its processes spent (ms). */
export interface CpuRow {
  label: string;
  wallMs: number;
  cpu: CpuByRole;
  /** Incus resources the operation handled, for the plugin's CPU per resource. */
  incusResources: number;
}

/**
 * Wall time against CPU by process. On 2 cores a process that spends CPU for most of the
 * wall time is the bottleneck; one that spends little is waiting (on the daemon, or on
 * the engine's parallelism limit).
 */
export function cpuTable(rows: readonly CpuRow[]): string {
  const head = [
    "operation",
    "wall",
    "engine CPU",
    "plugin CPU (per Incus res.)",
    "program+API CPU",
    "other children",
    "incusd CPU",
  ];
  const line = (cells: string[]): string => `| ${cells.join(" | ")} |`;
  return [
    line(head),
    line(head.map(() => "---")),
    ...rows.map((r) =>
      line([
        r.label,
        s(r.wallMs),
        s(r.cpu.engine),
        `${s(r.cpu.plugin)} (${(r.cpu.plugin / Math.max(1, r.incusResources)).toFixed(1)} ms)`,
        s(r.cpu.self),
        s(r.cpu.otherChildren),
        s(r.cpu.incusd),
      ]),
    ),
  ].join("\n");
}

/** One engine setting's operations (wall ms) and the up's CPU. */
export type SwitchRow =
  | { name: string; failed: string }
  | {
      name: string;
      failed?: undefined;
      upMs: number;
      noopUpMs: number;
      refreshPreviewMs: number;
      destroyMs: number;
      upCpu: CpuByRole;
      destroyCpu: CpuByRole;
      backendFiles: number;
    };

export function switchTable(rows: readonly SwitchRow[]): string {
  const head = [
    "engine setting",
    "`up`",
    "no-op `up`",
    "`preview --refresh`",
    "`destroy`",
    "up CPU: engine / plugin",
    "destroy CPU: engine / plugin",
    "files added under .pulumi/ by the up",
  ];
  const line = (cells: string[]): string => `| ${cells.join(" | ")} |`;
  const row = (r: SwitchRow): string[] =>
    r.failed !== undefined
      ? [r.name, `FAILED: ${r.failed}`, ...head.slice(2).map(() => "")]
      : [
          r.name,
          s(r.upMs),
          s(r.noopUpMs),
          s(r.refreshPreviewMs),
          s(r.destroyMs),
          `${s(r.upCpu.engine)} / ${s(r.upCpu.plugin)}`,
          `${s(r.destroyCpu.engine)} / ${s(r.destroyCpu.plugin)}`,
          String(r.backendFiles),
        ];
  return [line(head), line(head.map(() => "---")), ...rows.map((r) => line(row(r)))].join("\n");
}
