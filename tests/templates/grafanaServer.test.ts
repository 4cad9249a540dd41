/**
 * Grafana's start script (templates/grafana-server.sh.mustache), run for real by the host's
 * POSIX sh: rendered with a scratch home and data folder, and a stand-in `bin/grafana` that
 * records how it was called and what it read on stdin. Grafana itself cannot run here (no
 * release download); what is under test is the script's order and its refusals: the admin
 * password goes to `grafana cli admin reset-admin-password` on stdin, only once a database
 * exists, and the server starts with the conf.d flags whatever the reset did.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import * as YAML from "yaml";
import { grafanaInstall, grafanaStartScript } from "../../components/grafana/install";
import type { CloudConfig } from "../../components/shared/cloudInit";
import { renderTemplate } from "../../components/shared/render";
import { atlasConfig } from "../unit/components/serviceHarness";

let scratch: string;

beforeEach(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "atlas-grafana-start-"));
  fs.mkdirSync(path.join(scratch, "home", "bin"), { recursive: true });
  fs.mkdirSync(path.join(scratch, "data"));
  // The stand-in logs its arguments, then stdin (for `cli`), one call per line.
  fs.writeFileSync(
    path.join(scratch, "home", "bin", "grafana"),
    [
      "#!/bin/sh",
      `log=${scratch}/calls`,
      'if [ "$1" = cli ]; then',
      '  printf "%s|stdin=%s\\n" "$*" "$(cat)" >>"$log"',
      '  exit "${FAIL_RESET:-0}"',
      "fi",
      'printf "%s\\n" "$*" >>"$log"',
    ].join("\n"),
    { mode: 0o755 },
  );
});

afterEach(() => fs.rmSync(scratch, { recursive: true, force: true }));

function start(env: Record<string, string> = {}): { code: number | null; calls: string[]; stderr: string } {
  const script = path.join(scratch, "start.sh");
  fs.writeFileSync(
    script,
    renderTemplate("grafana-server.sh.mustache", {
      home: path.join(scratch, "home"),
      config: "/etc/grafana/grafana.ini",
      passwordFile: path.join(scratch, "admin-password"),
      database: path.join(scratch, "data", "grafana.db"),
    }),
  );
  const run = spawnSync(
    "/bin/sh",
    [script, "server", "--homepath=/opt/grafana", "--config=/etc/grafana/grafana.ini"],
    { encoding: "utf8", env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env } },
  );
  const log = path.join(scratch, "calls");
  const calls = fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n") : [];
  return { code: run.status, calls, stderr: run.stderr };
}

const server = "server --homepath=/opt/grafana --config=/etc/grafana/grafana.ini";

describe("Grafana's start script", () => {
  it("on the first start (no database yet) starts the server alone: grafana.ini's password creates the admin", () => {
    fs.writeFileSync(path.join(scratch, "admin-password"), "n3w#pw");
    const { code, calls } = start();
    expect(code).toBe(0);
    expect(calls).toEqual([server]);
  });

  it("once a database exists, sets the admin password from the pushed file on stdin, then starts the server", () => {
    fs.writeFileSync(path.join(scratch, "data", "grafana.db"), "sqlite");
    fs.writeFileSync(path.join(scratch, "admin-password"), "n3w#pw $(x)");
    const { code, calls } = start();
    expect(code).toBe(0);
    expect(calls).toEqual([
      `cli --homepath ${scratch}/home --config /etc/grafana/grafana.ini admin reset-admin-password --password-from-stdin|stdin=n3w#pw $(x)`,
      server,
    ]);
    // Never on a command line, where ps would show it.
    expect(calls[0].split("|")[0]).not.toContain("n3w");
  });

  it("starts the server with its previous password when the reset fails, saying so", () => {
    fs.writeFileSync(path.join(scratch, "data", "grafana.db"), "sqlite");
    fs.writeFileSync(path.join(scratch, "admin-password"), "n3w#pw");
    const { code, calls, stderr } = start({ FAIL_RESET: "1" });
    expect(code).toBe(0);
    expect(calls[1]).toBe(server);
    expect(stderr).toContain("could not set the Grafana admin password");
    expect(stderr).not.toContain("n3w#pw");
  });

  it("is what the grafana init script starts, installed once by cloud-init and valid sh", () => {
    const settings = atlasConfig("iapetus").services.grafana;
    const config = YAML.parse(grafanaInstall(settings)) as CloudConfig;
    const file = config.write_files?.find((f) => f.path === grafanaStartScript);
    expect(file?.permissions).toBe("0755");
    expect(file?.content).toContain("password_file=/etc/grafana/admin-password");
    expect(file?.content).toContain("database=/var/lib/grafana/grafana.db");
    const init = config.write_files?.find((f) => f.path === "/etc/init.d/grafana");
    expect(init?.content).toContain(`command=${grafanaStartScript}`);
    const syntax = spawnSync("/bin/sh", ["-n"], { input: file?.content, encoding: "utf8" });
    expect(syntax.status, syntax.stderr).toBe(0);
  });
});
