import { alertmanagerPort } from "../components/alertmanager/config";
import { cloudflaredMetricsPort } from "../components/cloudflared/install";
import { corednsPorts } from "../components/coredns/corefile";
import { grafanaPort } from "../components/grafana/install";
import { lokiPorts } from "../components/loki/config";
import { nodeExporterPort } from "../components/nodeExporter/install";
import { prometheusPort } from "../components/prometheus/install";
import { promtailPort } from "../components/promtail/config";
import { stepCaPort } from "../components/stepCa/install";

/**
 * Who talks to whom on the Atlas platform: every connection one party opens to a service,
 * with the port and transport. The address each connection uses in each network mode
 * follows from where the two parties sit (./connectionRoute.ts); the unit tests hold the
 * rendered configuration of both stacks to this list, so a new connection is added here
 * first and cannot silently use a name that does not resolve where it is used.
 */

/** The Incus host a party runs on. */
export type Host = "iapetus" | "cluster01";

/** The Atlas network an instance is attached to (`networks.<role>`). */
export type NetworkRole = "management" | "production" | "gitops";

/** Where one end of a connection sits. */
export type Party =
  /**
   * An Atlas instance on a host's network. `member`: on a cluster, the index in
   * `clusterNodes` of the member it runs on; absent, the first member, where every
   * cluster01 service but the node exporters lives (iapetus is one host: always absent).
   */
  | { kind: "instance"; name: string; host: Host; network: NetworkRole; member?: number }
  /** The Incus daemon of a host (its logging to Loki). */
  | { kind: "incusDaemon"; host: Host }
  /** Operators and devices on the LAN, outside every Incus host. */
  | { kind: "lan" };

/** A service end: always an Atlas instance. */
export type ServiceParty = Extract<Party, { kind: "instance" }>;

export interface Connection {
  consumer: Party;
  service: ServiceParty;
  port: number;
  protocol: "tcp" | "udp";
  /** What the connection carries, in the platform's words. */
  purpose: string;
  /** The setting that switches the connection on, when it is optional. */
  onlyWith?: string;
  /**
   * Where the consumer is told the address, when Atlas does not render it (the tunnel's
   * ingress lives in Cloudflare, reached with the tunnel token).
   */
  addressSetIn?: string;
}

function instance(name: string, host: Host, network: NetworkRole, member?: number): ServiceParty {
  return { kind: "instance", name, host, network, ...(member ? { member } : {}) };
}

const iapetus = {
  prometheus: instance("prometheus01", "iapetus", "management"),
  grafana: instance("grafana01", "iapetus", "management"),
  loki: instance("loki01", "iapetus", "management"),
  stepCa: instance("step-ca01", "iapetus", "management"),
  nodeExporter: instance("node-exporter01", "iapetus", "management"),
  cloudflared: instance("cloudflared01", "iapetus", "management"),
} as const;

const cluster01 = {
  prometheus: instance("prometheus01", "cluster01", "management"),
  alertmanager: instance("alertmanager01", "cluster01", "management"),
  promtail: instance("promtail01", "cluster01", "management"),
  mosquitto: instance("mosquitto01", "cluster01", "production"),
  coredns: instance("coredns01", "cluster01", "production"),
} as const;

/**
 * cluster01's node exporters, one per member (`clusterNodes`, three by default): the i-th
 * on the i-th member, so all but the first sit on another member than Prometheus.
 */
export function clusterNodeExporters(count = 3): ServiceParty[] {
  return Array.from({ length: count }, (_, i) =>
    instance(`node-exporter${String(i + 1).padStart(2, "0")}`, "cluster01", "management", i),
  );
}

const lan: Party = { kind: "lan" };

/** Every connection of the platform (bridge and physical modes; OVN adds iapetus' CoreDNS). */
export function platformConnections(nodeExporterCount = 3): Connection[] {
  const scrape = (consumer: ServiceParty, service: ServiceParty, port: number): Connection => ({
    consumer,
    service,
    port,
    protocol: "tcp",
    purpose: "metrics scrape",
  });
  return [
    // iapetus: the control plane's own monitoring
    scrape(iapetus.prometheus, iapetus.loki, lokiPorts.http),
    scrape(iapetus.prometheus, iapetus.nodeExporter, nodeExporterPort),
    scrape(iapetus.prometheus, iapetus.grafana, grafanaPort),
    {
      // With OVN the control plane runs a CoreDNS of its own on its production network.
      ...scrape(
        iapetus.prometheus,
        instance("coredns01", "iapetus", "production"),
        corednsPorts.metrics,
      ),
      onlyWith: "networkBackend: ovn",
    },
    {
      ...scrape(iapetus.prometheus, iapetus.cloudflared, cloudflaredMetricsPort),
      onlyWith: "cloudflaredTunnelToken",
    },
    {
      consumer: iapetus.grafana,
      service: iapetus.prometheus,
      port: prometheusPort,
      protocol: "tcp",
      purpose: "datasource",
    },
    {
      consumer: iapetus.grafana,
      service: iapetus.loki,
      port: lokiPorts.http,
      protocol: "tcp",
      purpose: "datasource",
    },
    {
      consumer: iapetus.cloudflared,
      service: iapetus.grafana,
      port: grafanaPort,
      protocol: "tcp",
      purpose: "Grafana through the tunnel",
      onlyWith: "cloudflaredTunnelToken",
      addressSetIn: "the tunnel's public hostname (Cloudflare Zero Trust dashboard)",
    },
    {
      consumer: { kind: "incusDaemon", host: "iapetus" },
      service: iapetus.loki,
      port: lokiPorts.http,
      protocol: "tcp",
      purpose: "Incus logs",
      onlyWith: "incusLoki.enabled",
    },
    // iapetus <- cluster01 and back
    {
      consumer: iapetus.prometheus,
      service: cluster01.prometheus,
      port: prometheusPort,
      protocol: "tcp",
      purpose: "federation",
    },
    {
      consumer: cluster01.promtail,
      service: iapetus.loki,
      port: lokiPorts.http,
      protocol: "tcp",
      purpose: "log push",
    },
    {
      consumer: cluster01.mosquitto,
      service: iapetus.stepCa,
      port: stepCaPort,
      protocol: "tcp",
      purpose: "certificate (TLS)",
      onlyWith: "mosquitto.enableTls",
    },
    // cluster01: the workloads' monitoring
    scrape(cluster01.prometheus, cluster01.alertmanager, alertmanagerPort),
    scrape(cluster01.prometheus, cluster01.promtail, promtailPort),
    ...clusterNodeExporters(nodeExporterCount).map((exporter) =>
      scrape(cluster01.prometheus, exporter, nodeExporterPort),
    ),
    scrape(cluster01.prometheus, cluster01.coredns, corednsPorts.metrics),
    {
      consumer: cluster01.prometheus,
      service: cluster01.alertmanager,
      port: alertmanagerPort,
      protocol: "tcp",
      purpose: "alerts",
    },
    // the LAN's way in
    { consumer: lan, service: cluster01.mosquitto, port: 1883, protocol: "tcp", purpose: "MQTT" },
    {
      consumer: lan,
      service: cluster01.mosquitto,
      port: 8883,
      protocol: "tcp",
      purpose: "MQTT over TLS",
      onlyWith: "mosquitto.enableTls",
    },
    {
      consumer: lan,
      service: cluster01.coredns,
      port: corednsPorts.dns,
      protocol: "udp",
      purpose: "DNS",
    },
    {
      consumer: lan,
      service: cluster01.coredns,
      port: corednsPorts.dns,
      protocol: "tcp",
      purpose: "DNS",
    },
  ];
}

/** `prometheus01@cluster01`, `LAN`, `incus@iapetus`: a party as messages name it. */
export function partyName(party: Party): string {
  switch (party.kind) {
    case "instance":
      return `${party.name}@${party.host}`;
    case "incusDaemon":
      return `incus@${party.host}`;
    case "lan":
      return "LAN";
  }
}
