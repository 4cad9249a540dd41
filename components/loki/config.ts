import * as YAML from "yaml";
import type { LokiSettings } from "../../config";

export const lokiPorts = { http: 3100, grpc: 9096 } as const;

/**
 * Loki's config (single binary, filesystem storage under the data path) with
 * retention enforced by the compactor, as the reference requires.
 */
export function renderLokiConfig(settings: LokiSettings, dataPath: string): string {
  const document = {
    auth_enabled: false,
    server: { http_listen_port: lokiPorts.http, grpc_listen_port: lokiPorts.grpc },
    common: {
      instance_addr: "127.0.0.1",
      path_prefix: dataPath,
      storage: {
        filesystem: {
          chunks_directory: `${dataPath}/chunks`,
          rules_directory: `${dataPath}/rules`,
        },
      },
      replication_factor: 1,
      ring: { kvstore: { store: "inmemory" } },
    },
    schema_config: {
      configs: [
        {
          from: "2024-01-01",
          store: "tsdb",
          object_store: "filesystem",
          schema: "v13",
          index: { prefix: "index_", period: "24h" },
        },
      ],
    },
    limits_config: { retention_period: settings.retentionPeriod },
    compactor: {
      working_directory: `${dataPath}/compactor`,
      retention_enabled: true,
      retention_delete_delay: settings.retentionDeleteDelay,
      delete_request_store: "filesystem",
    },
    analytics: { reporting_enabled: false },
  };
  return YAML.stringify(document, { lineWidth: 0 });
}
