import { renderTemplate, shellQuote } from "./render";

/** What an OpenRC service needs to supervise a long-running daemon. */
export interface OpenRcService {
  /** Service (and init script) name, e.g. `prometheus`. */
  name: string;
  description: string;
  /** Absolute path of the daemon. */
  command: string;
  /** Arguments, one per element; quoted here so values never split or expand. */
  args: string[];
  /** Unprivileged account the daemon runs as. */
  user: string;
  /** Primary group (default: the user's name). */
  group?: string;
  workingDirectory?: string;
  /** Environment variables exported to the daemon (values are single-quoted). */
  environment?: Record<string, string>;
  /** Directories the daemon writes to, created and owned by it before each start. */
  writablePaths?: string[];
}

/** Path of a service's init script. */
export function openRcScriptPath(name: string): string {
  return `/etc/init.d/${name}`;
}

/**
 * A value as one shell word: plain words as they are, anything else single-quoted
 * (OpenRC evaluates command_args; scripts place values into commands).
 */
export function shellWord(value: string): string {
  return shellQuote(value);
}

/** Renders the shared OpenRC init script for a service. */
export function renderOpenRcService(service: OpenRcService): string {
  for (const key of Object.keys(service.environment ?? {})) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
      throw new Error(`OpenRC service ${service.name}: unusable environment entry ${key}`);
    }
  }
  return renderTemplate("openrc-service.mustache", {
    name: service.name,
    description: service.description,
    command: service.command,
    commandArgs: service.args.map(shellWord).join(" "),
    user: service.user,
    group: service.group ?? service.user,
    workingDirectory: service.workingDirectory ?? false,
    environment: Object.entries(service.environment ?? {}).map(([key, value]) => ({ key, value })),
    writablePaths: service.writablePaths ?? [],
  });
}
