import * as pulumi from "@pulumi/pulumi";
import type { PrometheusSettings } from "../../config";
import {
  serviceOutputs,
  type ServiceComponentArgs,
  type ServiceOutputs,
} from "../shared/serviceArgs";
import { buildServiceAnatomy } from "../shared/serviceAnatomy";
import { serviceAnatomyBasics } from "../shared/serviceArgs";
import { renderPrometheusConfig } from "./config";
import { prometheusConfiguration } from "./configuration";
import { prometheusInstall, prometheusPaths, prometheusPort } from "./install";
import type { ScrapeTarget } from "./scrapeConfigs";

export { prometheusPort } from "./install";
export type { ScrapeTarget } from "./scrapeConfigs";

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
    const { scrapeInterval } = args.prometheus;

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

    const anatomy = buildServiceAnatomy(this, {
      ...serviceAnatomyBasics(args, instanceName, "prometheus"),
      dataPath: prometheusPaths.data,
      install: prometheusInstall(args.settings, args.prometheus),
      configuration: prometheusConfiguration(args.prometheus, this.configYaml, args.incusMetrics),
      port: prometheusPort,
      devices: args.devices,
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
