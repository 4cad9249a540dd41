import type { CloudConfig, CloudInitFile } from "./cloudInit";
import { openRcScriptPath, renderOpenRcService, type OpenRcService } from "./openrcService";
import { renderTemplate } from "./render";

/** Where an upstream release comes from and what of it is installed. */
export interface ReleaseInstall {
  /** Pinned upstream version (for the script's header; the URL already carries it). */
  version: string;
  /** Archive URL (tar.gz or zip); `${arch}` is expanded to amd64/arm64 on the host. */
  url: string;
  /** Binaries copied to /usr/local/bin: archive file name → installed name. */
  binaries?: { source: string; target: string }[];
  /** Install the whole release tree into this folder instead (e.g. Grafana's assets). */
  tree?: string;
}

/** The cloud-init shape every release-installed Atlas service shares. */
export interface ServiceCloudConfigArgs {
  service: OpenRcService;
  release: ReleaseInstall;
  /** Home folder of the service account (usually its data path). */
  home: string;
  /** Configuration files, written before the install script runs. */
  files: CloudInitFile[];
  /** Folders created and handed to the service account (data, config). */
  ownedPaths: string[];
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
 * cloud-config for a daemon installed from its upstream release: packages, the config
 * files, an OpenRC init script and an install script (templates/install-release.sh)
 * that runcmd executes once.
 */
export function serviceCloudConfig(args: ServiceCloudConfigArgs): CloudConfig {
  const name = args.service.name;
  const installScript = renderTemplate("install-release.sh.mustache", {
    service: name,
    version: args.release.version,
    url: args.release.url,
    user: args.service.user,
    home: args.home,
    binaries: args.release.binaries ?? [],
    tree: args.release.tree ?? false,
    ownedPaths: args.ownedPaths,
    postInstall: args.postInstall ?? false,
  });
  return {
    package_update: true,
    packages: ["ca-certificates", "curl", "tar", ...(args.packages ?? [])],
    write_files: [
      ...args.files,
      {
        path: openRcScriptPath(name),
        content: renderOpenRcService(args.service),
        permissions: "0755",
      },
      { path: installScriptPath(name), content: installScript, permissions: "0700" },
    ],
    runcmd: [["/bin/sh", installScriptPath(name)]],
  };
}
