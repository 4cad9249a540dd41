/**
 * The pack in the real engine: `pulumi preview --policy-pack policies` on the fixture
 * stack (fixtures/violating-stack) with a local file backend. The CLI is required, as for
 * the engine e2e suites: without it this suite FAILS with the command that provides it,
 * rather than skipping and proving nothing.
 */
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../automation/repoRoot";
import { pulumiCommand } from "../../automation/shared/pulumiCommand";

const fixture = path.join(repoRoot, "tests", "policies", "fixtures", "violating-stack");
const compiled = [
  "dist/policies/index.js",
  "dist/incus/provider/main.js",
  "dist/scripts/preview-pr.js",
  "dist/scripts/stack.js",
  "dist/tests/policies/fixtures/violating-stack/index.js",
];

let home = "";
let env: NodeJS.ProcessEnv = {};

function run(command: string, args: string[]): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd: fixture, env, encoding: "utf8", timeout: 240_000 });
}

beforeAll(async () => {
  let cli: string;
  try {
    cli = (await pulumiCommand()).command;
  } catch (e) {
    throw new Error(
      `the policy CLI test needs the Pulumi CLI: ${(e as Error).message} (CI: .ci/run provides it)`,
    );
  }
  // The pack, the provider and the fixture program run compiled (the pack's main is
  // dist/policies/index.js). tsc emits even when unrelated files have type errors, so
  // its exit code is not what this test is about: the files it needs must exist.
  spawnSync(path.join(repoRoot, "node_modules", ".bin", "tsc"), ["-p", "tsconfig.json"], {
    cwd: repoRoot,
    stdio: "ignore",
  });
  for (const file of compiled) {
    if (!fs.existsSync(path.join(repoRoot, file))) throw new Error(`build did not produce ${file}`);
  }
  home = fs.mkdtempSync(path.join(os.tmpdir(), "atlas-policy-cli-"));
  const binDir = path.isAbsolute(cli) ? path.dirname(cli) : "";
  env = {
    ...process.env,
    PATH: binDir ? `${binDir}${path.delimiter}${process.env.PATH ?? ""}` : process.env.PATH,
    PULUMI_BACKEND_URL: `file://${home}`,
    PULUMI_HOME: path.join(home, ".pulumi"),
    PULUMI_CONFIG_PASSPHRASE: "policy-test",
    PULUMI_SKIP_UPDATE_CHECK: "1",
  };
  for (const stack of ["bad", "good"]) {
    const init = run("pulumi", ["stack", "init", stack, "--non-interactive"]);
    if (init.status !== 0) throw new Error(`pulumi stack init ${stack}: ${init.stderr}`);
  }
  const config = run("pulumi", ["config", "set", "fixture:good", "true", "--stack", "good"]);
  if (config.status !== 0) throw new Error(`pulumi config set: ${config.stderr}`);
}, 600_000);

afterAll(() => {
  if (home) fs.rmSync(home, { recursive: true, force: true });
});

describe("pulumi preview --policy-pack policies", () => {
  it("blocks the deliberately bad stack with the mandatory violations", () => {
    const result = run("pulumi", [
      "preview",
      "--stack",
      "bad",
      "--non-interactive",
      "--policy-pack",
      path.join(repoRoot, "policies"),
    ]);
    const output = result.stdout + result.stderr;
    expect(result.status, output).not.toBe(0);
    expect(output).toContain("atlas@v0.1.0");
    for (const policy of [
      "instance-no-default-profile",
      "memory-limits-hard",
      "storage-volume-size",
      "host-capacity",
    ]) {
      expect(output).toMatch(new RegExp(`\\[mandatory\\]\\s+${policy}`));
    }
    expect(output).toContain(
      "Profile 'policy-test-service' (Pulumi resource 'service') sets limits.memory.enforce=soft",
    );
  });

  it("lets the same shape through when it is done right", () => {
    const result = run("pulumi", [
      "preview",
      "--stack",
      "good",
      "--non-interactive",
      "--policy-pack",
      path.join(repoRoot, "policies"),
    ]);
    const output = result.stdout + result.stderr;
    expect(result.status, output).toBe(0);
    expect(output).not.toContain("[mandatory]");
  });

  it("npm run preview applies the pack by default; --skip-policies leaves it out, loudly", () => {
    const stackScript = path.join(repoRoot, "dist", "scripts", "stack.js");
    const checked = run("node", [stackScript, "preview", "--stack", "bad", "--non-interactive"]);
    const output = checked.stdout + checked.stderr;
    expect(checked.status, output).not.toBe(0);
    expect(checked.stderr).toContain(`--policy-pack ${path.join(repoRoot, "policies")}`);
    // A preview writes no state: it runs without the engine's per-step snapshots.
    expect(checked.stderr).toContain("$ PULUMI_SKIP_CHECKPOINTS=true pulumi preview");
    expect(output).toMatch(/\[mandatory\]\s+memory-limits-hard/);

    const skipped = run("node", [
      stackScript,
      "preview",
      "--stack",
      "bad",
      "--non-interactive",
      "--skip-policies",
    ]);
    expect(skipped.status, skipped.stdout + skipped.stderr).toBe(0);
    expect(skipped.stderr).toContain(
      "WARNING: --skip-policies: this preview does NOT apply the Atlas policy pack.",
    );
    expect(skipped.stderr).not.toContain("--policy-pack");
    expect(skipped.stdout + skipped.stderr).not.toContain("[mandatory]");
  });

  it("npm run preview:pr reports the block as Markdown and exits non-zero", () => {
    const bad = run("node", [
      path.join(repoRoot, "dist", "scripts", "preview-pr.js"),
      "--stack",
      "bad",
      "--cwd",
      fixture,
    ]);
    expect(bad.status, bad.stderr).toBe(1);
    expect(bad.stdout).toContain(
      "### Preview of stack `bad`: 🚫 blocked by 4 mandatory policy violations",
    );
    expect(bad.stdout).toContain("| `incus:index:StorageVolume` | 1 |");
    expect(bad.stdout).toContain(
      "| 🚫 mandatory | `storage-volume-size` | `incus:index:StorageVolume::data` |",
    );

    const good = run("node", [
      path.join(repoRoot, "dist", "scripts", "preview-pr.js"),
      "--stack",
      "good",
      "--cwd",
      fixture,
    ]);
    expect(good.status, good.stdout + good.stderr).toBe(0);
    expect(good.stdout).toContain("### Preview of stack `good`: ✅ passed");
  });
});
