import { renderTemplate, shellQuote } from "./render";

/** What an OpenRC service needs to supervise a long-running daemon. */
export interface OpenRcService {
  /** Service (and init script) name, e.g. `prometheus`. */
  name: string;
  description: string;
  /** Absolute path of the daemon. */
  command: string;
  /** Arguments, one per element; quoted so values never split or expand. Configuration. */
  args: string[];
  /** Unprivileged account the daemon runs as. */
  user: string;
  /** Primary group (default: the user's name). */
  group?: string;
  workingDirectory?: string;
  /** Environment variables exported to the daemon. Configuration. */
  environment?: Record<string, string>;
  /** Directories the daemon writes to, created and owned by it before each start. */
  writablePaths?: string[];
  /**
   * The signal that makes the daemon re-read its configuration files (`HUP` for
   * Prometheus and Alertmanager): gives the init script a `reload` command. Without it a
   * configuration change restarts the daemon.
   */
  reloadSignal?: "HUP" | "USR1";
}

/** Path of a service's init script (installed once). */
export function openRcScriptPath(name: string): string {
  return `/etc/init.d/${name}`;
}

/** Path of a service's OpenRC settings: its flags and environment (configuration). */
export function openRcConfPath(name: string): string {
  return `/etc/conf.d/${name}`;
}

/**
 * A value as one shell word: plain words as they are, anything else single-quoted
 * (OpenRC evaluates command_args; scripts place values into commands).
 */
export function shellWord(value: string): string {
  return shellQuote(value);
}

/** Renders the shared OpenRC init script for a service: what is installed once. */
export function renderOpenRcService(service: OpenRcService): string {
  return renderTemplate("openrc-service.mustache", {
    name: service.name,
    description: service.description,
    command: service.command,
    user: service.user,
    group: service.group ?? service.user,
    workingDirectory: service.workingDirectory ?? false,
    writablePaths: service.writablePaths ?? [],
    reloadSignal: service.reloadSignal ?? false,
  });
}

/**
 * Renders `/etc/conf.d/<service>`: the daemon's flags and environment, which OpenRC sources
 * before each start. `command_args` is evaluated by OpenRC, so the arguments are quoted
 * once as words and the renderer quotes the whole list again as one value.
 */
export function renderOpenRcConf(service: OpenRcService): string {
  for (const key of Object.keys(service.environment ?? {})) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
      throw new Error(`OpenRC service ${service.name}: unusable environment entry ${key}`);
    }
  }
  return renderTemplate("openrc-conf.mustache", {
    name: service.name,
    commandArgs: service.args.map(shellWord).join(" "),
    environment: Object.entries(service.environment ?? {}).map(([key, value]) => ({ key, value })),
  });
}
