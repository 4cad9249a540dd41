import * as pulumi from "@pulumi/pulumi";
import { pinnedRelease, type LokiSettings } from "../config";
import { lokiPorts, renderLokiConfig } from "./loki/config";
import type { ScrapeTarget } from "./prometheus/scrapeConfigs";
import { serviceScrapeTarget } from "./prometheus/serviceTarget";
import { cloudInitUserData } from "./shared/cloudInit";
import {
  serviceOutputs,
  type ServiceComponentArgs,
  type ServiceOutputs,
} from "./shared/serviceArgs";
import { buildServiceAnatomy } from "./shared/serviceAnatomy";
import { serviceCloudConfig } from "./shared/serviceCloudConfig";

export interface LokiArgs extends ServiceComponentArgs {
  loki: LokiSettings;
}

const paths = { config: "/etc/loki", data: "/loki" } as const;

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
    const configFile = `${paths.config}/loki.yml`;

    const userData = cloudInitUserData(
      serviceCloudConfig({
        service: {
          name: "loki",
          description: "Loki log aggregation",
          command: "/usr/local/bin/loki",
          args: [`-config.file=${configFile}`],
          user: "loki",
          workingDirectory: paths.data,
          writablePaths: [paths.data],
        },
        release: {
          ...pinnedRelease("loki", args.settings),
          binaries: [{ source: "loki-linux-*", target: "loki" }],
        },
        packages: ["unzip"],
        home: paths.data,
        files: [
          {
            path: configFile,
            content: renderLokiConfig(args.loki, paths.data),
            permissions: "0644",
          },
        ],
        ownedPaths: [paths.data, paths.config],
      }),
    );

    const anatomy = buildServiceAnatomy(this, {
      instanceName: args.instanceName ?? "loki01",
      profileName: args.profileName ?? "loki",
      settings: args.settings,
      storagePool: args.storagePool,
      baseProfiles: args.baseProfiles,
      dataPath: paths.data,
      userData,
      port: lokiPorts.http,
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
