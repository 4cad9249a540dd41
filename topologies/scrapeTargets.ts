import * as pulumi from "@pulumi/pulumi";
import type { IncusMetrics, IncusMetricsScrape, ScrapeTarget } from "../components";
import { incusApiPort } from "../components/incusMetrics";

/** A scrape target from a service's metrics URL (`http://cloudflared01.incus:2000`). */
export function scrapeTargetFromUrl(
  job: string,
  url: pulumi.Input<string>,
): pulumi.Output<ScrapeTarget> {
  return pulumi.output(url).apply((text) => {
    const parsed = new URL(text);
    const path = parsed.pathname === "/" ? {} : { metricsPath: parsed.pathname };
    return { job, targets: [parsed.host], ...path };
  });
}

/** What Prometheus needs to scrape Incus' own metrics over mTLS, when enabled. */
export function incusMetricsScrape(
  incusMetrics: IncusMetrics | undefined,
  managementGateway: pulumi.Input<string>,
): IncusMetricsScrape | undefined {
  if (!incusMetrics) return undefined;
  return {
    target: pulumi.interpolate`${managementGateway}:${incusApiPort}`,
    certificatePem: incusMetrics.certificatePem,
    privateKeyPem: incusMetrics.privateKeyPem,
  };
}
