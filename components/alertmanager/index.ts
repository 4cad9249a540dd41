import * as pulumi from "@pulumi/pulumi";
import type { AlertmanagerSettings } from "../../config";
import type { ScrapeTarget } from "../prometheus/scrapeConfigs";
import { serviceScrapeTarget } from "../prometheus/serviceTarget";
import {
  serviceOutputs,
  type ServiceComponentArgs,
  type ServiceOutputs,
} from "../shared/serviceArgs";
import { buildServiceAnatomy } from "../shared/serviceAnatomy";
import { serviceAnatomyBasics } from "../shared/serviceArgs";
import { alertmanagerPort } from "./config";
import { alertmanagerConfiguration } from "./configuration";
import { alertmanagerInstall, alertmanagerPaths } from "./install";

export interface AlertmanagerArgs extends ServiceComponentArgs {
  alertmanager: AlertmanagerSettings;
}

/** Alertmanager (the reference's `alertmanager01`): routes Prometheus' alerts. */
export class Alertmanager extends pulumi.ComponentResource implements ServiceOutputs {
  public readonly instanceName: pulumi.Output<string>;
  public readonly ipv4Address: pulumi.Output<string>;
  public readonly endpoint: pulumi.Output<string>;
  /** `alertmanager01.incus:9093`, for Prometheus' `alerting.alertmanagers`. */
  public readonly target: pulumi.Output<string>;
  public readonly scrapeTarget: pulumi.Output<ScrapeTarget>;

  constructor(name: string, args: AlertmanagerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("atlas:components:Alertmanager", name, {}, opts);
    const anatomy = buildServiceAnatomy(this, {
      ...serviceAnatomyBasics(args, "alertmanager01", "alertmanager"),
      dataPath: alertmanagerPaths.data,
      install: alertmanagerInstall(args.settings),
      configuration: alertmanagerConfiguration(args.alertmanager),
      port: alertmanagerPort,
    });
    ({
      instanceName: this.instanceName,
      ipv4Address: this.ipv4Address,
      endpoint: this.endpoint,
    } = serviceOutputs(anatomy));
    this.target = pulumi.interpolate`${this.instanceName}.incus:${alertmanagerPort}`;
    this.scrapeTarget = serviceScrapeTarget("alertmanager", this.instanceName, alertmanagerPort);
    this.registerOutputs({
      instanceName: this.instanceName,
      ipv4Address: this.ipv4Address,
      endpoint: this.endpoint,
    });
  }
}
