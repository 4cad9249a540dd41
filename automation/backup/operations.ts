/**
 * The backup operations on Atlas data volumes: snapshot, list, export to tarballs and
 * restore (from a snapshot or a tarball). Incus REST through the shared client; tarballs go
 * through the incus CLI, which streams them (volumes reach 100 GB) instead of buffering.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { type IncusClient, isNotFound } from "../../incus/client";
import { withInstanceStopped } from "./instanceState";
import { expiresAt, type SnapshotLifetime } from "./lifetime";
import { createPrivateFile, privateExportDirectory } from "./privateFiles";
import type { AtlasVolume } from "./volumes";

const run = promisify(execFile);
const enc = encodeURIComponent;
export type Print = (line: string) => void;

function volumePath(v: Pick<AtlasVolume, "pool" | "name">): string {
  return `/1.0/storage-pools/${enc(v.pool)}/volumes/custom/${enc(v.name)}`;
}

function object(v: Pick<AtlasVolume, "pool" | "name">): string {
  return `volume "${v.name}" in pool "${v.pool}"`;
}

/** Member that holds a volume of a local pool on a cluster (undefined when standalone). */
function memberOf(v: AtlasVolume): string | undefined {
  return v.location && v.location !== "none" ? v.location : undefined;
}

/** `backup-20261129-053300`: sortable, and distinct from the schedules' `auto-` snapshots. */
export function backupName(now: Date = new Date()): string {
  const iso = now.toISOString().replace(/[-:]/g, "").replace("T", "-");
  return `backup-${iso.slice(0, 15)}`;
}

/**
 * Takes a manual snapshot with an explicit lifetime (see lifetime.ts) and returns it as
 * Incus recorded it.
 */
export async function snapshotVolume(
  client: IncusClient,
  v: AtlasVolume,
  name: string,
  lifetime: SnapshotLifetime,
): Promise<SnapshotInfo> {
  await client.mutate("POST", `${volumePath(v)}/snapshots`, {
    object: object(v),
    target: memberOf(v),
    body: { name, expires_at: expiresAt(lifetime) },
  });
  const { value } = await client.get<RawSnapshot>(`${volumePath(v)}/snapshots/${enc(name)}`, {
    object: `snapshot "${name}" of ${object(v)}`,
    target: memberOf(v),
  });
  return snapshotInfo(v, value);
}

export interface SnapshotInfo {
  volume: string;
  name: string;
  createdAt: string;
  /** When Incus deletes it; undefined when it is kept until deleted. */
  expiresAt?: string;
}

interface RawSnapshot {
  name: string;
  created_at?: string;
  expires_at?: string;
}

function snapshotInfo(v: AtlasVolume, s: RawSnapshot): SnapshotInfo {
  return {
    volume: v.name,
    name: s.name.split("/").pop() ?? s.name,
    createdAt: s.created_at ?? "",
    // Incus writes "does not expire" as the zero time.
    expiresAt: s.expires_at && !s.expires_at.startsWith("0001-") ? s.expires_at : undefined,
  };
}

export async function listSnapshots(client: IncusClient, v: AtlasVolume): Promise<SnapshotInfo[]> {
  const { value } = await client.get<RawSnapshot[]>(`${volumePath(v)}/snapshots`, {
    object: object(v),
    target: memberOf(v),
    query: { recursion: "1" },
  });
  return (value ?? [])
    .map((s) => snapshotInfo(v, s))
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/** The incus CLI on the client's remote and project. */
async function incusCli(
  client: IncusClient,
  args: string[],
  env?: NodeJS.ProcessEnv,
): Promise<void> {
  try {
    await run("incus", [...args, "--project", client.project], {
      env: env ?? process.env,
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`incus ${args.join(" ")}: ${(err.stderr || err.message).trim()}`);
  }
}

function targetArgs(v: AtlasVolume): string[] {
  const member = memberOf(v);
  return member ? ["--target", member] : [];
}

/**
 * Exports a volume (without its snapshots) to `<dir>/<volume>-<stamp>.tar.gz`, instance
 * stopped. The tarball is 0600 in a private directory (privateFiles.ts), prepared before
 * the instance is stopped so a refused directory costs no downtime.
 */
export async function exportVolume(
  client: IncusClient,
  v: AtlasVolume,
  dir: string,
  print: Print,
  stamp: string = backupName(),
): Promise<string> {
  const file = path.join(privateExportDirectory(dir, print), `${v.name}-${stamp}.tar.gz`);
  createPrivateFile(file);
  try {
    await withInstanceStopped(client, v.instance, print, () =>
      incusCli(client, [
        "storage",
        "volume",
        "export",
        `${client.remote}:${v.pool}`,
        v.name,
        file,
        "--volume-only",
        ...targetArgs(v),
      ]),
    );
  } catch (e) {
    fs.rmSync(file, { force: true }); // no empty or partial tarball that looks like a backup
    throw e;
  }
  fs.chmodSync(file, 0o600); // also if the CLI replaced the file instead of writing into it
  return file;
}

export type RestoreSource = { snapshot: string } | { file: string };

async function volumeExists(client: IncusClient, v: AtlasVolume): Promise<boolean> {
  try {
    await client.get(volumePath(v), { object: object(v), target: memberOf(v) });
    return true;
  } catch (e) {
    if (isNotFound(e)) return false;
    throw e;
  }
}

/**
 * Restores a volume with its instance stopped. From a snapshot: Incus's in-place restore.
 * From a tarball: imported beside the volume, then copied over it (`--refresh`), so the
 * volume keeps its name, attachments and configuration; a missing volume is imported
 * directly under its own name (the lost-volume case).
 */
export async function restoreVolume(
  client: IncusClient,
  v: AtlasVolume,
  source: RestoreSource,
  print: Print,
): Promise<void> {
  await withInstanceStopped(client, v.instance, print, async () => {
    if ("snapshot" in source) {
      const live = await client.get<{ config?: Record<string, string>; description?: string }>(
        volumePath(v),
        { object: object(v), target: memberOf(v) },
      );
      await client.mutate("PUT", volumePath(v), {
        object: object(v),
        target: memberOf(v),
        etag: live.etag,
        body: {
          config: live.value.config ?? {},
          description: live.value.description ?? "",
          restore: source.snapshot,
        },
      });
      return;
    }
    const file = path.resolve(source.file);
    if (!fs.existsSync(file)) throw new Error(`no such backup file: ${file}`);
    const pool = `${client.remote}:${v.pool}`;
    if (!(await volumeExists(client, v))) {
      await incusCli(client, ["storage", "volume", "import", pool, file, v.name, ...targetArgs(v)]);
      return;
    }
    const staging = { ...v, name: `${v.name}-restore` };
    if (await volumeExists(client, staging)) {
      throw new Error(
        `a staging volume ${staging.name} is left from an earlier restore; delete it (\`incus storage volume delete ${v.pool} ${staging.name}\`) and rerun`,
      );
    }
    await incusCli(client, [
      "storage",
      "volume",
      "import",
      pool,
      file,
      staging.name,
      ...targetArgs(v),
    ]);
    try {
      await client.mutate("POST", `/1.0/storage-pools/${enc(v.pool)}/volumes/custom`, {
        object: object(v),
        target: memberOf(v),
        body: {
          name: v.name,
          type: "custom",
          content_type: v.contentType,
          source: {
            type: "copy",
            pool: v.pool,
            name: staging.name,
            refresh: true,
            volume_only: true,
          },
        },
      });
    } finally {
      await client.mutate("DELETE", volumePath(staging), {
        object: object(staging),
        target: memberOf(v),
      });
    }
  });
}
