/**
 * Loki's and Promtail's YAML, checked against their documented configuration references
 * ("Grafana Loki configuration parameters", "Configure Promtail"); neither binary can run
 * in the tests (not in Debian, not to be built here). Both parse strictly, so an unknown
 * key is an error here as it is a start-up failure there. Beyond keys and types, the
 * rules the Loki documentation states for the storage Atlas uses are checked.
 */
import * as YAML from "yaml";
import {
  absolutePath,
  anything,
  bool,
  check,
  duration,
  httpUrl,
  int,
  list,
  obj,
  oneOf,
  port,
  str,
} from "./shape";

const kvstore = obj(
  { store: oneOf("inmemory", "consul", "etcd", "memberlist", "multi"), prefix: str() },
  ["store"],
);
const lokiShape = obj(
  {
    target: str(),
    auth_enabled: bool,
    server: obj({
      http_listen_address: str(),
      http_listen_port: port,
      grpc_listen_address: str(),
      grpc_listen_port: port,
      log_level: oneOf("debug", "info", "warn", "error"),
      http_server_read_timeout: duration,
      http_server_write_timeout: duration,
      grpc_server_max_recv_msg_size: int(0),
      grpc_server_max_send_msg_size: int(0),
    }),
    common: obj({
      path_prefix: absolutePath,
      instance_addr: str(),
      instance_interface_names: list(str()),
      replication_factor: int(1),
      compactor_address: str(),
      persist_tokens: bool,
      storage: obj({
        filesystem: obj({ chunks_directory: absolutePath, rules_directory: absolutePath }),
        s3: obj({}, [], anything),
      }),
      ring: obj({ kvstore, instance_addr: str(), replication_factor: int(1) }),
    }),
    schema_config: obj(
      {
        configs: list(
          obj(
            {
              from: str(/^\d{4}-\d{2}-\d{2}$/, "a date YYYY-MM-DD"),
              store: oneOf("tsdb", "boltdb-shipper"),
              object_store: oneOf(
                "filesystem",
                "s3",
                "gcs",
                "azure",
                "swift",
                "bos",
                "cos",
                "alibabacloud",
              ),
              schema: oneOf("v11", "v12", "v13"),
              index: obj({ prefix: str(), period: duration }, ["period"]),
              chunks: obj({ prefix: str(), period: duration }),
              row_shards: int(1),
            },
            ["from", "store", "object_store", "schema"],
          ),
          1,
        ),
      },
      ["configs"],
    ),
    storage_config: obj({}, [], anything),
    limits_config: obj({
      retention_period: duration,
      reject_old_samples: bool,
      reject_old_samples_max_age: duration,
      ingestion_rate_mb: int(0),
      ingestion_burst_size_mb: int(0),
      allow_structured_metadata: bool,
      volume_enabled: bool,
      max_query_lookback: duration,
    }),
    compactor: obj({
      working_directory: absolutePath,
      compaction_interval: duration,
      retention_enabled: bool,
      retention_delete_delay: duration,
      retention_delete_worker_count: int(1),
      delete_request_store: oneOf(
        "filesystem",
        "s3",
        "gcs",
        "azure",
        "swift",
        "bos",
        "cos",
        "alibabacloud",
      ),
      delete_request_cancel_period: duration,
    }),
    analytics: obj({ reporting_enabled: bool, usage_stats_url: httpUrl }),
    ruler: obj({}, [], anything),
    ingester: obj({}, [], anything),
    querier: obj({}, [], anything),
    query_range: obj({}, [], anything),
    frontend: obj({}, [], anything),
    memberlist: obj({}, [], anything),
    table_manager: obj({}, [], anything),
  },
  ["schema_config"],
);

const hours = (d: string): number => {
  let total = 0;
  for (const [, n, unit] of d.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)) {
    const factor: Record<string, number> = {
      ms: 1 / 3.6e6,
      s: 1 / 3600,
      m: 1 / 60,
      h: 1,
      d: 24,
      w: 168,
      y: 8760,
    };
    total += Number(n) * factor[unit];
  }
  return total;
};

interface LokiDocument {
  schema_config?: {
    configs?: {
      store?: string;
      schema?: string;
      object_store?: string;
      index?: { period?: string };
    }[];
  };
  limits_config?: { retention_period?: string };
  compactor?: { retention_enabled?: boolean; delete_request_store?: string };
  common?: { storage?: Record<string, unknown> };
}

export function checkLokiConfig(text: string): string[] {
  const document = YAML.parse(text) as LokiDocument;
  const problems = check(document, lokiShape);
  for (const [i, c] of (document.schema_config?.configs ?? []).entries()) {
    // "Single Store TSDB": the tsdb index needs a 24h period, and schema v13 needs tsdb.
    if (c.store === "tsdb" && c.index?.period !== "24h")
      problems.push(`schema_config.configs[${i}]: tsdb needs index.period 24h`);
    if (c.schema === "v13" && c.store !== "tsdb")
      problems.push(`schema_config.configs[${i}]: schema v13 needs store tsdb`);
    if (
      c.object_store &&
      c.object_store !== "filesystem" &&
      !document.common?.storage?.[c.object_store]
    ) {
      problems.push(
        `schema_config.configs[${i}]: object_store ${c.object_store} has no storage configured`,
      );
    }
  }
  if (document.compactor?.retention_enabled) {
    // Loki 3: "compactor.delete-request-store should be configured when retention is enabled".
    if (!document.compactor.delete_request_store)
      problems.push("compactor: retention_enabled needs delete_request_store");
    const period = document.limits_config?.retention_period;
    if (period && period !== "0s" && (hours(period) < 24 || hours(period) % 24 !== 0)) {
      problems.push(
        `limits_config.retention_period ${period}: must be a multiple of the 24h index period`,
      );
    }
  }
  return problems;
}

const promtailShape = obj(
  {
    server: obj({
      http_listen_address: str(),
      http_listen_port: port,
      grpc_listen_address: str(),
      grpc_listen_port: port,
      log_level: oneOf("debug", "info", "warn", "error"),
      disable: bool,
    }),
    positions: obj({ filename: absolutePath, sync_period: duration, ignore_invalid_yaml: bool }),
    clients: list(
      obj(
        {
          url: httpUrl,
          tenant_id: str(),
          batchwait: duration,
          batchsize: int(1),
          timeout: duration,
          external_labels: obj({}, [], str()),
          basic_auth: obj({ username: str(), password: str(), password_file: absolutePath }),
          bearer_token: str(),
          tls_config: obj({}, [], anything),
          backoff_config: obj({ min_period: duration, max_period: duration, max_retries: int(0) }),
        },
        ["url"],
      ),
      1,
    ),
    scrape_configs: list(
      obj(
        {
          job_name: str(/\S/),
          static_configs: list(
            obj({ targets: list(str()), labels: obj({}, [], str()) }, ["labels"]),
          ),
          journal: obj({}, [], anything),
          syslog: obj({}, [], anything),
          relabel_configs: list(obj({}, [], anything)),
          pipeline_stages: list(obj({}, [], anything)),
        },
        ["job_name"],
      ),
      1,
    ),
    limits_config: obj({}, [], anything),
    target_config: obj({ sync_period: duration }),
    options: obj({}, [], anything),
    tracing: obj({}, [], anything),
  },
  ["clients", "scrape_configs"],
);

interface PromtailDocument {
  clients?: { url?: string }[];
  scrape_configs?: { job_name?: string; static_configs?: { labels?: Record<string, string> }[] }[];
}

export function checkPromtailConfig(text: string): string[] {
  const document = YAML.parse(text) as PromtailDocument;
  const problems = check(document, promtailShape);
  for (const [i, client] of (document.clients ?? []).entries()) {
    if (client.url && !/\/loki\/api\/v1\/push$/.test(new URL(client.url).pathname)) {
      problems.push(`clients[${i}].url ${client.url}: Loki's push API is /loki/api/v1/push`);
    }
  }
  const jobs = (document.scrape_configs ?? []).map((s) => s.job_name);
  for (const job of new Set(jobs)) {
    if (jobs.filter((j) => j === job).length > 1)
      problems.push(`scrape_configs: job_name ${job} repeated`);
  }
  for (const [i, s] of (document.scrape_configs ?? []).entries()) {
    for (const [j, sc] of (s.static_configs ?? []).entries()) {
      // File discovery reads the files `__path__` names; without it the target tails nothing.
      if (!sc.labels?.__path__)
        problems.push(`scrape_configs[${i}].static_configs[${j}]: labels need __path__`);
    }
  }
  return problems;
}
