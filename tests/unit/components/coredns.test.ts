import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { Coredns } from "../../../components/coredns";
import { externalAccessFor } from "../../../components/shared/externalAccess";
import { valueOf } from "../../helpers/pulumiMocks";
import { atlasConfig, base, cluster01Run, instanceConfig, proxyDevicesOf } from "./edgeFixtures";
import { configurationOf } from "./serviceHarness";

async function build(
  values: Record<string, unknown> = {},
  records: { name: string; address: pulumi.Input<string> }[] = [
    // One address known up front, one from another resource's output.
    { name: "grafana", address: "10.20.0.11" },
    { name: "mqtt", address: pulumi.output("10.10.0.21") },
  ],
) {
  const run = await cluster01Run();
  const c = atlasConfig("cluster01", values);
  const coredns = new Coredns("coredns", {
    settings: c.services.coredns,
    coredns: c.coredns,
    storagePool: c.incus.storagePool,
    baseProfiles: base,
    access: externalAccessFor(c, c.networks.production.name, c.ovn.loadBalancerAddresses.coredns),
    records,
  });
  await run.settle();
  const userData = instanceConfig(run, "coredns01").config["cloud-init.user-data"];
  const configuration = configurationOf({ run, userDataInputs: new Map(), opts: {} }, "coredns01");
  return { run, coredns, userData, configuration };
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
    const { coredns, configuration } = await build();
    const zone = await valueOf(coredns.zoneFile);
    expect(zone).toMatch(/^grafana IN A 10\.20\.0\.11$/m);
    expect(zone).toMatch(/^mqtt IN A 10\.10\.0\.21$/m);
    const zoneFile = configuration.file("/etc/coredns/accuser.dev.db");
    expect(zoneFile.content).toBe(zone);
    expect(zoneFile).toMatchObject({ mode: "0644", uid: 0, gid: 908 });
    const corefile = configuration.file("/etc/coredns/Corefile").content;
    expect(corefile).toContain("file /etc/coredns/accuser.dev.db");
    expect(corefile).toContain("forward . 10.20.0.1");
    expect(corefile).toContain("forward . 1.1.1.1 8.8.8.8");
    expect(corefile).toContain("health :8080");
    expect(corefile).toContain("prometheus :9153");
    expect(configuration.file("/etc/conf.d/coredns").content).toContain(
      "-conf /etc/coredns/Corefile",
    );
    expect(configuration.secret).toBe(false);
  });

  it("installs once the pinned release, the port-53 capability and the zone checker, and no configuration", async () => {
    const { userData } = await build();
    expect(userData).toContain("coredns/releases/download/v1.14.4/coredns_1.14.4_linux_arm64.tgz");
    expect(userData).toContain("b3491ed0fbe530a549640a4073d90037ffafa483f007936e1943c1ae0def7325");
    expect(userData).toContain("setcap cap_net_bind_service=+ep /usr/local/bin/coredns");
    expect(userData).toContain("- bind\n");
    expect(userData).toContain("/usr/local/bin/named-checkzone");
    expect(userData).toContain("addgroup -S -g 908 coredns");
    expect(userData).not.toContain("grafana");
    expect(userData).not.toContain("forward");
    expect(userData).not.toContain("accuser.dev");
  });

  it("a changed record or upstream changes the files, never the user-data", async () => {
    const before = await build();
    const after = await build({ coredns: { upstreams: ["9.9.9.9"] } }, [
      { name: "grafana", address: "10.20.0.99" },
    ]);
    expect(after.configuration.file("/etc/coredns/accuser.dev.db").content).not.toBe(
      before.configuration.file("/etc/coredns/accuser.dev.db").content,
    );
    expect(after.configuration.file("/etc/coredns/Corefile").content).toContain(
      "forward . 9.9.9.9",
    );
    expect(after.userData).toBe(before.userData);
  });

  it("checks the zone with named-checkzone, then reloads with SIGUSR1; a changed conf.d restarts", async () => {
    const { configuration, userData } = await build();
    expect(configuration.paths.sort()).toEqual([
      "/etc/conf.d/coredns",
      "/etc/coredns/Corefile",
      "/etc/coredns/accuser.dev.db",
      "/usr/local/sbin/atlas-apply-coredns",
    ]);
    expect(configuration.execs.map((e) => [e.name, e.trigger])).toEqual([
      ["apply-coredns-configuration", "on_change"],
    ]);
    const script = configuration.file("/usr/local/sbin/atlas-apply-coredns").content;
    const check = script.indexOf(
      "/usr/local/bin/named-checkzone -i local accuser.dev /etc/coredns/accuser.dev.db",
    );
    expect(check).toBeGreaterThan(0);
    expect(script.indexOf('rc-service coredns "$action"')).toBeGreaterThan(check);
    expect(script).toContain("action=reload");
    expect(script).toContain("for f in /etc/conf.d/coredns ; do");
    // The init script installed once sends SIGUSR1 on reload.
    expect(userData).toContain("start-stop-daemon --signal USR1");
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
