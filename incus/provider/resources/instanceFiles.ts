/**
 * The Instance's `files`: validation, the push through the Incus file API, and the pieces
 * of an update's file transaction: which files changed, what was there before them, and
 * putting that back when the change is rejected.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { type IncusClient, IncusError, isNotFound, type RequestOptions } from "../../client";
import { enc, str } from "../handler";
import { helperPhases } from "./fileHelperPhases";
import { isObject, type PropertyValue } from "../values";
import { sha256Hex } from "./instanceRecord";

export interface FileSpec {
  targetPath: string;
  content?: string;
  /** The content's SHA-256, as the outputs record it (instanceRecord.ts). */
  contentSha256?: string;
  sourcePath?: string;
  /** Exact bytes, for a file read back from the instance to be restored. */
  bytes?: Buffer;
  mode: string;
  uid: number;
  gid: number;
  createDirectories: boolean;
}

export function validateFile(v: PropertyValue, i: number): string[] {
  const where = `files[${i}]`;
  if (!isObject(v))
    return [`${where} must be {targetPath, content | sourcePath, mode?, uid?, gid?}`];
  const r: string[] = [];
  const allowed = [
    "targetPath",
    "content",
    "sourcePath",
    "mode",
    "uid",
    "gid",
    "createDirectories",
  ];
  for (const k of Object.keys(v)) {
    if (k === "contentSha256") {
      r.push(`${where}: contentSha256 is how state records content (an output); set content`);
    } else if (!allowed.includes(k)) {
      r.push(`${where}: unknown field "${k}"; allowed: ${allowed.join(", ")}`);
    }
  }
  if (typeof v.targetPath !== "string" || !v.targetPath.startsWith("/")) {
    r.push(
      `${where}: targetPath must be an absolute path inside the instance (got ${JSON.stringify(v.targetPath ?? null)})`,
    );
  }
  const hasContent = typeof v.content === "string";
  const hasSource = typeof v.sourcePath === "string";
  if (hasContent === hasSource) r.push(`${where}: set exactly one of content or sourcePath`);
  if (v.mode !== undefined && (typeof v.mode !== "string" || !/^0?[0-7]{3}$/.test(v.mode))) {
    r.push(`${where}: mode must be an octal string such as "0644" (got ${JSON.stringify(v.mode)})`);
  }
  for (const k of ["uid", "gid"]) {
    const n = v[k];
    if (n !== undefined && (typeof n !== "number" || !Number.isInteger(n) || n < 0))
      r.push(`${where}: ${k} must be a non-negative integer`);
  }
  return r;
}

export function filesFromInputs(v: PropertyValue): FileSpec[] {
  if (!Array.isArray(v)) return [];
  return v.filter(isObject).map((f) => ({
    targetPath: String(f.targetPath),
    content: str(f.content),
    contentSha256: str(f.contentSha256),
    sourcePath: str(f.sourcePath),
    mode: (str(f.mode) ?? "0644").padStart(4, "0"),
    uid: typeof f.uid === "number" ? f.uid : 0,
    gid: typeof f.gid === "number" ? f.gid : 0,
    createDirectories: f.createDirectories !== false,
  }));
}

/**
 * Incus serves an instance's file API through a helper process (`forkfile`) listening on
 * a socket in the instance's log directory. Under concurrent file requests to several
 * instances, Incus 6.0 can unlink one instance's socket while closing another's listener
 * (the listener's path runs through a recycled `/proc/self/fd/<N>`; canonical/lxd#18403
 * describes the same race). Requests then fail with a 500 naming the socket, e.g. `dial
 * unix /proc/self/fd/32/forkfile.sock: connect: no such file or directory`, until the
 * orphaned helper exits after 10-15 s without a request and the next request starts a new
 * one, whose socket the next helper to exit may unlink again. The provider keeps its own
 * starts, stops and deletes away from its file requests (fileHelperPhases.ts); this covers
 * what it cannot order, such as another stack's plugin on the same daemon. Every file
 * request the provider makes is idempotent (a directory that exists is created again
 * without error, pushes overwrite, a deleted file is gone), so such a failure is sent
 * again, for about a minute in all, before it counts.
 */
export async function retryForkfile<T>(
  fn: () => Promise<T>,
  {
    attempts = 15,
    delayMs = 250,
    maxDelayMs = 5000,
  }: { attempts?: number; delayMs?: number; maxDelayMs?: number } = {},
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      const transient = e instanceof IncusError && /forkfile/i.test(e.incusMessage);
      if (!transient || attempt >= attempts) throw e;
      const wait = Math.min(maxDelayMs, delayMs * 2 ** (attempt - 1));
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

/**
 * One file API request: run in the file phase (fileHelperPhases.ts, so no start, stop or
 * delete of this provider's unlinks the helper socket it uses), and sent again while the
 * helper is unreachable all the same.
 */
function fileRequest<T>(client: IncusClient, fn: () => Promise<T>): Promise<T> {
  return retryForkfile(() => helperPhases(client).run("files", fn));
}

/**
 * The directories to create before `files` are pushed (those asking for them), parents
 * first, grouped by depth: each group can be created at once.
 */
export function directoriesByDepth(files: FileSpec[]): string[][] {
  const levels: Set<string>[] = [];
  for (const f of files) {
    if (!f.createDirectories) continue;
    const parts = path.posix.dirname(f.targetPath).split("/").filter(Boolean);
    parts.forEach((_, depth) => {
      (levels[depth] ??= new Set()).add(`/${parts.slice(0, depth + 1).join("/")}`);
    });
  }
  return levels.map((level) => [...level]);
}

/**
 * Pushes files through the REST file API (works on stopped containers too), in one file
 * phase (fileHelperPhases.ts): entering a phase can wait for every start or stop in
 * flight on the daemon, a second or more while many instances are created, so a push of
 * several files and their directories waits once rather than once per request. Within it,
 * the directories of one depth and then all files go at once.
 */
export function pushFiles(
  client: IncusClient,
  name: string,
  files: FileSpec[],
  opts: RequestOptions,
): Promise<void> {
  const filePath = `/1.0/instances/${enc(name)}/files`;
  const createDirectory = (at: string): Promise<unknown> =>
    // Creating a directory that exists succeeds, so no existence check is needed.
    retryForkfile(() =>
      client.request("POST", filePath, {
        ...opts,
        object: `directory ${at} in instance "${name}"`,
        query: { path: at },
        raw: Buffer.alloc(0),
        headers: {
          "X-Incus-type": "directory",
          "X-Incus-mode": "0755",
          "X-Incus-uid": "0",
          "X-Incus-gid": "0",
        },
      }),
    );
  const pushFile = (f: FileSpec): Promise<unknown> => {
    const data =
      f.bytes ??
      (f.content !== undefined
        ? Buffer.from(f.content, "utf8")
        : fs.readFileSync(f.sourcePath as string));
    return retryForkfile(() =>
      client.request("POST", filePath, {
        ...opts,
        object: `file ${f.targetPath} in instance "${name}"`,
        query: { path: f.targetPath },
        raw: data,
        headers: {
          "X-Incus-type": "file",
          "X-Incus-mode": f.mode,
          "X-Incus-uid": String(f.uid),
          "X-Incus-gid": String(f.gid),
          "X-Incus-write": "overwrite",
        },
      }),
    );
  };
  return helperPhases(client).run("files", async () => {
    for (const level of directoriesByDepth(files)) await allSettled(level.map(createDirectory));
    await allSettled(files.map(pushFile));
  });
}

/**
 * Waits for every request, then fails with the first failure: the phase must not end (and
 * a start begin) while a request of it is still with the daemon.
 */
async function allSettled(requests: Promise<unknown>[]): Promise<void> {
  const failed = (await Promise.allSettled(requests)).find((r) => r.status === "rejected");
  if (failed) throw (failed as PromiseRejectedResult).reason;
}

/** The content's digest, whichever way the file was given. */
function contentDigest(f: FileSpec): string | undefined {
  return f.contentSha256 ?? (f.content === undefined ? undefined : sha256Hex(f.content));
}

/** Same content, mode and owner: pushing it again would change nothing. */
function sameFile(a: FileSpec, b: FileSpec): boolean {
  return (
    contentDigest(a) === contentDigest(b) &&
    a.sourcePath === b.sourcePath &&
    a.mode === b.mode &&
    a.uid === b.uid &&
    a.gid === b.gid
  );
}

/** The new files whose content, mode or owner differ from the old ones at the same path. */
export function changedFiles(olds: FileSpec[], news: FileSpec[]): FileSpec[] {
  const before = new Map(olds.map((f) => [f.targetPath, f]));
  return news.filter((f) => {
    const old = before.get(f.targetPath);
    return old === undefined || !sameFile(old, f);
  });
}

/** What a path held before an update: a file to push back, or nothing (delete it). */
export type FileBefore = { path: string; previous: FileSpec | undefined };

function header(h: Record<string, string | string[] | undefined> | undefined, k: string): string {
  const v = h?.[k.toLowerCase()];
  return Array.isArray(v) ? (v[0] ?? "") : (v ?? "");
}

/**
 * What each changed path holds before the update: what the instance has there now (the file
 * Atlas pushed last time, one the update starts to manage, e.g. one a package installed),
 * else nothing. State records a pushed file by its digest only (instanceRecord.ts), so the
 * instance is asked; state written before that still has the text, which is used as is.
 */
export async function filesBefore(
  client: IncusClient,
  name: string,
  changed: FileSpec[],
  olds: FileSpec[],
  opts: RequestOptions,
): Promise<FileBefore[]> {
  const before = new Map(olds.map((f) => [f.targetPath, f]));
  const out: FileBefore[] = [];
  for (const f of changed) {
    const old = before.get(f.targetPath);
    if (old?.content !== undefined) {
      out.push({ path: f.targetPath, previous: { ...old, createDirectories: false } });
      continue;
    }
    try {
      const res = await fileRequest(client, () =>
        client.request<Buffer>("GET", `/1.0/instances/${enc(name)}/files`, {
          ...opts,
          object: `file ${f.targetPath} in instance "${name}"`,
          query: { path: f.targetPath },
          rawBody: true,
        }),
      );
      const type = header(res.headers, "X-Incus-type");
      if (type !== "" && type !== "file") {
        throw new Error(
          `Instance "${name}": files: ${f.targetPath} is a ${type} in the instance, not a file`,
        );
      }
      out.push({
        path: f.targetPath,
        previous: {
          targetPath: f.targetPath,
          bytes: res.metadata,
          mode: header(res.headers, "X-Incus-mode") || "0644",
          uid: Number(header(res.headers, "X-Incus-uid") || 0),
          gid: Number(header(res.headers, "X-Incus-gid") || 0),
          createDirectories: false,
        },
      });
    } catch (e) {
      if (!isNotFound(e)) throw e;
      out.push({ path: f.targetPath, previous: undefined });
    }
  }
  return out;
}

/**
 * Puts back what the paths held before; returns what could not be restored (empty when
 * all was), so the caller reports it beside the reason for the rollback.
 */
export async function restoreFiles(
  client: IncusClient,
  name: string,
  before: FileBefore[],
  opts: RequestOptions,
): Promise<string[]> {
  const problems: string[] = [];
  for (const b of before) {
    try {
      if (b.previous) await pushFiles(client, name, [b.previous], opts);
      else
        await fileRequest(client, () =>
          client.mutate("DELETE", `/1.0/instances/${enc(name)}/files`, {
            ...opts,
            object: `file ${b.path} in instance "${name}"`,
            query: { path: b.path },
          }),
        );
    } catch (e) {
      if (!b.previous && isNotFound(e)) continue;
      problems.push(`${b.path}: ${(e as Error).message}`);
    }
  }
  return problems;
}
