import * as YAML from "yaml";

/** One Prometheus alerting rule, as written in a rule file. */
export interface AlertRule {
  alert: string;
  expr: string;
  /** How long the condition must hold before the alert fires (omitted: at once). */
  for?: string;
  labels: { severity: "warning" | "critical" };
  annotations: { summary: string; description: string };
}

export interface RuleGroup {
  name: string;
  interval: string;
  rules: AlertRule[];
}

// Filesystems that are not real disks never count for disk space alerts.
const realFilesystems = 'fstype!~"tmpfs|ramfs|squashfs|overlay|nsfs|proc|sysfs"';
const percent = '{{ $value | printf "%.1f" }}%';

/** The reference's alert rules: service availability, memory, disk, CPU and load. */
export const atlasAlertRules: AlertRule[] = [
  {
    alert: "ServiceDown",
    expr: "up == 0",
    for: "2m",
    labels: { severity: "critical" },
    annotations: {
      summary: "Service {{ $labels.job }} is down",
      description:
        "{{ $labels.instance }} of job {{ $labels.job }} has been unreachable for more than 2 minutes.",
    },
  },
  {
    alert: "ServiceFlapping",
    // Every restart moves the process start time; more than 5 moves in 10 minutes is flapping.
    expr: "changes(process_start_time_seconds[10m]) > 5",
    labels: { severity: "warning" },
    annotations: {
      summary: "Service {{ $labels.job }} is flapping",
      description: "{{ $labels.instance }} restarted {{ $value }} times in the last 10 minutes.",
    },
  },
  {
    alert: "HighMemoryUsage",
    expr: "(1 - incus_memory_MemAvailable_bytes / incus_memory_MemTotal_bytes) * 100 > 80",
    for: "5m",
    labels: { severity: "warning" },
    annotations: {
      summary: "High memory usage in container {{ $labels.name }}",
      description: `Container {{ $labels.name }} uses ${percent} of its memory limit (above 80% for 5 minutes).`,
    },
  },
  {
    alert: "CriticalMemoryUsage",
    expr: "(1 - incus_memory_MemAvailable_bytes / incus_memory_MemTotal_bytes) * 100 > 95",
    for: "1m",
    labels: { severity: "critical" },
    annotations: {
      summary: "Critical memory usage in container {{ $labels.name }}",
      description: `Container {{ $labels.name }} uses ${percent} of its hard memory limit: an OOM kill is imminent.`,
    },
  },
  {
    alert: "HostOutOfMemory",
    expr: "node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes * 100 < 10",
    for: "2m",
    labels: { severity: "warning" },
    annotations: {
      summary: "Host {{ $labels.instance }} is out of memory",
      description: `Host {{ $labels.instance }} has only ${percent} of its memory available (below 10%).`,
    },
  },
  {
    alert: "HostHighMemoryPressure",
    // Sustained major page faults mean the working set no longer fits in memory.
    expr: "rate(node_vmstat_pgmajfault[1m]) > 1000",
    for: "2m",
    labels: { severity: "warning" },
    annotations: {
      summary: "Host {{ $labels.instance }} is under memory pressure",
      description:
        'Host {{ $labels.instance }} has {{ $value | printf "%.0f" }} major page faults per second (above 1000).',
    },
  },
  {
    alert: "DiskSpaceWarning",
    expr: `node_filesystem_avail_bytes{${realFilesystems}} / node_filesystem_size_bytes{${realFilesystems}} * 100 < 20`,
    for: "5m",
    labels: { severity: "warning" },
    annotations: {
      summary: "Disk space low on {{ $labels.instance }}",
      description: `Filesystem {{ $labels.mountpoint }} on {{ $labels.instance }} has ${percent} space left (below 20%).`,
    },
  },
  {
    alert: "DiskSpaceCritical",
    expr: `node_filesystem_avail_bytes{${realFilesystems}} / node_filesystem_size_bytes{${realFilesystems}} * 100 < 10`,
    for: "2m",
    labels: { severity: "critical" },
    annotations: {
      summary: "Disk space critical on {{ $labels.instance }}",
      description: `Filesystem {{ $labels.mountpoint }} on {{ $labels.instance }} has ${percent} space left (below 10%).`,
    },
  },
  {
    alert: "HighCPUUsage",
    expr: '100 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[5m])) * 100 > 80',
    for: "10m",
    labels: { severity: "warning" },
    annotations: {
      summary: "High CPU usage on {{ $labels.instance }}",
      description: `CPU usage on {{ $labels.instance }} is ${percent} (above 80% for 10 minutes).`,
    },
  },
  {
    alert: "HighLoadAverage",
    // group_left keeps node_load1's own labels (job) on the alert.
    expr: 'node_load1 > on (instance) group_left 2 * count by (instance) (node_cpu_seconds_total{mode="idle"})',
    for: "5m",
    labels: { severity: "warning" },
    annotations: {
      summary: "High load average on {{ $labels.instance }}",
      description:
        'Load average on {{ $labels.instance }} is {{ $value | printf "%.2f" }}, more than twice its CPU count.',
    },
  },
];

/** The rule file Prometheus loads (`rules/alerts.yml`), evaluated every `interval`. */
export function renderAlertRules(interval: string, rules: AlertRule[] = atlasAlertRules): string {
  const groups: RuleGroup[] = [{ name: "atlas-infrastructure", interval, rules }];
  return YAML.stringify({ groups }, { lineWidth: 0 });
}
