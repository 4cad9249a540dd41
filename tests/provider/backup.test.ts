/**
 * `npm run backup` against the real daemon, on a service laid out like the anatomy lays it
 * out (volume `<instance>-data` mounted through the service profile): snapshot, list,
 * export (instance stopped, then running again, even when the export fails), restore from
 * a snapshot and from a tarball, and a lost volume restored from a tarball; every restore
 * is verified by reading the data back through the instance.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IncusClient } from "../../incus/client";
import { exportVolume } from "../../automation/backup/operations";
import { runBackup, type BackupRequest } from "../../automation/backup/run";
import { findAtlasVolumes } from "../../automation/backup/volumes";
import { cleanup, incus, requireDaemon, TEST_IMAGE, uniq } from "../helpers/incus";

const instance = uniq("bkp");
const volume = `${instance}-data`;
const decoy = `${uniq("bkd")}-data`; // a *-data volume nobody of that name mounts
const work = fs.mkdtempSync(path.join(os.tmpdir(), "atlas-backup-"));
const env = { ...process.env, INCUS_CONF: "/nonexistent-atlas-conf", INCUS_REMOTE: "" };

function request(
  command: BackupRequest["command"],
  extra: Partial<BackupRequest> = {},
): BackupRequest {
  return {
    command,
    stack: "iapetus",
    target: { remote: "", project: "default", storagePool: "default" },
    dir: path.join(work, "exports"),
    ...extra,
  };
}

async function backup(req: BackupRequest): Promise<string[]> {
  const lines: string[] = [];
  await runBackup(req, (l) => lines.push(l), env);
  return lines;
}

const write = (text: string): string =>
  incus(["exec", instance, "--", "sh", "-c", `echo ${text} > /srv/data/state.txt`]);
const read = (): string => incus(["exec", instance, "--", "cat", "/srv/data/state.txt"]).trim();
const status = (): string => incus(["list", instance, "--format", "csv", "--columns", "s"]).trim();

beforeAll(async () => {
  await requireDaemon();
  incus(["storage", "volume", "create", "default", volume, "size=64MiB"]);
  incus(["storage", "volume", "create", "default", decoy]);
  incus(["profile", "create", instance]);
  incus([
    "profile",
    "device",
    "add",
    instance,
    "data",
    "disk",
    "pool=default",
    `source=${volume}`,
    "path=/srv/data",
  ]);
  incus([
    "launch",
    TEST_IMAGE,
    instance,
    "--storage",
    "default",
    "--profile",
    "default",
    "--profile",
    instance,
  ]);
  write("v1");
}, 120_000);

afterAll(() => {
  cleanup([
    ["delete", "--force", instance],
    ["profile", "delete", instance],
    ["storage", "volume", "delete", "default", volume],
    ["storage", "volume", "delete", "default", `${volume}-restore`],
    ["storage", "volume", "delete", "default", decoy],
  ]);
  fs.rmSync(work, { recursive: true, force: true });
});

describe("backup", () => {
  let snapshot = "";
  let tarball = "";

  it("finds the data volume mounted through the service profile, and not a stray *-data volume", async () => {
    const client = new IncusClient({ env });
    try {
      const found = await findAtlasVolumes(client, "default");
      expect(found.find((v) => v.name === volume)).toMatchObject({ instance, pool: "default" });
      expect(found.map((v) => v.name)).not.toContain(decoy);
      await expect(findAtlasVolumes(client, "default", decoy)).rejects.toThrow(
        /not an Atlas data volume/,
      );
    } finally {
      client.close();
    }
  });

  it("snapshots and lists", async () => {
    const lines = await backup(request("snapshot", { volume }));
    const made = lines.find((l) => l.startsWith(`snapshot ${volume}/`));
    expect(made).toMatch(/backup-\d{8}-\d{6}$/);
    snapshot = made!.split("/")[1];
    const listed = await backup(request("list", { volume }));
    expect(listed).toContain(`${volume} (instance ${instance}): 1 snapshot(s)`);
    expect(listed.some((l) => l.trim().startsWith(`${snapshot}  created `))).toBe(true);
  }, 60_000);

  it("exports to a tarball with the instance stopped, and starts it again", async () => {
    const lines = await backup(request("export", { volume }));
    expect(lines).toContain(`  stopping ${instance}`);
    expect(lines).toContain(`  starting ${instance} again`);
    tarball = lines.find((l) => l.startsWith("  wrote "))!.slice("  wrote ".length);
    expect(fs.statSync(tarball).size).toBeGreaterThan(0);
    expect(status()).toBe("RUNNING");
  }, 120_000);

  it("starts the instance again when an export fails", async () => {
    const client = new IncusClient({ env });
    const dir = path.join(work, "blocked");
    fs.mkdirSync(path.join(dir, `${volume}-fixed.tar.gz`), { recursive: true }); // a directory where the file goes
    try {
      const v = (await findAtlasVolumes(client, "default", volume))[0];
      await expect(exportVolume(client, v, dir, () => undefined, "fixed")).rejects.toThrow(
        /incus storage volume export/,
      );
    } finally {
      client.close();
    }
    expect(status()).toBe("RUNNING");
  }, 120_000);

  it("restores from a snapshot", async () => {
    write("v2");
    await backup(request("restore", { volume, source: { snapshot } }));
    expect(status()).toBe("RUNNING");
    expect(read()).toBe("v1");
  }, 120_000);

  it("restores from a tarball over the existing volume", async () => {
    write("v3");
    incus(["exec", instance, "--", "touch", "/srv/data/added-later"]);
    await backup(request("restore", { volume, source: { file: tarball } }));
    expect(read()).toBe("v1");
    expect(incus(["exec", instance, "--", "ls", "/srv/data"]).trim().split(/\s+/)).toEqual([
      "state.txt",
    ]);
    expect(
      incus(["storage", "volume", "list", "default", "--format", "csv", "--columns", "n"]),
    ).not.toContain(`${volume}-restore`);
  }, 180_000);

  it("restores a lost volume from a tarball under its own name", async () => {
    incus(["stop", "--force", instance]);
    incus(["profile", "device", "remove", instance, "data"]);
    incus(["storage", "volume", "delete", "default", volume]);
    // The profile still names the volume (as after a lost disk); Incus saves the device but
    // reports that the instance cannot use it yet.
    expect(() =>
      incus([
        "profile",
        "device",
        "add",
        instance,
        "data",
        "disk",
        "pool=default",
        `source=${volume}`,
        "path=/srv/data",
      ]),
    ).toThrow(/profile change still saved/);
    await backup(request("restore", { volume, source: { file: tarball } }));
    incus(["start", instance]);
    expect(read()).toBe("v1");
  }, 180_000);
});
