/**
 * `npm run bootstrap` against the real Incus daemon, through the Automation API and the
 * Incus provider plugin. This host has no MinIO, so the run must get as far as the buckets
 * address and the state pool, then stop at the bucket with the MinIO requirement, leaving
 * a consistent state that a rerun reports as already done. Also: the preflight refusals
 * (something else owns the pool or the buckets address, unreachable remote, wrong certificate)
 * change nothing.
 */
import * as fs from "node:fs";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backendFiles } from "../../automation/bootstrap/backendSettings";
import { bootstrapStack, managedIds } from "../../automation/bootstrap/bootstrapStack";
import { MinioMissingError } from "../../automation/bootstrap/minio";
import { checkIncusRemote } from "../../automation/bootstrap/preflight";
import { runBootstrap } from "../../automation/bootstrap/run";
import { bootstrapSettings, type BootstrapSettings } from "../../automation/bootstrap/settings";
import { StepFailedError } from "../../automation/shared/progress";
import { repoRoot } from "../../automation/repoRoot";
import { cleanup, incus, incusOk, makeCertificate, requireDaemon, uniq } from "../helpers/incus";

const work = fs.mkdtempSync(path.join(os.tmpdir(), "atlas-bootstrap-"));
const incusConf = path.join(work, "incus");
const saved = { INCUS_CONF: process.env.INCUS_CONF, PULUMI_HOME: process.env.PULUMI_HOME };
let previousAddress = "";

function settingsFor(name: string, overrides: Partial<BootstrapSettings> = {}): BootstrapSettings {
  return {
    ...bootstrapSettings("iapetus", {}, { ATLAS_CONFIG_DIR: path.join(work, `${name}-config`) }),
    bootstrapStateDir: path.join(work, `${name}-state`),
    ...overrides,
  };
}

const main = settingsFor("main", { statePool: uniq("bt-state") });
const foreignPool = uniq("bt-foreign");

async function bootstrap(s: BootstrapSettings): Promise<{ lines: string[]; error: unknown }> {
  const lines: string[] = [];
  const error = await runBootstrap(s, (l) => lines.push(l), process.env).then(
    () => undefined,
    (e: unknown) => e,
  );
  return { lines, error };
}

function bucketsAddress(): string {
  return incus(["config", "get", "core.storage_buckets_address"]).trim();
}

beforeAll(async () => {
  await requireDaemon();
  expect(
    fs.existsSync(path.join(repoRoot, "dist/incus/provider/main.js")),
    "the provider plugin is compiled by `npm run build`",
  ).toBe(true);
  fs.mkdirSync(incusConf, { recursive: true });
  // The plugin inherits this process's environment: point it at the local daemon only.
  process.env.INCUS_CONF = incusConf;
  process.env.PULUMI_HOME = path.join(work, "pulumi-home");
  previousAddress = bucketsAddress();
  if (previousAddress !== "") incus(["config", "unset", "core.storage_buckets_address"]);
});

afterAll(async () => {
  try {
    const stack = await bootstrapStack(main);
    await stack.destroy({ color: "never" });
  } finally {
    cleanup([
      ["storage", "delete", foreignPool],
      ["storage", "delete", main.statePool],
    ]);
    if (previousAddress !== "")
      incus(["config", "set", "core.storage_buckets_address", previousAddress]);
    process.env.INCUS_CONF = saved.INCUS_CONF;
    process.env.PULUMI_HOME = saved.PULUMI_HOME;
    fs.rmSync(work, { recursive: true, force: true });
  }
}, 180_000);

describe("bootstrap on a host without MinIO", () => {
  it("configures the buckets address and creates the pool, then stops at the bucket with what to install", async () => {
    const { lines, error } = await bootstrap(main);
    expect(error).toBeInstanceOf(StepFailedError);
    const failure = error as StepFailedError;
    expect(failure.step).toBe("state bucket and key");
    expect(failure.cause).toBeInstanceOf(MinioMissingError);
    expect(failure.message).toMatch(/MinIO is not installed there/);
    expect(failure.message).toMatch(
      /Install MinIO on the Incus host: the `minio` server and the `mc` client/,
    );
    expect(failure.message).toContain("resume with `npm run bootstrap -- --stack iapetus`");
    const poolStep = lines.find((l) =>
      l.startsWith("[3/8] buckets address and state pool: done: "),
    );
    expect(poolStep).toContain("create storage-buckets-address");
    expect(poolStep).toContain("create state-pool");

    // Done: the address and the pool.
    expect(bucketsAddress()).toBe(":8555");
    expect(incusOk(["storage", "show", main.statePool])).toBe(true);
    // Not half-done: no bucket, not even a leftover directory, and nothing after the failed step.
    expect(incus(["storage", "bucket", "list", main.statePool, "--format", "csv"]).trim()).toBe("");
    const bucketsDir = `/var/lib/incus/storage-pools/${main.statePool}/buckets`;
    expect(fs.existsSync(bucketsDir) ? fs.readdirSync(bucketsDir) : []).toEqual([]);
    // (the incus CLI run by this test may create config.yml itself; the OCI remotes step did not run)
    const cliConfig = path.join(incusConf, "config.yml");
    expect(fs.existsSync(cliConfig) ? fs.readFileSync(cliConfig, "utf8") : "").not.toContain(
      "ghcr",
    );
    expect(fs.existsSync(backendFiles(main).envFile)).toBe(false);
    // The bootstrap state holds exactly what exists.
    const ids = await managedIds(await bootstrapStack(main));
    expect([...ids.keys()].sort()).toEqual([
      "incus:index:Server",
      "incus:index:StoragePool",
      "pulumi:providers:incus",
    ]);
    expect(ids.get("incus:index:StoragePool")).toEqual([main.statePool]);
  }, 240_000);

  it("a rerun says what is already done, changes nothing and stops at the same place", async () => {
    const { lines, error } = await bootstrap(main);
    expect((error as StepFailedError).step).toBe("state bucket and key");
    expect(lines).toContain(
      `[2/8] ownership: ok: buckets address :8555: ours; pool "${main.statePool}": ours; bucket "atlas-pulumi-state": absent`,
    );
    expect(lines).toContain(
      `[3/8] buckets address and state pool: unchanged: already in place (buckets address :8555, pool "${main.statePool}")`,
    );
    expect(lines.some((l) => /^\s+(create|update|delete|replace) /.test(l))).toBe(false);
  }, 240_000);
});

describe("preflight refusals change nothing", () => {
  it("a state pool that exists but is not the bootstrap's", async () => {
    incus(["storage", "create", foreignPool, "dir"]);
    const s = settingsFor("foreign", { statePool: foreignPool });
    const { error } = await bootstrap(s);
    expect((error as StepFailedError).step).toBe("ownership");
    expect(String((error as Error).message)).toMatch(
      new RegExp(`storage pool "${foreignPool}" already exists .* belongs to something else`),
    );
    expect((await managedIds(await bootstrapStack(s))).size).toBe(0);
    expect(incus(["storage", "show", foreignPool])).toContain("used_by: []");
  }, 120_000);

  it("a buckets address set to something else", async () => {
    const s = settingsFor("address", { statePool: uniq("bt-unused"), bucketsAddress: ":9555" });
    const { error } = await bootstrap(s);
    expect(String((error as Error).message)).toMatch(
      /core.storage_buckets_address .* is already ":8555"/,
    );
    expect(bucketsAddress()).toBe(":8555");
    expect(incusOk(["storage", "show", s.statePool])).toBe(false);
  }, 120_000);

  it("an unreachable remote and a remote whose certificate is not the pinned one", async () => {
    const conf = path.join(work, "remotes");
    fs.mkdirSync(path.join(conf, "servercerts"), { recursive: true });
    const client = makeCertificate("atlas-test-client");
    const presented = makeCertificate("impostor");
    const pinned = makeCertificate("the-real-server");
    fs.writeFileSync(path.join(conf, "client.crt"), client.cert);
    fs.writeFileSync(path.join(conf, "client.key"), client.key);
    const server = https.createServer({ cert: presented.cert, key: presented.key }, (_req, res) => {
      res.end("{}");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as AddressInfo).port;
    fs.writeFileSync(
      path.join(conf, "config.yml"),
      `remotes:\n  impostor:\n    addr: https://127.0.0.1:${port}\n  gone:\n    addr: https://127.0.0.1:1\n`,
    );
    fs.writeFileSync(path.join(conf, "servercerts", "impostor.crt"), pinned.cert);
    fs.writeFileSync(path.join(conf, "servercerts", "gone.crt"), pinned.cert);
    const env = { ...process.env, INCUS_CONF: conf };
    try {
      await expect(checkIncusRemote({ remote: "impostor" }, env)).rejects.toThrow(
        /presented a certificate that is not the one pinned for it.*Nothing was changed/,
      );
      await expect(checkIncusRemote({ remote: "gone" }, env)).rejects.toThrow(
        /Incus remote "gone" at 127.0.0.1:1 is unreachable.*Nothing was changed/,
      );
    } finally {
      server.close();
    }
  }, 60_000);
});
