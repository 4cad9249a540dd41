import { pinnedRelease, type ServiceSettings } from "../../config";
import type { OpenRcService } from "../shared/openrcService";
import { serviceAccount } from "../shared/serviceAccounts";
import { releaseInstall } from "../shared/serviceInstall";

export const nodeExporterPort = 9100;

/** Host paths node_exporter reads, mounted read-only inside the container. */
export const hostMounts = [
  { name: "host-root", source: "/", path: "/host/root" },
  { name: "host-proc", source: "/proc", path: "/host/proc" },
  { name: "host-sys", source: "/sys", path: "/host/sys" },
] as const;

export const nodeExporterAccount = serviceAccount("node-exporter");

/**
 * node_exporter under OpenRC. Its whole configuration is its flags: it has no
 * configuration file to re-read and no reload signal, so a change restarts it.
 */
export function nodeExporterDaemon(): OpenRcService {
  return {
    name: "node-exporter",
    description: "Prometheus node exporter for the host",
    command: "/usr/local/bin/node_exporter",
    args: [
      `--web.listen-address=:${nodeExporterPort}`,
      "--path.rootfs=/host/root",
      "--path.procfs=/host/proc",
      "--path.sysfs=/host/sys",
    ],
    user: nodeExporterAccount.user,
  };
}

/** What cloud-init installs once: the pinned node_exporter release. It writes nothing. */
export function nodeExporterInstall(settings: ServiceSettings): string {
  return releaseInstall({
    daemon: nodeExporterDaemon(),
    account: nodeExporterAccount,
    release: {
      ...pinnedRelease("nodeExporter", settings),
      binaries: [{ source: "node_exporter", target: "node_exporter" }],
    },
    home: "/var/empty",
    ownedPaths: [],
  });
}
