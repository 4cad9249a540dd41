/**
 * The real validators the template tests run on rendered files: each helper writes the
 * files into a fresh temporary folder, runs the tool there and reports its exit status
 * and output, so a test can assert success (or, in negative tests, failure).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export interface ValidatorResult {
  ok: boolean;
  /** Exit status of the tool (null when it could not be started). */
  status: number | null;
  /** stdout and stderr together, for assertion messages. */
  output: string;
}

/** Files to lay out in the temporary folder: relative path → content. */
export type FileTree = Record<string, string>;

/** Creates a temporary folder holding `files`; returns its path. */
export function writeTree(files: FileTree, prefix = "atlas-validate-"): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  for (const [relative, content] of Object.entries(files)) {
    const file = path.join(dir, relative);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
  return dir;
}

/** Runs `command args` in `cwd`; never throws on a non-zero exit. */
export function runTool(command: string, args: string[], cwd: string): ValidatorResult {
  const result = spawnSync(command, args, { cwd, encoding: "utf8", timeout: 60_000 });
  const output = `${result.stdout ?? ""}${result.stderr ?? ""}${result.error ? String(result.error) : ""}`;
  return { ok: result.status === 0, status: result.status, output };
}

/** Runs a tool on a tree of files, then removes the tree. */
function validateTree(
  files: FileTree,
  command: string,
  args: (dir: string) => string[],
): ValidatorResult {
  const dir = writeTree(files);
  try {
    return runTool(command, args(dir), dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** `cloud-init schema -c` on a user-data document. */
export function cloudInitSchema(userData: string): ValidatorResult {
  return validateTree({ "user-data.yaml": userData }, "cloud-init", () => [
    "schema",
    "-c",
    "user-data.yaml",
  ]);
}

/**
 * `promtool check config` on a prometheus.yml. `extraFiles` (rule files, certificates)
 * are written next to it under their relative paths, so references are really checked.
 */
export function promtoolCheckConfig(
  prometheusYml: string,
  extraFiles: FileTree = {},
): ValidatorResult {
  return validateTree({ ...extraFiles, "prometheus.yml": prometheusYml }, "promtool", () => [
    "check",
    "config",
    "prometheus.yml",
  ]);
}

/** `promtool check rules` on a rule file. */
export function promtoolCheckRules(rulesYml: string): ValidatorResult {
  return validateTree({ "rules.yml": rulesYml }, "promtool", () => ["check", "rules", "rules.yml"]);
}

/**
 * `promtool test rules` on a unit-test file; `files` holds the test file and the rule
 * files it names, by relative path.
 */
export function promtoolTestRules(testFile: string, files: FileTree): ValidatorResult {
  return validateTree(files, "promtool", () => ["test", "rules", testFile]);
}

/** `amtool check-config` on an alertmanager.yml. */
export function amtoolCheckConfig(alertmanagerYml: string): ValidatorResult {
  return validateTree({ "alertmanager.yml": alertmanagerYml }, "amtool", () => [
    "check-config",
    "alertmanager.yml",
  ]);
}

/** `sh -n`: parses a rendered shell script (OpenRC service, install script) without running it. */
export function shellSyntax(script: string): ValidatorResult {
  return validateTree({ "script.sh": script }, "sh", () => ["-n", "script.sh"]);
}

/**
 * Starts `mosquitto -c` on a rendered config for a moment: a config it rejects makes it
 * exit at once with an error; a valid one keeps it running until the timeout.
 */
export function mosquittoAccepts(
  configText: string,
  files: FileTree = {},
  seconds = 2,
): ValidatorResult {
  return validateTree({ ...files, "mosquitto.conf": configText }, "timeout", (dir) => [
    "--preserve-status",
    "-s",
    "TERM",
    String(seconds),
    "mosquitto",
    "-c",
    path.join(dir, "mosquitto.conf"),
  ]);
}
