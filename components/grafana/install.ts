import { pinnedRelease, type ServiceSettings } from "../../config";
import type { OpenRcService } from "../shared/openrcService";
import { renderTemplate } from "../shared/render";
import { serviceAccount } from "../shared/serviceAccounts";
import { releaseInstall } from "../shared/serviceInstall";

export const grafanaPort = 3000;

export const grafanaPaths = {
  /** The release tree (binary and web assets), installed once. */
  home: "/opt/grafana",
  config: "/etc/grafana",
  provisioning: "/etc/grafana/provisioning",
  dashboards: "/etc/grafana/dashboards",
  /** Grafana's database, sessions and plugins: the only path it writes. */
  data: "/var/lib/grafana",
} as const;

/** grafana.ini, pushed at every `up` (see configuration.ts). */
export const grafanaIniFile = `${grafanaPaths.config}/grafana.ini`;

/** The admin password alone, pushed at every `up` for the start script to apply. */
export const grafanaAdminPasswordFile = `${grafanaPaths.config}/admin-password`;

/** What OpenRC starts: the Grafana server behind the script that applies the password. */
export const grafanaStartScript = "/usr/local/sbin/atlas-grafana-server";

export const grafanaAccount = serviceAccount("grafana");

/**
 * The Grafana server under OpenRC. Grafana reads grafana.ini and its provisioning files
 * at start and re-reads neither on a signal (its provisioning reload is an admin HTTP API
 * needing the admin's credentials), so it has no `reloadSignal`: a change restarts it.
 * OpenRC starts it through the start script (templates/grafana-server.sh), which hands the
 * conf.d flags on to `grafana` after setting the admin password.
 */
export function grafanaDaemon(): OpenRcService {
  return {
    name: "grafana",
    description: "Grafana dashboards",
    command: grafanaStartScript,
    args: ["server", `--homepath=${grafanaPaths.home}`, `--config=${grafanaIniFile}`],
    user: grafanaAccount.user,
    workingDirectory: grafanaPaths.home,
    writablePaths: [grafanaPaths.data],
  };
}

/**
 * What cloud-init installs once: the pinned release tree under /opt/grafana and the start
 * script. Only the data path belongs to the grafana account; /etc/grafana is root's, and
 * the files holding the admin password reach the daemon through its group.
 */
export function grafanaInstall(settings: ServiceSettings): string {
  return releaseInstall({
    daemon: grafanaDaemon(),
    account: grafanaAccount,
    release: { ...pinnedRelease("grafana", settings), tree: grafanaPaths.home },
    home: grafanaPaths.data,
    ownedPaths: [grafanaPaths.data],
    installFiles: [
      {
        path: grafanaStartScript,
        content: renderTemplate("grafana-server.sh.mustache", {
          home: grafanaPaths.home,
          config: grafanaIniFile,
          passwordFile: grafanaAdminPasswordFile,
          // Grafana's SQLite database, at its default place under the data path.
          database: `${grafanaPaths.data}/grafana.db`,
        }),
        permissions: "0755",
      },
    ],
  });
}
