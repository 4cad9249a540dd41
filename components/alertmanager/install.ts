import { pinnedRelease, type ServiceSettings } from "../../config";
import type { OpenRcService } from "../shared/openrcService";
import { serviceAccount } from "../shared/serviceAccounts";
import { releaseInstall } from "../shared/serviceInstall";
import { alertmanagerPort } from "./config";

// Silences and the notification log live on the data volume, so they survive rebuilds.
// Root owns the configuration folder; Atlas pushes alertmanager.yml into it.
export const alertmanagerPaths = {
  config: "/etc/alertmanager",
  data: "/var/lib/alertmanager",
} as const;

export const alertmanagerConfigFile = `${alertmanagerPaths.config}/alertmanager.yml`;

export const alertmanagerAccount = serviceAccount("alertmanager");

/**
 * The Alertmanager daemon under OpenRC. SIGHUP makes it re-read alertmanager.yml (and
 * keep the running configuration when the new one fails to load), so a changed receiver
 * is a reload; its flags are read only at start (a change restarts it).
 */
export function alertmanagerDaemon(): OpenRcService {
  return {
    name: "alertmanager",
    description: "Prometheus Alertmanager",
    command: "/usr/local/bin/alertmanager",
    args: [
      `--config.file=${alertmanagerConfigFile}`,
      `--storage.path=${alertmanagerPaths.data}`,
      `--web.listen-address=:${alertmanagerPort}`,
      // A single instance: no gossip peers to find.
      "--cluster.listen-address=",
    ],
    user: alertmanagerAccount.user,
    workingDirectory: alertmanagerPaths.data,
    writablePaths: [alertmanagerPaths.data],
    reloadSignal: "HUP",
  };
}

/** What cloud-init installs once: the pinned release (alertmanager and amtool, its checker). */
export function alertmanagerInstall(settings: ServiceSettings): string {
  return releaseInstall({
    daemon: alertmanagerDaemon(),
    account: alertmanagerAccount,
    release: {
      ...pinnedRelease("alertmanager", settings),
      binaries: [
        { source: "alertmanager", target: "alertmanager" },
        { source: "amtool", target: "amtool" },
      ],
    },
    home: alertmanagerPaths.data,
    ownedPaths: [alertmanagerPaths.data],
  });
}
