/**
 * `npm run bench -- --lab`: the lab benchmark (./lab.ts), reported with its targets and
 * written to .atlas/bench-lab.json.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { repoRoot } from "../../automation/repoRoot";
import { measureLab } from "./lab";
import { fmt, methods } from "./format";

/** `up` through HTTPS remotes on the lab, against the CLI bound for the same objects. */
const targetRatio = 1.3;

export async function labMain(): Promise<void> {
  const result = await measureLab();
  const lines = [`lab up from nothing (scripts/incus-lab.sh up): ${fmt(result.labUpMs)}`];
  for (const s of result.stacks) {
    const reads = s.refreshRequests.GET ?? 0;
    const writes = Object.entries(s.refreshRequests)
      .filter(([m]) => m !== "GET" && m !== "HEAD")
      .reduce((n, [, c]) => n + c, 0);
    lines.push(
      `up ${s.stack} (${s.incusResources} Incus resources): ${fmt(s.upMs)}; incus CLI lower bound ` +
        `${fmt(s.cliLowerBoundMs)} (${s.cliObjects} objects); ratio ${(s.upMs / s.cliLowerBoundMs).toFixed(2)}; ` +
        `requests: ${methods(s.upRequests)} (of which file pushes ${s.upFilePushes}, execs ${s.upExecs}: ` +
        `not in the bound)`,
      `no-op preview --refresh ${s.stack}: requests ${methods(s.refreshRequests)} for ${s.incusResources} ` +
        `resources (${(reads / s.incusResources).toFixed(2)} reads per resource), ${writes} writes; ` +
        `changes: ${JSON.stringify(s.refreshChanges)}`,
    );
  }
  lines.push(
    `up of both stacks / CLI bound: ${result.upToCliRatio.toFixed(2)} — target <= ${targetRatio}: ` +
      (result.upToCliRatio <= targetRatio ? "met" : "MISSED"),
  );
  console.log(lines.join("\n"));
  const out = path.join(repoRoot, ".atlas", "bench-lab.json");
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), ...result }, null, 2));
  console.log(`\nnumbers: ${path.relative(repoRoot, out)}`);
}
