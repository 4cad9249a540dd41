import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import {
  ConfigValidationError,
  loadAtlasConfig,
  parseAtlasConfig,
  serviceDefaults,
  type AtlasConfig,
} from "../../../config";
import { isSecret, mockStack, valueOf } from "../../helpers/pulumiMocks";

function parse(
  values: Record<string, unknown>,
  stack = "iapetus",
  secretKeys: string[] = [],
): AtlasConfig {
  const encoded: Record<string, string> = {};
  for (const [k, v] of Object.entries(values))
    encoded[k] = typeof v === "string" ? v : JSON.stringify(v);
  return parseAtlasConfig({ stack, values: encoded, secretKeys });
}

/** The problems reported for a configuration that must be rejected. */
function problemsOf(values: Record<string, unknown>, stack = "iapetus", secretKeys: string[] = []) {
  try {
    parse(values, stack, secretKeys);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigValidationError);
    return (e as ConfigValidationError).problems;
  }
  throw new Error("configuration was accepted");
}

function rejects(values: Record<string, unknown>, key: string, stack = "iapetus"): string {
  const problems = problemsOf(values, stack);
  const problem = problems.find((p) => p.key === key);
  expect(problem, `expected a problem for ${key}, got ${JSON.stringify(problems)}`).toBeDefined();
  return `${problem!.key} = ${problem!.value}: must be ${problem!.allowed}`;
}

describe("defaults", () => {
  it("load for iapetus with the reference's values", () => {
    const config = parse({});
    expect(config.topology).toBe("iapetus");
    expect(config.networkBackend).toBe("bridge");
    expect(config.networks.production).toMatchObject({
      name: "production",
      type: "bridge",
      ipv4Address: "10.10.0.1/24",
      ipv4Nat: true,
      ipv6Address: "",
    });
    expect(config.networks.management).toMatchObject({
      name: "management",
      ipv4Address: "10.20.0.1/24",
      existing: false,
    });
    expect(config.networks.gitops).toMatchObject({
      name: "gitops",
      ipv4Address: "10.30.0.1/24",
      enabled: false,
    });
    expect(config.services.grafana).toMatchObject({
      cpu: 2,
      memory: "1GB",
      rootDiskSize: "2GB",
      dataVolumeSize: "10GB",
      image: "images:alpine/3.21/cloud",
    });
    expect(config.services.prometheus).toMatchObject({
      cpu: 2,
      memory: "2GB",
      dataVolumeSize: "100GB",
    });
    expect(config.services.loki).toMatchObject({ cpu: 2, memory: "2GB", dataVolumeSize: "50GB" });
    expect(config.services.stepCa).toMatchObject({
      cpu: 1,
      memory: "512MB",
      dataVolumeSize: "1GB",
    });
    expect(config.services.nodeExporter).toMatchObject({ cpu: 1, memory: "128MB" });
    expect(config.services.atlantis.image).toBe("ghcr:accuser-dev/atlas/atlantis:latest");
    expect(config.services.grafana.snapshots).toEqual({
      enabled: false,
      schedule: "@daily",
      expiry: "7d",
      pattern: "auto-{{creation_date}}",
    });
    expect(config.services.stepCa.snapshots).toMatchObject({ schedule: "@weekly", expiry: "4w" });
    expect(config.prometheus).toEqual({
      retentionTime: "30d",
      retentionSize: "",
      scrapeInterval: "15s",
    });
    expect(config.loki).toEqual({ retentionPeriod: "720h", retentionDeleteDelay: "2h" });
    expect(config.stepCa.dnsNames).toEqual(["step-ca01.incus", "step-ca01", "localhost"]);
    expect(config.incusMetrics).toEqual({
      enabled: true,
      certificateName: "prometheus-metrics",
      validityDays: 3650,
    });
    expect(config.incusLoki).toEqual({
      enabled: true,
      loggingName: "loki01",
      serverKeys: "logging",
    });
    expect(config.cloudflared.tunnelToken).toBeUndefined();
    expect(config.clusterNodes).toEqual([]);
    expect(config.incus.storagePool).toBe("local");
  });

  it("load for cluster01 with the cluster's members", () => {
    const config = parse({}, "cluster01");
    expect(config.topology).toBe("cluster01");
    expect(config.clusterNodes).toEqual(["node01", "node02", "node03"]);
    expect(config.services.alertmanager).toMatchObject({
      cpu: 1,
      memory: "256MB",
      dataVolumeSize: "1GB",
    });
    expect(config.services.mosquitto).toMatchObject({
      cpu: 1,
      memory: "256MB",
      dataVolumeSize: "5GB",
    });
    expect(config.services.coredns).toMatchObject({ cpu: 1, memory: "128MB" });
    expect(config.services.promtail).toMatchObject({ cpu: 1, memory: "256MB" });
  });

  it("merges partial service settings over the defaults", () => {
    const config = parse({
      "atlas:services": { grafana: { cpu: 4, snapshots: { enabled: true } } },
    });
    expect(config.services.grafana).toMatchObject({ cpu: 4, memory: "1GB" });
    expect(config.services.grafana.snapshots).toMatchObject({
      enabled: true,
      schedule: "@daily",
      expiry: "7d",
    });
    expect(config.services.loki).toEqual(serviceDefaults.loki);
  });

  it("accepts the reference's documented alternatives", () => {
    const config = parse({
      "atlas:productionNetwork": {
        name: "eno1",
        type: "physical",
        parent: "eno1",
        ipv6Address: "fd00:10:10::1/64",
      },
      "atlas:prometheus": { retentionTime: "90d", retentionSize: "90GB" },
      "atlas:loki": { retentionPeriod: "2160h", retentionDeleteDelay: "24h" },
      "atlas:services": {
        prometheus: { snapshots: { enabled: true, schedule: "0 2 * * *", expiry: "2w" } },
      },
    });
    expect(config.networks.production).toMatchObject({
      type: "physical",
      parent: "eno1",
      ipv6Address: "fd00:10:10::1/64",
    });
    expect(config.services.prometheus.snapshots.schedule).toBe("0 2 * * *");
  });
});

describe("validation", () => {
  const cases: [string, Record<string, unknown>, string, RegExp][] = [
    [
      "CPU below 1",
      { "atlas:services": { grafana: { cpu: 0 } } },
      "atlas:services.grafana.cpu",
      /integer from 1 to 64/,
    ],
    [
      "CPU above 64",
      { "atlas:services": { loki: { cpu: 65 } } },
      "atlas:services.loki.cpu",
      /integer from 1 to 64/,
    ],
    [
      "memory without MB/GB",
      { "atlas:services": { grafana: { memory: "1024" } } },
      "atlas:services.grafana.memory",
      /MB or GB/,
    ],
    [
      "memory in GiB",
      { "atlas:services": { grafana: { memory: "1GiB" } } },
      "atlas:services.grafana.memory",
      /MB or GB/,
    ],
    [
      "volume size",
      { "atlas:services": { loki: { dataVolumeSize: "lots" } } },
      "atlas:services.loki.dataVolumeSize",
      /MB, GB or TB/,
    ],
    [
      "CIDR notation",
      { "atlas:managementNetwork": { ipv4Address: "10.20.0.1" } },
      "atlas:managementNetwork.ipv4Address",
      /CIDR/,
    ],
    [
      "network address as gateway",
      { "atlas:productionNetwork": { ipv4Address: "10.10.0.0/24" } },
      "atlas:productionNetwork.ipv4Address",
      /not the network or broadcast/,
    ],
    [
      "IPv6 CIDR",
      { "atlas:productionNetwork": { ipv6Address: "fd00:10:10::1" } },
      "atlas:productionNetwork.ipv6Address",
      /IPv6 address in CIDR/,
    ],
    [
      "network type enum",
      { "atlas:productionNetwork": { type: "macvlan" } },
      "atlas:productionNetwork.type",
      /one of bridge, physical/,
    ],
    [
      "network backend enum",
      { "atlas:networkBackend": "vxlan" },
      "atlas:networkBackend",
      /one of bridge, ovn/,
    ],
    [
      "physical requires parent",
      { "atlas:productionNetwork": { type: "physical" } },
      "atlas:productionNetwork.parent",
      /host interface/,
    ],
    [
      "OVN requires an uplink",
      { "atlas:networkBackend": "ovn", "atlas:ovn": { corednsLbAddress: "192.168.68.12" } },
      "atlas:ovn.uplinkNetwork",
      /uplink/,
    ],
    [
      "LB VIP is IPv4",
      { "atlas:ovn": { mosquittoLbAddress: "192.168.68" } },
      "atlas:ovn.mosquittoLbAddress",
      /IPv4 address/,
    ],
    [
      "Prometheus retention",
      { "atlas:prometheus": { retentionTime: "30 days" } },
      "atlas:prometheus.retentionTime",
      /30d, 720h/,
    ],
    [
      "Loki retention",
      { "atlas:loki": { retentionPeriod: "forever" } },
      "atlas:loki.retentionPeriod",
      /720h or 30d/,
    ],
    [
      "delete delay below 2h",
      { "atlas:loki": { retentionDeleteDelay: "1h" } },
      "atlas:loki.retentionDeleteDelay",
      /at least 2h/,
    ],
    [
      "snapshot schedule",
      { "atlas:services": { grafana: { snapshots: { schedule: "@sometimes" } } } },
      "atlas:services.grafana.snapshots.schedule",
      /@hourly, @daily, @weekly, @monthly or a 5-field cron/,
    ],
    [
      "cron with 4 fields",
      { "atlas:services": { grafana: { snapshots: { schedule: "0 2 * *" } } } },
      "atlas:services.grafana.snapshots.schedule",
      /5-field cron/,
    ],
    [
      "snapshot expiry",
      { "atlas:services": { grafana: { snapshots: { expiry: "7 days" } } } },
      "atlas:services.grafana.snapshots.expiry",
      /7d, 2w/,
    ],
    [
      "unknown service",
      { "atlas:services": { grafna: { cpu: 2 } } },
      "atlas:services.grafna",
      /known service: grafana/,
    ],
    ["unknown key", { "atlas:grafanaDomain": "x" }, "atlas:grafanaDomain", /known key/],
    [
      "overlapping subnets",
      { "atlas:managementNetwork": { ipv4Address: "10.10.0.1/16" } },
      "atlas:managementNetwork.ipv4Address",
      /does not overlap atlas:productionNetwork/,
    ],
    [
      "proxy listen address",
      { "atlas:proxyListenAddress": "any" },
      "atlas:proxyListenAddress",
      /IPv4 address/,
    ],
    [
      "pinning switch",
      { "atlas:pinToClusterNodes": "sometimes" },
      "atlas:pinToClusterNodes",
      /true or false/,
    ],
    [
      "duplicate cluster nodes",
      { "atlas:clusterNodes": ["a", "a"] },
      "atlas:clusterNodes",
      /distinct/,
    ],
    [
      "Atlantis needs the gitops network",
      { "atlas:atlantis": { enabled: true } },
      "atlas:gitopsNetwork.enabled",
      /true when atlantis.enabled/,
    ],
  ];

  it.each(cases)("rejects %s, naming the key", (_what, values, key, allowed) => {
    const line = rejects(values, key);
    expect(line).toMatch(allowed);
  });

  it("names the bad value in the message", () => {
    try {
      parse({ "atlas:services": { grafana: { memory: "lots" } } });
      throw new Error("accepted");
    } catch (e) {
      expect((e as Error).message).toContain(
        "atlas:services.grafana.memory = 'lots': must be a size in MB or GB",
      );
      expect((e as Error).message).toContain("nothing was changed");
    }
  });

  it("reports several bad values together", () => {
    const problems = problemsOf({
      "atlas:services": {
        grafana: { cpu: 99, memory: "1TB" },
        loki: { snapshots: { expiry: "soon" } },
      },
      "atlas:loki": { retentionDeleteDelay: "30m" },
      "atlas:networkBackend": "ovn",
    });
    expect(problems.map((p) => p.key).sort()).toEqual(
      [
        "atlas:services.grafana.cpu",
        "atlas:services.grafana.memory",
        "atlas:services.loki.snapshots.expiry",
        "atlas:loki.retentionDeleteDelay",
        "atlas:ovn.uplinkNetwork",
        "atlas:ovn.corednsLbAddress",
      ].sort(),
    );
  });

  it("requires both OVN VIPs on cluster01", () => {
    const problems = problemsOf(
      { "atlas:networkBackend": "ovn", "atlas:ovn": { uplinkNetwork: "eno1" } },
      "cluster01",
    );
    expect(problems.map((p) => p.key).sort()).toEqual([
      "atlas:ovn.corednsLbAddress",
      "atlas:ovn.mosquittoLbAddress",
    ]);
  });

  it("refuses credentials stored in plain text without echoing them", () => {
    const problems = problemsOf({ "atlas:grafanaAdminPassword": "hunter2" });
    expect(problems).toEqual([
      {
        key: "atlas:grafanaAdminPassword",
        value: "[plain text]",
        allowed: expect.stringContaining("pulumi config set --secret grafanaAdminPassword"),
      },
    ]);
    expect(JSON.stringify(problems)).not.toContain("hunter2");
  });

  it("rejects a malformed Mosquitto password map without echoing it", () => {
    const problems = problemsOf({ "atlas:mosquittoPasswords": "sensor:pw" }, "cluster01", [
      "atlas:mosquittoPasswords",
    ]);
    expect(problems[0].key).toBe("atlas:mosquittoPasswords");
    expect(JSON.stringify(problems)).not.toContain("sensor:pw");
  });
});

describe("topology selection", () => {
  it("follows the stack name", () => {
    expect(parse({}, "cluster01").topology).toBe("cluster01");
  });

  it("lets extra stacks pick a topology by config", () => {
    expect(parse({ "atlas:topology": "cluster01" }, "e2e").topology).toBe("cluster01");
  });

  it("fails clearly for an unknown stack, listing the choices", () => {
    expect(() => parse({}, "staging")).toThrow(
      /stack 'staging' is not a topology name\): must be one of iapetus, cluster01/,
    );
  });

  it("fails clearly for an unknown topology value", () => {
    expect(rejects({ "atlas:topology": "edge" }, "atlas:topology", "dev")).toMatch(
      /one of iapetus, cluster01/,
    );
  });
});

describe("secrets", () => {
  it("stay Pulumi secrets when read from stack config", async () => {
    await mockStack({
      stack: "iapetus",
      config: {
        "atlas:grafanaAdminPassword": "s3cret",
        "atlas:cloudflaredTunnelToken": "tok",
        "atlas:mosquittoPasswords": { sensor: "pw" },
      },
      secretKeys: [
        "atlas:grafanaAdminPassword",
        "atlas:cloudflaredTunnelToken",
        "atlas:mosquittoPasswords",
      ],
    });
    const config = loadAtlasConfig();
    expect(await isSecret(config.grafana.adminPassword!)).toBe(true);
    expect(await valueOf(config.grafana.adminPassword!)).toBe("s3cret");
    expect(await isSecret(config.cloudflared.tunnelToken!)).toBe(true);
    expect(await isSecret(config.mosquitto.passwords!)).toBe(true);
    expect(await valueOf(config.mosquitto.passwords!)).toEqual({ sensor: "pw" });
    expect(pulumi.Output.isInstance(config.grafana.adminPassword)).toBe(true);
  });

  it("are refused when the stack stored them in plain text", async () => {
    await mockStack({ stack: "iapetus", config: { "atlas:cloudflaredTunnelToken": "tok" } });
    expect(() => loadAtlasConfig()).toThrow(
      /atlas:cloudflaredTunnelToken = \[plain text\]: must be set as a secret/,
    );
  });
});
