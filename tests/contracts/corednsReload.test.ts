/**
 * Contract: how CoreDNS takes up a configuration change, which is what the component's
 * apply relies on (components/coredns/install.ts): after the zone passed `named-checkzone`,
 * SIGUSR1 makes CoreDNS serve the new zone at once (not at the `file` plugin's next 30s
 * poll), and a Corefile it cannot load leaves the running configuration serving.
 *
 * CoreDNS (the deployed version, scripts/coredns-build.sh) runs on the Corefile and zone the
 * component renders, on loopback: the DNS port, the health and metrics listeners and the
 * zone's path are moved to a free loopback port and a scratch folder; nothing else changes.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { corednsConfiguration } from "../../components/coredns/configuration";
import { renderCorefile } from "../../components/coredns/corefile";
import { renderZoneFile, type DnsRecord } from "../../components/coredns/zone";
import { corednsBinary } from "./lab/services";

const zone = "accuser.dev";
const zonePath = `/etc/coredns/${zone}.db`;
const hasDig = spawnSync("dig", ["-v"]).status === 0;

let dir = "";
let daemon: ChildProcess | undefined;
let log = "";
let dnsPort = 0;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function zoneText(records: DnsRecord[]): string {
  return renderZoneFile({ zone, records, nameserver: "coredns01.incus." });
}

/** The component's Corefile, its listeners moved to loopback test ports. */
async function corefile(): Promise<string> {
  const rendered = renderCorefile({
    zone,
    zoneFile: path.join(dir, `${zone}.db`),
    incusResolver: "127.0.0.1",
    upstreams: ["127.0.0.1"],
    dnsPort,
  });
  return rendered
    .replace(/health :8080/, `health 127.0.0.1:${await freePort()}`)
    .replace(/prometheus :9153/g, `prometheus 127.0.0.1:${await freePort()}`);
}

/** `dig` against the test CoreDNS: the addresses of `name`, or the failure status. */
function lookup(name: string): string {
  const r = spawnSync(
    "dig",
    ["@127.0.0.1", "-p", String(dnsPort), "+short", "+tries=1", "+time=2", `${name}.${zone}`, "A"],
    { encoding: "utf8", timeout: 10_000 },
  );
  return r.stdout.trim();
}

async function until(probe: () => boolean, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (probe()) return Date.now() - started;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`not reached within ${timeoutMs} ms; CoreDNS log:\n${log}`);
}

/** The apply's zone check (the component's own argv), run on the scratch zone. */
function checkZone(text: string): { ok: boolean; output: string } {
  const [argv] = corednsConfiguration({
    corefile: "",
    corefilePath: "/etc/coredns/Corefile",
    zone,
    zonePath,
    zoneFile: text,
  }).apply.checks;
  const file = path.join(dir, "candidate.db");
  fs.writeFileSync(file, text);
  const r = spawnSync(
    "named-checkzone",
    argv.slice(1).map((a) => (a === zonePath ? file : a)),
    {
      encoding: "utf8",
    },
  );
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
}

beforeAll(async () => {
  if (!hasDig) return;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "atlas-coredns-reload-"));
  dnsPort = await freePort();
  fs.writeFileSync(
    path.join(dir, `${zone}.db`),
    zoneText([{ name: "grafana", address: "10.20.0.11" }]),
  );
  fs.writeFileSync(path.join(dir, "Corefile"), await corefile());
  daemon = spawn(corednsBinary(), ["-conf", path.join(dir, "Corefile")], { cwd: dir });
  daemon.stdout?.on("data", (d: Buffer) => (log += d.toString()));
  daemon.stderr?.on("data", (d: Buffer) => (log += d.toString()));
  await until(() => lookup("grafana") === "10.20.0.11", 15_000);
}, 660_000);

afterAll(async () => {
  const d = daemon;
  if (d && d.exitCode === null) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => d.kill("SIGKILL"), 5000);
      d.once("exit", () => {
        clearTimeout(timer);
        resolve();
      });
      d.kill("SIGTERM");
    });
  }
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!hasDig)("CoreDNS reload as the apply runs it", () => {
  it("serves a checked new zone right after SIGUSR1, long before the file plugin's 30s poll", async () => {
    const next = zoneText([
      { name: "grafana", address: "10.20.0.11" },
      { name: "loki", address: "10.20.0.13" },
    ]);
    const check = checkZone(next);
    expect(check.ok, check.output).toBe(true);
    fs.writeFileSync(path.join(dir, `${zone}.db`), next);
    daemon!.kill("SIGUSR1");
    const took = await until(() => lookup("loki") === "10.20.0.13", 10_000);
    expect(took).toBeLessThan(10_000);
    expect(lookup("grafana")).toBe("10.20.0.11");
  }, 30_000);

  it("keeps serving the running configuration when SIGUSR1 finds a Corefile it cannot load", async () => {
    fs.writeFileSync(path.join(dir, "Corefile"), `${zone}:${dnsPort} {\n    no_such_plugin\n}\n`);
    daemon!.kill("SIGUSR1");
    await new Promise((r) => setTimeout(r, 1500));
    expect(daemon!.exitCode, log).toBeNull();
    expect(lookup("grafana")).toBe("10.20.0.11");
    expect(lookup("loki")).toBe("10.20.0.13");
  }, 30_000);

  it("named-checkzone refuses a broken zone before CoreDNS would see it", () => {
    const broken = zoneText([{ name: "grafana", address: "10.20.0.11" }]).replace(
      "grafana IN A 10.20.0.11",
      "grafana IN A 10.20.0",
    );
    const check = checkZone(broken);
    expect(check.ok).toBe(false);
    expect(check.output).toMatch(/bad dotted quad|not loaded due to errors/);
  });
});
