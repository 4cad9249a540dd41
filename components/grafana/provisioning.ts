import * as YAML from "yaml";

/** The Prometheus and Loki endpoints Grafana reads from. */
export interface GrafanaDatasourceUrls {
  prometheus: string;
  /** Omitted: no Loki datasource. */
  loki?: string;
}

/** `provisioning/datasources/atlas.yml`: Prometheus (default) and Loki. */
export function renderDatasources(urls: GrafanaDatasourceUrls): string {
  const datasources = [
    {
      name: "Prometheus",
      uid: "prometheus",
      type: "prometheus",
      access: "proxy",
      url: urls.prometheus,
      isDefault: true,
      editable: false,
      jsonData: { tlsSkipVerify: false, timeInterval: "15s" },
    },
    ...(urls.loki
      ? [
          {
            name: "Loki",
            uid: "loki",
            type: "loki",
            access: "proxy",
            url: urls.loki,
            isDefault: false,
            editable: false,
            jsonData: { tlsSkipVerify: false },
          },
        ]
      : []),
  ];
  return YAML.stringify({ apiVersion: 1, datasources }, { lineWidth: 0 });
}

/** `provisioning/dashboards/atlas.yml`: load dashboards from `dashboardsPath`. */
export function renderDashboardProvider(dashboardsPath: string): string {
  return YAML.stringify(
    {
      apiVersion: 1,
      providers: [
        {
          name: "atlas",
          folder: "Atlas",
          type: "file",
          disableDeletion: true,
          allowUiUpdates: false,
          options: { path: dashboardsPath },
        },
      ],
    },
    { lineWidth: 0 },
  );
}
