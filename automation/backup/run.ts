/**
 * `npm run backup -- snapshot|list|export|restore --stack NAME [--volume NAME]`: the
 * reference's `make backup-*` targets on the stack's Incus remote and storage pool.
 */
import * as path from "node:path";
import { IncusClient } from "../../incus/client";
import { UsageError, type ParsedCommandLine } from "../shared/args";
import { readIncusTarget, type IncusTarget } from "../shared/stackConfig";
import {
  backupName,
  exportVolume,
  listSnapshots,
  restoreVolume,
  snapshotVolume,
  type Print,
  type RestoreSource,
} from "./operations";
import { describeExpiry, parseLifetime, type SnapshotLifetime } from "./lifetime";
import { findAtlasVolumes, type AtlasVolume } from "./volumes";

export const backupCommands = ["snapshot", "list", "export", "restore"] as const;
export type BackupCommand = (typeof backupCommands)[number];

export const backupUsage =
  "usage: npm run backup -- snapshot|list|export|restore --stack iapetus|cluster01 [--volume NAME]\n" +
  "         [--pool NAME] [--remote NAME] [--dir DIR (export, default backups/<stack>)]\n" +
  "         snapshot: [--expiry never|DURATION (e.g. 30d, 2w; default never: kept until deleted)]\n" +
  "         restore: --volume NAME and --snapshot NAME or --file TARBALL";

export interface BackupRequest {
  command: BackupCommand;
  stack: string;
  target: IncusTarget;
  volume?: string;
  dir: string;
  source?: RestoreSource;
  /** How long `snapshot` keeps its snapshots (default: until deleted). */
  lifetime?: SnapshotLifetime;
}

/** Validates the command line into a request (usage problems as UsageError). */
export function backupRequest(cli: ParsedCommandLine): BackupRequest {
  const [command, ...extra] = cli.positionals;
  if (!(backupCommands as readonly string[]).includes(command ?? "")) {
    throw new UsageError(`expected a command: ${backupCommands.join(", ")}`);
  }
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const o = cli.options;
  const configured = readIncusTarget(cli.stack);
  const target: IncusTarget = {
    ...configured,
    remote: o.remote ?? configured.remote,
    storagePool: o.pool ?? configured.storagePool,
  };
  if (o.expiry !== undefined && command !== "snapshot") {
    throw new UsageError(`--expiry applies to snapshot only, not to ${command}`);
  }
  let source: RestoreSource | undefined;
  if (command === "restore") {
    if (!o.volume) throw new UsageError("restore needs --volume NAME");
    if (Boolean(o.snapshot) === Boolean(o.file)) {
      throw new UsageError("restore needs exactly one of --snapshot NAME or --file TARBALL");
    }
    source = o.snapshot ? { snapshot: o.snapshot } : { file: o.file };
  }
  return {
    command: command as BackupCommand,
    stack: cli.stack,
    target,
    volume: o.volume,
    dir: o.dir ?? path.join("backups", cli.stack),
    source,
    lifetime: command === "snapshot" ? parseLifetime(o.expiry) : undefined,
  };
}

/** The restore target: discovered, or (lost volume) derived from its `<instance>-data` name. */
async function restoreTarget(client: IncusClient, req: BackupRequest): Promise<AtlasVolume> {
  const name = req.volume as string;
  const found = await findAtlasVolumes(client, req.target.storagePool).then((all) =>
    all.find((v) => v.name === name),
  );
  if (found) return found;
  if (!name.endsWith("-data") || !("file" in (req.source ?? {}))) {
    throw new Error(
      `volume "${name}" is not an Atlas data volume in pool "${req.target.storagePool}"; a missing volume can only be restored from a tarball (--file)`,
    );
  }
  const instance = name.slice(0, -"-data".length);
  await client.get(`/1.0/instances/${encodeURIComponent(instance)}`, {
    object: `instance "${instance}" (owner of ${name})`,
  });
  return {
    name,
    pool: req.target.storagePool,
    instance,
    location: "none",
    contentType: "filesystem",
  };
}

export async function runBackup(
  req: BackupRequest,
  print: Print,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  const client = new IncusClient({
    remote: req.target.remote || undefined,
    project: req.target.project,
    env,
  });
  const pool = req.target.storagePool;
  try {
    if (req.command === "restore") {
      const v = await restoreTarget(client, req);
      const from =
        req.source && "snapshot" in req.source
          ? `snapshot ${req.source.snapshot}`
          : `tarball ${req.source?.file}`;
      print(`restoring ${v.name} (pool ${pool}, instance ${v.instance}) from ${from}`);
      await restoreVolume(client, v, req.source as RestoreSource, print);
      print(`restored ${v.name}`);
      return;
    }
    const volumes = await findAtlasVolumes(client, pool, req.volume);
    print(
      `stack ${req.stack}: ${volumes.length} Atlas volume(s) in pool ${pool} on remote ${client.remote}: ${volumes.map((v) => v.name).join(", ") || "none"}`,
    );
    const stamp = backupName();
    for (const v of volumes) {
      if (req.command === "snapshot") {
        const made = await snapshotVolume(client, v, stamp, req.lifetime ?? { kind: "never" });
        print(`snapshot ${v.name}/${made.name} (${describeExpiry(made.expiresAt)})`);
      } else if (req.command === "list") {
        const snaps = await listSnapshots(client, v);
        print(`${v.name} (instance ${v.instance}): ${snaps.length} snapshot(s)`);
        for (const s of snaps) {
          print(`  ${s.name}  created ${s.createdAt}  ${describeExpiry(s.expiresAt)}`);
        }
      } else {
        print(`exporting ${v.name} (stops ${v.instance} meanwhile)`);
        print(`  wrote ${await exportVolume(client, v, req.dir, print, stamp)}`);
      }
    }
  } finally {
    client.close();
  }
}
