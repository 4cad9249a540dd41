import * as pulumi from "@pulumi/pulumi";
import {
  Coredns,
  externalAccessFor,
  Grafana,
  Loki,
  NodeExporter,
  Prometheus,
  StepCa,
  atlantisIfEnabled,
  cloudflaredIfConfigured,
  incusLokiIfEnabled,
  incusMetricsIfEnabled,
  type ScrapeTarget,
} from "../components";
import { corednsPorts } from "../components/coredns/corefile";
import { grafanaPort } from "../components/grafana";
import { lokiPorts } from "../components/loki/config";
import { stepCaPort } from "../components/stepCa/install";
import { serviceScrapeTarget } from "../components/prometheus/serviceTarget";
import { connectionEndpoint, platformConnection } from "./connectionEndpoint";
import { peerStack } from "./crossStack";
import { stackFoundation } from "./foundation";
import { incusMetricsScrape, scrapeTargetFromUrl } from "./scrapeTargets";
import type { Topology } from "./types";

/**
 * The control plane: Grafana, Prometheus (federating cluster01), Loki, step-ca,
 * node-exporter, Cloudflared (with a token), Atlantis (when enabled), the Incus metrics
 * certificate and Incus -> Loki logging, on the local Incus daemon by default.
 */
export const iapetus: Topology = (config) => {
  const {
    opts,
    base,
    storagePool,
    managementProfiles: management,
    productionProfiles,
  } = stackFoundation(config);
  const { services } = config;

  // Consumers on other hosts (cluster01's Mosquitto and Promtail) and this host's Incus
  // daemon reach step-ca and Loki on this host's LAN side, not by `.incus` names.
  const stepCaForPeers = connectionEndpoint(
    config,
    platformConnection("mosquitto01@cluster01", "step-ca01@iapetus", stepCaPort),
  );
  const lokiForPeers = connectionEndpoint(
    config,
    platformConnection("promtail01@cluster01", "loki01@iapetus", lokiPorts.http),
  );
  const lokiForIncus = connectionEndpoint(
    config,
    platformConnection("incus@iapetus", "loki01@iapetus", lokiPorts.http),
  );
  const stepCa = new StepCa(
    "step-ca01",
    {
      settings: services.stepCa,
      storagePool,
      baseProfiles: management,
      // Peers check the CA's TLS certificate against the host of `step_ca_url`: it must be
      // one of the certificate's names (a LAN address becomes an IP SAN).
      stepCa: {
        ...config.stepCa,
        dnsNames: [...new Set([...config.stepCa.dnsNames, stepCaForPeers.host])],
      },
      devices: stepCaForPeers.devices,
    },
    opts,
  );
  const loki = new Loki(
    "loki01",
    {
      settings: services.loki,
      storagePool,
      baseProfiles: management,
      loki: config.loki,
      devices: lokiForPeers.devices,
    },
    opts,
  );
  const nodeExporter = new NodeExporter(
    "node-exporter01",
    { settings: services.nodeExporter, storagePool, baseProfiles: management },
    opts,
  );
  const cloudflared = cloudflaredIfConfigured(
    "cloudflared01",
    {
      settings: services.cloudflared,
      cloudflared: config.cloudflared,
      storagePool,
      baseProfiles: management,
    },
    opts,
  );
  const atlantis =
    base.gitopsNetworkProfile &&
    atlantisIfEnabled(
      "atlantis01",
      {
        settings: services.atlantis,
        atlantis: config.atlantis,
        storagePool,
        baseProfiles: [base.containerBaseProfile, base.gitopsNetworkProfile],
      },
      opts,
    );
  const incusMetrics = incusMetricsIfEnabled(
    "incus-metrics",
    config.incusMetrics,
    base.managementGateway,
    opts,
  );

  // Grafana is built after Prometheus (its datasource is Prometheus' endpoint), so its
  // scrape target comes from the instance name the topology gives it.
  const grafanaName = "grafana01";
  const scrapeTargets: pulumi.Input<ScrapeTarget>[] = [
    loki.scrapeTarget,
    nodeExporter.target.apply((target) => ({ job: "node", targets: [target] })),
    serviceScrapeTarget("grafana", pulumi.output(grafanaName), grafanaPort),
  ];
  if (cloudflared) {
    scrapeTargets.push(scrapeTargetFromUrl("cloudflared", cloudflared.metricsEndpoint));
  }
  // With OVN, CoreDNS runs here too; it is built last (its zone lists every address).
  const corednsName = "coredns01";
  const corednsMetrics = connectionEndpoint(
    config,
    platformConnection("prometheus01@iapetus", `${corednsName}@iapetus`, corednsPorts.metrics),
  );
  if (config.networkBackend === "ovn") {
    scrapeTargets.push({
      job: "coredns",
      targets: [`${corednsMetrics.host}:${corednsPorts.metrics}`],
    });
  }
  const federationTargets = peerStack(undefined, config.crossStack, "cluster01Stack").output(
    "prometheus_federation_targets",
    "federationTargetsFallback",
  );
  const prometheus = new Prometheus(
    "prometheus01",
    {
      settings: services.prometheus,
      storagePool,
      baseProfiles: management,
      prometheus: config.prometheus,
      environment: config.stack,
      scrapeTargets,
      incusMetrics: incusMetricsScrape(incusMetrics, base.managementGateway),
      federationTargets,
    },
    opts,
  );
  const grafana = new Grafana(
    grafanaName,
    {
      instanceName: grafanaName,
      settings: services.grafana,
      storagePool,
      baseProfiles: management,
      grafana: config.grafana,
      datasources: { prometheus: prometheus.endpoint, loki: loki.endpoint },
    },
    opts,
  );
  const incusLoki = incusLokiIfEnabled(
    "incus-loki",
    config.incusLoki,
    `http://${lokiForIncus.host}:${lokiPorts.http}`,
    opts,
  );
  // With OVN the control plane answers DNS on its own LAN VIP too (the reference's
  // 192.168.68.12); in bridge/physical mode DNS is cluster01's job.
  const coredns =
    config.networkBackend === "ovn"
      ? new Coredns(
          corednsName,
          {
            instanceName: corednsName,
            settings: services.coredns,
            coredns: config.coredns,
            storagePool,
            baseProfiles: productionProfiles,
            access: externalAccessFor(
              config,
              base.productionNetworkName,
              config.ovn.loadBalancerAddresses.coredns,
            ),
            devices: corednsMetrics.devices,
            metricsOnLoadBalancer: true,
            records: [
              { name: "grafana01", address: grafana.ipv4Address },
              { name: "prometheus01", address: prometheus.ipv4Address },
              { name: "loki01", address: loki.ipv4Address },
              { name: "step-ca01", address: stepCa.ipv4Address },
              { name: "node-exporter01", address: nodeExporter.ipv4Address },
            ],
          },
          opts,
        )
      : undefined;

  // Output names follow the reference's `tofu output` for iapetus.
  return {
    loki_endpoint: loki.endpoint,
    // What cluster01's Promtail pushes to, reachable from its host (not the `.incus` name).
    loki_push_url: `http://${lokiForPeers.host}:${lokiPorts.http}/loki/api/v1/push`,
    prometheus_endpoint: prometheus.endpoint,
    grafana_endpoint: grafana.endpoint,
    grafana_admin_password: grafana.adminPassword,
    step_ca_acme_endpoint: stepCa.acmeEndpoint,
    step_ca_fingerprint_command: stepCa.fingerprintCommand,
    // What clients need to trust the CA: its base URL (the ACME directory is below it)
    // and the pinned root fingerprint (absent until stepCa.rootFingerprint is set).
    step_ca_url: `https://${stepCaForPeers.host}:${stepCaPort}`,
    step_ca_root_fingerprint: stepCa.rootFingerprint,
    cloudflared_metrics_endpoint: cloudflared?.metricsEndpoint,
    atlantis_webhook_url: atlantis ? atlantis.webhookUrl : undefined,
    incus_metrics_endpoint: incusMetrics?.metricsEndpoint,
    incus_loki_logging_name: incusLoki?.loggingName,
    coredns_dns_endpoint: coredns?.dnsEndpoint,
  };
};
