import * as pulumi from "@pulumi/pulumi";
import type { LokiSettings } from "../../config";
import type { ScrapeTarget } from "../prometheus/scrapeConfigs";
import { serviceScrapeTarget } from "../prometheus/serviceTarget";
import {
  serviceOutputs,
  type ServiceComponentArgs,
  type ServiceOutputs,
} from "../shared/serviceArgs";
import { buildServiceAnatomy } from "../shared/serviceAnatomy";
import { serviceAnatomyBasics } from "../shared/serviceArgs";
import { lokiPorts } from "./config";
import { lokiConfiguration } from "./configuration";
import { lokiInstall, lokiPaths } from "./install";

export interface LokiArgs extends ServiceComponentArgs {
  /** Retention (`retentionPeriod`, `retentionDeleteDelay`): configuration, applied in place. */
  loki: LokiSettings;
}

/** Loki (the reference's `loki01`): log store with compactor-enforced retention. */
export class Loki extends pulumi.ComponentResource implements ServiceOutputs {
  public readonly instanceName: pulumi.Output<string>;
  public readonly ipv4Address: pulumi.Output<string>;
  public readonly endpoint: pulumi.Output<string>;
  /** `<endpoint>/loki/api/v1/push`, for Promtail and Incus logging. */
  public readonly pushUrl: pulumi.Output<string>;
  public readonly scrapeTarget: pulumi.Output<ScrapeTarget>;

  constructor(name: string, args: LokiArgs, opts?: pulumi.ComponentResourceOptions) {
    super("atlas:components:Loki", name, {}, opts);

    const anatomy = buildServiceAnatomy(this, {
      ...serviceAnatomyBasics(args, "loki01", "loki"),
      dataPath: lokiPaths.data,
      install: lokiInstall(args.settings),
      configuration: lokiConfiguration(args.loki),
      port: lokiPorts.http,
      devices: args.devices,
    });
    ({
      instanceName: this.instanceName,
      ipv4Address: this.ipv4Address,
      endpoint: this.endpoint,
    } = serviceOutputs(anatomy));
    this.pushUrl = pulumi.interpolate`${this.endpoint}/loki/api/v1/push`;
    this.scrapeTarget = serviceScrapeTarget("loki", this.instanceName, lokiPorts.http);
    this.registerOutputs({
      instanceName: this.instanceName,
      ipv4Address: this.ipv4Address,
      endpoint: this.endpoint,
      pushUrl: this.pushUrl,
    });
  }
}
