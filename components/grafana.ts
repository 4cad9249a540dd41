import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { pinnedRelease, type GrafanaSettings } from "../config";
import { healthDashboard } from "./grafana/healthDashboard";
import { renderDashboardProvider, renderDatasources } from "./grafana/provisioning";
import type { ScrapeTarget } from "./prometheus/scrapeConfigs";
import { serviceScrapeTarget } from "./prometheus/serviceTarget";
import { cloudInitUserData } from "./shared/cloudInit";
import { renderTemplate } from "./shared/render";
import {
  serviceOutputs,
  type ServiceComponentArgs,
  type ServiceOutputs,
} from "./shared/serviceArgs";
import { buildServiceAnatomy } from "./shared/serviceAnatomy";
import { serviceCloudConfig } from "./shared/serviceCloudConfig";

export interface GrafanaArgs extends ServiceComponentArgs {
  grafana: GrafanaSettings;
  /** Endpoints of the Prometheus (default datasource) and Loki components. */
  datasources: { prometheus: pulumi.Input<string>; loki?: pulumi.Input<string> };
}

export const grafanaPort = 3000;

const paths = {
  home: "/opt/grafana",
  config: "/etc/grafana",
  provisioning: "/etc/grafana/provisioning",
  dashboards: "/etc/grafana/dashboards",
  data: "/var/lib/grafana",
} as const;

/**
 * Grafana (the reference's `grafana01`): datasources from the Prometheus and Loki
 * components, a provisioned health dashboard, admin credentials kept secret.
 */
export class Grafana extends pulumi.ComponentResource implements ServiceOutputs {
  public readonly instanceName: pulumi.Output<string>;
  public readonly ipv4Address: pulumi.Output<string>;
  public readonly endpoint: pulumi.Output<string>;
  /** `https://<domain>/`, served through the Cloudflare tunnel. */
  public readonly url: pulumi.Output<string>;
  public readonly adminUser: pulumi.Output<string>;
  /** The configured password, or a generated one; always a secret. */
  public readonly adminPassword: pulumi.Output<string>;
  public readonly scrapeTarget: pulumi.Output<ScrapeTarget>;

  constructor(name: string, args: GrafanaArgs, opts?: pulumi.ComponentResourceOptions) {
    super("atlas:components:Grafana", name, {}, opts);
    const { domain, adminUser } = args.grafana;

    const password =
      args.grafana.adminPassword ??
      new random.RandomPassword(
        `${name}-admin-password`,
        // Specials limited to characters grafana.ini's triple quotes carry verbatim.
        { length: 24, special: true, overrideSpecial: "-_=+!#%" },
        { parent: this },
      ).result;
    this.adminPassword = pulumi.secret(password);

    const userData = pulumi
      .all([this.adminPassword, args.datasources.prometheus, args.datasources.loki ?? ""])
      .apply(([adminPassword, prometheus, loki]) =>
        cloudInitUserData(
          serviceCloudConfig({
            service: {
              name: "grafana",
              description: "Grafana dashboards",
              command: `${paths.home}/bin/grafana`,
              args: ["server", `--homepath=${paths.home}`, `--config=${paths.config}/grafana.ini`],
              user: "grafana",
              workingDirectory: paths.home,
              writablePaths: [paths.data],
            },
            release: {
              ...pinnedRelease("grafana", args.settings),
              tree: paths.home,
            },
            home: paths.data,
            files: [
              {
                path: `${paths.config}/grafana.ini`,
                content: renderTemplate("grafana.ini.mustache", {
                  dataPath: paths.data,
                  // Whole values, so each is escaped as one INI value.
                  pluginsPath: `${paths.data}/plugins`,
                  provisioningPath: paths.provisioning,
                  port: grafanaPort,
                  domain,
                  rootUrl: `https://${domain}/`,
                  adminUser,
                  adminPassword,
                }),
                permissions: "0640",
              },
              {
                path: `${paths.provisioning}/datasources/atlas.yml`,
                content: renderDatasources({ prometheus, loki: loki || undefined }),
                permissions: "0644",
              },
              {
                path: `${paths.provisioning}/dashboards/atlas.yml`,
                content: renderDashboardProvider(paths.dashboards),
                permissions: "0644",
              },
              {
                path: `${paths.dashboards}/atlas-health.json`,
                content: JSON.stringify(healthDashboard(), null, 2),
                permissions: "0644",
              },
            ],
            ownedPaths: [paths.data, paths.config],
          }),
        ),
      );

    const anatomy = buildServiceAnatomy(this, {
      instanceName: args.instanceName ?? "grafana01",
      profileName: args.profileName ?? "grafana",
      settings: args.settings,
      storagePool: args.storagePool,
      baseProfiles: args.baseProfiles,
      dataPath: paths.data,
      userData,
      port: grafanaPort,
    });
    ({
      instanceName: this.instanceName,
      ipv4Address: this.ipv4Address,
      endpoint: this.endpoint,
    } = serviceOutputs(anatomy));
    this.url = pulumi.output(`https://${domain}/`);
    this.adminUser = pulumi.output(adminUser);
    this.scrapeTarget = serviceScrapeTarget("grafana", this.instanceName, grafanaPort);
    this.registerOutputs({
      instanceName: this.instanceName,
      ipv4Address: this.ipv4Address,
      endpoint: this.endpoint,
      url: this.url,
      adminUser: this.adminUser,
      adminPassword: this.adminPassword,
    });
  }
}
