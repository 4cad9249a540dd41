/**
 * The apply script the on_change exec runs after Atlas pushed changed configuration files
 * (templates/apply-config.sh.mustache), run for real: the host's POSIX sh with busybox's
 * sha256sum (what Alpine instances have), a logging `rc-service` and a checker stand-in on
 * PATH, and the start-time files in a scratch folder.
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
  fs.symlinkSync(busybox, path.join(bin, "sha256sum"));
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

function apply(spec: Partial<ServiceApply>, ...args: string[]) {
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
  const result = spawnSync("sh", [script, ...args], {
    encoding: "utf8",
    env: {
      PATH: `${path.join(dir, "bin")}:/usr/bin:/bin`,
      ATLAS_TEST_STATE_DIR: path.join(dir, "state"),
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
    expect(apply({}, "record")).toMatchObject({ status: 0, calls: [] });
    fs.writeFileSync(path.join(dir, "daemon.yml"), "level: 2\n");
    expect(apply({})).toMatchObject({ status: 0, calls: ["demo status", "demo reload"] });
  });

  it("restarts when a start-time file (conf.d) changed, then reloads again", () => {
    apply({}, "record");
    fs.writeFileSync(path.join(dir, "conf.d"), "command_args='--b'\n");
    expect(apply({}).calls).toEqual(["demo status", "demo restart"]);
    // The new conf.d is recorded: the next change is a reload again.
    expect(apply({}).calls).toEqual(["demo status", "demo reload"]);
  });

  it("restarts daemons that cannot reload", () => {
    apply({ action: "restart" }, "record");
    expect(apply({ action: "restart" }).calls).toEqual(["demo status", "demo restart"]);
  });

  it("stops at a rejected file with the checker's words, before the daemon is touched", () => {
    apply({}, "record");
    fs.writeFileSync(path.join(dir, "daemon.yml"), "REJECT\n");
    const rejected = apply({});
    expect(rejected.status).not.toBe(0);
    expect(rejected.stderr).toContain("daemon.yml is invalid");
    expect(rejected.calls).toEqual([]);
  });
});
