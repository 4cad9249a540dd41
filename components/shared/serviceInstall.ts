import * as pulumi from "@pulumi/pulumi";
import { unpinnedArchitectures, type PinnedRelease } from "../../config";
import { cloudInitUserData, type CloudInitFile } from "./cloudInit";
import { openRcScriptPath, renderOpenRcService, type OpenRcService } from "./openrcService";
import { renderTemplate, shellCode } from "./render";
import type { ServiceAccount } from "./serviceAccounts";

/**
 * What of an upstream release is installed, and from where: the pinned downloads come from
 * `pinnedRelease()` (config/releasePins.ts), one per architecture that has a SHA-256.
 */
export interface ReleaseInstall extends PinnedRelease {
  /** Binaries copied to /usr/local/bin: archive file name → installed name. */
  binaries?: { source: string; target: string }[];
  /** Install the whole release tree into this folder instead (e.g. Grafana's assets). */
  tree?: string;
}

/** What cloud-init installs once for a daemon from its upstream release. */
export interface ReleaseInstallArgs {
  /** The daemon's OpenRC service (its init script is installed; its flags are configuration). */
  daemon: OpenRcService;
  /** The daemon's account, created with its fixed ids before the configuration is read. */
  account: ServiceAccount;
  release: ReleaseInstall;
  /** Home folder of the service account (usually its data path). */
  home: string;
  /**
   * Folders created and handed to the service account: what the daemon writes (its data),
   * never its configuration, which root owns and Atlas pushes.
   */
  ownedPaths: string[];
  /** Scripts installed once beside the daemon (one-time initialisation), not configuration. */
  installFiles?: CloudInitFile[];
  /** Alpine packages beyond curl and certificates. */
  packages?: string[];
  /** Shell run after installation, before the service starts (e.g. one-time init). */
  postInstall?: string;
}

/** Path of a service's install script. */
export function installScriptPath(service: string): string {
  return `/usr/local/sbin/atlas-install-${service}.sh`;
}

/**
 * cloud-init user-data for a daemon installed from its upstream release: packages, an
 * OpenRC init script and an install script (templates/install-release.sh) that runcmd
 * executes once. It holds nothing a user changes later (configuration files are pushed by
 * the anatomy), so a changed setting never re-provisions the instance; a changed version
 * replaces it. The script installs nothing whose SHA-256 differs from the pinned one, and
 * nothing at all on an architecture without a pin.
 */
export function releaseInstall(args: ReleaseInstallArgs): string {
  const name = args.daemon.name;
  warnUnpinned(name, args.release);
  const installScript = renderTemplate("install-release.sh.mustache", {
    service: name,
    version: args.release.version,
    artifacts: args.release.artifacts,
    pinKey: args.release.pinKey,
    user: args.account.user,
    uid: args.account.uid,
    gid: args.account.gid,
    home: args.home,
    binaries: args.release.binaries ?? [],
    tree: args.release.tree ?? false,
    ownedPaths: args.ownedPaths,
    // Shell the component wrote (never configuration), placed as is.
    postInstall: args.postInstall ? shellCode(args.postInstall) : false,
  });
  return cloudInitUserData({
    package_update: true,
    packages: ["ca-certificates", "curl", "tar", ...(args.packages ?? [])],
    write_files: [
      ...(args.installFiles ?? []),
      {
        path: openRcScriptPath(name),
        content: renderOpenRcService(args.daemon),
        permissions: "0755",
      },
      { path: installScriptPath(name), content: installScript, permissions: "0700" },
    ],
    runcmd: [["/bin/sh", installScriptPath(name)]],
  });
}

/**
 * A known version may lack a published hash for an architecture: it plans, but its
 * install script refuses that architecture. Say so at preview, before an instance on
 * such a host comes up without its service.
 */
function warnUnpinned(service: string, release: PinnedRelease): void {
  const missing = unpinnedArchitectures(release);
  if (missing.length === 0) return;
  const keyPath = release.pinKey.replace(/^atlas:/, "");
  pulumi.log.warn(
    `atlas: ${service} ${release.version} has no pinned SHA-256 for ${missing.join(", ")}, ` +
      `so its install script refuses to install on ${missing.length === 1 ? "that architecture" : "those architectures"}. ` +
      `Pin the published hash of each download: ${missing
        .map((arch) => `pulumi config set --path ${keyPath}.${arch} <sha256>`)
        .join("; ")}`,
  );
}
