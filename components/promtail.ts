import * as pulumi from "@pulumi/pulumi";
import { pinnedRelease } from "../config";
import type { ScrapeTarget } from "./prometheus/scrapeConfigs";
import { serviceScrapeTarget } from "./prometheus/serviceTarget";
import { promtailPort, renderPromtailConfig } from "./promtail/config";
import { cloudInitUserData } from "./shared/cloudInit";
import {
  serviceOutputs,
  type ServiceComponentArgs,
  type ServiceOutputs,
} from "./shared/serviceArgs";
import { buildServiceAnatomy } from "./shared/serviceAnatomy";
import { serviceCloudConfig } from "./shared/serviceCloudConfig";

export interface PromtailArgs extends ServiceComponentArgs {
  /** Loki's push URL (iapetus' Loki, from the cross-stack reference). */
  lokiPushUrl: pulumi.Input<string>;
  /** `environment` label on every shipped line (the stack). */
  environment: string;
}

const paths = { config: "/etc/promtail", state: "/var/lib/promtail" } as const;

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
    const configFile = `${paths.config}/promtail.yml`;

    this.lokiTarget = pulumi.output(args.lokiPushUrl);
    const userData = this.lokiTarget.apply((lokiPushUrl) =>
      cloudInitUserData(
        serviceCloudConfig({
          service: {
            name: "promtail",
            description: "Promtail log shipper",
            command: "/usr/local/bin/promtail",
            args: [`-config.file=${configFile}`],
            user: "promtail",
            // Reading other services' logs needs the adm group's access to /var/log.
            group: "adm",
            writablePaths: [paths.state],
          },
          release: {
            ...pinnedRelease("promtail", args.settings),
            binaries: [{ source: "promtail-linux-*", target: "promtail" }],
          },
          packages: ["unzip"],
          home: paths.state,
          files: [
            {
              path: configFile,
              content: renderPromtailConfig({
                lokiPushUrl,
                host: instanceName,
                environment: args.environment,
                positionsFile: `${paths.state}/positions.yaml`,
              }),
              permissions: "0644",
            },
          ],
          ownedPaths: [paths.state],
        }),
      ),
    );

    const anatomy = buildServiceAnatomy(this, {
      instanceName,
      profileName: args.profileName ?? "promtail",
      settings: args.settings,
      storagePool: args.storagePool,
      baseProfiles: args.baseProfiles,
      userData,
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
