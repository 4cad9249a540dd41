import * as pulumi from "@pulumi/pulumi";
import type { PrometheusSettings } from "../../config";
import {
  daemonConfiguration,
  type ServiceConfiguration,
  type ServiceFile,
} from "../shared/serviceConfiguration";
import { renderAlertRules } from "./alertRules";
import { alertRulesFile } from "./config";
import { prometheusAccount, prometheusDaemon, prometheusPaths } from "./install";
import { incusMetricsFiles } from "./scrapeConfigs";

/** The client certificate and key Prometheus presents to Incus' metrics endpoint. */
export interface IncusMetricsCredentials {
  certificatePem: pulumi.Input<string>;
  privateKeyPem: pulumi.Input<string>;
}

/**
 * prometheus.yml, the alert rules and (with Incus metrics) the mTLS credentials, checked
 * with `promtool check config` (which also checks the rule files it names) before SIGHUP.
 */
export function prometheusConfiguration(
  prometheus: PrometheusSettings,
  configYaml: pulumi.Input<string>,
  incusMetrics?: IncusMetricsCredentials,
): ServiceConfiguration {
  const { config } = prometheusPaths;
  const files: pulumi.Input<ServiceFile>[] = [
    pulumi.output(configYaml).apply((content) => ({ path: `${config}/prometheus.yml`, content })),
    { path: `${config}/${alertRulesFile}`, content: renderAlertRules(prometheus.scrapeInterval) },
  ];
  if (incusMetrics) {
    files.push(
      pulumi.output(incusMetrics.certificatePem).apply((content) => ({
        path: `${config}/${incusMetricsFiles.certificate}`,
        content,
      })),
      pulumi.output(incusMetrics.privateKeyPem).apply((content) => ({
        path: `${config}/${incusMetricsFiles.privateKey}`,
        content,
        mode: "0640",
      })),
    );
  }
  return daemonConfiguration({
    daemon: prometheusDaemon(prometheus),
    account: prometheusAccount,
    files,
    checks: [["/usr/local/bin/promtool", "check", "config", `${config}/prometheus.yml`]],
  });
}
