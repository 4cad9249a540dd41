/**
 * The shared and monitoring mustache templates rendered on their own: OpenRC service and
 * its conf.d, release install script, step-ca init and settings scripts (parsed by
 * `sh -n`) and grafana.ini.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { describe, expect, it } from "vitest";
import {
  renderOpenRcConf,
  renderOpenRcService,
  shellWord,
  type OpenRcService,
} from "../../components/shared/openrcService";
import { renderTemplate } from "../../components/shared/render";
import { shellSyntax, writeTree } from "../helpers/validators";

/**
 * What OpenRC hands the daemon: it sources conf.d, then the init script, and evaluates
 * command_args; the environment is what conf.d exports.
 */
function openRcArguments(conf: string, script: string): string[] {
  const dir = writeTree({ "conf.sh": conf, "service.sh": script });
  try {
    const result = spawnSync(
      "sh",
      [
        "-c",
        '. ./conf.sh; . ./service.sh; eval "set -- $command_args"; for a; do printf "%s\\n" "$a"; done; printf "DEMO_HOME=%s\\n" "$DEMO_HOME"',
      ],
      { cwd: dir, encoding: "utf8" },
    );
    return result.stdout.split("\n").slice(0, -1);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const stepCaView = (stepPath: string) => ({
  stepPath,
  settingsFile: "/etc/step-ca/settings.json",
  settingsScript: "/usr/local/sbin/atlas-step-ca-settings",
  port: 9000,
  fingerprintFile: `${stepPath}/fingerprint`,
  user: "step-ca",
});

const demo: OpenRcService = {
  name: "demo",
  description: "Demo daemon",
  command: "/usr/local/bin/demo",
  args: ["--flag=1", "--name=two words", "--quote=it's"],
  user: "demo",
  workingDirectory: "/var/lib/demo",
  environment: { DEMO_HOME: "/var/lib/demo" },
  writablePaths: ["/var/lib/demo"],
  reloadSignal: "HUP",
};

describe("openrc-service.mustache", () => {
  it("renders a parseable init script (installed once) and a conf.d with the quoted arguments and environment", () => {
    const script = renderOpenRcService(demo);
    const conf = renderOpenRcConf(demo);
    expect(script.startsWith("#!/sbin/openrc-run\n")).toBe(true);
    // The flags and environment are configuration: in conf.d only, never in the init script.
    expect(script).not.toContain("--flag=1");
    expect(script).not.toContain("DEMO_HOME");
    expect(openRcArguments(conf, script)).toEqual([
      "--flag=1",
      "--name=two words",
      "--quote=it's",
      "DEMO_HOME=/var/lib/demo",
    ]);
    expect(script).toContain("command_user=demo:demo");
    expect(script).toContain("checkpath --directory --owner demo:demo --mode 0750 /var/lib/demo");
    expect(script).toContain('extra_started_commands="reload"');
    expect(script).toContain('start-stop-daemon --signal HUP --pidfile "${pidfile}"');
    for (const text of [script, conf]) {
      const result = shellSyntax(text);
      expect(result.ok, result.output).toBe(true);
    }
    expect(renderOpenRcService({ ...demo, reloadSignal: undefined })).not.toContain("reload");
  });

  it("refuses environment entries it cannot quote", () => {
    expect(() =>
      renderOpenRcConf({
        name: "demo",
        description: "d",
        command: "/bin/true",
        args: [],
        user: "demo",
        environment: { "BAD-NAME": "x" },
      }),
    ).toThrow(/unusable environment entry/);
  });
});

describe("install-release.sh.mustache", () => {
  it("renders a parseable script for binaries and for a release tree", () => {
    const common = {
      service: "demo",
      version: "1.2.3",
      artifacts: [
        {
          arch: "amd64",
          url: "https://example.org/demo-1.2.3.linux-amd64.tar.gz",
          sha256: "0".repeat(64),
        },
      ],
      pinKey: "atlas:services.demo.releaseSha256",
      user: "demo",
      uid: 990,
      gid: 990,
      home: "/var/lib/demo",
      ownedPaths: ["/var/lib/demo"],
      postInstall: false,
    };
    const binaries = renderTemplate("install-release.sh.mustache", {
      ...common,
      binaries: [{ source: "demo", target: "demo" }],
      tree: false,
    });
    expect(binaries).toContain('install -m 0755 "$found" "$root/usr/local/bin/"demo');
    expect(shellSyntax(binaries).ok).toBe(true);
    const tree = renderTemplate("install-release.sh.mustache", {
      ...common,
      binaries: [],
      tree: "/opt/demo",
      postInstall: "/bin/sh /usr/local/sbin/demo-init.sh",
    });
    expect(tree).toContain("cp -a");
    expect(tree).toContain("/bin/sh /usr/local/sbin/demo-init.sh");
    expect(shellSyntax(tree).ok).toBe(true);
  });

  it("throws when a value is missing instead of rendering an empty command", () => {
    expect(() => renderTemplate("install-release.sh.mustache", { service: "demo" })).toThrow(
      /no value for/,
    );
  });
});

describe("step-ca-init.sh.mustache and step-ca-settings.sh.mustache", () => {
  it("parse with a data path that needs quoting, because the renderer shell-quotes values", () => {
    const stepPath = "/srv/Bob's CA";
    const init = renderTemplate("step-ca-init.sh.mustache", stepCaView(stepPath));
    const settings = renderTemplate("step-ca-settings.sh.mustache", stepCaView(stepPath));
    for (const script of [init, settings]) {
      const result = shellSyntax(script);
      expect(result.ok, result.output).toBe(true);
      expect(script).toContain(`export STEPPATH=${shellWord(stepPath)}\n`);
    }
    // The CA's name and DNS names are read from the pushed settings, not rendered in.
    expect(init).toContain('--name="$name"');
    expect(init).toContain("if ! /bin/sh /usr/local/sbin/atlas-step-ca-settings; then\n");
    expect(settings).toContain("step ca provisioner update acme");
  });
});

describe("grafana.ini.mustache", () => {
  it("places domain, credentials and paths into their sections", () => {
    const ini = renderTemplate("grafana.ini.mustache", {
      dataPath: "/var/lib/grafana",
      provisioningPath: "/etc/grafana/provisioning",
      pluginsPath: "/var/lib/grafana/plugins",
      port: 3000,
      domain: "grafana.accuser.dev",
      rootUrl: "https://grafana.accuser.dev/",
      adminUser: "admin",
      adminPassword: "p#ss;word",
    });
    const sections = new Map<string, Record<string, string>>();
    let current = "";
    for (const line of ini.split("\n")) {
      const header = /^\[(.+)\]$/.exec(line);
      if (header) sections.set((current = header[1]), {});
      const entry = /^(\w+) = (.*)$/.exec(line);
      if (entry) sections.get(current)![entry[1]] = entry[2];
    }
    expect(sections.get("server")).toMatchObject({
      http_port: "3000",
      domain: "grafana.accuser.dev",
      root_url: "https://grafana.accuser.dev/",
    });
    expect(sections.get("security")).toMatchObject({
      admin_user: "admin",
      admin_password: '"""p#ss;word"""',
    });
    expect(sections.get("paths")).toMatchObject({ provisioning: "/etc/grafana/provisioning" });
  });
});
