/**
 * Pulumi.yaml's `config:` block under the real CLI: `pulumi config` lists the declared keys
 * with their defaults on a stack that sets none, a stack without any of them passes the
 * CLI's own validation (no declared key is required), and a value of the wrong type is
 * refused by the CLI before the program starts. Runs on a copy of Pulumi.yaml in a temporary
 * project with a local state backend. Needs the Pulumi CLI (FAILS without it).
 */
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectConfigDeclarations } from "../../../automation/docs/projectConfig";
import { repoRoot } from "../../../automation/repoRoot";
import { pulumiCommand } from "../../../automation/shared/pulumiCommand";

let work = "";
let env: NodeJS.ProcessEnv = {};

function pulumi(args: string[]): SpawnSyncReturns<string> {
  return spawnSync("pulumi", [...args, "--non-interactive"], {
    cwd: work,
    env,
    encoding: "utf8",
    timeout: 120_000,
  });
}

beforeAll(async () => {
  const cli = (
    await pulumiCommand().catch((e: Error) => {
      throw new Error(`this test needs the Pulumi CLI: ${e.message} (CI: .ci/run provides it)`);
    })
  ).command;
  work = fs.mkdtempSync(path.join(os.tmpdir(), "atlas-project-config-"));
  fs.copyFileSync(path.join(repoRoot, "Pulumi.yaml"), path.join(work, "Pulumi.yaml"));
  const binDir = path.isAbsolute(cli) ? path.dirname(cli) : "";
  env = {
    ...process.env,
    PATH: binDir ? `${binDir}${path.delimiter}${process.env.PATH ?? ""}` : process.env.PATH,
    PULUMI_BACKEND_URL: `file://${path.join(work, ".state")}`,
    PULUMI_HOME: path.join(work, ".pulumi-home"),
    PULUMI_CONFIG_PASSPHRASE: "project-config",
    PULUMI_SKIP_UPDATE_CHECK: "1",
  };
  fs.mkdirSync(path.join(work, ".state"));
  const init = pulumi(["stack", "init", "dev"]);
  if (init.status !== 0) throw new Error(`pulumi stack init: ${init.stderr}`);
}, 300_000);

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

/** The CLI's own config validation runs first in a preview; the program never starts here. */
function validationError(): string | undefined {
  const result = pulumi(["preview", "--stack", "dev"]);
  const output = `${result.stdout}\n${result.stderr}`;
  return /error: validating stack config: ([^\n]*)/.exec(output)?.[1];
}

describe("Pulumi.yaml config block under the CLI", () => {
  it("lists every declared key with its default on a stack that sets none", () => {
    const result = pulumi(["config", "--stack", "dev", "--json"]);
    expect(result.status, result.stderr).toBe(0);
    const listed = JSON.parse(result.stdout) as Record<string, { value: string }>;
    for (const [key, declaration] of Object.entries(projectConfigDeclarations())) {
      expect(listed[key]?.value, key).toBe(String(declaration.default));
    }
  });

  it("requires none of them: a stack without settings passes the CLI's validation", () => {
    expect(validationError()).toBeUndefined();
  }, 120_000);

  it("refuses a value of the wrong type before the program runs", () => {
    const set = pulumi(["config", "set", "--stack", "dev", "pinToClusterNodes", "maybe"]);
    expect(set.status, set.stderr).toBe(0);
    expect(validationError()).toContain("'atlas:pinToClusterNodes' must be of type 'boolean'");
    pulumi(["config", "rm", "--stack", "dev", "pinToClusterNodes"]);
  }, 120_000);
});
