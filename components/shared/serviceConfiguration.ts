import * as pulumi from "@pulumi/pulumi";
import type { InstanceExec, InstanceFile } from "../../incus/sdk";
import { openRcConfPath, renderOpenRcConf, type OpenRcService } from "./openrcService";
import { renderTemplate } from "./render";
import type { ServiceAccount } from "./serviceAccounts";

/**
 * What a user can change after the first deploy: a service's configuration files, pushed
 * into the running instance through the Incus file API, and how the daemon takes them up.
 * None of it is in cloud-init user-data, so a change never re-provisions the instance.
 */

/** A configuration file of a service. */
export interface ServiceFile {
  /** Absolute path inside the instance. */
  path: string;
  content: string;
  /**
   * Octal mode (default `0644`). Root owns every file and the daemon's group reads it, so
   * a file holding a secret is `0640`.
   */
  mode?: string;
}

/**
 * How a changed configuration reaches the daemon: the daemon's own checkers first, then
 * `rc-service <service> reload` (a signal, for daemons that re-read their files) or
 * `restart` (for daemons that read them only at start).
 */
export interface ServiceApply {
  /** The OpenRC service name. */
  service: string;
  /**
   * Commands that check the new files before the daemon sees them (e.g. `promtool check
   * config`). Empty where the daemon has no checker: the component says so.
   */
  checks: string[][];
  /** What a change of a file other than `restartFiles` needs. */
  action: "reload" | "restart";
  /** Files read only at start (the OpenRC conf.d with the flags): a change restarts. */
  restartFiles: string[];
}

/** A service's configuration: its files, who reads them, and how they are applied. */
export interface ServiceConfiguration {
  account: ServiceAccount;
  files: pulumi.Output<ServiceFile[]>;
  apply: ServiceApply;
}

/** What a daemon-based service declares about its configuration. */
export interface DaemonConfigurationArgs {
  /** The daemon: its flags and environment become `/etc/conf.d/<name>`. */
  daemon: OpenRcService;
  account: ServiceAccount;
  /** The daemon's configuration files (besides conf.d). */
  files?: pulumi.Input<pulumi.Input<ServiceFile>[]>;
  /** The daemon's own checkers over those files (see ServiceApply.checks). */
  checks?: string[][];
}

/**
 * The configuration of a daemon supervised by OpenRC: its files plus its conf.d; reloaded
 * with its signal when it has one, otherwise restarted; restarted when its flags change.
 */
export function daemonConfiguration(args: DaemonConfigurationArgs): ServiceConfiguration {
  const conf: ServiceFile = {
    path: openRcConfPath(args.daemon.name),
    content: renderOpenRcConf(args.daemon),
    // The environment can hold a credential (Cloudflared's tunnel token).
    mode: args.daemon.environment ? "0640" : "0644",
  };
  return {
    account: args.account,
    files: pulumi.output(args.files ?? []).apply((files) => [...files, conf]),
    apply: {
      service: args.daemon.name,
      checks: args.checks ?? [],
      action: args.daemon.reloadSignal ? "reload" : "restart",
      restartFiles: [conf.path],
    },
  };
}

/** Where the apply script of a service lives inside its instance. */
export function applyScriptPath(service: string): string {
  return `/usr/local/sbin/atlas-apply-${service}`;
}

/** Renders the script the on_change exec runs: check, then reload or restart. */
export function renderApplyScript(apply: ServiceApply): string {
  return renderTemplate("apply-config.sh.mustache", {
    service: apply.service,
    checks: apply.checks.map((argv) => ({ argv })),
    action: apply.action,
    restartFiles: apply.restartFiles,
    hasRestartFiles: apply.restartFiles.length > 0,
  });
}

/** The Instance's `files`: the configuration files plus the apply script itself. */
export function instanceFiles(configuration: ServiceConfiguration): pulumi.Output<InstanceFile[]> {
  const { account, apply } = configuration;
  return configuration.files.apply((files) => [
    ...files.map((file): InstanceFile => ({
      targetPath: file.path,
      content: file.content,
      mode: file.mode ?? "0644",
      uid: 0,
      gid: account.gid,
    })),
    {
      targetPath: applyScriptPath(apply.service),
      content: renderApplyScript(apply),
      mode: "0755",
      uid: 0,
      gid: 0,
    },
  ]);
}

/**
 * The Instance's `execs`: apply after every change of the files. The provider names the
 * changed files in `ATLAS_CHANGED_FILES`, which is how the script tells a restart (a
 * start-time file changed) from a reload. A rejected file fails the `up` with the
 * instance's name and the checker's message, and the provider puts the previous files back.
 */
export function instanceExecs(apply: ServiceApply): InstanceExec[] {
  return [
    {
      name: `apply-${apply.service}-configuration`,
      command: ["/bin/sh", applyScriptPath(apply.service)],
      trigger: "on_change",
    },
  ];
}
