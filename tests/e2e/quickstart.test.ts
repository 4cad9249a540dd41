/**
 * The quick start as a newcomer runs it (scripts/quickstart.sh), against the real daemon
 * and CLI: the iapetus topology deployed, the rerun changing nothing, the offline machine
 * told what could not be fetched, and --destroy. On the shared test daemon it runs in its
 * own Incus project, pool and networks (options the script has for any crowded host), from
 * the local busybox image (cloud-init does not run in it), with Incus' Loki logging off (it
 * sets server-wide keys), and everything is removed afterwards, also on failure.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as host from "../../automation/e2e/host";
import { assertProviderBuilt } from "../../automation/e2e/workspace";
import { repoRoot } from "../../automation/repoRoot";
import { e2ePreflight } from "./preflight";

const id = (process.pid % 0xffff).toString(16);
const project = `atlas-qs-${id}`;
const pool = `atlas-qs-${id}`;
const netPrefix = `qs${id}`;

interface Run {
  status: number | null;
  out: string;
}

describe("quick start: one command from a daemon to a running iapetus, and again", () => {
  let dir = "";
  let options: string[] = [];

  const quickstart = (extra: string[] = []): Run => {
    const r = spawnSync(
      "bash",
      [path.join(repoRoot, "scripts", "quickstart.sh"), ...options, ...extra],
      {
        cwd: repoRoot,
        encoding: "utf8",
        timeout: 900_000,
        env: {
          ...process.env,
          // The tests build dist/ themselves; the script's own build would race other suites.
          ATLAS_QUICKSTART_BUILD: "0",
          // A Pulumi home of its own: no plugin of this machine's is taken for granted.
          PULUMI_HOME: path.join(dir, "pulumi-home"),
        },
      },
    );
    return { status: r.status, out: `${r.stdout}${r.stderr}` };
  };

  beforeAll(async () => {
    await e2ePreflight();
    assertProviderBuilt();
    if (!fs.existsSync(path.join(repoRoot, "dist", "scripts", "quickstart.js"))) {
      throw new Error("dist/scripts/quickstart.js is missing: run `npm run build`");
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "atlas-quickstart-"));
    fs.mkdirSync(path.join(dir, "pulumi-home"));
    const prefix = host.freeIpv4Prefix();
    const net = (name: string, octet: number): string =>
      JSON.stringify({
        name,
        ipv4Address: `${prefix}.${octet}.1/24`,
        ipv4Nat: false,
        ipv6Address: "",
      });
    options = [
      "--image",
      "atlas-test",
      "--project",
      project,
      "--pool",
      pool,
      "--state-dir",
      path.join(dir, "quickstart"),
      "--set",
      `atlas:productionNetwork=${net(`${netPrefix}p`, 1)}`,
      "--set",
      `atlas:managementNetwork=${net(`${netPrefix}m`, 2)}`,
      "--set",
      'atlas:incusLoki={"enabled":false}',
      // iapetus publishes Loki (3100) and step-ca (9000) through proxy devices; other
      // suites on this daemon hold those ports on 127.0.0.1, so a loopback address of its own.
      "--set",
      `atlas:proxyListenAddress=127.0.${(process.pid >> 8) % 250}.${(process.pid % 250) + 2}`,
    ];
  });

  afterAll(() => {
    try {
      if (dir) quickstart(["--destroy"]);
    } finally {
      host.forceDeleteProject(project, pool);
      host.forceDeleteNetworks(netPrefix);
      try {
        host.incus(["storage", "delete", pool]);
      } catch {
        // absent already, or reported by the destroy test
      }
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  let password = "";

  it("deploys the iapetus topology and says what it did, what it could not fetch and the endpoints", () => {
    const run = quickstart();
    expect(run.status, run.out).toBe(0);
    const stateDir = path.join(dir, "quickstart");
    expect(run.out).toContain(`passphrase: ${path.join(stateDir, "passphrase")} (0600) generated`);
    expect(run.out).toContain(`storage pool "${pool}": created`);
    expect(run.out).toContain(`Incus project "${project}": created`);
    // No internet here: the tls plugin cannot be had, and the run says so and goes on.
    expect(run.out).toMatch(
      /the Pulumi tls plugin v[\d.]+ \(from get\.pulumi\.com\) could not be fetched: error:/,
    );
    expect(run.out).toContain("incusMetrics switched off: its certificate needs the tls plugin");
    expect(run.out).toContain("grafana_endpoint: http://grafana01.incus:3000");
    expect(run.out).toContain("grafana_admin_password: [secret]");
    expect(run.out).toMatch(/up: \d+ create/);

    const running = host
      .instances(project)
      .filter((i) => i.status === "Running")
      .map((i) => i.name)
      .sort();
    expect(running).toEqual([
      "grafana01",
      "loki01",
      "node-exporter01",
      "prometheus01",
      "step-ca01",
    ]);
    expect(
      host
        .networks(netPrefix)
        .map((n) => n.name)
        .sort(),
    ).toEqual([`${netPrefix}m`, `${netPrefix}p`]);

    const passphraseFile = path.join(stateDir, "passphrase");
    expect(fs.statSync(passphraseFile).mode & 0o777).toBe(0o600);
    const passphrase = fs.readFileSync(passphraseFile, "utf8").trim();
    expect(run.out).not.toContain(passphrase);

    // The secret is readable with the command the report prints, and nowhere in plain text.
    const next = /read a secret: +(.+)$/m.exec(run.out)?.[1] ?? "";
    expect(next).toContain("--show-secrets grafana_admin_password");
    const shown = spawnSync("sh", ["-c", next], {
      encoding: "utf8",
      env: { ...process.env, PULUMI_HOME: path.join(dir, "pulumi-home") },
    });
    expect(shown.status, shown.stderr).toBe(0);
    password = shown.stdout.trim();
    expect(password.length).toBeGreaterThanOrEqual(20);
    expect(run.out).not.toContain(password);
    const files = fs.readdirSync(stateDir, { recursive: true, withFileTypes: true });
    for (const f of files.filter((e) => e.isFile())) {
      const text = fs.readFileSync(path.join(f.parentPath, f.name), "utf8");
      expect(text.includes(password), `${f.name} holds the Grafana password`).toBe(false);
    }
  });

  it("a second run reuses everything and changes nothing", () => {
    const run = quickstart();
    expect(run.status, run.out).toBe(0);
    expect(run.out).toMatch(/passphrase: .* already there, reused/);
    expect(run.out).toContain(`storage pool "${pool}": already there`);
    expect(run.out).toContain(`Incus project "${project}": already there`);
    expect(run.out).toContain("Grafana password kept");
    expect(run.out).toMatch(/up: \d+ same\n/);
  });

  it("an image it cannot fetch stops it before anything is deployed, naming the image server", () => {
    const run = quickstart(["--image", "images:alpine/3.21/cloud"]);
    expect(run.status, run.out).toBe(3);
    expect(run.out).toContain("nothing was deployed");
    expect(run.out).toContain(
      'image "images:alpine/3.21/cloud": https://images.linuxcontainers.org/streams/v1/index.json could not be reached',
    );
    expect(run.out).toContain("pass --image <a local image alias>");
  });

  it("refuses a bad option naming it and what is allowed", () => {
    const run = spawnSync(
      "node",
      [path.join(repoRoot, "dist", "scripts", "quickstart.js"), "--pool", "no/slash"],
      {
        encoding: "utf8",
      },
    );
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--pool "no/slash": an Incus name is 1-63 letters');
  });

  it("--destroy removes what it deployed", () => {
    const run = quickstart(["--destroy"]);
    expect(run.status, run.out).toBe(0);
    expect(run.out).toMatch(/destroyed: \d+ resources/);
    expect(host.projectLeftovers(project, pool)).toEqual([]);
    expect(host.networks(netPrefix)).toEqual([]);
  });
});
