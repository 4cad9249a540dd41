/**
 * The pull-request workflow: its test job must give `.ci/run` what it needs (Go for the
 * pinned Pulumi CLI build, with that build cached), and every action must be pinned by
 * commit SHA with its release named beside it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import * as YAML from "yaml";
import { repoRoot } from "../../../automation/repoRoot";

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, string>;
}
interface Workflow {
  jobs: Record<string, { steps: Step[] }>;
}

const file = path.join(repoRoot, ".github", "workflows", "pr.yml");
const text = fs.readFileSync(file, "utf8");
const workflow = YAML.parse(text) as Workflow;
const testSteps = workflow.jobs.test.steps;

const indexOf = (predicate: (s: Step) => boolean, what: string): number => {
  const i = testSteps.findIndex(predicate);
  if (i < 0) throw new Error(`the test job has no step that ${what}`);
  return i;
};

describe(".github/workflows/pr.yml", () => {
  it("pins every action by commit SHA, with its release in a comment", () => {
    const uses = text.split("\n").filter((line) => /^\s*(- )?uses:/.test(line));
    expect(uses.length).toBeGreaterThanOrEqual(7);
    for (const line of uses) {
      expect(line).toMatch(/uses: [\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
    }
    // One action, one commit, wherever it is used.
    const pins = new Map<string, Set<string>>();
    for (const line of uses) {
      const [, action, sha] = /uses: ([^@]+)@([0-9a-f]{40})/.exec(line) ?? [];
      const repo = action.split("/").slice(0, 2).join("/");
      pins.set(repo, (pins.get(repo) ?? new Set()).add(sha));
    }
    for (const [repo, shas] of pins) expect([repo, shas.size]).toEqual([repo, 1]);
  });

  it("gives .ci/run Go for the pinned Pulumi CLI build, before it runs", () => {
    const ci = indexOf((s) => s.run?.trim() === ".ci/run", "runs .ci/run");
    const go = indexOf((s) => s.uses?.startsWith("actions/setup-go@") ?? false, "sets up Go");
    expect(go).toBeLessThan(ci);
    expect(testSteps[go].with?.["go-version-file"]).toBe("tools/go.mod");
    expect(fs.existsSync(path.join(repoRoot, "tools", "go.mod"))).toBe(true);
    const build = indexOf((s) => s.run?.includes("scripts/pulumi-cli.sh") ?? false, "builds");
    expect(build).toBeLessThan(ci);
  });

  it("caches the Pulumi CLI build by what it is built from, saved before the tests run", () => {
    const restore = indexOf(
      (s) => s.uses?.startsWith("actions/cache/restore@") ?? false,
      "restores the build",
    );
    const build = indexOf((s) => s.run?.includes("scripts/pulumi-cli.sh") ?? false, "builds");
    const save = indexOf((s) => s.uses?.startsWith("actions/cache/save@") ?? false, "saves");
    const ci = indexOf((s) => s.run?.trim() === ".ci/run", "runs .ci/run");
    expect([restore < build, build < save, save < ci]).toEqual([true, true, true]);

    // Where scripts/pulumi-cli.sh puts and stamps its build.
    const script = fs.readFileSync(path.join(repoRoot, "scripts", "pulumi-cli.sh"), "utf8");
    expect(script).toContain('OUT="${ATLAS_TOOLS_BIN:-$REPO/.tools/bin}"');
    expect(testSteps[restore].with?.path).toBe(".tools/bin");
    expect(testSteps[save].with?.path).toBe(".tools/bin");
    const key = testSteps[restore].with?.key ?? "";
    for (const input of ["tools/go.mod", "tools/go.sum", "tools/cmd/**", "scripts/pulumi-cli.sh"]) {
      expect(key).toContain(`'${input}'`);
    }
    expect(testSteps[save].with?.key).toBe(
      `\${{ steps.${testSteps[restore].id}.outputs.cache-primary-key }}`,
    );
    expect(testSteps[save].if).toBe(`steps.${testSteps[restore].id}.outputs.cache-hit != 'true'`);
  });
});
