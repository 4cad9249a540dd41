/**
 * The daemons a contract test starts, each inside its namespace with its output in a
 * log file; `stopAll()` (in `afterAll`, also after a failure) ends every one of them by
 * its PID, and deleting the lab's namespaces kills anything left over.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { ExecResult } from "./network";

export interface Daemon {
  name: string;
  process: ChildProcess;
  logFile: string;
  /** Last lines of its log, for assertion messages. */
  log(): string;
}

export interface StartOptions {
  /** Extra environment (e.g. SSL_CERT_FILE for a test CA). */
  env?: Record<string, string>;
  cwd?: string;
}

/** Starts and stops the lab's daemons. */
export class Supervisor {
  private readonly daemons: Daemon[] = [];

  constructor(private readonly logDir: string) {
    fs.mkdirSync(logDir, { recursive: true });
  }

  /** Starts `command args` in `netns` (through `ip netns exec`, which execs in place). */
  start(
    name: string,
    netns: string,
    command: string,
    args: string[],
    options: StartOptions = {},
  ): Daemon {
    const logFile = path.join(this.logDir, `${name}.log`);
    const fd = fs.openSync(logFile, "a");
    const child = spawn("ip", ["netns", "exec", netns, command, ...args], {
      stdio: ["ignore", fd, fd],
      env: { ...process.env, ...(options.env ?? {}) },
      cwd: options.cwd,
    });
    fs.closeSync(fd);
    const daemon: Daemon = {
      name,
      process: child,
      logFile,
      log: () => tail(logFile),
    };
    this.daemons.push(daemon);
    return daemon;
  }

  /** Every daemon that has exited although nobody stopped it, with its log. */
  exited(): string[] {
    return this.daemons
      .filter((d) => d.process.exitCode !== null || d.process.signalCode !== null)
      .map((d) => `${d.name} exited (${d.process.exitCode ?? d.process.signalCode}):\n${d.log()}`);
  }

  /** Stops one daemon: SIGTERM, then SIGKILL after `graceMs`. */
  async stop(daemon: Daemon, graceMs = 3_000): Promise<void> {
    const child = daemon.process;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    await exited;
    clearTimeout(timer);
  }

  /** Stops every daemon started here. */
  async stopAll(): Promise<void> {
    await Promise.all(this.daemons.map((d) => this.stop(d)));
  }
}

function tail(file: string, lines = 25): string {
  try {
    return fs.readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

/** Runs a command inside a namespace without blocking the event loop. */
export function execIn(
  netns: string,
  command: string,
  args: string[],
  timeoutMs = 20_000,
): Promise<ExecResult> {
  return new Promise((resolve) => {
    execFile(
      "ip",
      ["netns", "exec", netns, command, ...args],
      { encoding: "utf8", timeout: timeoutMs, maxBuffer: 32 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const status =
          error === null
            ? 0
            : typeof error.code === "number"
              ? error.code
              : (null as number | null);
        resolve({
          status,
          stdout,
          stderr: `${stderr}${error && status === null ? String(error) : ""}`,
        });
      },
    );
  });
}

/** GET `url` from inside `netns` with curl; parses JSON. */
export async function getJson<T>(netns: string, url: string): Promise<T> {
  const result = await execIn(netns, "curl", ["-sS", "--fail", "--max-time", "5", url]);
  if (result.status !== 0) throw new Error(`GET ${url} in ${netns}: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

/**
 * Polls `probe` until it returns a value (not undefined) or `timeoutMs` passes; the
 * last error or a description of what was awaited goes into the failure.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  intervalMs = 1_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last}` : ""}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
