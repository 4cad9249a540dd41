import * as YAML from "yaml";
import {
  federationScrapeConfig,
  incusMetricsScrapeConfig,
  selfScrapeConfig,
  staticScrapeConfig,
  type ScrapeTarget,
} from "./scrapeConfigs";

/** Rule file path, relative to prometheus.yml. */
export const alertRulesFile = "rules/alerts.yml";

/** Everything prometheus.yml is made of, resolved to plain values. */
export interface PrometheusConfigInput {
  /** Scrape and rule evaluation interval, e.g. `15s`. */
  interval: string;
  targets: ScrapeTarget[];
  /** `<gateway>:8443` when Incus metrics are scraped (with the mTLS certificate). */
  incusMetricsTarget?: string;
  /** Other Prometheus servers to federate (`host:port`); empty: no federation job. */
  federationTargets: string[];
  /** Alertmanagers (`host:port`); empty: no `alerting` section. */
  alertmanagers: string[];
  /** `external_labels.environment`, so federated series keep their origin. */
  environment: string;
}

/** Builds prometheus.yml (an object, serialised with the yaml package). */
export function renderPrometheusConfig(input: PrometheusConfigInput): string {
  const scrapeConfigs = [selfScrapeConfig, ...input.targets.map(staticScrapeConfig)];
  if (input.incusMetricsTarget)
    scrapeConfigs.push(incusMetricsScrapeConfig(input.incusMetricsTarget));
  if (input.federationTargets.length > 0) {
    scrapeConfigs.push(federationScrapeConfig(input.federationTargets));
  }
  const document = {
    global: {
      scrape_interval: input.interval,
      evaluation_interval: input.interval,
      external_labels: { environment: input.environment },
    },
    ...(input.alertmanagers.length > 0
      ? { alerting: { alertmanagers: [{ static_configs: [{ targets: input.alertmanagers }] }] } }
      : {}),
    rule_files: [alertRulesFile],
    scrape_configs: scrapeConfigs,
  };
  return YAML.stringify(document, { lineWidth: 0 });
}
