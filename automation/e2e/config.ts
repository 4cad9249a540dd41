/**
 * Stack configuration of the end-to-end stacks: the real topologies, shrunk to what a
 * test daemon offers (local busybox image, the `default` dir pool, small disks, no NAT)
 * and with every feature that needs a plugin this machine lacks (tls, random) switched
 * off or fed from config.
 */
import type { ConfigMap } from "@pulumi/pulumi/automation";
import {
  serviceKeys,
  type AlertmanagerSettings,
  type LokiSettings,
  type PrometheusSettings,
  type ReleaseSha256,
  type ServiceKey,
  type TopologyName,
} from "../../config";

/** A release other than the pinned default, to exercise install changes (replacements). */
export interface E2eRelease {
  version: string;
  /** Required for a version Atlas pins no hash for (any 64 hex digits on a test daemon). */
  releaseSha256?: ReleaseSha256;
}

/** Day-2 settings: configuration a user changes after the first `up`. */
export interface E2eDayTwoSettings {
  prometheus?: Partial<PrometheusSettings>;
  loki?: Partial<LokiSettings>;
  /** The non-secret receiver settings (what lands in alertmanager.yml). */
  alertmanager?: Partial<
    Pick<AlertmanagerSettings, "webhookUrl" | "emailTo" | "emailFrom" | "smtpSmarthost">
  >;
  /** `atlas:mosquittoPasswords` (set as a secret). */
  mosquittoPasswords?: Record<string, string>;
  /** `atlas:services.<service>.version` (and its hash). */
  releases?: Partial<Record<ServiceKey, E2eRelease>>;
}

export interface E2eStackSpec {
  topology: TopologyName;
  /** Pulumi stack name, also the Incus project suffix. */
  stackName: string;
  /** Incus project holding this stack's profiles, volumes and instances. */
  incusProject: string;
  /** Bridge names (at most 15 characters: they become Linux interface names). */
  networks: { production: string; management: string };
  /** Host port of Mosquitto's MQTT proxy (MQTTS is the next one). */
  mqttPort: number;
  /**
   * `proxyListenAddress`: a loopback address of the run's own (all of 127.0.0.0/8 is
   * loopback), so the proxy devices a stack adds for peers on other hosts (Loki 3100,
   * step-ca 9000, Prometheus 9090) never meet another run's.
   */
  proxyListenAddress?: string;
  /** First two octets of the run's subnets (distinct per concurrent run), e.g. `10.210`. */
  ipv4Prefix: string;
  /** Third octet base: production <prefix>.<n>.0/24, management <prefix>.<n+1>.0/24. */
  subnetBase: number;
  /** The daemon's server name, the one member of the e2e "cluster". */
  serverName: string;
  /**
   * `atlas:clusterNodes` of a cluster01 stack on the standalone daemon (unpinned, so the
   * names are not checked): one node exporter each. Default: the server name alone. The
   * scale benchmark lists many (scripts/bench/scaleStack.ts).
   */
  clusterNodes?: string[];
  /** Stack whose outputs this stack reads (cluster01 reads iapetus' Loki URL). */
  peerStack?: string;
  /** Per-service memory overrides, to exercise in-place updates. */
  memory?: Partial<Record<(typeof serviceKeys)[number], string>>;
  /**
   * IncusLoki on iapetus (default false). It sets server-wide keys pointing incusd at
   * loki01.incus, which the test daemon cannot reach: incusd then queues its events, and
   * a later server config change (any run's, on the shared daemon) blocks for minutes
   * while that queue drains. The Server resource's set/unset is covered by the provider
   * tests; switch this on only on a daemon of your own.
   */
  incusLoki?: boolean;
  /** Image for every service (a bad alias exercises failed creates). */
  image?: string;
  /** Day-2 settings (tests/e2e/dayTwo.test.ts); unset ones keep Atlas' defaults. */
  dayTwo?: E2eDayTwoSettings;
  /**
   * An Incus remote (HTTPS) to deploy through instead of the local daemon: the lab's
   * (scripts/incus-lab.sh). cluster01 on a remote pins to the members its cluster reports.
   */
  remote?: string;
  /** The OVN backend instead of bridges (tests/e2e/ovn*.test.ts, scripts/incus-ovn.sh). */
  ovn?: E2eOvnSettings;
}

/** `atlas:ovn` of an OVN e2e stack; its subnets must lie in the uplink's ipv4.routes. */
export interface E2eOvnSettings {
  uplinkNetwork: string;
  northboundConnection: string;
  /** Host address OVN central's proxy devices listen on. */
  centralListenAddress: string;
  skipOvnConfig?: boolean;
  mosquittoLbAddress?: string;
  corednsLbAddress: string;
}

/** Image built by scripts/incus-test-daemon.sh. */
export const e2eImage = "atlas-test";
/** Sizes are stored by dir pools but not enforced: small values keep the intent visible. */
export const e2eDiskSize = "100MB";
export const e2eGrafanaPassword = "e2e-grafana-admin";

export function e2eSpec(
  topology: TopologyName,
  runId: string,
  serverName: string,
  overrides: Partial<E2eStackSpec> = {},
): E2eStackSpec {
  const short = topology === "iapetus" ? "i" : "c";
  return {
    topology,
    stackName: `e2e-${topology}`,
    incusProject: `atlas-e2e-${runId}-${short}`,
    networks: { production: `e2e${runId}${short}p`, management: `e2e${runId}${short}m` },
    ipv4Prefix: "10.210",
    mqttPort: 21000 + (parseInt(runId, 16) % 1000) * 2,
    proxyListenAddress: `127.${(parseInt(runId, 16) % 250) + 1}.${topology === "iapetus" ? 1 : 2}.1`,
    subnetBase: topology === "iapetus" ? 1 : 11,
    serverName,
    ...overrides,
  };
}

/** The stack config map handed to `stack.setAllConfig`. */
export function e2eStackConfig(spec: E2eStackSpec): ConfigMap {
  const services: Record<string, unknown> = {};
  for (const key of serviceKeys) {
    services[key] = {
      image: spec.image ?? e2eImage,
      rootDiskSize: e2eDiskSize,
      dataVolumeSize: e2eDiskSize,
      // Snapshots on everywhere, so the volumes' snapshot settings are checked on the host.
      snapshots: { enabled: true },
      ...(spec.memory?.[key] ? { memory: spec.memory[key] } : {}),
      ...(spec.dayTwo?.releases?.[key] ?? {}),
    };
  }
  const net = (name: string, octet: number): Record<string, unknown> => ({
    name,
    ipv4Address: `${spec.ipv4Prefix}.${octet}.1/24`,
    ipv4Nat: false,
    ipv6Address: "",
  });
  const isCluster = spec.topology === "cluster01";
  const plain: Record<string, unknown> = {
    "atlas:topology": spec.topology,
    "incus:project": spec.incusProject,
    ...(spec.remote ? { "incus:remote": spec.remote } : {}),
    "atlas:storagePool": "default",
    "atlas:services": services,
    "atlas:productionNetwork": net(spec.networks.production, spec.subnetBase),
    "atlas:managementNetwork": net(spec.networks.management, spec.subnetBase + 1),
    "atlas:gitopsNetwork": { enabled: false },
    "atlas:atlantis": { enabled: false },
    // Needs the tls plugin, which is not installed here.
    "atlas:incusMetrics": { enabled: false },
    // Incus 6.0 LTS (the test daemon) knows the older `loki.*` server keys, not `logging.*`.
    "atlas:incusLoki": { enabled: !isCluster && (spec.incusLoki ?? false), serverKeys: "loki" },
    "atlas:networkBackend": spec.ovn ? "ovn" : "bridge",
    ...(spec.ovn ? { "atlas:ovn": spec.ovn } : {}),
    // The daemon's bridges run Incus' dnsmasq on port 53 of their gateway addresses, so
    // CoreDNS' proxy devices cannot take the wildcard address here.
    "atlas:proxyListenAddress": spec.proxyListenAddress ?? "127.0.0.1",
    "atlas:crossStack": {
      iapetusStack: isCluster ? (spec.peerStack ?? "") : "",
      cluster01Stack: "",
    },
    // A standalone daemon rejects every `?target=` (even its own name): one node, unpinned.
    // Proxy devices listen on the host: ports of the run's own, away from 1883/8883 that a
    // mosquitto validator or another run may hold. (CoreDNS keeps 53: one cluster01 e2e
    // run per daemon at a time.)
    // With OVN there are no proxy devices: the VIP serves Atlas' own ports (1883, 8883).
    ...(spec.ovn
      ? {}
      : { "atlas:mosquitto": { mqttPort: spec.mqttPort, mqttsPort: spec.mqttPort + 1 } }),
    ...(spec.dayTwo?.prometheus ? { "atlas:prometheus": spec.dayTwo.prometheus } : {}),
    ...(spec.dayTwo?.loki ? { "atlas:loki": spec.dayTwo.loki } : {}),
    ...(spec.dayTwo?.alertmanager ? { "atlas:alertmanager": spec.dayTwo.alertmanager } : {}),
    ...(isCluster && !spec.remote
      ? {
          "atlas:clusterNodes": spec.clusterNodes ?? [spec.serverName],
          "atlas:pinToClusterNodes": false,
        }
      : {}),
  };
  const config: ConfigMap = {};
  for (const [key, value] of Object.entries(plain)) {
    config[key] = { value: typeof value === "string" ? value : JSON.stringify(value) };
  }
  // A configured password keeps the random plugin out of the run.
  config["atlas:grafanaAdminPassword"] = { value: e2eGrafanaPassword, secret: true };
  if (spec.dayTwo?.mosquittoPasswords) {
    config["atlas:mosquittoPasswords"] = {
      value: JSON.stringify(spec.dayTwo.mosquittoPasswords),
      secret: true,
    };
  }
  return config;
}
