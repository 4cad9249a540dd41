import * as pulumi from "@pulumi/pulumi";
import type { ScrapeTarget } from "../prometheus/scrapeConfigs";
import { serviceScrapeTarget } from "../prometheus/serviceTarget";
import {
  serviceOutputs,
  type ServiceComponentArgs,
  type ServiceOutputs,
} from "../shared/serviceArgs";
import { buildServiceAnatomy } from "../shared/serviceAnatomy";
import { serviceAnatomyBasics } from "../shared/serviceArgs";
import { promtailPort } from "./config";
import { promtailConfiguration } from "./configuration";
import { promtailInstall } from "./install";

export interface PromtailArgs extends ServiceComponentArgs {
  /** Loki's push URL (iapetus' Loki, from the cross-stack reference). */
  lokiPushUrl: pulumi.Input<string>;
  /** `environment` label on every shipped line (the stack). */
  environment: string;
}

/** Promtail (the reference's `promtail01`): ships logs to the central Loki. */
export class Promtail extends pulumi.ComponentResource implements ServiceOutputs {
  public readonly instanceName: pulumi.Output<string>;
  public readonly ipv4Address: pulumi.Output<string>;
  public readonly endpoint: pulumi.Output<string>;
  /** The Loki URL logs are shipped to. */
  public readonly lokiTarget: pulumi.Output<string>;
  public readonly scrapeTarget: pulumi.Output<ScrapeTarget>;

  constructor(name: string, args: PromtailArgs, opts?: pulumi.ComponentResourceOptions) {
    super("atlas:components:Promtail", name, {}, opts);
    const instanceName = args.instanceName ?? "promtail01";
    this.lokiTarget = pulumi.output(args.lokiPushUrl);

    const anatomy = buildServiceAnatomy(this, {
      ...serviceAnatomyBasics(args, instanceName, "promtail"),
      install: promtailInstall(args.settings),
      configuration: promtailConfiguration({
        lokiPushUrl: this.lokiTarget,
        host: instanceName,
        environment: args.environment,
      }),
      port: promtailPort,
    });
    ({
      instanceName: this.instanceName,
      ipv4Address: this.ipv4Address,
      endpoint: this.endpoint,
    } = serviceOutputs(anatomy));
    this.scrapeTarget = serviceScrapeTarget("promtail", this.instanceName, promtailPort);
    this.registerOutputs({
      instanceName: this.instanceName,
      ipv4Address: this.ipv4Address,
      endpoint: this.endpoint,
      lokiTarget: this.lokiTarget,
    });
  }
}
