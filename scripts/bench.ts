/**
 * `npm run bench`: (1) program construction under mocks for each stack; (2) `up` of the
 * e2e iapetus stack against the `incus` CLI lower bound; (3) a no-op `preview` and `up`
 * with their Incus API requests by method; (4) one day-2 change: time until the changed
 * service reloaded and the requests it took. Prints a report, checks the targets, and
 * writes the numbers to .atlas/bench.json. `--construction-only` skips the host.
 *
 * `npm run bench -- --scale [--sizes 10,50,100] [--parallel P] [--breakdown]`: the scale
 * benchmark instead (scripts/bench/scaleMain.ts). `npm run bench -- --lab`: both stacks on
 * the lab through HTTPS remotes (scripts/bench/labMain.ts; root, starts the lab).
 *
 * Results and commands are recorded in docs/benchmarks.md.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { topologyNames } from "../config/schema";
import { repoRoot } from "../automation/repoRoot";
import { measureConstruction, type ConstructionResult } from "./bench/construction";
import type { DayTwoResult } from "./bench/dayTwo";
import { measureEngine, type EngineResult, type OperationResult } from "./bench/engine";
import { labMain } from "./bench/labMain";
import { scaleMain } from "./bench/scaleMain";
import { fmt, methods } from "./bench/format";

const targets = { constructionMs: 2000, upToCliRatio: 1.5 };

function verdict(ok: boolean): string {
  return ok ? "met" : "MISSED";
}

function reportOperation(name: string, op: OperationResult): string {
  return (
    `${name}: ${fmt(op.ms)} (Automation API call with its read-backs: ${fmt(op.apiMs)}); ` +
    `requests: ${methods(op.requests)}; changes: ${JSON.stringify(op.changes)}`
  );
}

/** Day 2: only the changed instance's files and one exec are written. */
function reportDayTwo(d: DayTwoResult): string {
  const ok =
    d.writesElsewhere.length === 0 && d.execs === 1 && d.rcServiceCalls.includes(d.expectedCall);
  const requests = Object.entries(d.requests)
    .sort()
    .map(([r, n]) => `    ${r} x${n}`)
    .join("\n");
  return (
    `day 2 (${d.change}): ${d.instance} reloaded ${fmt(d.untilReloadedMs)} after the up started ` +
    `(up ${fmt(d.upMs)}); rc-service: ${d.rcServiceCalls.join("; ") || "NOT CALLED"} ` +
    `(expected: ${d.expectedCall}); ` +
    `changes: ${JSON.stringify(d.changes)}\n  requests:\n${requests}\n` +
    `  target: writes only under /1.0/instances/${d.instance} (file pushes ${d.filePushes}) and one exec (${d.execs})` +
    `${d.writesElsewhere.length > 0 ? `; written elsewhere: ${d.writesElsewhere.join(", ")}` : ""}: ${verdict(ok)}`
  );
}

async function main(): Promise<void> {
  if (process.argv.includes("--scale")) return scaleMain(process.argv.slice(2));
  if (process.argv.includes("--lab")) return labMain();
  const constructionOnly = process.argv.includes("--construction-only");
  const lines: string[] = [];
  const construction: ConstructionResult[] = [];
  for (const stack of topologyNames) {
    const c = await measureConstruction(stack);
    construction.push(c);
    lines.push(
      `construction ${stack}: ${fmt(c.ms)}, ${c.resources} resources (${c.incusResources} Incus) — target < 2 s: ${verdict(c.ms < targets.constructionMs)}`,
    );
  }
  let engine: EngineResult | undefined;
  if (!constructionOnly) {
    engine = await measureEngine();
    lines.push(
      `up ${engine.stack}: ${fmt(engine.up.ms)} for ${engine.incusResources} Incus resources; ` +
        `incus CLI lower bound ${fmt(engine.cliLowerBoundMs)} (${engine.cliObjects} objects); ` +
        `ratio ${engine.upToCliRatio.toFixed(2)} — target <= 1.5: ${verdict(engine.upToCliRatio <= targets.upToCliRatio)} ` +
        `(the Automation API call with its read-backs: ratio ${(engine.up.apiMs / engine.cliLowerBoundMs).toFixed(2)})`,
      reportOperation("  up", engine.up),
      reportOperation("no-op preview", engine.noopPreview) +
        ` — target 0 writes: ${verdict(engine.noopPreview.writes === 0)}`,
      reportOperation("no-op preview --refresh", engine.noopRefreshPreview) +
        ` — target 0 writes and one read per resource (${engine.incusResources}): ` +
        verdict(
          engine.noopRefreshPreview.writes === 0 &&
            (engine.noopRefreshPreview.requests.GET ?? 0) === engine.incusResources,
        ),
      reportOperation("no-op up", engine.noopUp) + ` — writes: ${engine.noopUp.writes}`,
      reportDayTwo(engine.dayTwo),
    );
  }
  console.log(lines.join("\n"));
  const out = path.join(repoRoot, ".atlas", "bench.json");
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(
    out,
    JSON.stringify({ date: new Date().toISOString(), construction, engine }, null, 2),
  );
  console.log(`\nnumbers: ${path.relative(repoRoot, out)}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
