import * as pulumi from "@pulumi/pulumi";
import { pinnedRelease, type PrometheusSettings } from "../config";
import { renderAlertRules } from "./prometheus/alertRules";
import { alertRulesFile, renderPrometheusConfig } from "./prometheus/config";
import { incusMetricsFiles, type ScrapeTarget } from "./prometheus/scrapeConfigs";
import { cloudInitUserData, type CloudInitFile } from "./shared/cloudInit";
import {
  serviceOutputs,
  type ServiceComponentArgs,
  type ServiceOutputs,
} from "./shared/serviceArgs";
import { buildServiceAnatomy } from "./shared/serviceAnatomy";
import { serviceCloudConfig } from "./shared/serviceCloudConfig";

export type { ScrapeTarget } from "./prometheus/scrapeConfigs";

/** The client certificate Incus trusts as `metrics` (from IncusMetrics), as secrets. */
export interface IncusMetricsScrape {
  /** `<management gateway>:8443`. */
  target: pulumi.Input<string>;
  certificatePem: pulumi.Input<string>;
  privateKeyPem: pulumi.Input<string>;
}

export interface PrometheusArgs extends ServiceComponentArgs {
  prometheus: PrometheusSettings;
  /** `external_labels.environment` (the stack), kept on federated series. */
  environment: string;
  /** The deployed services to scrape (each component's `scrapeTarget`). */
  scrapeTargets: pulumi.Input<ScrapeTarget>[];
  /** Scrape Incus' metrics endpoint over mTLS (when IncusMetrics is enabled). */
  incusMetrics?: IncusMetricsScrape;
  /** Prometheus servers to federate (`host:port`), on the control plane. */
  federationTargets?: pulumi.Input<pulumi.Input<string>[]>;
  /** Alertmanagers (`host:port`) alerts go to. */
  alertmanagers?: pulumi.Input<string>[];
}

export const prometheusPort = 9090;

const paths = {
  config: "/etc/prometheus",
  data: "/prometheus",
} as const;

/** Prometheus (the reference's `prometheus01`): scrapes, evaluates alerts, federates. */
export class Prometheus extends pulumi.ComponentResource implements ServiceOutputs {
  public readonly instanceName: pulumi.Output<string>;
  public readonly ipv4Address: pulumi.Output<string>;
  public readonly endpoint: pulumi.Output<string>;
  /** `prometheus01.incus:9090`, for federation by another environment. */
  public readonly federationTarget: pulumi.Output<string>;
  /** The rendered prometheus.yml. */
  public readonly configYaml: pulumi.Output<string>;

  constructor(name: string, args: PrometheusArgs, opts?: pulumi.ComponentResourceOptions) {
    super("atlas:components:Prometheus", name, {}, opts);
    const instanceName = args.instanceName ?? "prometheus01";
    const { retentionTime, retentionSize, scrapeInterval } = args.prometheus;

    this.configYaml = pulumi
      .all([
        pulumi.all(args.scrapeTargets),
        args.incusMetrics?.target ?? "",
        pulumi.output(args.federationTargets ?? []),
        pulumi.all(args.alertmanagers ?? []),
      ])
      .apply(([targets, incusMetricsTarget, federationTargets, alertmanagers]) =>
        renderPrometheusConfig({
          interval: scrapeInterval,
          targets,
          incusMetricsTarget: incusMetricsTarget || undefined,
          federationTargets,
          alertmanagers,
          environment: args.environment,
        }),
      );

    const certificateFiles = args.incusMetrics
      ? pulumi
          .all([args.incusMetrics.certificatePem, args.incusMetrics.privateKeyPem])
          .apply(([certificate, key]): CloudInitFile[] => [
            {
              path: `${paths.config}/${incusMetricsFiles.certificate}`,
              content: certificate,
              permissions: "0644",
            },
            {
              path: `${paths.config}/${incusMetricsFiles.privateKey}`,
              content: key,
              permissions: "0600",
            },
          ])
      : pulumi.output<CloudInitFile[]>([]);

    const flags = [
      `--config.file=${paths.config}/prometheus.yml`,
      `--storage.tsdb.path=${paths.data}`,
      `--storage.tsdb.retention.time=${retentionTime}`,
      ...(retentionSize ? [`--storage.tsdb.retention.size=${retentionSize}`] : []),
      `--web.listen-address=:${prometheusPort}`,
    ];

    const userData = pulumi.all([this.configYaml, certificateFiles]).apply(([configYaml, certs]) =>
      cloudInitUserData(
        serviceCloudConfig({
          service: {
            name: "prometheus",
            description: "Prometheus metrics and alert rules",
            command: "/usr/local/bin/prometheus",
            args: flags,
            user: "prometheus",
            workingDirectory: paths.data,
            writablePaths: [paths.data],
          },
          release: {
            ...pinnedRelease("prometheus", args.settings),
            binaries: [
              { source: "prometheus", target: "prometheus" },
              { source: "promtool", target: "promtool" },
            ],
          },
          home: paths.data,
          files: [
            { path: `${paths.config}/prometheus.yml`, content: configYaml, permissions: "0644" },
            {
              path: `${paths.config}/${alertRulesFile}`,
              content: renderAlertRules(scrapeInterval),
              permissions: "0644",
            },
            ...certs,
          ],
          ownedPaths: [paths.data, paths.config],
        }),
      ),
    );

    const anatomy = buildServiceAnatomy(this, {
      instanceName,
      profileName: args.profileName ?? "prometheus",
      settings: args.settings,
      storagePool: args.storagePool,
      baseProfiles: args.baseProfiles,
      dataPath: paths.data,
      userData,
      port: prometheusPort,
    });

    ({
      instanceName: this.instanceName,
      ipv4Address: this.ipv4Address,
      endpoint: this.endpoint,
    } = serviceOutputs(anatomy));
    this.federationTarget = pulumi.interpolate`${anatomy.instanceName}.incus:${prometheusPort}`;
    this.registerOutputs({
      instanceName: this.instanceName,
      ipv4Address: this.ipv4Address,
      endpoint: this.endpoint,
      federationTarget: this.federationTarget,
    });
  }
}
