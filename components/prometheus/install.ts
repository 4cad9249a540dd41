import { pinnedRelease, type PrometheusSettings, type ServiceSettings } from "../../config";
import type { OpenRcService } from "../shared/openrcService";
import { serviceAccount } from "../shared/serviceAccounts";
import { releaseInstall } from "../shared/serviceInstall";

export const prometheusPort = 9090;

export const prometheusPaths = {
  config: "/etc/prometheus",
  data: "/prometheus",
} as const;

export const prometheusAccount = serviceAccount("prometheus");

/**
 * The Prometheus daemon under OpenRC. SIGHUP re-reads prometheus.yml and the rule files
 * (reload); the retention flags are read only at start (a change restarts it).
 */
export function prometheusDaemon(prometheus: PrometheusSettings): OpenRcService {
  const { retentionTime, retentionSize } = prometheus;
  return {
    name: "prometheus",
    description: "Prometheus metrics and alert rules",
    command: "/usr/local/bin/prometheus",
    args: [
      `--config.file=${prometheusPaths.config}/prometheus.yml`,
      `--storage.tsdb.path=${prometheusPaths.data}`,
      `--storage.tsdb.retention.time=${retentionTime}`,
      ...(retentionSize ? [`--storage.tsdb.retention.size=${retentionSize}`] : []),
      `--web.listen-address=:${prometheusPort}`,
    ],
    user: prometheusAccount.user,
    workingDirectory: prometheusPaths.data,
    writablePaths: [prometheusPaths.data],
    reloadSignal: "HUP",
  };
}

/** What cloud-init installs once: the pinned release (prometheus and promtool). */
export function prometheusInstall(
  settings: ServiceSettings,
  prometheus: PrometheusSettings,
): string {
  return releaseInstall({
    daemon: prometheusDaemon(prometheus),
    account: prometheusAccount,
    release: {
      ...pinnedRelease("prometheus", settings),
      binaries: [
        { source: "prometheus", target: "prometheus" },
        { source: "promtool", target: "promtool" },
      ],
    },
    home: prometheusPaths.data,
    ownedPaths: [prometheusPaths.data],
  });
}
