import type { ServiceSettings } from "../../config";
import { cloudInitUserData } from "../shared/cloudInit";
import { renderTemplate } from "../shared/render";

/** OVN's well-known database ports. */
export const ovnDatabasePorts = { northbound: 6641, southbound: 6642 } as const;

/** Where the northbound and southbound databases live (the data volume). */
export const ovnDataDir = "/var/lib/ovn";

/**
 * What cloud-init installs once: Alpine's `ovn` package at the pinned version and the
 * start script OpenRC's `local` service runs at boot (northd and both databases, on fixed
 * ports). This is all of OVN central: it has nothing a user changes later. Where its
 * databases are published (`ovn.centralListenAddress`) lives in the profile's proxy
 * devices, which change in place, so the instance and its databases are never replaced
 * for it; only a new OVN version replaces the instance (the databases stay on the volume).
 */
export function ovnCentralInstall(settings: ServiceSettings): string {
  const startScript = renderTemplate("ovn-central.start.mustache", {
    dataDir: ovnDataDir,
    northboundPort: ovnDatabasePorts.northbound,
    southboundPort: ovnDatabasePorts.southbound,
  });
  return cloudInitUserData({
    package_update: true,
    packages: [`ovn~${settings.version}`],
    write_files: [
      { path: "/etc/local.d/ovn-central.start", content: startScript, permissions: "0755" },
    ],
    runcmd: [
      ["install", "-d", ovnDataDir],
      ["rc-update", "add", "local", "default"],
      ["rc-service", "local", "start"],
    ],
  });
}
