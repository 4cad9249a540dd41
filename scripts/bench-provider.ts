/**
 * Provider benchmark against the real Incus daemon (scripts/incus-test-daemon.sh up):
 *   1. API requests per create / read / update / delete for each resource;
 *   2. wall time and requests to create (and delete) 20 profiles + 20 volumes + 10
 *      instances with the provider, next to the same objects made by the incus CLI, whose
 *      requests are counted from its --debug output.
 *
 * Run: npm run build && npm run bench:provider
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import { IncusProvider } from "../incus/provider/provider";
import type { PropertyMap } from "../incus/provider/values";

const IMAGE = process.env.ATLAS_INCUS_TEST_IMAGE ?? "atlas-test";
const tag = crypto.randomBytes(2).toString("hex");
const p = new IncusProvider(
  {},
  { ...process.env, INCUS_CONF: "/nonexistent-atlas-conf", INCUS_REMOTE: "" },
);
const client = (): ReturnType<IncusProvider["context"]>["client"] => p.context().client;
const urn = (t: string): string => `urn:pulumi:bench::atlas::incus:index:${t}::b`;

/** Runs the CLI once with --debug and counts request lines in its log. */
function cliCount(args: string[], input?: string, env: NodeJS.ProcessEnv = process.env): number {
  const res = spawnSync("incus", ["--debug", ...args], { encoding: "utf8", input, env });
  if (res.status !== 0)
    throw new Error(`incus ${args.join(" ")} failed: ${res.stderr.slice(-500)}`);
  const log = res.stderr + res.stdout;
  return (log.match(/Sending request to Incus|Connected to the websocket/g) ?? []).length;
}

async function counted<T>(fn: () => Promise<T>, prov: IncusProvider = p): Promise<[T, number]> {
  const c = prov.context().client;
  c.resetStats();
  const r = await fn();
  return [r, c.requestCount()];
}

async function checked(
  type: string,
  news: PropertyMap,
  olds: PropertyMap = {},
  prov: IncusProvider = p,
): Promise<PropertyMap> {
  const c = await prov.check(urn(type), olds, news);
  if (c.failures?.length) throw new Error(JSON.stringify(c.failures));
  return c.inputs as PropertyMap;
}

interface Row {
  resource: string;
  create: number;
  read: number;
  update: number;
  delete: number;
}

async function perResource(
  type: string,
  args: PropertyMap,
  changed: PropertyMap,
  before?: () => void,
  after?: () => void,
  prov: IncusProvider = p,
): Promise<Row> {
  before?.();
  try {
    const inputs = await checked(type, args, {}, prov);
    const [created, c] = await counted(() => prov.create(urn(type), inputs), prov);
    const [, r] = await counted(() => prov.read(created.id, urn(type), created.outs), prov);
    const news = await checked(type, changed, created.outs, prov);
    const [updated, u] = await counted(
      () => prov.update(created.id, urn(type), created.outs, news),
      prov,
    );
    const [, d] = await counted(
      () => prov.delete(created.id, urn(type), updated.outs as PropertyMap),
      prov,
    );
    return { resource: type, create: c, read: r, update: u, delete: d };
  } finally {
    after?.();
  }
}

function makeCert(): string {
  const dir = execFileSync("mktemp", ["-d"], { encoding: "utf8" }).trim();
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      `${dir}/k`,
      "-out",
      `${dir}/c`,
      "-days",
      "2",
      "-subj",
      "/CN=bench",
    ],
    { stdio: "pipe" },
  );
  const pem = execFileSync("cat", [`${dir}/c`], { encoding: "utf8" });
  execFileSync("rm", ["-rf", dir]);
  return pem;
}

/**
 * NetworkLb needs OVN: measured on the OVN harness's own incusd (`scripts/incus-ovn.sh up`),
 * with an OVN network of its own on the harness's uplink, when that daemon runs.
 */
async function networkLbRow(): Promise<string> {
  const incusDir = process.env.ATLAS_OVN_INCUS_DIR ?? "/var/lib/atlas-incus-ovn";
  const socket = `${incusDir}/unix.socket`;
  if (!fs.existsSync(socket)) {
    return `${pad("NetworkLb", 15)}n/a: needs OVN (run scripts/incus-ovn.sh up first)`;
  }
  const env = { ...process.env, INCUS_DIR: incusDir, INCUS_SOCKET: socket };
  const ovn = new IncusProvider(
    {},
    { ...env, INCUS_CONF: "/nonexistent-atlas-conf", INCUS_REMOTE: "" },
  );
  const net = `pb${tag}ovn`;
  const vip = "10.240.0.149";
  const cli = (args: string[]): void => {
    execFileSync("incus", args, { env, stdio: "pipe" });
  };
  const lb = (ports: PropertyMap[]): PropertyMap => ({
    network: net,
    listenAddress: vip,
    backends: [{ name: "a", targetAddress: "10.241.9.10" }],
    ports,
  });
  const mqtt = { protocol: "tcp", listenPort: "1883", targetBackend: ["a"] };
  const dns = { protocol: "udp", listenPort: "53", targetBackend: ["a"] };
  const row = await perResource(
    "NetworkLb",
    lb([mqtt]),
    lb([mqtt, dns]),
    () =>
      cli([
        "network",
        "create",
        net,
        "--type=ovn",
        `network=${process.env.ATLAS_OVN_UPLINK ?? "atlasovn-up"}`,
        "ipv4.address=10.241.9.1/24",
        "ipv4.nat=false",
        "ipv6.address=none",
      ]),
    undefined,
    ovn,
  );
  const lbCli = ["network", "load-balancer"];
  const counts = [
    cliCount([...lbCli, "create", net, vip], undefined, env) +
      cliCount([...lbCli, "backend", "add", net, vip, "a", "10.241.9.10"], undefined, env) +
      cliCount([...lbCli, "port", "add", net, vip, "tcp", "1883", "a"], undefined, env),
    cliCount([...lbCli, "show", net, vip], undefined, env),
    cliCount([...lbCli, "port", "add", net, vip, "udp", "53", "a"], undefined, env),
    cliCount([...lbCli, "delete", net, vip], undefined, env),
  ];
  cli(["network", "delete", net]);
  const cell = (n: number, c: number): string => pad(`${n} | ${c}`, 12);
  return `${pad("NetworkLb", 15)}${cell(row.create, counts[0])}${cell(row.read, counts[1])}${cell(row.update, counts[2])}${cell(row.delete, counts[3])}(OVN harness)`;
}

function pad(s: string | number, n: number): string {
  return String(s).padEnd(n);
}

async function main(): Promise<void> {
  const base = `pb-${tag}-base`;
  execFileSync("incus", ["profile", "create", base]);
  execFileSync("incus", [
    "profile",
    "device",
    "add",
    base,
    "root",
    "disk",
    "path=/",
    "pool=default",
  ]);
  try {
    // 1. Requests per operation.
    const rows: Row[] = [];
    rows.push(
      await perResource(
        "Profile",
        { name: `pb-${tag}-p`, config: { "limits.cpu": "1" } },
        { name: `pb-${tag}-p`, config: { "limits.cpu": "2" } },
      ),
    );
    const netCfg = { "ipv4.address": "none", "ipv6.address": "none", "ipv4.nat": "false" };
    rows.push(
      await perResource(
        "Network",
        { name: `pb${tag}n`, config: netCfg },
        { name: `pb${tag}n`, config: { ...netCfg, "bridge.mtu": "1400" } },
      ),
    );
    rows.push(
      await perResource(
        "StoragePool",
        { name: `pb-${tag}-pool`, driver: "dir" },
        { name: `pb-${tag}-pool`, driver: "dir", config: { "rsync.bwlimit": "1MiB" } },
      ),
    );
    rows.push(
      await perResource(
        "StorageVolume",
        { name: `pb-${tag}-v`, pool: "default", config: { size: "32MiB" } },
        {
          name: `pb-${tag}-v`,
          pool: "default",
          config: { size: "32MiB", "snapshots.schedule": "@daily" },
        },
      ),
    );
    rows.push(
      await perResource(
        "NetworkAcl",
        { name: `pb-${tag}-acl`, ingress: [{ action: "allow", state: "enabled" }] },
        { name: `pb-${tag}-acl`, ingress: [{ action: "drop", state: "enabled" }] },
      ),
    );
    const pem = makeCert();
    rows.push(
      await perResource(
        "Certificate",
        { name: `pb-${tag}-c`, certificate: pem },
        { name: `pb-${tag}-c2`, certificate: pem },
      ),
    );
    rows.push(
      await perResource(
        "Server",
        { config: { "images.remote_cache_expiry": "9" } },
        { config: { "images.remote_cache_expiry": "8" } },
      ),
    );
    rows.push(
      await perResource(
        "Instance",
        { name: `pb-${tag}-i`, image: IMAGE, profiles: [base] },
        { name: `pb-${tag}-i`, image: IMAGE, profiles: [base], config: { "limits.cpu": "1" } },
      ),
    );

    // The CLI's cost for the same single operations.
    const cliCreate: Record<string, number> = {};
    const cliUpdate: Record<string, number> = {};
    const cliDelete: Record<string, number> = {};
    const cliRead: Record<string, number> = {};
    const cp = `pb-${tag}-cp`;
    cliCreate.Profile = cliCount(["profile", "create", cp], 'config:\n  limits.cpu: "1"\n');
    cliRead.Profile = cliCount(["profile", "show", cp]);
    cliUpdate.Profile = cliCount(["profile", "set", cp, "limits.cpu=2"]);
    cliDelete.Profile = cliCount(["profile", "delete", cp]);
    const cn = `pb${tag}c`;
    cliCreate.Network = cliCount([
      "network",
      "create",
      cn,
      ...Object.entries(netCfg).map(([k, v]) => `${k}=${v}`),
    ]);
    cliRead.Network = cliCount(["network", "show", cn]);
    cliUpdate.Network = cliCount(["network", "set", cn, "bridge.mtu=1400"]);
    cliDelete.Network = cliCount(["network", "delete", cn]);
    const cpool = `pb-${tag}-cpool`;
    cliCreate.StoragePool = cliCount(["storage", "create", cpool, "dir"]);
    cliRead.StoragePool = cliCount(["storage", "show", cpool]);
    cliUpdate.StoragePool = cliCount(["storage", "set", cpool, "rsync.bwlimit=1MiB"]);
    cliDelete.StoragePool = cliCount(["storage", "delete", cpool]);
    const cv = `pb-${tag}-cv`;
    cliCreate.StorageVolume = cliCount([
      "storage",
      "volume",
      "create",
      "default",
      cv,
      "size=32MiB",
    ]);
    cliRead.StorageVolume = cliCount(["storage", "volume", "show", "default", cv]);
    cliUpdate.StorageVolume = cliCount([
      "storage",
      "volume",
      "set",
      "default",
      cv,
      "snapshots.schedule=@daily",
    ]);
    cliDelete.StorageVolume = cliCount(["storage", "volume", "delete", "default", cv]);
    const ca = `pb-${tag}-cacl`;
    cliCreate.NetworkAcl =
      cliCount(["network", "acl", "create", ca]) +
      cliCount(["network", "acl", "rule", "add", ca, "ingress", "action=allow", "state=enabled"]);
    cliRead.NetworkAcl = cliCount(["network", "acl", "show", ca]);
    cliUpdate.NetworkAcl = cliCount(["network", "acl", "set", ca, "user.x=1"]);
    cliDelete.NetworkAcl = cliCount(["network", "acl", "delete", ca]);
    cliCreate.Server = cliCount(["config", "set", "images.remote_cache_expiry=9"]);
    cliRead.Server = cliCount(["config", "show"]);
    cliUpdate.Server = cliCount(["config", "set", "images.remote_cache_expiry=8"]);
    cliDelete.Server = cliCount(["config", "unset", "images.remote_cache_expiry"]);
    const ci = `pb-${tag}-ci`;
    cliCreate.Instance = cliCount(["launch", IMAGE, ci, "-p", base]);
    cliRead.Instance = cliCount(["list", ci, "--format", "csv"]);
    cliUpdate.Instance = cliCount(["config", "set", ci, "limits.cpu=1"]);
    cliDelete.Instance = cliCount(["delete", "--force", ci]);

    console.log("\nAPI requests per operation (provider | incus CLI for the same change)\n");
    console.log(
      `${pad("resource", 15)}${pad("create", 12)}${pad("read", 12)}${pad("update", 12)}${pad("delete", 12)}`,
    );
    for (const r of rows) {
      const cell = (n: number, c?: number): string =>
        pad(c === undefined ? `${n}` : `${n} | ${c}`, 12);
      console.log(
        `${pad(r.resource, 15)}${cell(r.create, cliCreate[r.resource])}${cell(r.read, cliRead[r.resource])}${cell(r.update, cliUpdate[r.resource])}${cell(r.delete, cliDelete[r.resource])}`,
      );
    }
    console.log(`${pad("StorageBucket", 15)}n/a here: needs MinIO on the host`);
    console.log(`${pad("StorageBucketKey", 17)}n/a here: needs a bucket (MinIO)`);
    console.log(await networkLbRow());

    // 2. Batch: 20 profiles + 20 volumes + 10 instances, provider vs CLI, sequentially.
    const N = { profiles: 20, volumes: 20, instances: 10 };
    const names = (kind: string, n: number, who: string): string[] =>
      Array.from({ length: n }, (_, i) => `pb-${tag}-${who}${kind}${i}`);
    const profileArgs = (name: string): PropertyMap => ({
      name,
      config: { "limits.cpu": "1", "limits.memory": "128MiB" },
    });
    const volumeArgs = (name: string): PropertyMap => ({
      name,
      pool: "default",
      config: { size: "32MiB", "snapshots.schedule": "@daily" },
    });

    const created: { type: string; id: string; outs: PropertyMap }[] = [];
    client().resetStats();
    const t0 = Date.now();
    for (const n of names("p", N.profiles, "x")) {
      const r = await p.create(urn("Profile"), await checked("Profile", profileArgs(n)));
      created.push({ type: "Profile", id: r.id, outs: r.outs as PropertyMap });
    }
    for (const n of names("v", N.volumes, "x")) {
      const r = await p.create(urn("StorageVolume"), await checked("StorageVolume", volumeArgs(n)));
      created.push({ type: "StorageVolume", id: r.id, outs: r.outs as PropertyMap });
    }
    for (const n of names("i", N.instances, "x")) {
      const r = await p.create(
        urn("Instance"),
        await checked("Instance", { name: n, image: IMAGE, profiles: [base] }),
      );
      created.push({ type: "Instance", id: r.id, outs: r.outs as PropertyMap });
    }
    const provCreateMs = Date.now() - t0;
    const provCreateReq = client().requestCount();

    client().resetStats();
    const t1 = Date.now();
    for (const c of created) await p.read(c.id, urn(c.type), c.outs);
    const provReadMs = Date.now() - t1;
    const provReadReq = client().requestCount();

    client().resetStats();
    const t2 = Date.now();
    for (const c of [...created].reverse()) await p.delete(c.id, urn(c.type), c.outs);
    const provDeleteMs = Date.now() - t2;
    const provDeleteReq = client().requestCount();

    let cliCreateReq = 0;
    const t3 = Date.now();
    for (const n of names("p", N.profiles, "c"))
      cliCreateReq += cliCount(
        ["profile", "create", n],
        'config:\n  limits.cpu: "1"\n  limits.memory: 128MiB\n',
      );
    for (const n of names("v", N.volumes, "c"))
      cliCreateReq += cliCount([
        "storage",
        "volume",
        "create",
        "default",
        n,
        "size=32MiB",
        "snapshots.schedule=@daily",
      ]);
    for (const n of names("i", N.instances, "c"))
      cliCreateReq += cliCount(["launch", IMAGE, n, "-p", base]);
    const cliCreateMs = Date.now() - t3;

    let cliReadReq = 0;
    const t4 = Date.now();
    for (const n of names("p", N.profiles, "c")) cliReadReq += cliCount(["profile", "show", n]);
    for (const n of names("v", N.volumes, "c"))
      cliReadReq += cliCount(["storage", "volume", "show", "default", n]);
    for (const n of names("i", N.instances, "c")) cliReadReq += cliCount(["config", "show", n]);
    const cliReadMs = Date.now() - t4;

    let cliDeleteReq = 0;
    const t5 = Date.now();
    for (const n of names("i", N.instances, "c"))
      cliDeleteReq += cliCount(["delete", "--force", n]);
    for (const n of names("v", N.volumes, "c"))
      cliDeleteReq += cliCount(["storage", "volume", "delete", "default", n]);
    for (const n of names("p", N.profiles, "c")) cliDeleteReq += cliCount(["profile", "delete", n]);
    const cliDeleteMs = Date.now() - t5;

    const ratio = (a: number, b: number): string => (b === 0 ? "-" : (a / b).toFixed(2));
    console.log(
      `\n${N.profiles} profiles + ${N.volumes} volumes + ${N.instances} instances (sequential, busybox image)\n`,
    );
    console.log(
      `${pad("phase", 10)}${pad("provider ms", 14)}${pad("CLI ms", 10)}${pad("time ratio", 12)}${pad("provider req", 14)}${pad("CLI req", 10)}req ratio`,
    );
    const line = (phase: string, pm: number, cm: number, pr: number, cr: number): void =>
      console.log(
        `${pad(phase, 10)}${pad(pm, 14)}${pad(cm, 10)}${pad(ratio(pm, cm), 12)}${pad(pr, 14)}${pad(cr, 10)}${ratio(pr, cr)}`,
      );
    line("create", provCreateMs, cliCreateMs, provCreateReq, cliCreateReq);
    line("read", provReadMs, cliReadMs, provReadReq, cliReadReq);
    line("delete", provDeleteMs, cliDeleteMs, provDeleteReq, cliDeleteReq);
    const total = N.profiles + N.volumes + N.instances;
    console.log(
      `\nreads of unchanged objects: ${provReadReq} GETs for ${total} objects (${provReadReq === total ? "exactly one each" : "NOT one each"})`,
    );
    const ok =
      provCreateReq <= cliCreateReq && provDeleteReq <= cliDeleteReq && provReadReq === total;
    console.log(
      ok
        ? "target met: provider requests <= CLI requests"
        : "TARGET MISSED: provider made more requests than the CLI",
    );
    if (!ok) process.exitCode = 1;
  } finally {
    try {
      execFileSync("incus", ["profile", "delete", base], { stdio: "pipe" });
    } catch {
      // left for the next run's operator to see
    }
    client().close();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
