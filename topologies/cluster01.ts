import * as pulumi from "@pulumi/pulumi";
import {
  Alertmanager,
  Coredns,
  Mosquitto,
  OvnCentral,
  Prometheus,
  Promtail,
  externalAccessFor,
  incusMetricsIfEnabled,
  nodeExportersPerNode,
  type ScrapeTarget,
} from "../components";
import { corednsPorts } from "../components/coredns/corefile";
import { nodeExporterPort } from "../components/nodeExporter";
import { prometheusPort } from "../components/prometheus/install";
import { connectionEndpoint, networkModeOf, platformConnection } from "./connectionEndpoint";
import { clusterNodeExporters, partyName } from "./connections";
import { lanHost } from "./lanEndpoints";
import { warnIfMembersCannotReply } from "./memberNat";
import { peerStack } from "./crossStack";
import { stackFoundation } from "./foundation";
import { incusMetricsScrape } from "./scrapeTargets";
import { stepCaFromPeer } from "./stepCaTrust";
import type { Topology } from "./types";

/**
 * The production cluster: Prometheus (federated by iapetus), Alertmanager, one
 * node-exporter pinned to each member, Promtail shipping to iapetus' Loki, Mosquitto and
 * CoreDNS on the production network, OVN central when the OVN backend is chosen, and the
 * Incus metrics certificate; deployed through the cluster's Incus remote.
 */
export const cluster01: Topology = (config) => {
  // The server's OVN setting (in the foundation) waits for OVN central, which is built
  // on the foundation's container-base profile just below.
  let ovnCentralBuilt: (central: pulumi.Resource[]) => void = () => undefined;
  const ovnCentralReady = new Promise<pulumi.Resource[]>((resolve) => {
    ovnCentralBuilt = resolve;
  });
  const {
    opts,
    base,
    storagePool,
    managementProfiles: management,
    productionProfiles: production,
  } = stackFoundation(config, ovnCentralReady);
  const { services } = config;
  const pinnedNodes = config.pinToClusterNodes ? config.clusterNodes : [];
  // Every service but the node exporters lives on the first member, with its volume: a
  // member-local pool holds a volume on one member only, and the proxy devices that expose
  // services on the LAN then listen on one known host.
  const serviceMember = pinnedNodes[0];

  // OVN central serves the overlay the other networks run on, from the cluster's own
  // bridge; it is the first member's job, as in the reference's single container.
  const ovnCentral =
    config.networkBackend === "ovn"
      ? new OvnCentral(
          "ovn-central01",
          {
            settings: services.ovnCentral,
            ovn: config.ovn,
            storagePool,
            baseProfiles: [base.containerBaseProfile],
            targetNode: serviceMember,
          },
          opts,
        )
      : undefined;
  ovnCentralBuilt(ovnCentral ? [ovnCentral] : []);

  const alertmanager = new Alertmanager(
    "alertmanager01",
    {
      settings: services.alertmanager,
      storagePool,
      targetNode: serviceMember,
      baseProfiles: management,
      alertmanager: config.alertmanager,
    },
    opts,
  );
  // Prometheus lives on the first member; each exporter on another member is scraped at
  // that member's LAN address (a bridge, its DNS and its NAT are member-local).
  const exporterEndpoints = clusterNodeExporters(config.clusterNodes.length).map((exporter) =>
    connectionEndpoint(
      config,
      platformConnection(
        "prometheus01@cluster01",
        partyName(exporter),
        nodeExporterPort,
        config.clusterNodes.length,
      ),
    ),
  );
  const nodeExporters = nodeExportersPerNode(
    config.clusterNodes,
    { settings: services.nodeExporter, storagePool, baseProfiles: management },
    opts,
    config.pinToClusterNodes,
    (index) => exporterEndpoints[index].devices,
  );
  warnIfMembersCannotReply(config);
  if (!config.pinToClusterNodes) {
    pulumi.log.warn(
      "atlas: pinToClusterNodes is false: node exporters are not pinned to cluster members (standalone test servers only)",
    );
  }
  // One reference to iapetus for every output read from it (Loki, step-ca).
  const iapetusStack = peerStack(undefined, config.crossStack, "iapetusStack");
  const lokiPushUrl = iapetusStack.output("loki_push_url", "lokiPushUrlFallback");
  const promtail = new Promtail(
    "promtail01",
    {
      settings: services.promtail,
      storagePool,
      targetNode: serviceMember,
      baseProfiles: management,
      lokiPushUrl,
      environment: config.stack,
    },
    opts,
  );
  const mosquitto = new Mosquitto(
    "mosquitto01",
    {
      settings: services.mosquitto,
      mosquitto: config.mosquitto,
      storagePool,
      targetNode: serviceMember,
      baseProfiles: production,
      access: externalAccessFor(
        config,
        base.productionNetworkName,
        config.ovn.loadBalancerAddresses.mosquitto,
      ),
      stepCa: config.mosquitto.enableTls
        ? stepCaFromPeer(iapetusStack, config.crossStack.stepCaFingerprintFallback)
        : undefined,
    },
    opts,
  );
  const incusMetrics = incusMetricsIfEnabled(
    "incus-metrics",
    config.incusMetrics,
    base.managementGateway,
    opts,
  );
  // CoreDNS is built after Prometheus (its zone lists Prometheus' address), and sits on
  // the production network, where Prometheus' `.incus` names do not reach: it is scraped
  // on an address known from the settings (the management gateway's proxy device, or its
  // VIP with OVN).
  const corednsName = "coredns01";
  const corednsMetrics = connectionEndpoint(
    config,
    platformConnection(
      "prometheus01@cluster01",
      `${corednsName}@cluster01`,
      corednsPorts.metrics,
      config.clusterNodes.length,
    ),
  );
  // iapetus federates this Prometheus from another host: an endpoint on this host's LAN side.
  const federation = connectionEndpoint(
    config,
    platformConnection("prometheus01@iapetus", "prometheus01@cluster01", prometheusPort),
  );
  const scrapeTargets: pulumi.Input<ScrapeTarget>[] = [
    alertmanager.scrapeTarget,
    promtail.scrapeTarget,
    { job: "node", targets: exporterEndpoints.map((e) => `${e.host}:${nodeExporterPort}`) },
    { job: "coredns", targets: [`${corednsMetrics.host}:${corednsPorts.metrics}`] },
  ];
  const prometheus = new Prometheus(
    "prometheus01",
    {
      settings: services.prometheus,
      storagePool,
      targetNode: serviceMember,
      baseProfiles: management,
      prometheus: config.prometheus,
      environment: config.stack,
      scrapeTargets,
      incusMetrics: incusMetricsScrape(incusMetrics, base.managementGateway),
      alertmanagers: [alertmanager.target],
      devices: federation.devices,
    },
    opts,
  );
  const coredns = new Coredns(
    corednsName,
    {
      instanceName: corednsName,
      settings: services.coredns,
      coredns: config.coredns,
      storagePool,
      targetNode: serviceMember,
      baseProfiles: production,
      access: externalAccessFor(
        config,
        base.productionNetworkName,
        config.ovn.loadBalancerAddresses.coredns,
      ),
      devices: corednsMetrics.devices,
      metricsOnLoadBalancer: networkModeOf(config) === "ovn",
      records: [
        { name: "prometheus01", address: prometheus.ipv4Address },
        { name: "alertmanager01", address: alertmanager.ipv4Address },
        { name: "promtail01", address: promtail.ipv4Address },
        { name: "mosquitto01", address: mosquitto.ipv4Address },
        { name: "mqtt", address: mosquitto.ipv4Address },
        ...nodeExporters.map((e, i) => ({
          name: `node-exporter${String(i + 1).padStart(2, "0")}`,
          address: e.ipv4Address,
        })),
      ],
    },
    opts,
  );

  // What LAN clients are told: the address that answers on the LAN in this network mode.
  const lanClients = (service: string, port: number, address: pulumi.Output<string>) =>
    lanHost(
      config,
      platformConnection("LAN", `${service}@cluster01`, port, config.clusterNodes.length),
      address,
    );
  const mqttLan = lanClients("mosquitto01", 1883, mosquitto.ipv4Address);
  const dnsLan = lanClients(corednsName, corednsPorts.dns, coredns.ipv4Address);
  const { mqttPort, mqttsPort, enableTls } = config.mosquitto;

  // Output names follow the reference's `tofu output` for cluster01; the `*_lan_endpoint`
  // ones are Atlas' own, for clients on the LAN.
  return {
    mosquitto_mqtt_lan_endpoint: mqttLan && pulumi.interpolate`mqtt://${mqttLan}:${mqttPort}`,
    mosquitto_mqtts_lan_endpoint:
      mqttLan && enableTls ? pulumi.interpolate`mqtts://${mqttLan}:${mqttsPort}` : undefined,
    coredns_dns_lan_endpoint: dnsLan && pulumi.interpolate`${dnsLan}:${corednsPorts.dns}`,
    prometheus_endpoint: prometheus.endpoint,
    // What iapetus' Prometheus federates, reachable from its host (not the `.incus` name).
    prometheus_federation_targets: [`${federation.host}:${prometheusPort}`],
    alertmanager_endpoint: alertmanager.endpoint,
    mosquitto_mqtt_endpoint: mosquitto.mqttEndpoint,
    mosquitto_external_ports: mosquitto.externalPorts,
    coredns_dns_endpoint: coredns.dnsEndpoint,
    coredns_ipv4_address: coredns.ipv4Address,
    node_exporter_endpoints: nodeExporters.map((e) => e.endpoint),
    promtail_endpoint: promtail.endpoint,
    promtail_loki_target: promtail.lokiTarget,
    incus_metrics_endpoint: incusMetrics?.metricsEndpoint,
    ovn_northbound_connection: ovnCentral?.northboundConnection,
  };
};
