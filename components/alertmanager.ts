import * as pulumi from "@pulumi/pulumi";
import { pinnedRelease, type AlertmanagerSettings } from "../config";
import {
  alertmanagerPort,
  renderAlertmanagerConfig,
  type AlertmanagerReceivers,
} from "./alertmanager/config";
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

export interface AlertmanagerArgs extends ServiceComponentArgs {
  alertmanager: AlertmanagerSettings;
}

// Silences and the notification log live on the data volume, so they survive rebuilds.
const paths = { config: "/etc/alertmanager", data: "/var/lib/alertmanager" } as const;

/** The configured receivers, with their secrets resolved (inside an Output). */
function receiversOf(settings: AlertmanagerSettings): pulumi.Output<AlertmanagerReceivers> {
  return pulumi
    .all([settings.slackWebhookUrl ?? "", settings.smtpPassword ?? ""])
    .apply(([slackUrl, smtpPassword]) => ({
      slack: slackUrl ? { apiUrl: slackUrl, channel: settings.slackChannel } : undefined,
      email:
        settings.emailTo && settings.smtpSmarthost
          ? {
              to: settings.emailTo,
              from: settings.emailFrom,
              smarthost: settings.smtpSmarthost,
              username: settings.smtpUsername,
              password: smtpPassword,
            }
          : undefined,
      webhook: settings.webhookUrl ? { url: settings.webhookUrl } : undefined,
    }));
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
    const configFile = `${paths.config}/alertmanager.yml`;

    // Secret receivers make the rendered file, and so the user-data, a secret.
    const userData = receiversOf(args.alertmanager).apply((receivers) =>
      cloudInitUserData(
        serviceCloudConfig({
          service: {
            name: "alertmanager",
            description: "Prometheus Alertmanager",
            command: "/usr/local/bin/alertmanager",
            args: [
              `--config.file=${configFile}`,
              `--storage.path=${paths.data}`,
              `--web.listen-address=:${alertmanagerPort}`,
              // A single instance: no gossip peers to find.
              "--cluster.listen-address=",
            ],
            user: "alertmanager",
            workingDirectory: paths.data,
            writablePaths: [paths.data],
          },
          release: {
            ...pinnedRelease("alertmanager", args.settings),
            binaries: [
              { source: "alertmanager", target: "alertmanager" },
              { source: "amtool", target: "amtool" },
            ],
          },
          home: paths.data,
          files: [
            { path: configFile, content: renderAlertmanagerConfig(receivers), permissions: "0640" },
          ],
          ownedPaths: [paths.data, paths.config],
        }),
      ),
    );

    const anatomy = buildServiceAnatomy(this, {
      instanceName: args.instanceName ?? "alertmanager01",
      profileName: args.profileName ?? "alertmanager",
      settings: args.settings,
      storagePool: args.storagePool,
      baseProfiles: args.baseProfiles,
      dataPath: paths.data,
      userData,
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
