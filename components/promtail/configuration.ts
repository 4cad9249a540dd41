import * as pulumi from "@pulumi/pulumi";
import { daemonConfiguration, type ServiceConfiguration } from "../shared/serviceConfiguration";
import { renderPromtailConfig } from "./config";
import { promtailAccount, promtailConfigFile, promtailDaemon, promtailPaths } from "./install";

/** What promtail.yml is made of. */
export interface PromtailConfigurationArgs {
  /** Loki's push URL (iapetus' Loki, from the cross-stack reference). */
  lokiPushUrl: pulumi.Input<string>;
  /** `host` label on every shipped line (the instance name). */
  host: string;
  /** `environment` label on every shipped line (the stack). */
  environment: string;
}

/**
 * promtail.yml, checked inside the instance with `promtail -config.file=<file>
 * -check-syntax` (it loads the file and exits) before the daemon is restarted on it: a
 * file Promtail rejects fails the `up` and the running Promtail keeps the previous one.
 */
export function promtailConfiguration(args: PromtailConfigurationArgs): ServiceConfiguration {
  const file = pulumi.output(args.lokiPushUrl).apply((lokiPushUrl) => ({
    path: promtailConfigFile,
    content: renderPromtailConfig({
      lokiPushUrl,
      host: args.host,
      environment: args.environment,
      positionsFile: `${promtailPaths.state}/positions.yaml`,
    }),
  }));
  return daemonConfiguration({
    daemon: promtailDaemon(),
    account: promtailAccount,
    files: [file],
    checks: [["/usr/local/bin/promtail", `-config.file=${promtailConfigFile}`, "-check-syntax"]],
  });
}
