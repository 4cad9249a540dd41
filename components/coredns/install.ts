import { pinnedRelease, type ServiceSettings } from "../../config";
import type { OpenRcService } from "../shared/openrcService";
import { serviceAccount } from "../shared/serviceAccounts";
import { releaseInstall } from "../shared/serviceInstall";

export const corednsPaths = {
  configDir: "/etc/coredns",
  corefile: "/etc/coredns/Corefile",
} as const;

export const corednsAccount = serviceAccount("coredns");

/** Where the zone checker is called from (linked there at install, see corednsInstall). */
export const namedCheckzone = "/usr/local/bin/named-checkzone";

/**
 * CoreDNS under OpenRC. SIGUSR1 makes it re-read the Corefile and set every server up
 * again, zones included (the Corefile has no `reload` plugin, so nothing else notices a
 * changed Corefile); a Corefile it cannot load leaves the running one in place. The
 * `file` plugin also re-reads a zone whose serial changed every 30s on its own.
 */
export function corednsDaemon(): OpenRcService {
  return {
    name: "coredns",
    description: "CoreDNS split-horizon DNS",
    command: "/usr/local/bin/coredns",
    args: ["-conf", corednsPaths.corefile],
    user: corednsAccount.user,
    workingDirectory: corednsPaths.configDir,
    reloadSignal: "USR1",
  };
}

/**
 * What cloud-init installs once: the pinned CoreDNS release, the bind capability for port
 * 53, and BIND's `named-checkzone` to check a zone before CoreDNS reads it. CoreDNS has
 * no config-test mode and Alpine ships the checker only in the `bind` package (not in
 * `bind-tools`); the named service itself is never enabled. The checker is linked into
 * /usr/local/bin, where Atlas calls every checker from.
 */
export function corednsInstall(settings: ServiceSettings): string {
  return releaseInstall({
    daemon: corednsDaemon(),
    account: corednsAccount,
    release: {
      ...pinnedRelease("coredns", settings),
      binaries: [{ source: "coredns", target: "coredns" }],
    },
    home: corednsPaths.configDir,
    // CoreDNS writes nothing: its Corefile and zone are root's, pushed by Atlas.
    ownedPaths: [],
    packages: ["libcap-utils", "bind"],
    postInstall: [
      // Port 53 without root: the binary gets just the bind capability.
      "setcap cap_net_bind_service=+ep /usr/local/bin/coredns",
      `ln -sf "$(command -v named-checkzone)" ${namedCheckzone}`,
    ].join("\n"),
  });
}
