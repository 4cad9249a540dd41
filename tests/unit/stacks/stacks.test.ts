/**
 * Both whole stacks under mocks: the inventory per environment and network mode, the
 * profile composition of every instance, node-exporter pinning, cross-stack wiring with
 * and without the peer stack, and the outputs with their secrecy.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../../../automation/repoRoot";
import {
  optionalFeatures,
  recordStack,
  stackFileConfig,
  type ConfigOverlay,
} from "../../../automation/shape/stackShape";
import type { RecordedResource } from "../../../automation/shape/mockedRun";
import { atlasProgram } from "../../../program";
import { budgetMarkdown, readmeBudgetSection } from "../../../scripts/budget";
import { isSecret, mockStack, valueOf } from "../../helpers/pulumiMocks";
import { unhandledRejectionsDuring } from "../../helpers/unhandledRejections";
import { unwrapSecrets } from "../../contracts/instanceFiles";

const overlay = (config: Record<string, unknown>): ConfigOverlay => ({ config, secretKeys: [] });
const physical = overlay({
  "atlas:productionNetwork": { name: "eno1", type: "physical", parent: "eno1" },
});
const ovn = (vips: Record<string, string>) =>
  overlay({ "atlas:networkBackend": "ovn", "atlas:ovn": { uplinkNetwork: "eno1", ...vips } });

function names(resources: RecordedResource[], type: string): string[] {
  return resources
    .filter((r) => r.type === type)
    .map((r) => String(r.inputs.name ?? r.inputs.listenAddress))
    .sort();
}

function inventory(resources: RecordedResource[]) {
  return {
    networks: names(resources, "incus:index:Network"),
    profiles: names(resources, "incus:index:Profile"),
    volumes: names(resources, "incus:index:StorageVolume"),
    instances: names(resources, "incus:index:Instance"),
    servers: resources
      .filter((r) => r.type === "incus:index:Server")
      .map((r) => r.name)
      .sort(),
    loadBalancers: names(resources, "incus:index:NetworkLb"),
    certificates: names(resources, "incus:index:Certificate"),
  };
}

function proxyDevices(resources: RecordedResource[]): string[] {
  return resources
    .filter((r) => r.type === "incus:index:Profile")
    .flatMap((r) =>
      ((r.inputs.devices as { name: string; type: string }[] | undefined) ?? [])
        .filter((d) => d.type === "proxy")
        .map((d) => `${String(r.inputs.name)}/${d.name}`),
    )
    .sort();
}

const iapetusServices = ["grafana01", "loki01", "node-exporter01", "prometheus01", "step-ca01"];
const iapetusProfiles = [
  "container-base",
  "grafana",
  "loki",
  "management-network",
  "node-exporter",
  "production-network",
  "prometheus",
  "step-ca",
];
const iapetusVolumes = ["grafana01-data", "loki01-data", "prometheus01-data", "step-ca01-data"];
const clusterInstances = [
  "alertmanager01",
  "coredns01",
  "mosquitto01",
  "node-exporter01",
  "node-exporter02",
  "node-exporter03",
  "prometheus01",
  "promtail01",
];
const clusterProfiles = [
  "alertmanager",
  "container-base",
  "coredns",
  "management-network",
  "mosquitto",
  "node-exporter01",
  "node-exporter02",
  "node-exporter03",
  "production-network",
  "prometheus",
  "promtail",
];
const clusterVolumes = ["alertmanager01-data", "mosquitto01-data", "prometheus01-data"];

describe("iapetus inventory", () => {
  it("bridge mode (the stack's own settings): the control plane of the reference", async () => {
    const resources = await recordStack("iapetus");
    expect(inventory(resources)).toEqual({
      networks: ["management", "production"],
      profiles: iapetusProfiles,
      volumes: iapetusVolumes,
      instances: iapetusServices,
      servers: ["incus-loki-logging"],
      loadBalancers: [],
      certificates: ["prometheus-metrics"],
    });
    // Loki and step-ca answer cluster01 (another host) and the Incus daemon on the LAN side.
    expect(proxyDevices(resources)).toEqual(["loki/lan-3100-proxy", "step-ca/lan-9000-proxy"]);
  });

  it("with a tunnel token and Atlantis: cloudflared01, atlantis01 and the gitops network", async () => {
    const resources = await recordStack("iapetus", optionalFeatures("iapetus"));
    const inv = inventory(resources);
    expect(inv.instances).toEqual(["atlantis01", "cloudflared01", ...iapetusServices].sort());
    expect(inv.networks).toEqual(["gitops", "management", "production"]);
    expect(inv.profiles).toEqual(
      ["atlantis", "cloudflared", "gitops-network", ...iapetusProfiles].sort(),
    );
    expect(inv.volumes).toEqual(["atlantis01-data", ...iapetusVolumes].sort());
    const atlantis = resources.find(
      (r) => r.type === "incus:index:Instance" && r.inputs.name === "atlantis01",
    )!;
    expect(atlantis.inputs.profiles).toEqual(["container-base", "gitops-network", "atlantis"]);
  });

  it("with incus metrics and logging off: no certificate, no server config", async () => {
    const resources = await recordStack(
      "iapetus",
      overlay({ "atlas:incusMetrics": { enabled: false }, "atlas:incusLoki": { enabled: false } }),
    );
    const inv = inventory(resources);
    expect(inv.certificates).toEqual([]);
    expect(inv.servers).toEqual([]);
    expect(resources.some((r) => r.type.startsWith("tls:"))).toBe(false);
  });

  it("OVN mode: OVN networks, CoreDNS behind its VIP, the northbound setting, no proxies", async () => {
    const resources = await recordStack("iapetus", ovn({ corednsLbAddress: "192.168.68.12" }));
    const inv = inventory(resources);
    expect(inv.instances).toEqual(["coredns01", ...iapetusServices].sort());
    expect(inv.loadBalancers).toEqual(["192.168.68.12"]);
    expect(inv.servers).toEqual(["incus-loki-logging", "ovn-server-config"]);
    const networks = resources.filter((r) => r.type === "incus:index:Network");
    expect(networks.map((n) => n.inputs.type)).toEqual(["ovn", "ovn"]);
    expect(proxyDevices(resources)).toEqual([]);
  });
});

describe("cluster01 inventory", () => {
  it("bridge mode: the cluster of the reference, Mosquitto and CoreDNS behind proxy devices", async () => {
    const resources = await recordStack("cluster01");
    expect(inventory(resources)).toEqual({
      networks: ["management", "production"],
      profiles: clusterProfiles,
      volumes: clusterVolumes,
      instances: clusterInstances,
      servers: [],
      loadBalancers: [],
      certificates: ["prometheus-metrics"],
    });
    expect(proxyDevices(resources)).toEqual([
      "coredns/dns-tcp-proxy",
      "coredns/dns-udp-proxy",
      "coredns/management-gateway-9153-proxy",
      "mosquitto/mqtt-proxy",
      "mosquitto/mqtts-proxy",
      "prometheus/lan-9090-proxy",
    ]);
  });

  it("physical mode: production on the LAN interface, no proxy devices", async () => {
    const resources = await recordStack("cluster01", physical);
    expect(inventory(resources).instances).toEqual(clusterInstances);
    const production = resources.find(
      (r) => r.type === "incus:index:Network" && r.inputs.name === "eno1",
    )!;
    expect(production.inputs).toMatchObject({ type: "physical" });
    expect(JSON.stringify(production.inputs.config)).toContain('"parent":"eno1"');
    // Mosquitto and CoreDNS need no LAN proxies; Prometheus (management, a bridge) still
    // answers iapetus' federation on the LAN side, and CoreDNS' metrics on the management
    // gateway.
    expect(proxyDevices(resources)).toEqual([
      "coredns/management-gateway-9153-proxy",
      "prometheus/lan-9090-proxy",
    ]);
  });

  it("OVN mode: OVN central, load balancers instead of proxies, the northbound setting", async () => {
    const resources = await recordStack(
      "cluster01",
      ovn({ corednsLbAddress: "192.168.68.11", mosquittoLbAddress: "192.168.68.10" }),
    );
    const inv = inventory(resources);
    expect(inv.instances).toEqual(["ovn-central01", ...clusterInstances].sort());
    expect(inv.loadBalancers).toEqual(["192.168.68.10", "192.168.68.11"]);
    expect(inv.servers).toEqual(["ovn-server-config"]);
    expect(proxyDevices(resources).filter((d) => !d.startsWith("ovn-central/"))).toEqual([]);
  });

  it("OVN mode: the northbound setting waits for OVN central's instance; the OVN networks wait for the setting", async () => {
    const resources = await recordStack(
      "cluster01",
      ovn({ corednsLbAddress: "192.168.68.11", mosquittoLbAddress: "192.168.68.10" }),
    );
    const waitsFor = (r: RecordedResource, type: string, name: string): boolean =>
      r.dependencies.some((urn) => urn.endsWith(`${type}::${name}`));
    const server = resources.find((r) => r.name === "ovn-server-config");
    expect(server && waitsFor(server, "incus:index:Instance", "ovn-central01")).toBe(true);
    const networks = resources.filter((r) => r.type === "incus:index:Network");
    expect(networks.length).toBeGreaterThan(0);
    for (const n of networks)
      expect(waitsFor(n, "incus:index:Server", "ovn-server-config"), n.name).toBe(true);
  });
});

describe("service endpoints", () => {
  it("Grafana's instance does not wait for Prometheus' or Loki's: data sources are resolved by name", async () => {
    const resources = await recordStack("iapetus");
    const grafana = resources.find(
      (r) => r.type === "incus:index:Instance" && r.name === "grafana01",
    );
    expect(grafana).toBeDefined();
    expect(grafana?.dependencies.filter((urn) => urn.includes("incus:index:Instance"))).toEqual([]);
  });

  it("only cluster01's CoreDNS waits for other instances (its zone holds their addresses)", async () => {
    // Prometheus' scrape targets and Alertmanager are names too: built from the instances'
    // outputs, Prometheus waited for Alertmanager, which the daemon created after every
    // node exporter queued before it (docs/benchmarks.md, "Scale").
    const expected: Record<string, string[]> = { iapetus: [], cluster01: ["coredns01"] };
    for (const [stack, waits] of Object.entries(expected)) {
      const resources = await recordStack(stack);
      const waiting = resources
        .filter((r) => r.type === "incus:index:Instance")
        .filter((r) => r.dependencies.some((urn) => urn.includes("incus:index:Instance")))
        .map((r) => String(r.inputs.name));
      expect(waiting, stack).toEqual(waits);
    }
  });
});

describe.each(["iapetus", "cluster01"])("%s composition", (stack) => {
  it("every instance is container-base + one network profile + its own limited profile, never default", async () => {
    const resources = await recordStack(stack, optionalFeatures(stack));
    const profiles = new Map(
      resources
        .filter((r) => r.type === "incus:index:Profile")
        .map((p) => [String(p.inputs.name), p]),
    );
    const instances = resources.filter((r) => r.type === "incus:index:Instance");
    expect(instances.length).toBeGreaterThan(4);
    for (const instance of instances) {
      const list = instance.inputs.profiles as string[];
      expect(list, String(instance.inputs.name)).not.toContain("default");
      expect(list).toHaveLength(3);
      expect(list[0]).toBe("container-base");
      expect(list[1]).toMatch(/-network$/);
      const own = profiles.get(list[2])!.inputs.config as Record<string, string>;
      expect(own["limits.memory.enforce"]).toBe("hard");
      expect(own["limits.cpu"]).toMatch(/^\d+$/);
      expect(own["limits.memory"]).toMatch(/^\d+(MB|GB)$/);
    }
  });
});

describe("cluster01 pinning", () => {
  it("pins one node exporter to each distinct cluster member", async () => {
    const resources = await recordStack(
      "cluster01",
      overlay({ "atlas:clusterNodes": ["m1", "m2", "m3"] }),
    );
    const exporters = resources.filter(
      (r) => r.type === "incus:index:Instance" && String(r.inputs.name).startsWith("node-exporter"),
    );
    expect(exporters.map((e) => e.inputs.targetNode).sort()).toEqual(["m1", "m2", "m3"]);
  });

  it("places every other service and each data volume on the first member, beside each other", async () => {
    const resources = await recordStack(
      "cluster01",
      overlay({ "atlas:clusterNodes": ["m1", "m2", "m3"] }),
    );
    const services = resources.filter(
      (r) =>
        r.type === "incus:index:Instance" && !String(r.inputs.name).startsWith("node-exporter"),
    );
    expect(services.map((i) => i.inputs.name)).toEqual(
      expect.arrayContaining(["prometheus01", "alertmanager01", "coredns01", "mosquitto01"]),
    );
    for (const s of services) expect(s.inputs.targetNode, String(s.inputs.name)).toBe("m1");
    const volumes = resources.filter((r) => r.type === "incus:index:StorageVolume");
    expect(volumes.length).toBeGreaterThanOrEqual(3);
    const exporterVolumes = volumes.filter((v) =>
      String(v.inputs.name).startsWith("node-exporter"),
    );
    for (const v of volumes) {
      if (exporterVolumes.includes(v)) continue;
      expect(v.inputs.target, String(v.inputs.name)).toBe("m1");
    }
  });

  it("leaves placement to Incus when pinToClusterNodes is false (standalone test servers)", async () => {
    const resources = await recordStack(
      "cluster01",
      overlay({ "atlas:clusterNodes": ["solo"], "atlas:pinToClusterNodes": false }),
    );
    const instances = resources.filter((r) => r.type === "incus:index:Instance");
    expect(instances.map((i) => i.inputs.name)).toContain("node-exporter01");
    expect(instances.every((i) => i.inputs.targetNode === undefined)).toBe(true);
  });

  it("targets the remote named by incus:remote through an explicit provider", async () => {
    const resources = await recordStack("cluster01", overlay({ "incus:remote": "cluster01" }));
    const provider = resources.find((r) => r.type === "pulumi:providers:incus")!;
    expect(provider.inputs.remote).toBe("cluster01");
    const instances = resources.filter((r) => r.type === "incus:index:Instance");
    expect(
      instances.every((i) => String(i.provider).includes("pulumi:providers:incus::cluster01")),
    ).toBe(true);
  });

  it("keeps iapetus on the local daemon even when INCUS_REMOTE points at the cluster", async () => {
    process.env.INCUS_REMOTE = "cluster01";
    try {
      const resources = await recordStack("iapetus");
      expect(resources.find((r) => r.type === "pulumi:providers:incus")!.inputs.remote).toBe(
        "local",
      );
    } finally {
      delete process.env.INCUS_REMOTE;
    }
  });
});

async function runProgram(
  stack: string,
  config: Record<string, unknown>,
  stackOutputs?: Record<string, Record<string, unknown>>,
  secretKeys: string[] = [],
) {
  const run = await mockStack({
    stack,
    config: { ...stackFileConfig(stack), ...config },
    stackOutputs,
    secretKeys,
  });
  const outputs = atlasProgram();
  await run.settle();
  return { run, outputs };
}

/** An instance's cloud-init user-data, unwrapping the mocks' secret envelope. */
function userData(run: Awaited<ReturnType<typeof runProgram>>["run"], instance: string): string {
  const unwrap = (v: unknown): unknown =>
    typeof v === "object" && v !== null && "value" in v && Object.keys(v).length === 2
      ? (v as { value: unknown }).value
      : v;
  const config = unwrap(run.named("incus:index:Instance", instance).inputs.config) as Record<
    string,
    unknown
  >;
  return String(unwrap(config["cloud-init.user-data"]));
}

/** A configuration file an instance is given through its `files` (pushed at every up). */
function pushedFile(
  run: Awaited<ReturnType<typeof runProgram>>["run"],
  instance: string,
  path: string,
): string {
  const files = unwrapSecrets(run.named("incus:index:Instance", instance).inputs.files) as
    { targetPath: string; content: string }[] | undefined;
  const file = files?.find((f) => f.targetPath === path);
  if (!file) throw new Error(`${instance} is given no ${path}`);
  return file.content;
}

describe("cross-stack wiring", () => {
  it("promtail ships to the Loki push URL iapetus exports", async () => {
    const { run, outputs } = await runProgram(
      "cluster01",
      {},
      {
        iapetus: { loki_push_url: "http://loki01.example.test:3100/loki/api/v1/push" },
      },
    );
    expect(await valueOf(pulumi.output(outputs.promtail_loki_target))).toBe(
      "http://loki01.example.test:3100/loki/api/v1/push",
    );
    expect(pushedFile(run, "promtail01", "/etc/promtail/promtail.yml")).toContain(
      "http://loki01.example.test:3100/loki/api/v1/push",
    );
  });

  it("without the iapetus reference, promtail uses the configured fallback", async () => {
    const { run } = await runProgram("cluster01", {
      "atlas:crossStack": {
        iapetusStack: "",
        lokiPushUrlFallback: "http://10.99.0.5:3100/loki/api/v1/push",
      },
    });
    expect(run.byType("pulumi:pulumi:StackReference")).toEqual([]);
    expect(pushedFile(run, "promtail01", "/etc/promtail/promtail.yml")).toContain(
      "http://10.99.0.5:3100/loki/api/v1/push",
    );
  });

  it("iapetus federates the targets cluster01 exports, under an organisation prefix", async () => {
    const { run } = await runProgram(
      "iapetus",
      { "atlas:crossStack": { cluster01Stack: "cluster01", organization: "acme" } },
      {
        "acme/atlas/cluster01": {
          prometheus_federation_targets: ["prometheus01.cluster.test:9090"],
        },
      },
    );
    expect(run.byType("pulumi:pulumi:StackReference").map((r) => r.inputs.name)).toEqual([
      "acme/atlas/cluster01",
    ]);
    const prometheusYml = pushedFile(run, "prometheus01", "/etc/prometheus/prometheus.yml");
    expect(prometheusYml).toContain("prometheus01.cluster.test:9090");
    expect(prometheusYml).toContain("/federate");
  });

  it("before cluster01 exists, iapetus federates the fallback targets", async () => {
    const { run } = await runProgram("iapetus", {
      "atlas:crossStack": { federationTargetsFallback: ["10.99.0.9:9090"] },
    });
    expect(run.byType("pulumi:pulumi:StackReference")).toEqual([]);
    expect(pushedFile(run, "prometheus01", "/etc/prometheus/prometheus.yml")).toContain(
      "10.99.0.9:9090",
    );
  });
});

describe("cluster01 Mosquitto TLS: one reference to iapetus, the CA's base URL, a pinned root", () => {
  const fingerprint = "3b1c0ffee0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b";
  const tls = { "atlas:mosquitto": { enableTls: true } };
  const iapetusOutputs = {
    loki_push_url: "http://loki01.example.test:3100/loki/api/v1/push",
    step_ca_acme_endpoint: "https://ca.example.test:9000/acme/acme/directory",
    step_ca_url: "https://ca.example.test:9000",
    step_ca_root_fingerprint: fingerprint,
  };

  it("reads Loki and step-ca through a single StackReference (the engine refuses a duplicate URN)", async () => {
    const { run } = await runProgram("cluster01", tls, { iapetus: iapetusOutputs });
    expect(run.byType("pulumi:pulumi:StackReference").map((r) => r.name)).toEqual([
      "iapetusStack-ref",
    ]);
  });

  it("the certificate helper gets the CA's base URL, not the ACME directory", async () => {
    const { run } = await runProgram("cluster01", tls, { iapetus: iapetusOutputs });
    const helper = userData(run, "mosquitto01");
    expect(helper).toContain("ca_url=https://ca.example.test:9000\n");
    expect(helper).not.toContain("acme/directory");
  });

  it("the root is fetched only against the fingerprint iapetus pins; no trust on first use", async () => {
    const { run } = await runProgram("cluster01", tls, { iapetus: iapetusOutputs });
    const helper = userData(run, "mosquitto01");
    expect(helper).toContain(`fingerprint=${fingerprint}\n`);
    expect(helper).toContain('--fingerprint "$fingerprint"');
    expect(helper).not.toContain("--no-check-certificate");
    expect(helper).not.toContain("wget");
  });

  it("without the iapetus reference, the crossStack step-ca fallbacks are used", async () => {
    const { run } = await runProgram("cluster01", {
      ...tls,
      "atlas:crossStack": {
        iapetusStack: "",
        stepCaUrlFallback: "https://10.99.0.5:9000",
        stepCaFingerprintFallback: fingerprint.toUpperCase(),
      },
    });
    expect(run.byType("pulumi:pulumi:StackReference")).toEqual([]);
    const helper = userData(run, "mosquitto01");
    expect(helper).toContain("ca_url=https://10.99.0.5:9000\n");
    expect(helper).toContain(`fingerprint=${fingerprint}\n`);
  });

  it("refuses TLS when no fingerprint is known, saying what to set", async () => {
    await mockStack({
      stack: "cluster01",
      config: {
        ...stackFileConfig("cluster01"),
        ...tls,
        "atlas:crossStack": { iapetusStack: "" },
      },
    });
    let message = "";
    try {
      atlasProgram();
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain("mosquitto.enableTls");
    expect(message).toContain("no step-ca root fingerprint");
    expect(message).toContain(
      "pulumi config set --path stepCa.rootFingerprint <fingerprint> -s iapetus",
    );
    expect(message).toContain("crossStack.stepCaFingerprintFallback");
  });

  it("refuses TLS when iapetus has not pinned a fingerprint and there is no fallback", async () => {
    const failures = await unhandledRejectionsDuring(async () => {
      const { step_ca_root_fingerprint: _unpinned, ...unpinned } = iapetusOutputs;
      const run = await mockStack({
        stack: "cluster01",
        config: { ...stackFileConfig("cluster01"), ...tls },
        stackOutputs: { iapetus: unpinned },
      });
      atlasProgram();
      await run.settle();
      expect(
        run.resources.some((r) => r.name === "mosquitto01" && r.type === "incus:index:Instance"),
      ).toBe(false);
    });
    expect(failures.map((e) => e.message).join("\n")).toMatch(
      /mosquitto\.enableTls is true but no step-ca root fingerprint is known \(stack 'iapetus' does not export step_ca_root_fingerprint/,
    );
  });

  it("rejects a malformed fingerprint setting by key, value and allowed form", async () => {
    await expect(
      runProgram("cluster01", { "atlas:crossStack": { stepCaFingerprintFallback: "ab12cd34" } }),
    ).rejects.toThrow(/crossStack\.stepCaFingerprintFallback.*ab12cd34.*64 hex digits/s);
    await expect(
      runProgram("iapetus", { "atlas:stepCa": { rootFingerprint: "not-a-hash" } }),
    ).rejects.toThrow(/stepCa\.rootFingerprint.*not-a-hash.*64 hex digits/s);
  });
});

describe("outputs", () => {
  it("iapetus exports the reference's outputs; credentials are secrets", async () => {
    const { outputs } = await runProgram(
      "iapetus",
      { "atlas:grafanaAdminPassword": "pw", "atlas:cloudflaredTunnelToken": "tok" },
      undefined,
      ["atlas:grafanaAdminPassword", "atlas:cloudflaredTunnelToken"],
    );
    for (const key of [
      "loki_endpoint",
      "prometheus_endpoint",
      "step_ca_acme_endpoint",
      "step_ca_fingerprint_command",
      "cloudflared_metrics_endpoint",
      "incus_metrics_endpoint",
      "incus_loki_logging_name",
    ]) {
      expect(outputs[key], key).toBeDefined();
    }
    expect(await valueOf(pulumi.output(outputs.loki_endpoint))).toBe("http://loki01.incus:3100");
    expect(await valueOf(pulumi.output(outputs.step_ca_fingerprint_command))).toBe(
      "incus exec step-ca01 -- cat /home/step/fingerprint",
    );
    expect(await isSecret(pulumi.output(outputs.grafana_admin_password))).toBe(true);
    expect(await isSecret(pulumi.output(outputs.prometheus_endpoint))).toBe(false);
  });

  it("iapetus exports step-ca's base URL, and its root fingerprint once pinned (not a secret)", async () => {
    const unpinned = await runProgram("iapetus", {});
    expect(await valueOf(pulumi.output(unpinned.outputs.step_ca_url))).toBe(
      "https://step-ca01.incus:9000",
    );
    expect(unpinned.outputs.step_ca_root_fingerprint).toBeUndefined();
    const pin = "3b1c0ffee0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b";
    const pinned = await runProgram("iapetus", { "atlas:stepCa": { rootFingerprint: pin } });
    const published = pulumi.output(pinned.outputs.step_ca_root_fingerprint);
    expect(await valueOf(published)).toBe(pin);
    expect(await isSecret(published)).toBe(false);
    // Pinning touches no resource: the CA's instance is the same with and without it.
    expect(userData(pinned.run, "step-ca01")).toBe(userData(unpinned.run, "step-ca01"));
  });

  it("cluster01 exports the reference's outputs", async () => {
    const { outputs } = await runProgram("cluster01", {});
    for (const key of [
      "prometheus_endpoint",
      "alertmanager_endpoint",
      "mosquitto_mqtt_endpoint",
      "mosquitto_external_ports",
      "coredns_dns_endpoint",
      "coredns_ipv4_address",
      "node_exporter_endpoints",
      "promtail_endpoint",
      "promtail_loki_target",
      "incus_metrics_endpoint",
    ]) {
      expect(outputs[key], key).toBeDefined();
    }
    expect(outputs.mosquitto_external_ports).toEqual([1883, 8883]);
    expect(await valueOf(pulumi.output(outputs.node_exporter_endpoints))).toHaveLength(3);
    expect(await valueOf(pulumi.output(outputs.prometheus_endpoint))).toBe(
      "http://prometheus01.incus:9090",
    );
  });
});

describe("resource budget", () => {
  it("the README's resource tables are the ones the program computes", async () => {
    const readme = fs.readFileSync(path.join(repoRoot, "README.md"), "utf8");
    const section = readmeBudgetSection(readme);
    expect(
      section,
      "README.md needs a budget section: npm run budget -- --write-readme",
    ).toBeDefined();
    expect(section).toBe(await budgetMarkdown(["iapetus", "cluster01"]));
  });
});
