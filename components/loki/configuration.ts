import type { LokiSettings } from "../../config";
import { daemonConfiguration, type ServiceConfiguration } from "../shared/serviceConfiguration";
import { renderLokiConfig } from "./config";
import { lokiAccount, lokiConfigFile, lokiDaemon, lokiPaths } from "./install";

/**
 * loki.yml (retention, storage, ports), checked inside the instance with Loki's own
 * `loki -config.file=<file> -verify-config` (it parses and validates the file, then exits)
 * before the daemon is restarted on it: a file Loki rejects fails the `up` and the running
 * Loki keeps the previous one.
 */
export function lokiConfiguration(loki: LokiSettings): ServiceConfiguration {
  return daemonConfiguration({
    daemon: lokiDaemon(),
    account: lokiAccount,
    files: [{ path: lokiConfigFile, content: renderLokiConfig(loki, lokiPaths.data) }],
    checks: [["/usr/local/bin/loki", `-config.file=${lokiConfigFile}`, "-verify-config"]],
  });
}
