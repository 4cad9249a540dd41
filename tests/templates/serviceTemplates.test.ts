/**
 * The shared and monitoring mustache templates rendered on their own: OpenRC service,
 * release install script, step-ca init script (parsed by `sh -n`) and grafana.ini.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { describe, expect, it } from "vitest";
import { renderOpenRcService, shellWord } from "../../components/shared/openrcService";
import { renderTemplate } from "../../components/shared/render";
import { shellSyntax, writeTree } from "../helpers/validators";

/** The arguments OpenRC passes the daemon: command_args, evaluated as openrc-run does. */
function openRcArguments(script: string): string[] {
  const dir = writeTree({ "service.sh": script });
  try {
    const result = spawnSync(
      "sh",
      ["-c", '. ./service.sh; eval "set -- $command_args"; for a; do printf "%s\\n" "$a"; done'],
      { cwd: dir, encoding: "utf8" },
    );
    return result.stdout.split("\n").slice(0, -1);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const stepCaView = (caName: string) => ({
  stepPath: "/home/step",
  caName,
  dnsNames: ["step-ca01.incus", "step-ca01", "localhost"],
  port: 9000,
  certDuration: "24h",
  fingerprintFile: "/home/step/fingerprint",
  user: "step",
});

describe("openrc-service.mustache", () => {
  it("renders a parseable init script with quoted arguments and environment", () => {
    const script = renderOpenRcService({
      name: "demo",
      description: "Demo daemon",
      command: "/usr/local/bin/demo",
      args: ["--flag=1", "--name=two words", "--quote=it's"],
      user: "demo",
      workingDirectory: "/var/lib/demo",
      environment: { DEMO_HOME: "/var/lib/demo" },
      writablePaths: ["/var/lib/demo"],
    });
    expect(script.startsWith("#!/sbin/openrc-run\n")).toBe(true);
    expect(openRcArguments(script)).toEqual(["--flag=1", "--name=two words", "--quote=it's"]);
    expect(script).toContain("command_user=demo:demo");
    expect(script).toContain("export DEMO_HOME=/var/lib/demo");
    expect(script).toContain("checkpath --directory --owner demo:demo --mode 0750 /var/lib/demo");
    const result = shellSyntax(script);
    expect(result.ok, result.output).toBe(true);
  });

  it("refuses environment entries it cannot quote", () => {
    expect(() =>
      renderOpenRcService({
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

describe("step-ca-init.sh.mustache", () => {
  it("parses with a CA name that needs quoting, because the renderer shell-quotes values", () => {
    const script = renderTemplate("step-ca-init.sh.mustache", stepCaView("Bob's Lab CA"));
    const result = shellSyntax(script);
    expect(result.ok, result.output).toBe(true);
    expect(script).toContain(`--name=${shellWord("Bob's Lab CA")} \\`);
    expect(script).toContain("--dns=step-ca01.incus");
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
