import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { Coredns } from "../../../components/coredns";
import { externalAccessFor } from "../../../components/shared/externalAccess";
import { valueOf } from "../../helpers/pulumiMocks";
import { atlasConfig, base, cluster01Run, instanceConfig, proxyDevicesOf } from "./edgeFixtures";

async function build(values: Record<string, unknown> = {}) {
  const run = await cluster01Run();
  const c = atlasConfig("cluster01", values);
  const coredns = new Coredns("coredns", {
    settings: c.services.coredns,
    coredns: c.coredns,
    storagePool: c.incus.storagePool,
    baseProfiles: base,
    access: externalAccessFor(c, c.networks.production.name, c.ovn.loadBalancerAddresses.coredns),
    records: [
      // One address known up front, one from another resource's output.
      { name: "grafana", address: "10.20.0.11" },
      { name: "mqtt", address: pulumi.output("10.10.0.21") },
    ],
  });
  await run.settle();
  const userData = instanceConfig(run, "coredns01").config["cloud-init.user-data"];
  return { run, coredns, userData };
}

describe("Coredns", () => {
  it("bridge mode: proxy devices for 53/udp and 53/tcp", async () => {
    const { run } = await build();
    expect(proxyDevicesOf(run, "coredns")).toEqual([
      {
        name: "dns-udp-proxy",
        type: "proxy",
        properties: { listen: "udp:0.0.0.0:53", connect: "udp:127.0.0.1:53" },
      },
      {
        name: "dns-tcp-proxy",
        type: "proxy",
        properties: { listen: "tcp:0.0.0.0:53", connect: "tcp:127.0.0.1:53" },
      },
    ]);
    expect(run.byType("incus:index:NetworkLb")).toEqual([]);
  });

  it("physical mode: no proxy devices", async () => {
    const { run } = await build({
      productionNetwork: { type: "physical", parent: "eno1", name: "eno1" },
    });
    expect(proxyDevicesOf(run, "coredns")).toEqual([]);
  });

  it("OVN: a load balancer serving 53 over udp and tcp instead of proxy devices", async () => {
    const { run } = await build({
      networkBackend: "ovn",
      ovn: {
        uplinkNetwork: "eno1",
        mosquittoLbAddress: "192.168.68.10",
        corednsLbAddress: "192.168.68.11",
      },
    });
    expect(proxyDevicesOf(run, "coredns")).toEqual([]);
    expect(run.named("incus:index:NetworkLb", "coredns01-lb").inputs).toMatchObject({
      listenAddress: "192.168.68.11",
      backends: [{ name: "coredns01", targetAddress: "10.0.0.10" }],
      ports: [
        { protocol: "udp", listenPort: "53", targetBackend: ["coredns01"] },
        { protocol: "tcp", listenPort: "53", targetBackend: ["coredns01"] },
      ],
    });
  });

  it("serves the zone built from the service records, forwards .incus and the rest", async () => {
    const { coredns, userData } = await build();
    const zone = await valueOf(coredns.zoneFile);
    expect(zone).toMatch(/^grafana IN A 10\.20\.0\.11$/m);
    expect(zone).toMatch(/^mqtt IN A 10\.10\.0\.21$/m);
    expect(userData).toContain("grafana IN A 10.20.0.11");
    expect(userData).toContain("file /etc/coredns/accuser.dev.db");
    expect(userData).toContain("forward . 10.20.0.1");
    expect(userData).toContain("forward . 1.1.1.1 8.8.8.8");
    expect(userData).toContain("health :8080");
    expect(userData).toContain("prometheus :9153");
    expect(userData).toContain("coredns/releases/download/v1.14.4/coredns_1.14.4_linux_arm64.tgz");
    expect(userData).toContain("b3491ed0fbe530a549640a4073d90037ffafa483f007936e1943c1ae0def7325");
  });

  it("leaves out records of instances without an address yet, instead of failing", async () => {
    const run = await cluster01Run();
    const c = atlasConfig("cluster01", {});
    const coredns = new Coredns("coredns-pending", {
      settings: c.services.coredns,
      coredns: c.coredns,
      storagePool: c.incus.storagePool,
      baseProfiles: base,
      access: { mode: "proxy", listenAddress: "127.0.0.1" },
      records: [
        { name: "grafana", address: "10.20.0.11" },
        { name: "promtail", address: pulumi.output("") },
      ],
    });
    const zone = await valueOf(coredns.zoneFile);
    await run.settle();
    expect(zone).toMatch(/^grafana\s.*\sA\s+10\.20\.0\.11$/m);
    expect(zone).not.toMatch(/^promtail\s/m);
  });

  it("listens on the configured host address in bridge mode", async () => {
    const { run } = await build({ "atlas:proxyListenAddress": "192.0.2.53" });
    expect(proxyDevicesOf(run, "coredns").map((d) => d.properties.listen)).toEqual([
      "udp:192.0.2.53:53",
      "tcp:192.0.2.53:53",
    ]);
  });

  it("publishes the reference's endpoints and no data volume", async () => {
    const { run, coredns } = await build();
    expect(await valueOf(coredns.dnsEndpoint)).toBe("coredns01.incus:53");
    expect(await valueOf(coredns.healthEndpoint)).toBe("http://coredns01.incus:8080/health");
    expect(await valueOf(coredns.metricsEndpoint)).toBe("http://coredns01.incus:9153/metrics");
    expect(run.byType("incus:index:StorageVolume")).toEqual([]);
    expect(run.named("incus:index:Profile", "coredns").inputs.config).toMatchObject({
      "limits.memory": "128MB",
    });
  });
});
