import { pinnedRelease, type ServiceSettings } from "../../config";
import type { OpenRcService } from "../shared/openrcService";
import { serviceAccount } from "../shared/serviceAccounts";
import { releaseInstall } from "../shared/serviceInstall";

/** Port of cloudflared's Prometheus endpoint (`http://cloudflared01.incus:2000`). */
export const cloudflaredMetricsPort = 2000;

export const cloudflaredPaths = {
  home: "/var/lib/cloudflared",
  /** The tunnel token, pushed by Atlas (configuration, secret). */
  token: "/etc/cloudflared/token",
} as const;

export const cloudflaredAccount = serviceAccount("cloudflared");

/**
 * cloudflared under OpenRC, running the tunnel whose token it reads from a file
 * (`--token-file`): the token is neither on the command line (the process list) nor in
 * the daemon's environment. Routes live in the Cloudflare dashboard; cloudflared re-reads
 * nothing on a signal, so a changed token or flag restarts it.
 */
export function cloudflaredDaemon(): OpenRcService {
  return {
    name: "cloudflared",
    description: "Cloudflare Tunnel client",
    command: "/usr/local/bin/cloudflared",
    args: [
      "tunnel",
      "--no-autoupdate",
      "--metrics",
      `0.0.0.0:${cloudflaredMetricsPort}`,
      "run",
      "--token-file",
      cloudflaredPaths.token,
    ],
    user: cloudflaredAccount.user,
  };
}

/** What cloud-init installs once: the pinned cloudflared binary. No token. */
export function cloudflaredInstall(settings: ServiceSettings): string {
  return releaseInstall({
    daemon: cloudflaredDaemon(),
    account: cloudflaredAccount,
    release: {
      ...pinnedRelease("cloudflared", settings),
      binaries: [{ source: "cloudflared-linux-*", target: "cloudflared" }],
    },
    home: cloudflaredPaths.home,
    ownedPaths: [cloudflaredPaths.home],
  });
}
