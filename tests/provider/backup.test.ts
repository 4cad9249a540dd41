/**
 * `npm run backup` against the real daemon, on a service laid out like the anatomy lays it
 * out (volume `<instance>-data` mounted through the service profile, with a snapshot
 * schedule's expiry): snapshot (kept until deleted unless --expiry says otherwise, never
 * the schedule's expiry), list, export (0600 tarballs in a private directory; instance
 * stopped, then running again, even when the export fails), restore from a snapshot and
 * from a tarball, and a lost volume restored from a tarball; every restore is verified by
 * reading the data back through the instance.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IncusClient } from "../../incus/client";
import { exportVolume } from "../../automation/backup/operations";
import { parseLifetime } from "../../automation/backup/lifetime";
import { backupRequest, runBackup, type BackupRequest } from "../../automation/backup/run";
import { UsageError } from "../../automation/shared/args";
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
  // As a service with snapshots enabled: scheduled snapshots expire after a week.
  incus(["storage", "volume", "create", "default", volume, "size=64MiB", "snapshots.expiry=7d"]);
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

  const expiryOf = (name: string): string | null =>
    JSON.parse(
      incus(["query", `/1.0/storage-pools/default/volumes/custom/${volume}/snapshots/${name}`]),
    ).expires_at;

  it("snapshots and lists: a manual snapshot is kept until deleted, not for the schedule's 7d", async () => {
    const lines = await backup(request("snapshot", { volume }));
    const made = lines.find((l) => l.startsWith(`snapshot ${volume}/`));
    expect(made).toMatch(/^snapshot .*\/backup-\d{8}-\d{6} \(kept until deleted\)$/);
    snapshot = made!.split("/")[1].split(" ")[0];
    // Incus writes "does not expire" as the zero time (null in some listings).
    expect(expiryOf(snapshot) ?? "0001-01-01T00:00:00Z").toBe("0001-01-01T00:00:00Z");
    const listed = await backup(request("list", { volume }));
    expect(listed).toContain(`${volume} (instance ${instance}): 1 snapshot(s)`);
    expect(
      listed.some((l) => /^ {2}backup-\S+ {2}created \S+ {2}kept until deleted$/.test(l)),
    ).toBe(true);
  }, 60_000);

  it("snapshots with an explicit --expiry, shown by list", async () => {
    const before = Date.now();
    // One second later than the first snapshot's name, which is per second.
    await new Promise((r) => setTimeout(r, 1_100));
    const lines = await backup(request("snapshot", { volume, lifetime: parseLifetime("3d") }));
    const made = lines.find((l) => l.startsWith(`snapshot ${volume}/`))!;
    const name = made.split("/")[1].split(" ")[0];
    const expires = Date.parse(expiryOf(name) ?? "");
    const threeDays = 3 * 24 * 3600 * 1000;
    expect(expires - before).toBeGreaterThanOrEqual(threeDays);
    expect(expires - before).toBeLessThan(threeDays + 60_000);
    expect(made).toContain(`(expires ${new Date(expires).toISOString().slice(0, 16)}`);
    const listed = await backup(request("list", { volume }));
    expect(listed.find((l) => l.includes(name))).toMatch(/ {2}expires 20\d\d-/);
    incus(["storage", "volume", "snapshot", "delete", "default", volume, name]);
  }, 60_000);

  it("refuses an --expiry it cannot read, and --expiry on anything but snapshot", () => {
    const cli = (argv: Record<string, string>, positional = "snapshot") => ({
      positionals: [positional],
      stack: "iapetus" as const,
      options: { pool: "default", remote: "", ...argv },
    });
    expect(() => backupRequest(cli({ expiry: "7 days" }))).toThrow(UsageError);
    expect(() => backupRequest(cli({ expiry: "7 days" }))).toThrow(
      '--expiry "7 days" is not allowed: expected `never`, or a duration',
    );
    expect(() => backupRequest(cli({ expiry: "30d" }, "export"))).toThrow(
      "--expiry applies to snapshot only, not to export",
    );
    expect(backupRequest(cli({ expiry: "1y 6m" })).lifetime).toMatchObject({ text: "1y 6m" });
  });

  it("exports to a tarball with the instance stopped, and starts it again", async () => {
    const lines = await backup(request("export", { volume }));
    expect(lines).toContain(`  stopping ${instance}`);
    expect(lines).toContain(`  starting ${instance} again`);
    tarball = lines.find((l) => l.startsWith("  wrote "))!.slice("  wrote ".length);
    expect(fs.statSync(tarball).size).toBeGreaterThan(0);
    // The tarball holds the service's secrets: only its owner may read it, or list it.
    expect((fs.statSync(tarball).mode & 0o777).toString(8)).toBe("600");
    expect((fs.statSync(path.dirname(tarball)).mode & 0o777).toString(8)).toBe("700");
    expect(status()).toBe("RUNNING");
  }, 120_000);

  it("refuses an export directory that others can write, before stopping anything", async () => {
    const shared = path.join(work, "shared");
    fs.mkdirSync(shared);
    fs.chmodSync(shared, 0o777);
    const lines: string[] = [];
    await expect(
      runBackup(request("export", { volume, dir: shared }), (l) => lines.push(l), env),
    ).rejects.toThrow(
      `export directory ${shared} has mode 0777: its group and everyone can write there and could replace a tarball before it is restored; \`chmod 700 ${shared}\` or choose another --dir`,
    );
    expect(lines).not.toContain(`  stopping ${instance}`);
    expect(fs.readdirSync(shared)).toEqual([]);
  }, 60_000);

  it("writes into an existing directory that others can only read, and says so", async () => {
    const readable = path.join(work, "readable");
    fs.mkdirSync(readable);
    fs.chmodSync(readable, 0o755);
    const lines = await backup(request("export", { volume, dir: readable }));
    expect(lines).toContain(
      `  note: ${readable} has mode 0755; the tarballs are 0600, but others can list their names (\`chmod 700 ${readable}\` hides them)`,
    );
    const [file] = fs.readdirSync(readable);
    expect((fs.statSync(path.join(readable, file)).mode & 0o777).toString(8)).toBe("600");
  }, 120_000);

  it("starts the instance again when an export fails, and leaves no empty tarball", async () => {
    const client = new IncusClient({ env });
    const dir = path.join(work, "failed");
    try {
      const v = (await findAtlasVolumes(client, "default", volume))[0];
      // The instance is stopped, then the CLI fails: Incus has no such volume.
      const missing = { ...v, name: `${volume}-gone` };
      await expect(exportVolume(client, missing, dir, () => undefined, "fixed")).rejects.toThrow(
        /incus storage volume export/,
      );
    } finally {
      client.close();
    }
    expect(status()).toBe("RUNNING");
    expect(fs.readdirSync(dir)).toEqual([]);
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
