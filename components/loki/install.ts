import { pinnedRelease, type ServiceSettings } from "../../config";
import type { OpenRcService } from "../shared/openrcService";
import { serviceAccount } from "../shared/serviceAccounts";
import { releaseInstall } from "../shared/serviceInstall";

export const lokiPaths = {
  config: "/etc/loki",
  data: "/loki",
} as const;

/** The one configuration file Loki reads (pushed at every `up`, see configuration.ts). */
export const lokiConfigFile = `${lokiPaths.config}/loki.yml`;

export const lokiAccount = serviceAccount("loki");

/**
 * The Loki daemon under OpenRC. Loki re-reads only its runtime overrides file on its own;
 * loki.yml is read at start and no signal makes it read it again, so the daemon has no
 * `reloadSignal` and a changed configuration restarts it.
 */
export function lokiDaemon(): OpenRcService {
  return {
    name: "loki",
    description: "Loki log aggregation",
    command: "/usr/local/bin/loki",
    args: [`-config.file=${lokiConfigFile}`],
    user: lokiAccount.user,
    workingDirectory: lokiPaths.data,
    writablePaths: [lokiPaths.data],
  };
}

/**
 * What cloud-init installs once: the pinned release's `loki` binary (which is also the
 * configuration checker, `-verify-config`) and unzip for its archive. Only the data path
 * belongs to the loki account; /etc/loki is root's.
 */
export function lokiInstall(settings: ServiceSettings): string {
  return releaseInstall({
    daemon: lokiDaemon(),
    account: lokiAccount,
    release: {
      ...pinnedRelease("loki", settings),
      binaries: [{ source: "loki-linux-*", target: "loki" }],
    },
    packages: ["unzip"],
    home: lokiPaths.data,
    ownedPaths: [lokiPaths.data],
  });
}
