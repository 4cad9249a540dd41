/**
 * The apply script the on_change exec runs after Atlas pushed changed configuration files
 * (templates/apply-config.sh.mustache), run for real: the host's POSIX sh with busybox's
 * grep (what Alpine instances have), a logging `rc-service` and a checker stand-in on PATH,
 * the files in a scratch folder, and the changed paths in ATLAS_CHANGED_FILES as the
 * provider passes them.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { renderApplyScript, type ServiceApply } from "../../components/shared/serviceConfiguration";

let dir: string;
let busybox: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "atlas-apply-"));
  busybox = spawnSync("sh", ["-c", "command -v busybox"], { encoding: "utf8" }).stdout.trim();
  if (!busybox) throw new Error("busybox is missing: run scripts/install-test-host.sh");
  const bin = path.join(dir, "bin");
  fs.mkdirSync(bin);
  fs.symlinkSync(busybox, path.join(bin, "grep"));
  // rc-service: logs its arguments; `status` answers "started".
  fs.writeFileSync(
    path.join(bin, "rc-service"),
    `#!/bin/sh\necho "$*" >>${dir}/rc.calls\n`,
    { mode: 0o755 },
  );
  // A checker that rejects a file holding REJECT, printing why.
  fs.writeFileSync(
    path.join(bin, "checker"),
    `#!/bin/sh\nif grep -q REJECT "$1"; then echo "checker: $1 is invalid" >&2; exit 1; fi\n`,
    { mode: 0o755 },
  );
  fs.writeFileSync(path.join(dir, "daemon.yml"), "level: 1\n");
  fs.writeFileSync(path.join(dir, "conf.d"), "command_args='--a'\n");
});

afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Runs the script as the provider does after pushing `changed` (paths in the scratch folder). */
function apply(spec: Partial<ServiceApply>, changed: string[] = []) {
  const script = path.join(dir, "apply.sh");
  fs.writeFileSync(
    script,
    renderApplyScript({
      service: "demo",
      checks: [["checker", path.join(dir, "daemon.yml")]],
      action: "reload",
      restartFiles: [path.join(dir, "conf.d")],
      ...spec,
    }),
  );
  const result = spawnSync("sh", [script], {
    encoding: "utf8",
    env: {
      PATH: `${path.join(dir, "bin")}:/usr/bin:/bin`,
      ATLAS_CHANGED_FILES: changed.map((f) => path.join(dir, f)).join("\n"),
    },
  });
  const calls = fs.existsSync(path.join(dir, "rc.calls"))
    ? fs.readFileSync(path.join(dir, "rc.calls"), "utf8").trim().split("\n")
    : [];
  fs.rmSync(path.join(dir, "rc.calls"), { force: true });
  return { status: result.status, stderr: result.stderr, calls };
}

describe("apply-config.sh", () => {
  it("parses as POSIX sh", () => {
    fs.writeFileSync(
      path.join(dir, "apply.sh"),
      renderApplyScript({ service: "x", checks: [], action: "restart", restartFiles: [] }),
    );
    expect(spawnSync("sh", ["-n", path.join(dir, "apply.sh")]).status).toBe(0);
  });

  it("reloads after a checked change of a configuration file", () => {
    fs.writeFileSync(path.join(dir, "daemon.yml"), "level: 2\n");
    expect(apply({}, ["daemon.yml"])).toMatchObject({
      status: 0,
      calls: ["demo status", "demo reload"],
    });
    // A config-only change (no file pushed) reloads too.
    expect(apply({}).calls).toEqual(["demo status", "demo reload"]);
  });

  it("restarts when a start-time file (conf.d) is among the changed ones, and only then", () => {
    fs.writeFileSync(path.join(dir, "conf.d"), "command_args='--b'\n");
    expect(apply({}, ["daemon.yml", "conf.d"]).calls).toEqual(["demo status", "demo restart"]);
    expect(apply({}, ["daemon.yml"]).calls).toEqual(["demo status", "demo reload"]);
    // A path that merely contains the start-time file's path is not it.
    expect(apply({}, ["conf.d.bak"]).calls).toEqual(["demo status", "demo reload"]);
  });

  it("restarts daemons that cannot reload", () => {
    expect(apply({ action: "restart" }, ["daemon.yml"]).calls).toEqual([
      "demo status",
      "demo restart",
    ]);
  });

  it("stops at a rejected file with the checker's words, before the daemon is touched", () => {
    fs.writeFileSync(path.join(dir, "daemon.yml"), "REJECT\n");
    const rejected = apply({}, ["daemon.yml"]);
    expect(rejected.status).not.toBe(0);
    expect(rejected.stderr).toContain("daemon.yml is invalid");
    expect(rejected.calls).toEqual([]);
  });
});
