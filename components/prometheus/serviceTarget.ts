import * as pulumi from "@pulumi/pulumi";
import type { ScrapeTarget } from "./scrapeConfigs";

/** A service component's scrape target: `<instance>.incus:<port>` under its own job. */
export function serviceScrapeTarget(
  job: string,
  instanceName: pulumi.Output<string>,
  port: number,
  options: Pick<ScrapeTarget, "metricsPath" | "scheme"> = {},
): pulumi.Output<ScrapeTarget> {
  return instanceName.apply((instance) => ({
    job,
    targets: [`${instance}.incus:${port}`],
    ...options,
  }));
}
