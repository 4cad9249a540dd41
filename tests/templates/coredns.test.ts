/**
 * CoreDNS' rendered files: the zone (checked by BIND's `named-checkzone`, a record per
 * service, a content-derived serial) and the split-horizon Corefile.
 */
import { describe, expect, it } from "vitest";
import { corednsConfiguration } from "../../components/coredns/configuration";
import { renderCorefile } from "../../components/coredns/corefile";
import { renderZoneFile, zoneSerial, type DnsRecord } from "../../components/coredns/zone";
import { runTool, writeTree } from "../helpers/validators";
import * as fs from "node:fs";

const services: DnsRecord[] = [
  { name: "grafana", address: "10.20.0.11" },
  { name: "prometheus", address: "10.20.0.12" },
  { name: "mqtt", address: "10.10.0.21" },
  { name: "dns", address: "10.10.0.22" },
  { name: "loki", address: "fd00:10:20::13" },
];

function checkZone(zone: string, text: string) {
  const dir = writeTree({ "zone.db": text });
  try {
    return runTool("named-checkzone", ["-i", "local", zone, "zone.db"], dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function serialOf(text: string): number {
  const match = /^\s+(\d+) ; serial$/m.exec(text);
  if (!match) throw new Error("no serial in zone");
  return Number(match[1]);
}

describe("CoreDNS zone file", () => {
  const text = renderZoneFile({
    zone: "accuser.dev",
    records: services,
    nameserverAddress: "192.168.68.11",
  });

  it("is a valid zone for named-checkzone", () => {
    const result = checkZone("accuser.dev", text);
    expect(result.ok, result.output).toBe(true);
    expect(result.output).toMatch(/loaded serial \d+/);
  });

  it("has one address record per service (A or AAAA) and an SOA/NS at the apex", () => {
    for (const s of services) {
      const type = s.address.includes(":") ? "AAAA" : "A";
      expect(text).toMatch(new RegExp(`^${s.name} IN ${type} ${s.address.replace(/\./g, "\\.")}$`, "m"));
    }
    expect(text).toMatch(/^@ IN SOA ns\.accuser\.dev\. hostmaster\.accuser\.dev\. \($/m);
    expect(text).toMatch(/^@ IN NS ns\.accuser\.dev\.$/m);
    expect(text).toMatch(/^ns IN A 192\.168\.68\.11$/m);
    expect(text).toContain("$ORIGIN accuser.dev.");
  });

  it("derives the serial from the content: stable across runs and input order, new on change", () => {
    const again = renderZoneFile({
      zone: "accuser.dev",
      records: [...services].reverse(),
      nameserverAddress: "192.168.68.11",
    });
    expect(again).toBe(text);
    const serial = serialOf(text);
    expect(serial).toBe(
      zoneSerial("accuser.dev", [...services, { name: "ns", address: "192.168.68.11" }].sort(
        (a, b) => a.name.localeCompare(b.name),
      )),
    );
    expect(serial).toBeGreaterThan(0);
    expect(serial).toBeLessThan(2 ** 32);
    const changed = renderZoneFile({
      zone: "accuser.dev",
      records: [...services, { name: "atlantis", address: "10.30.0.5" }],
      nameserverAddress: "192.168.68.11",
    });
    expect(serialOf(changed)).not.toBe(serial);
    expect(checkZone("accuser.dev", changed).ok).toBe(true);
  });

  it("with an out-of-zone name server (the component's coredns01.incus.) needs no glue", () => {
    const outOfZone = renderZoneFile({
      zone: "accuser.dev",
      records: services,
      nameserver: "coredns01.incus.",
    });
    expect(outOfZone).toMatch(/^@ IN NS coredns01\.incus\.$/m);
    const result = checkZone("accuser.dev", outOfZone);
    expect(result.ok, result.output).toBe(true);
    expect(() => renderZoneFile({ zone: "accuser.dev", records: services })).toThrow(
      /needs nameserverAddress/,
    );
  });

  it("rejects bad names, bad addresses and duplicates", () => {
    expect(() => renderZoneFile({ zone: "a.dev", nameserver: "ns.example.", records: [{ name: "bad name", address: "10.0.0.1" }] })).toThrow(
      /not a valid DNS name/,
    );
    expect(() => renderZoneFile({ zone: "a.dev", nameserver: "ns.example.", records: [{ name: "x", address: "nowhere" }] })).toThrow(
      /not an IPv4 or IPv6/,
    );
    expect(() =>
      renderZoneFile({
        zone: "a.dev",
        nameserver: "ns.example.",
        records: [
          { name: "x", address: "10.0.0.1" },
          { name: "x", address: "10.0.0.1" },
        ],
      }),
    ).toThrow(/duplicate/);
  });
});

describe("Corefile", () => {
  const corefile = renderCorefile({
    zone: "accuser.dev",
    zoneFile: "/etc/coredns/accuser.dev.db",
    incusResolver: "10.20.0.1",
    upstreams: ["1.1.1.1", "8.8.8.8"],
  });

  /** Server blocks: `zone:port` → body. */
  function blocks(text: string): Map<string, string> {
    const out = new Map<string, string>();
    for (const m of text.matchAll(/^(\S+) \{\n([\s\S]*?)^\}/gm)) out.set(m[1], m[2]);
    return out;
  }

  it("is authoritative for the internal zone, forwards .incus and everything else", () => {
    const b = blocks(corefile);
    expect([...b.keys()]).toEqual(["accuser.dev:53", "incus:53", ".:53"]);
    expect(b.get("accuser.dev:53")).toContain("file /etc/coredns/accuser.dev.db {");
    expect(b.get("incus:53")).toContain("forward . 10.20.0.1");
    expect(b.get(".:53")).toContain("forward . 1.1.1.1 8.8.8.8");
  });

  it("exposes health on 8080 once and metrics on 9153 for every block", () => {
    expect(corefile.match(/health :8080/g)).toHaveLength(1);
    expect(corefile.match(/prometheus :9153/g)).toHaveLength(3);
    // Balanced braces: CoreDNS refuses a Corefile with an unterminated block.
    expect(corefile.split("{").length).toBe(corefile.split("}").length);
  });

  it("needs an upstream", () => {
    expect(() =>
      renderCorefile({ zone: "a.dev", zoneFile: "/z", incusResolver: "10.0.0.1", upstreams: [] }),
    ).toThrow(/upstream/);
  });
});

describe("CoreDNS zone check at apply", () => {
  const zonePath = "/etc/coredns/accuser.dev.db";
  // The component's zone: its out-of-zone name server, as the instance gets it.
  const zoneText = renderZoneFile({
    zone: "accuser.dev",
    records: services,
    nameserver: "coredns01.incus.",
  });
  const check = (text: string) => {
    const [argv] = corednsConfiguration({
      corefile: "",
      corefilePath: "/etc/coredns/Corefile",
      zone: "accuser.dev",
      zonePath,
      zoneFile: text,
    }).apply.checks;
    expect(argv[0]).toBe("/usr/local/bin/named-checkzone");
    // The checker's own arguments, with the zone written to a scratch folder.
    const dir = writeTree({ "zone.db": text });
    try {
      return runTool("named-checkzone", argv.slice(1).map((a) => (a === zonePath ? "zone.db" : a)), dir);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };

  it("passes the component's zone with the very arguments the apply script runs", () => {
    const result = check(zoneText);
    expect(result.ok, result.output).toBe(true);
  });

  it("rejects a broken zone with named-checkzone's words", () => {
    const result = check(zoneText.replace("grafana IN A 10.20.0.11", "grafana IN A 10.20.0"));
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/bad dotted quad|not loaded due to errors/);
  });
});
