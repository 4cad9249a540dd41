/**
 * `npm run bench -- --scale`: parses the scale benchmark's options, runs it
 * (scripts/bench/scale.ts) and, with `--breakdown`, the engine-switch comparison
 * (scripts/bench/scaleBreakdown.ts); prints the tables, the plot and the targets' verdicts,
 * and writes the numbers to .atlas/bench-scale.json.
 *
 *   --sizes 10,50,100       node exporter counts (default 10,50,100)
 *   --parallel P            `--parallel` of every engine command (default: what the
 *                           operator scripts pass, automation/shared/parallelism.ts)
 *   --breakdown             also compare the engine's switches at the largest size
 *   --breakdown-only        only that comparison
 *   --breakdown-nodes N     its size (default: the largest of --sizes)
 *   --breakdown-high P      the high `--parallel` it compares (default 128)
 *   --variants a,b          only these of its settings (keys in scaleBreakdown.ts)
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { repoRoot } from "../../automation/repoRoot";
import { defaultParallel } from "../../automation/shared/parallelism";
import { cpuTable, switchTable, type CpuRow } from "./breakdownReport";
import { measureScale, type ScaleRun } from "./scale";
import { defaultVariants, measureBreakdown, type Breakdown } from "./scaleBreakdown";
import { checkTargets, marginalCosts, scalePlot, scaleTable, targetLines } from "./scaleReport";

function positiveInts(text: string, flag: string): number[] {
  const values = text.split(",").map((x) => Number(x.trim()));
  if (values.length === 0 || values.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new Error(`${flag} ${text}: expected positive whole numbers, comma-separated`);
  }
  return values;
}

function report(scale: ScaleRun): string {
  const largest = scale.points[scale.points.length - 1];
  const detail = scale.details[scale.details.length - 1];
  const cpuRows: CpuRow[] = largest
    ? (["up", "noopUp", "refreshPreview", "change", "destroy"] as const).map((op) => ({
        label: op,
        wallMs: (op === "refreshPreview" ? largest.refreshPreview : largest[op]).ms,
        cpu: detail.cpu[op],
        incusResources: largest.incusResources,
      }))
    : [];
  const marginal = Object.entries(marginalCosts(scale.points))
    .map(([k, v]) => `${k} ${v.toFixed(1)} ms`)
    .join(", ");
  return [
    `cluster01 with N node exporters, --parallel ${scale.parallel ?? `as npm run up etc. pass it (${JSON.stringify(defaultParallel)}, else the CLI's default)`}; ` +
      `load average ${scale.load.before.toFixed(1)} before, ${scale.load.after.toFixed(1)} after`,
    `fixed start-up (a stack with only the Incus provider): no-op up ${(scale.fixed.noopUpMs / 1000).toFixed(2)} s, ` +
      `preview --refresh ${(scale.fixed.refreshPreviewMs / 1000).toFixed(2)} s`,
    "",
    scaleTable(scale.points, scale.fixed),
    "",
    scalePlot(scale.points),
    "",
    `per extra resource (smallest to largest N): ${marginal || "(one size only)"}`,
    `state size: ${scale.details.map((d) => `N=${d.nodes} ${(d.stateBytes / 1024).toFixed(0)} KiB`).join(", ")}`,
    `one change confined to prometheus01 (its files and one exec): ${scale.details.every((d) => d.changeConfined) ? "yes" : "NO"}`,
    "",
    largest
      ? `CPU by process at N=${largest.nodes}, and of the fixed stack's no-op commands:\n` +
        cpuTable([
          ...cpuRows,
          {
            label: "fixed stack: no-op up",
            wallMs: scale.fixed.noopUpMs,
            cpu: scale.fixedCpu.noopUp,
            incusResources: 0,
          },
          {
            label: "fixed stack: preview --refresh",
            wallMs: scale.fixed.refreshPreviewMs,
            cpu: scale.fixedCpu.refreshPreview,
            incusResources: 0,
          },
        ])
      : "",
    "",
    targetLines(checkTargets(scale.points, scale.fixed)),
  ].join("\n");
}

function breakdownReport(b: Breakdown): string {
  return [
    `engine switches at N=${b.nodes}:`,
    switchTable(
      b.rows.map((r) =>
        "failed" in r
          ? { name: r.variant.name, failed: r.failed }
          : {
              name: `${r.variant.name} (${r.resources} resources)`,
              upMs: r.up.op.ms,
              noopUpMs: r.noopUp.op.ms,
              refreshPreviewMs: r.refreshPreview.op.ms,
              destroyMs: r.destroy.op.ms,
              upCpu: r.up.cpu,
              destroyCpu: r.destroy.cpu,
              backendFiles: r.backendFiles,
            },
      ),
    ),
    `start-up (median of 5): node -e 0 ${b.startup.node.toFixed(0)} ms, ` +
      `plugin until its port is printed ${b.startup.plugin.toFixed(0)} ms, ` +
      `pulumi version ${b.startup.pulumiCli.toFixed(0)} ms`,
  ].join("\n");
}

export async function scaleMain(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      scale: { type: "boolean" },
      sizes: { type: "string", default: "10,50,100" },
      parallel: { type: "string" },
      breakdown: { type: "boolean" },
      "breakdown-only": { type: "boolean" },
      "breakdown-nodes": { type: "string" },
      "breakdown-high": { type: "string", default: "128" },
      variants: { type: "string" },
    },
  });
  const sizes = positiveInts(values.sizes, "--sizes").sort((a, b) => a - b);
  const parallel =
    values.parallel === undefined ? undefined : positiveInts(values.parallel, "--parallel")[0];
  const progress = (line: string): void => console.error(`[bench --scale] ${line}`);
  const out: { scale?: ScaleRun; breakdown?: Breakdown } = {};
  const file = path.join(repoRoot, ".atlas", "bench-scale.json");
  const save = (): void => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(out, null, 2));
  };
  if (!values["breakdown-only"]) {
    out.scale = await measureScale({
      sizes,
      parallel,
      progress,
      saved: (sofar) => {
        out.scale = sofar;
        save();
        progress(`saved so far: ${path.relative(repoRoot, file)}`);
      },
    });
    save();
    console.log(report(out.scale));
  }
  if (values.breakdown || values["breakdown-only"]) {
    const nodes = values["breakdown-nodes"]
      ? positiveInts(values["breakdown-nodes"], "--breakdown-nodes")[0]
      : sizes[sizes.length - 1];
    const high = positiveInts(values["breakdown-high"], "--breakdown-high")[0];
    const all = defaultVariants(high);
    const keys = values.variants?.split(",").map((k) => k.trim());
    const unknown = (keys ?? []).filter((k) => !all.some((v) => v.key === k));
    if (unknown.length > 0) {
      throw new Error(
        `--variants: unknown ${unknown.join(", ")}; known: ${all.map((v) => v.key).join(", ")}`,
      );
    }
    const variants = keys ? all.filter((v) => keys.includes(v.key)) : all;
    out.breakdown = await measureBreakdown(nodes, variants, progress);
    save();
    console.log(`\n${breakdownReport(out.breakdown)}`);
  }
  console.log(`\nnumbers: ${path.relative(repoRoot, file)}`);
}
