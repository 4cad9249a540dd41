/**
 * The scrape targets a rendered prometheus.yml names, parsed from the file itself, so
 * the lab starts something behind every one of them (and a test notices a target
 * nobody serves).
 */
import * as YAML from "yaml";

export interface RenderedTarget {
  job: string;
  /** `host:port` as rendered. */
  target: string;
  host: string;
  port: number;
  scheme: "http" | "https";
  metricsPath: string;
  /** `params` of the job (federation's `match[]`). */
  params: Record<string, string[]>;
}

interface ScrapeConfig {
  job_name: string;
  scheme?: "http" | "https";
  metrics_path?: string;
  params?: Record<string, string[]>;
  static_configs?: { targets: string[] }[];
}

export function renderedTargets(prometheusYml: string): RenderedTarget[] {
  const document = YAML.parse(prometheusYml) as { scrape_configs?: ScrapeConfig[] };
  return (document.scrape_configs ?? []).flatMap((job) =>
    (job.static_configs ?? []).flatMap((group) =>
      group.targets.map((target) => {
        const separator = target.lastIndexOf(":");
        return {
          job: job.job_name,
          target,
          host: target.slice(0, separator),
          port: Number(target.slice(separator + 1)),
          scheme: job.scheme ?? "http",
          metricsPath: job.metrics_path ?? "/metrics",
          params: job.params ?? {},
        };
      }),
    ),
  );
}

/** The rule groups and alert names of a rendered rule file. */
export function renderedRuleGroups(
  rulesYml: string,
): { name: string; rules: { alert: string; for?: string; labels: Record<string, string> }[] }[] {
  const document = YAML.parse(rulesYml) as {
    groups: {
      name: string;
      rules: { alert: string; for?: string; labels: Record<string, string> }[];
    }[];
  };
  return document.groups;
}
