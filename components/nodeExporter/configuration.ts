import { daemonConfiguration, type ServiceConfiguration } from "../shared/serviceConfiguration";
import { nodeExporterAccount, nodeExporterDaemon } from "./install";

/**
 * node_exporter's configuration is its OpenRC conf.d (the listen address and the host
 * paths): no other file, and no checker, because node_exporter has none for its flags (a
 * wrong flag stops it at start, which the restart reports). Applied by a restart.
 */
export function nodeExporterConfiguration(): ServiceConfiguration {
  return daemonConfiguration({ daemon: nodeExporterDaemon(), account: nodeExporterAccount });
}
