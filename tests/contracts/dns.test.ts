/**
 * Contract: CoreDNS (v1.14.4, the deployed version, built from the Go module proxy by
 * scripts/coredns-build.sh with just the plugins the Corefile uses) on the Corefile and
 * zone file the program renders for cluster01, queried with `dig` from the cluster01 lab
 * host (lab/network.ts).
 *
 * The resolvers the Corefile forwards to are the lab host itself: it answers on the
 * rendered upstream addresses (1.1.1.1, 8.8.8.8, on its loopback, so nothing leaves the
 * namespaces) and on the management gateway (Incus' resolver for `.incus`), with a second
 * CoreDNS that serves a made-up `incus.` zone and an "internet" zone, so every answer
 * shows which server block of the rendered Corefile handled the query. The Corefile's
 * zone file path is relocated under the instance's scratch root; nothing else changes.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderStack, renderedFile, type RenderedStack } from "./renderedFiles";
import { Lab, labUnavailable } from "./lab/lab";
import { execIn, waitFor } from "./lab/processes";
import { corednsBinary, startCoredns } from "./lab/services";

const unavailable = labUnavailable(["dig"]);
const gateway = "10.20.0.1";
const internetName = "www.example.net";
const internetAddress = "192.0.2.80";
const incusNames: Record<string, string> = { "grafana01.incus": "10.20.0.77" };

let lab: Lab;
let cluster01: RenderedStack;
let rewritten: string[] = [];
let zone = "";
let zoneFile: { path: string; content: string } = { path: "", content: "" };

/** The zone file the Corefile's `file` directive names, as rendered. */
function zoneFileOf(rendered: RenderedStack): { path: string; content: string } {
  const corefile = renderedFile(rendered, "coredns01", "/etc/coredns/Corefile");
  const zonePath = /^\s*file\s+(\S+)/m.exec(corefile)?.[1];
  if (!zonePath) throw new Error(`the rendered Corefile names no zone file:\n${corefile}`);
  return { path: zonePath, content: renderedFile(rendered, "coredns01", zonePath) };
}

interface Answer {
  status: string;
  authoritative: boolean;
  records: string[];
}

/** `dig` against the rendered CoreDNS, by its instance name, from the lab host. */
async function dig(name: string, type = "A"): Promise<Answer> {
  const r = await execIn(lab.network.netnsOf("cluster01"), "dig", [
    "@coredns01.incus",
    "-p",
    "53",
    "+noall",
    "+comments",
    "+answer",
    "+tries=1",
    "+time=3",
    name,
    type,
  ]);
  if (r.status !== 0) throw new Error(`dig ${name} ${type}: ${r.stdout}${r.stderr}`);
  const status = /status: (\w+)/.exec(r.stdout)?.[1] ?? "?";
  const flags = /flags: ([\w ]+);/.exec(r.stdout)?.[1] ?? "";
  const records = r.stdout
    .split("\n")
    .filter((line) => line.trim() !== "" && !line.startsWith(";"))
    .map((line) => line.split(/\s+/))
    .map((fields) => `${fields[0]} ${fields[3]} ${fields.slice(4).join(" ")}`);
  return { status, authoritative: flags.split(" ").includes("aa"), records };
}

/** The resolvers the Corefile forwards to, played by the lab host. */
function startUpstream(): void {
  const dir = path.join(lab.dir, "upstream");
  fs.mkdirSync(dir, { recursive: true });
  const soa = (origin: string) =>
    `$ORIGIN ${origin}.\n@ 300 IN SOA ns.${origin}. hostmaster.${origin}. 1 3600 600 604800 300\n@ 300 IN NS ns.${origin}.\nns 300 IN A ${gateway}\n`;
  fs.writeFileSync(
    path.join(dir, "incus.db"),
    soa("incus") +
      Object.entries(incusNames)
        .map(([name, address]) => `${name.replace(/\.incus$/, "")} 300 IN A ${address}\n`)
        .join(""),
  );
  fs.writeFileSync(
    path.join(dir, "example.net.db"),
    `${soa("example.net")}www 300 IN A ${internetAddress}\n`,
  );
  fs.writeFileSync(
    path.join(dir, "Corefile"),
    [
      `incus:53 {\n  file ${dir}/incus.db\n}`,
      `example.net:53 {\n  file ${dir}/example.net.db\n}`,
      "",
    ].join("\n"),
  );
  lab.daemons.start("upstream-dns", lab.network.netnsOf("cluster01"), corednsBinary(), [
    "-conf",
    path.join(dir, "Corefile"),
  ]);
}

/** `name IN A address` lines of the rendered zone file. */
function zoneRecords(text: string): { name: string; type: string; value: string }[] {
  return text
    .split("\n")
    .map((line) => line.replace(/;.*/, "").trim())
    .map((line) => /^([\w-]+)\s+IN\s+(A|AAAA|CNAME)\s+(\S+)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ name: m[1], type: m[2], value: m[3] }));
}

describe("contract: DNS (CoreDNS on the rendered Corefile and zone)", () => {
  beforeAll(async () => {
    if (unavailable) throw new Error(`the DNS contract cannot run here: ${unavailable}`);
    corednsBinary(); // builds it once if it is not cached yet
    cluster01 = await renderStack("cluster01");
    zoneFile = zoneFileOf(cluster01);
    zone = /^\$ORIGIN (\S+)\.$/m.exec(zoneFile.content)?.[1] ?? "";
    lab = new Lab("dns");
    lab.network.addHost("cluster01", `${gateway}/24`, ["1.1.1.1", "8.8.8.8"]);
    lab.addInstance(cluster01, "coredns01");
    startUpstream();
    rewritten = startCoredns(lab, cluster01).rewritten;
    await waitFor(
      "CoreDNS answering",
      async () => {
        const dead = lab.deaths();
        if (dead) throw new Error(dead);
        return (await dig(zone, "SOA")).status === "NOERROR" ? true : undefined;
      },
      20_000,
      500,
    );
  }, 660_000);

  afterAll(async () => {
    await lab?.destroy();
  });

  it("relocates only the zone file's path", () => {
    expect(rewritten).toEqual([zoneFile.path]);
  });

  it("answers every record of the rendered zone, authoritatively", async () => {
    const records = zoneRecords(zoneFile.content);
    expect(records.length).toBeGreaterThan(0);
    for (const record of records) {
      const answer = await dig(`${record.name}.${zone}`, record.type);
      expect(answer.status, record.name).toBe("NOERROR");
      expect(answer.authoritative, record.name).toBe(true);
      expect(answer.records).toEqual([`${record.name}.${zone}. ${record.type} ${record.value}`]);
    }
    const soa = await dig(zone, "SOA");
    expect(soa.records[0]).toMatch(
      new RegExp(`^${zone.replace(/\./g, "\\.")}\\. SOA coredns01\\.incus\\. `),
    );
  });

  it("a name in the zone without a record is NXDOMAIN, not forwarded", async () => {
    const answer = await dig(`no-such-service.${zone}`);
    expect(answer.status).toBe("NXDOMAIN");
    expect(answer.authoritative).toBe(true);
  });

  it("a name outside the zone is forwarded to the upstream resolvers", async () => {
    const answer = await dig(internetName);
    // Only the upstream knows this name: its answer is the proof of forwarding.
    expect(answer.status).toBe("NOERROR");
    expect(answer.records).toEqual([`${internetName}. A ${internetAddress}`]);
  });

  it(".incus names are forwarded to Incus' resolver on the management gateway", async () => {
    for (const [name, address] of Object.entries(incusNames)) {
      const answer = await dig(name);
      expect(answer.records).toEqual([`${name}. A ${address}`]);
    }
  });

  it("serves health on :8080 and metrics on :9153 as the Corefile says", async () => {
    const netns = lab.network.netnsOf("cluster01");
    const health = await execIn(netns, "curl", [
      "-sS",
      "--max-time",
      "5",
      "http://coredns01.incus:8080/health",
    ]);
    expect(health.stdout.trim()).toBe("OK");
    const metrics = await execIn(netns, "curl", [
      "-sS",
      "--max-time",
      "5",
      "http://coredns01.incus:9153/metrics",
    ]);
    expect(metrics.stdout).toMatch(
      new RegExp(`coredns_dns_requests_total\\{[^}]*zone="${zone.replace(/\./g, "\\.")}\\."`),
    );
  });
});
