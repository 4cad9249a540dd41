/**
 * Commands in instances (`execs` on the Instance): their validation, and running one
 * through the Incus exec API without a websocket. Incus records the output to log files of
 * the instance; they are read only when the command failed, and deleted in every case.
 *
 * A command that outlives its timeout is killed from a second exec: Incus 6.0 refuses to
 * cancel an exec operation ("This operation can't be cancelled"; the process keeps
 * running) and exposes no pid without a websocket. Every exec therefore carries a marker in
 * its environment, inherited by everything it starts, and the second exec kills every
 * process whose environment holds the marker (it needs `sh` and `grep` in the instance).
 */
import * as crypto from "node:crypto";
import { type IncusClient, IncusError, type Operation, type RequestOptions } from "../../client";
import { enc } from "../handler";
import { isObject, type PropertyValue } from "../values";

export const EXEC_TRIGGERS = ["once", "on_change", "on_start"] as const;
export type ExecTrigger = (typeof EXEC_TRIGGERS)[number];

export const DEFAULT_EXEC_TIMEOUT_SECONDS = 120;
export const MAX_EXEC_TIMEOUT_SECONDS = 3600;
/** Environment variable marking every process of one exec (see the file comment). */
export const EXEC_MARKER = "ATLAS_EXEC_ID";

const EXEC_NAME = {
  re: /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/,
  allowed: "1-63 letters, digits, '_', '.' or '-', starting with a letter or digit",
};
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const FIELDS = [
  "name",
  "command",
  "environment",
  "uid",
  "gid",
  "cwd",
  "trigger",
  "failOnError",
  "timeoutSeconds",
];
/** Seconds one server-side wait may last; a long command is waited for in slices. */
const WAIT_SLICE_SECONDS = 30;
/** Seconds given to the kill of a timed-out command and to its operation ending after it. */
const KILL_GRACE_SECONDS = 15;
/** Lines of each output stream quoted in a failure message. */
const TAIL_LINES = 20;
const TAIL_CHARS = 2000;

export interface ExecSpec {
  name: string;
  command: string[];
  environment: Record<string, string>;
  uid?: number;
  gid?: number;
  cwd?: string;
  trigger: ExecTrigger;
  failOnError: boolean;
  timeoutSeconds: number;
}

function show(v: PropertyValue): string {
  return JSON.stringify(v ?? null);
}

/** Reasons why `execs[index]` is invalid; empty when it is fine. */
export function validateExec(v: PropertyValue, index: number): string[] {
  if (!isObject(v)) return [`execs[${index}] must be {name, command, trigger, ...}`];
  const where = `execs[${index}]${typeof v.name === "string" ? ` ("${v.name}")` : ""}`;
  const r: string[] = [];
  for (const k of Object.keys(v)) {
    if (!FIELDS.includes(k) && v[k] !== undefined)
      r.push(`${where}: unknown field "${k}"; allowed: ${FIELDS.join(", ")}`);
  }
  if (typeof v.name !== "string" || !EXEC_NAME.re.test(v.name))
    r.push(`${where}: name must be ${EXEC_NAME.allowed} (got ${show(v.name)})`);
  const cmd = v.command;
  if (
    !Array.isArray(cmd) ||
    cmd.length === 0 ||
    cmd.some((a) => typeof a !== "string") ||
    cmd[0] === ""
  ) {
    r.push(
      `${where}: command must be a non-empty list of strings, the program first, e.g. ["rc-service", "grafana", "reload"] (got ${show(cmd)})`,
    );
  }
  if (typeof v.trigger !== "string" || !(EXEC_TRIGGERS as readonly string[]).includes(v.trigger))
    r.push(`${where}: trigger must be one of ${EXEC_TRIGGERS.join(", ")} (got ${show(v.trigger)})`);
  if (v.environment !== undefined) {
    if (!isObject(v.environment)) r.push(`${where}: environment must be a map of strings`);
    else {
      for (const [k, e] of Object.entries(v.environment)) {
        if (!ENV_NAME.test(k)) r.push(`${where}: environment variable name "${k}" is not valid`);
        else if (k === EXEC_MARKER) r.push(`${where}: environment variable ${k} is reserved`);
        if (typeof e !== "string") r.push(`${where}: environment.${k} must be a string`);
      }
    }
  }
  for (const k of ["uid", "gid"]) {
    const n = v[k];
    if (n !== undefined && (typeof n !== "number" || !Number.isInteger(n) || n < 0))
      r.push(`${where}: ${k} must be a non-negative integer (got ${show(n)})`);
  }
  if (v.cwd !== undefined && (typeof v.cwd !== "string" || !v.cwd.startsWith("/")))
    r.push(`${where}: cwd must be an absolute path inside the instance (got ${show(v.cwd)})`);
  if (v.failOnError !== undefined && typeof v.failOnError !== "boolean")
    r.push(`${where}: failOnError must be true or false (got ${show(v.failOnError)})`);
  const t = v.timeoutSeconds;
  if (
    t !== undefined &&
    (typeof t !== "number" || !Number.isInteger(t) || t < 1 || t > MAX_EXEC_TIMEOUT_SECONDS)
  ) {
    r.push(
      `${where}: timeoutSeconds must be a whole number of seconds from 1 to ${MAX_EXEC_TIMEOUT_SECONDS} (got ${show(t)})`,
    );
  }
  return r;
}

/** Names used by more than one exec (names identify execs in messages and in state). */
export function duplicateExecNames(v: PropertyValue): string[] {
  if (!Array.isArray(v)) return [];
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const e of v) {
    if (!isObject(e) || typeof e.name !== "string") continue;
    if (seen.has(e.name)) twice.add(e.name);
    seen.add(e.name);
  }
  return [...twice];
}

export function execsFromInputs(v: PropertyValue): ExecSpec[] {
  if (!Array.isArray(v)) return [];
  return v.filter(isObject).map((e) => {
    const env: Record<string, string> = {};
    if (isObject(e.environment))
      for (const [k, x] of Object.entries(e.environment)) if (typeof x === "string") env[k] = x;
    return {
      name: String(e.name),
      command: Array.isArray(e.command) ? e.command.map(String) : [],
      environment: env,
      uid: typeof e.uid === "number" ? e.uid : undefined,
      gid: typeof e.gid === "number" ? e.gid : undefined,
      cwd: typeof e.cwd === "string" ? e.cwd : undefined,
      trigger: e.trigger as ExecTrigger,
      failOnError: e.failOnError !== false,
      timeoutSeconds:
        typeof e.timeoutSeconds === "number" ? e.timeoutSeconds : DEFAULT_EXEC_TIMEOUT_SECONDS,
    };
  });
}

/**
 * What state records of a `once` exec that ran: its name and a digest of what it does, so
 * that a changed command counts as a new one. (The record is secret when any exec input
 * is, since a digest of a weak secret can be guessed.)
 */
export function onceKey(e: ExecSpec): string {
  const env = Object.keys(e.environment)
    .sort()
    .map((k) => [k, e.environment[k]]);
  const what = JSON.stringify([e.command, env, e.uid ?? null, e.gid ?? null, e.cwd ?? null]);
  return `${e.name}@${crypto.createHash("sha256").update(what).digest("hex").slice(0, 12)}`;
}

/** How one exec ended. */
export interface ExecOutcome {
  /** The exit code, when the command ran to its end (or was killed: 137). */
  exitCode?: number;
  /** Why Incus did not run it (e.g. "Command not found"). */
  refused?: string;
  timedOut: boolean;
  /** Why a timed-out command could not be killed (it may still be running). */
  killFailed?: string;
  stdout: string;
  stderr: string;
}

export function succeeded(o: ExecOutcome): boolean {
  return o.exitCode === 0 && !o.timedOut && o.refused === undefined;
}

interface ExecMetadata {
  return?: number;
  output?: Record<string, string>;
}

/**
 * Waits for an operation until `deadline` (ms since epoch), in slices so that no single
 * request outlives the client's response timeout. Returns undefined when it still runs.
 */
async function waitUntil(
  client: IncusClient,
  operation: string,
  deadline: number,
  opts: RequestOptions,
): Promise<Operation | undefined> {
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) return undefined;
    const slice = Math.max(1, Math.min(WAIT_SLICE_SECONDS, Math.ceil(left / 1000)));
    try {
      const res = await client.request<Operation>("GET", `${operation}/wait`, {
        object: opts.object,
        project: opts.project,
        query: { timeout: String(slice) },
      });
      // A cluster member forwarding the wait for another member's exec may answer while it
      // still runs (103 Running, 105 Pending): wait again, within the deadline.
      if (res.metadata.status_code === 103 || res.metadata.status_code === 105) {
        await new Promise((r) => setTimeout(r, 200));
        continue;
      }
      return res.metadata;
    } catch (e) {
      // A wait that ran out while the command still runs is answered with this error.
      if (e instanceof IncusError && /deadline exceeded/i.test(e.incusMessage)) continue;
      throw e;
    }
  }
}

/** Starts a command; returns its operation's path. */
async function startExec(
  client: IncusClient,
  instance: string,
  body: Record<string, unknown>,
  opts: RequestOptions,
): Promise<string> {
  const res = await client.request<Operation>("POST", `/1.0/instances/${enc(instance)}/exec`, {
    ...opts,
    body: { "wait-for-websocket": false, interactive: false, ...body },
  });
  if (!res.operation)
    throw new Error(`Incus answered an exec in "${instance}" without an operation`);
  return res.operation;
}

/** Kills every process of the exec carrying `marker`; returns why it could not, if so. */
async function killMarked(
  client: IncusClient,
  instance: string,
  marker: string,
  opts: RequestOptions,
): Promise<string | undefined> {
  // The marker holds only letters, digits, '_' and '=', so a plain grep matches it exactly
  // (busybox `grep -F` does not match across the NUL-separated environ).
  const script =
    'for e in /proc/[0-9]*/environ; do if grep -qs "$1" "$e"; then p=${e#/proc/}; kill -9 "${p%/environ}" 2>/dev/null; fi; done';
  try {
    const op = await startExec(
      client,
      instance,
      { command: ["sh", "-c", script, "atlas-exec-kill", marker], "record-output": false },
      opts,
    );
    const done = await waitUntil(client, op, Date.now() + KILL_GRACE_SECONDS * 1000, opts);
    if (!done) return `the kill did not finish within ${KILL_GRACE_SECONDS} s`;
    const code = (done.metadata as ExecMetadata | null)?.return;
    return code === 0 ? undefined : `the kill exited with code ${String(code)}`;
  } catch (e) {
    return e instanceof IncusError ? e.incusMessage : (e as Error).message;
  }
}

/** Reads and deletes the recorded output; best effort (the outcome matters more). */
async function collectOutput(
  client: IncusClient,
  output: Record<string, string> | undefined,
  wanted: boolean,
  opts: RequestOptions,
): Promise<{ stdout: string; stderr: string }> {
  const text: Record<string, string> = { "1": "", "2": "" };
  for (const [fd, logPath] of Object.entries(output ?? {})) {
    if (wanted && (fd === "1" || fd === "2")) {
      try {
        const res = await client.request<Buffer>("GET", logPath, { ...opts, rawBody: true });
        text[fd] = Buffer.isBuffer(res.metadata) ? res.metadata.toString("utf8") : "";
      } catch {
        // The failure is reported without its output rather than not at all.
      }
    }
    // Incus keeps every recorded output until it is deleted.
    await client.mutate("DELETE", logPath, opts).catch(() => undefined);
  }
  return { stdout: text["1"], stderr: text["2"] };
}

/**
 * Runs one exec and waits for it, at most its timeout (then it is killed). Never throws
 * for what the command did; throws only when the daemon cannot be reached.
 */
export async function runExec(
  client: IncusClient,
  instance: string,
  e: ExecSpec,
  opts: RequestOptions,
): Promise<ExecOutcome> {
  const marker = `${EXEC_MARKER}=${crypto.randomBytes(12).toString("hex")}`;
  const body: Record<string, unknown> = {
    command: e.command,
    environment: { ...e.environment, [EXEC_MARKER]: marker.slice(EXEC_MARKER.length + 1) },
    "record-output": true,
  };
  if (e.uid !== undefined) body.user = e.uid;
  if (e.gid !== undefined) body.group = e.gid;
  if (e.cwd !== undefined) body.cwd = e.cwd;
  const op = await startExec(client, instance, body, opts);
  let timedOut = false;
  let killFailed: string | undefined;
  let done: Operation | undefined;
  try {
    done = await waitUntil(client, op, Date.now() + e.timeoutSeconds * 1000, opts);
    if (!done) {
      timedOut = true;
      killFailed = await killMarked(client, instance, marker, opts);
      done = await waitUntil(client, op, Date.now() + KILL_GRACE_SECONDS * 1000, opts);
    }
  } catch (err) {
    if (!(err instanceof IncusError) || err.kind === "transport" || err.kind === "timeout")
      throw err;
    // The operation failed before the command ran ("Command not found", a bad cwd, ...).
    return { refused: err.incusMessage, timedOut, killFailed, stdout: "", stderr: "" };
  }
  if (done && done.status !== "Success")
    return { refused: done.err || done.status, timedOut, killFailed, stdout: "", stderr: "" };
  const meta = (done?.metadata ?? {}) as ExecMetadata;
  const exitCode = typeof meta.return === "number" ? meta.return : undefined;
  const failed = timedOut || exitCode !== 0;
  const out = await collectOutput(client, meta.output, failed, opts);
  return { exitCode, timedOut, killFailed, ...out };
}

/** The command line as a reader would type it (quoted where needed, shortened). */
export function commandLine(command: string[]): string {
  const line = command.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a))).join(" ");
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}

function tail(text: string): string {
  const lines = text.replace(/\s+$/, "").split("\n").slice(-TAIL_LINES).join("\n");
  return lines.length > TAIL_CHARS ? `...${lines.slice(-TAIL_CHARS)}` : lines;
}

/** The failure of one exec in words: instance, exec, command, what happened, last output. */
export function failureMessage(instance: string, e: ExecSpec, o: ExecOutcome): string {
  let what: string;
  if (o.timedOut) {
    what =
      `did not finish within ${e.timeoutSeconds} s (timeoutSeconds)` +
      (o.killFailed
        ? ` and could not be killed (${o.killFailed}); it may still be running`
        : " and was killed");
  } else if (o.refused !== undefined) {
    what = `could not be run: ${o.refused}`;
  } else if (o.exitCode === undefined) {
    what = "ended without an exit code";
  } else {
    what = `exited with code ${o.exitCode}`;
  }
  let msg = `Instance "${instance}": exec "${e.name}" (${commandLine(e.command)}) ${what}`;
  const err = tail(o.stderr);
  const out = tail(o.stdout);
  if (err) msg += `\n--- stderr (last lines) ---\n${err}`;
  if (out) msg += `\n--- stdout (last lines) ---\n${out}`;
  return msg;
}

/** A failed exec with failOnError: the message names the instance, the exec and the command. */
export class ExecFailedError extends Error {
  constructor(
    message: string,
    readonly exec: string,
  ) {
    super(message);
    this.name = "ExecFailedError";
  }
}

/**
 * Runs execs in order. A failure of one with failOnError stops the list and throws an
 * ExecFailedError; one without it is reported through `warn` and the list goes on.
 */
export async function runExecs(
  client: IncusClient,
  instance: string,
  execs: ExecSpec[],
  opts: RequestOptions,
  warn: (message: string) => void,
): Promise<void> {
  for (const e of execs) {
    const outcome = await runExec(client, instance, e, opts);
    if (succeeded(outcome)) continue;
    const msg = failureMessage(instance, e, outcome);
    if (e.failOnError) throw new ExecFailedError(msg, e.name);
    warn(`${msg}\n(failOnError is false: the update goes on)`);
  }
}
