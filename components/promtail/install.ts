import { pinnedRelease, type ServiceSettings } from "../../config";
import type { OpenRcService } from "../shared/openrcService";
import { serviceAccount } from "../shared/serviceAccounts";
import { releaseInstall } from "../shared/serviceInstall";

export const promtailPaths = {
  config: "/etc/promtail",
  /** Where Promtail keeps its read positions (the only thing it writes). */
  state: "/var/lib/promtail",
} as const;

/** The one configuration file Promtail reads (pushed at every `up`, see configuration.ts). */
export const promtailConfigFile = `${promtailPaths.config}/promtail.yml`;

export const promtailAccount = serviceAccount("promtail");

/**
 * The Promtail daemon under OpenRC. A changed promtail.yml restarts it. Promtail can
 * re-read its file at runtime (SIGHUP, or `/reload` with `-server.enable-runtime-reload`),
 * but a restart loses nothing here (it resumes from its positions file and Loki takes
 * the lines late), checks nothing less (the checker runs first either way), and is the
 * one path every flag change takes anyway.
 */
export function promtailDaemon(): OpenRcService {
  return {
    name: "promtail",
    description: "Promtail log shipper",
    command: "/usr/local/bin/promtail",
    args: [`-config.file=${promtailConfigFile}`],
    user: promtailAccount.user,
    // Reading other services' logs needs the adm group's access to /var/log.
    group: "adm",
    writablePaths: [promtailPaths.state],
  };
}

/**
 * What cloud-init installs once: the pinned release's `promtail` binary (which is also the
 * configuration checker, `-check-syntax`) and unzip for its archive.
 */
export function promtailInstall(settings: ServiceSettings): string {
  return releaseInstall({
    daemon: promtailDaemon(),
    account: promtailAccount,
    release: {
      ...pinnedRelease("promtail", settings),
      binaries: [{ source: "promtail-linux-*", target: "promtail" }],
    },
    packages: ["unzip"],
    home: promtailPaths.state,
    ownedPaths: [promtailPaths.state],
  });
}
