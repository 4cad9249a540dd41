/**
 * Scrape jobs, built from the services a topology actually deploys. Plain values here:
 * the Prometheus component resolves its inputs first, so these stay pure and testable.
 */

/** A service Prometheus scrapes (what each component exposes as `scrapeTarget`). */
export interface ScrapeTarget {
  /** `job_name`, e.g. `grafana`. */
  job: string;
  /** `host:port` addresses. */
  targets: string[];
  /** Default `/metrics`. */
  metricsPath?: string;
  scheme?: "http" | "https";
}

/** Files (relative to prometheus.yml) Prometheus reads for the Incus metrics job. */
export const incusMetricsFiles = {
  certificate: "certs/incus-metrics.crt",
  privateKey: "certs/incus-metrics.key",
} as const;

/** The `scrape_configs` entry Prometheus serialises (snake_case as in prometheus.yml). */
export type ScrapeConfig = Record<string, unknown>;

export function staticScrapeConfig(target: ScrapeTarget): ScrapeConfig {
  return {
    job_name: target.job,
    ...(target.metricsPath ? { metrics_path: target.metricsPath } : {}),
    ...(target.scheme ? { scheme: target.scheme } : {}),
    static_configs: [{ targets: target.targets }],
  };
}

/** Prometheus scraping itself. */
export const selfScrapeConfig: ScrapeConfig = staticScrapeConfig({
  job: "prometheus",
  targets: ["localhost:9090"],
});

/**
 * Incus' own metrics endpoint (`https://<management gateway>:8443/1.0/metrics`),
 * authenticated with the `metrics` client certificate written next to prometheus.yml.
 */
export function incusMetricsScrapeConfig(target: string): ScrapeConfig {
  return {
    job_name: "incus",
    metrics_path: "/1.0/metrics",
    scheme: "https",
    static_configs: [{ targets: [target] }],
    tls_config: {
      cert_file: incusMetricsFiles.certificate,
      key_file: incusMetricsFiles.privateKey,
      // Incus serves a self-signed certificate for its own host name, not the gateway IP.
      insecure_skip_verify: true,
    },
  };
}

/** Federation from other environments' Prometheus (iapetus pulling cluster01). */
export function federationScrapeConfig(targets: string[]): ScrapeConfig {
  return {
    job_name: "federate",
    metrics_path: "/federate",
    honor_labels: true,
    params: { "match[]": ['{job=~".+"}'] },
    static_configs: [{ targets }],
  };
}
