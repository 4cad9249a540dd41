/** A stat or time-series panel over one PromQL query. */
function panel(
  id: number,
  title: string,
  type: "stat" | "timeseries",
  expr: string,
  gridPos: { x: number; y: number; w: number; h: number },
  unit = "none",
  legendFormat = "{{instance}}",
): Record<string, unknown> {
  return {
    id,
    title,
    type,
    gridPos,
    datasource: { type: "prometheus", uid: "prometheus" },
    targets: [{ refId: "A", expr, legendFormat }],
    fieldConfig: { defaults: { unit }, overrides: [] },
  };
}

/** The provisioned "Atlas health" dashboard: service availability, host and container load. */
export function healthDashboard(): Record<string, unknown> {
  return {
    uid: "atlas-health",
    title: "Atlas health",
    tags: ["atlas"],
    timezone: "browser",
    schemaVersion: 39,
    refresh: "30s",
    time: { from: "now-6h", to: "now" },
    panels: [
      panel(1, "Services up", "stat", "sum(up)", { x: 0, y: 0, w: 6, h: 4 }),
      panel(2, "Services down", "stat", "count(up == 0) or vector(0)", { x: 6, y: 0, w: 6, h: 4 }),
      panel(3, "Firing alerts", "stat", 'count(ALERTS{alertstate="firing"}) or vector(0)', {
        x: 12,
        y: 0,
        w: 12,
        h: 4,
      }),
      panel(
        4,
        "Availability by job",
        "timeseries",
        "avg by (job) (up)",
        { x: 0, y: 4, w: 12, h: 8 },
        "percentunit",
        "{{job}}",
      ),
      panel(
        5,
        "Host CPU usage",
        "timeseries",
        '100 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[5m])) * 100',
        { x: 12, y: 4, w: 12, h: 8 },
        "percent",
      ),
      panel(
        6,
        "Container memory usage",
        "timeseries",
        "(1 - incus_memory_MemAvailable_bytes / incus_memory_MemTotal_bytes) * 100",
        { x: 0, y: 12, w: 12, h: 8 },
        "percent",
        "{{name}}",
      ),
      panel(
        7,
        "Disk space left",
        "timeseries",
        'node_filesystem_avail_bytes{fstype!~"tmpfs|overlay"} / node_filesystem_size_bytes{fstype!~"tmpfs|overlay"} * 100',
        { x: 12, y: 12, w: 12, h: 8 },
        "percent",
      ),
    ],
  };
}
