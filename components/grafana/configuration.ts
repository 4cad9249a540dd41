import * as pulumi from "@pulumi/pulumi";
import type { GrafanaSettings } from "../../config";
import { renderTemplate } from "../shared/render";
import {
  daemonConfiguration,
  type ServiceConfiguration,
  type ServiceFile,
} from "../shared/serviceConfiguration";
import { healthDashboard } from "./healthDashboard";
import {
  grafanaAccount,
  grafanaAdminPasswordFile,
  grafanaDaemon,
  grafanaIniFile,
  grafanaPaths,
  grafanaPort,
} from "./install";
import { renderDashboardProvider, renderDatasources } from "./provisioning";

/** What Grafana's files are made of besides its settings. */
export interface GrafanaConfigurationArgs {
  grafana: GrafanaSettings;
  /** The admin password (configured or generated): a secret, and so are the files. */
  adminPassword: pulumi.Input<string>;
  /** Prometheus (the default datasource) and, when deployed, Loki. */
  datasources: { prometheus: pulumi.Input<string>; loki?: pulumi.Input<string> };
}

/**
 * grafana.ini and the admin password file (0640: they hold the admin password, read
 * through the grafana group; the start script applies the file to the admin account, as
 * Grafana itself reads admin_password only once), the datasource and dashboard
 * provisioning, and the health dashboard. Grafana has no
 * configuration checker (no command validates grafana.ini or provisioning without
 * starting the server), so nothing is checked before the restart: the files are built
 * from validated settings and held to Grafana's documented formats by the tests.
 */
export function grafanaConfiguration(args: GrafanaConfigurationArgs): ServiceConfiguration {
  const { domain, adminUser } = args.grafana;
  const { provisioning, dashboards, data } = grafanaPaths;
  const ini = pulumi.output(args.adminPassword).apply((adminPassword): ServiceFile => ({
    path: grafanaIniFile,
    content: renderTemplate("grafana.ini.mustache", {
      dataPath: data,
      // Whole values, so each is escaped as one INI value.
      pluginsPath: `${data}/plugins`,
      provisioningPath: provisioning,
      port: grafanaPort,
      domain,
      rootUrl: `https://${domain}/`,
      adminUser,
      adminPassword,
    }),
    mode: "0640",
  }));
  const passwordFile = pulumi
    .output(args.adminPassword)
    .apply((content): ServiceFile => ({ path: grafanaAdminPasswordFile, content, mode: "0640" }));
  const datasources = pulumi
    .all([args.datasources.prometheus, args.datasources.loki ?? ""])
    .apply(([prometheus, loki]): ServiceFile => ({
      path: `${provisioning}/datasources/atlas.yml`,
      content: renderDatasources({ prometheus, loki: loki || undefined }),
    }));
  return daemonConfiguration({
    daemon: grafanaDaemon(),
    account: grafanaAccount,
    files: [
      ini,
      passwordFile,
      datasources,
      {
        path: `${provisioning}/dashboards/atlas.yml`,
        content: renderDashboardProvider(dashboards),
      },
      {
        path: `${dashboards}/atlas-health.json`,
        content: JSON.stringify(healthDashboard(), null, 2),
      },
    ],
  });
}
