import * as pulumi from "@pulumi/pulumi";
import { unpinnedArchitectures, type PinnedRelease } from "../../config";
import type { CloudConfig, CloudInitFile } from "./cloudInit";
import { openRcScriptPath, renderOpenRcService, type OpenRcService } from "./openrcService";
import { renderTemplate, shellCode } from "./render";

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
 * that runcmd executes once. The script installs nothing whose SHA-256 differs from the
 * pinned one, and nothing at all on an architecture without a pin.
 */
export function serviceCloudConfig(args: ServiceCloudConfigArgs): CloudConfig {
  const name = args.service.name;
  warnUnpinned(name, args.release);
  const installScript = renderTemplate("install-release.sh.mustache", {
    service: name,
    version: args.release.version,
    artifacts: args.release.artifacts,
    pinKey: args.release.pinKey,
    user: args.service.user,
    home: args.home,
    binaries: args.release.binaries ?? [],
    tree: args.release.tree ?? false,
    ownedPaths: args.ownedPaths,
    // Shell the component wrote (never configuration), placed as is.
    postInstall: args.postInstall ? shellCode(args.postInstall) : false,
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
