/**
 * Lifecycle of the configuration resources against the real daemon, through the provider
 * exactly as the engine drives it: check → create → read → diff/update → replace → delete,
 * plus drift made with the incus CLI, import by id, and "gone" on a missing object.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IncusProvider } from "../../incus/provider/provider";
import { ConflictError } from "../../incus/client";
import type { PropertyMap } from "../../incus/provider/values";
import {
  cleanup,
  incus,
  incusOk,
  localProvider,
  makeCertificate,
  requireDaemon,
  uniq,
  urn,
} from "../helpers/incus";

let p: IncusProvider;

beforeAll(async () => {
  await requireDaemon();
  p = localProvider();
});

async function checked(
  type: string,
  name: string,
  news: PropertyMap,
  olds: PropertyMap = {},
): Promise<PropertyMap> {
  const c = await p.check(urn(type, name), olds, news);
  expect(c.failures ?? []).toEqual([]);
  return c.inputs as PropertyMap;
}

async function create(
  type: string,
  name: string,
  news: PropertyMap,
): Promise<{ id: string; outs: PropertyMap }> {
  const inputs = await checked(type, name, news);
  const r = await p.create(urn(type, name), inputs);
  return { id: r.id, outs: r.outs as PropertyMap };
}

async function read(type: string, id: string, props: PropertyMap = {}) {
  return p.read(id, urn(type, "r"), props);
}

/** diff + update as the engine does it; returns the diff and the new state. */
async function change(type: string, id: string, olds: PropertyMap, news: PropertyMap) {
  const inputs = await checked(type, "u", news, olds);
  const d = await p.diff(id, urn(type, "u"), olds, inputs);
  // A replacing change is not applied by update (the engine would delete and create).
  const outs: PropertyMap = d.replaces?.length
    ? {}
    : ((await p.update(id, urn(type, "u"), olds, inputs)).outs as PropertyMap);
  return { diff: d, outs, inputs };
}

describe("Profile", () => {
  const name = uniq("ptest-prof");
  afterAll(() =>
    cleanup([
      ["profile", "delete", name],
      ["profile", "delete", `${name}-b`],
    ]),
  );

  it("creates, reads back its inputs, updates in place, detects drift, imports, replaces on rename and deletes", async () => {
    const args = {
      name,
      description: "web tier",
      config: { "limits.cpu": "1", "limits.memory": "256MiB", "limits.memory.enforce": "hard" },
      devices: [
        { name: "root", type: "disk", properties: { path: "/", pool: "default", size: "1GiB" } },
      ],
    };
    const { id, outs } = await create("Profile", "web", args);
    expect(id).toBe(name);
    const back = await read("Profile", id, outs);
    expect(back.id).toBe(name);
    expect(back.props).toEqual({ ...args });
    expect(back.inputs).toEqual({ ...args });
    // Unchanged: no diff.
    const same = await p.diff(
      id,
      urn("Profile", "web"),
      back.props,
      await checked("Profile", "web", args),
    );
    expect(same.changes).toBe(false);

    // In place: config and devices.
    const upd = await change("Profile", id, back.props as PropertyMap, {
      ...args,
      config: { "limits.cpu": "2", "limits.memory": "256MiB" },
    });
    expect(upd.diff.changes).toBe(true);
    expect(upd.diff.replaces ?? []).toEqual([]);
    expect(incus(["profile", "get", name, "limits.cpu"]).trim()).toBe("2");
    // A key the profile no longer sets is removed; the key set by the CLI is kept.
    expect(incus(["profile", "get", name, "limits.memory.enforce"]).trim()).toBe("");

    // Drift behind Pulumi's back is seen by refresh and undone by the next update.
    incus(["profile", "set", name, "limits.cpu=4"]);
    incus(["profile", "set", name, "user.note=cli"]);
    const refreshed = await read("Profile", id, upd.outs);
    expect((refreshed.props as PropertyMap).config).toEqual({
      "limits.cpu": "4",
      "limits.memory": "256MiB",
    });
    const fix = await change("Profile", id, refreshed.props as PropertyMap, upd.inputs);
    expect(fix.diff.changes).toBe(true);
    expect(incus(["profile", "get", name, "limits.cpu"]).trim()).toBe("2");
    expect(incus(["profile", "get", name, "user.note"]).trim()).toBe("cli");

    // Import: only the id.
    const imported = await read("Profile", id);
    expect(imported.id).toBe(name);
    expect((imported.inputs as PropertyMap).config).toEqual({
      "limits.cpu": "2",
      "limits.memory": "256MiB",
      "user.note": "cli",
    });

    // Rename replaces (a new name is a new object, so create-before-delete is fine).
    const rename = await p.diff(
      id,
      urn("Profile", "web"),
      fix.outs,
      await checked("Profile", "web", { ...args, name: `${name}-b` }),
    );
    expect(rename.replaces).toEqual(["name"]);
    expect(rename.deleteBeforeReplace).toBe(false);

    await p.delete(id, urn("Profile", "web"), fix.outs as PropertyMap);
    expect(incusOk(["profile", "show", name])).toBe(false);
    // Gone: empty id, not an error.
    expect((await read("Profile", id, fix.outs as PropertyMap)).id).toBe("");
    // Delete is idempotent.
    await p.delete(id, urn("Profile", "web"), fix.outs as PropertyMap);
  });

  it("a repeated create takes over the object its own interrupted create left; another's is refused", async () => {
    const dup = `${name}-b`;
    // The first create reached Incus, but Pulumi never recorded it (its answer was lost).
    await create("Profile", "dup", { name: dup, config: { "limits.cpu": "1" } });
    expect(incus(["profile", "get", dup, "user.pulumi.urn"]).trim()).toBe(urn("Profile", "dup"));
    const again = await create("Profile", "dup", { name: dup, config: { "limits.cpu": "2" } });
    expect(again.id).toBe(dup);
    expect(again.outs.config).toEqual({ "limits.cpu": "2" });
    expect(incus(["profile", "get", dup, "limits.cpu"]).trim()).toBe("2");

    // The same name from another resource (or made by hand): a conflict, nothing changed.
    const err = await create("Profile", "other", {
      name: dup,
      config: { "limits.cpu": "3" },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect(String(err)).toContain(`profile "${dup}"`);
    expect(String(err)).toContain('remote "local"');
    expect(String(err)).toContain(`npm run import -- '${urn("Profile", "other")}' ${dup}`);
    expect(incus(["profile", "get", dup, "limits.cpu"]).trim()).toBe("2");
    incus(["profile", "unset", dup, "user.pulumi.urn"]);
    const untagged = await create("Profile", "dup", { name: dup }).catch((e: unknown) => e);
    expect(untagged).toBeInstanceOf(ConflictError);
  });
});

describe("Network", () => {
  const name = uniq("ptn");
  afterAll(() => cleanup([["network", "delete", name]]));
  const args = {
    name,
    type: "bridge",
    description: "test bridge",
    config: { "ipv4.address": "none", "ipv6.address": "none", "ipv4.nat": "false" },
  };

  it("creates a bridge, updates config in place, keeps host keys, and a type change replaces", async () => {
    const { id, outs } = await create("Network", "net", args);
    expect(outs.managed).toBe(true);
    const back = await read("Network", id, outs);
    expect(back.props).toEqual({ ...args, managed: true });

    const upd = await change("Network", id, back.props as PropertyMap, {
      ...args,
      config: { ...args.config, "bridge.mtu": "1400" },
    });
    expect(upd.diff.replaces ?? []).toEqual([]);
    expect(incus(["network", "get", name, "bridge.mtu"]).trim()).toBe("1400");

    // Description not given: the live one is left alone and is no difference.
    const noDesc = await p.diff(
      id,
      urn("Network", "net"),
      upd.outs,
      await checked("Network", "net", {
        ...args,
        description: undefined,
        config: { ...args.config, "bridge.mtu": "1400" },
      }),
    );
    expect(noDesc.changes).toBe(false);

    incus(["network", "set", name, "bridge.mtu=1300"]);
    const drift = await read("Network", id, upd.outs);
    expect(((drift.props as PropertyMap).config as PropertyMap)["bridge.mtu"]).toBe("1300");

    const typeChange = await p.diff(
      id,
      urn("Network", "net"),
      drift.props as PropertyMap,
      await checked("Network", "net", { ...args, type: "macvlan", config: { parent: "lo" } }),
    );
    expect(typeChange.replaces).toContain("type");
    expect(typeChange.deleteBeforeReplace).toBe(true);

    await p.delete(id, urn("Network", "net"), drift.props as PropertyMap);
    expect(incusOk(["network", "show", name])).toBe(false);
    expect((await read("Network", id, drift.props as PropertyMap)).id).toBe("");
  });

  it("getNetwork returns managed and unmanaged networks", async () => {
    const lo = await p.invoke("incus:index:getNetwork", { name: "lo" });
    expect(lo.outputs).toMatchObject({ name: "lo", type: "loopback", managed: false });
    const missing = await p
      .invoke("incus:index:getNetwork", { name: "ptest-nope" })
      .catch((e: unknown) => e);
    expect(String(missing)).toMatch(/network "ptest-nope".*not found/);
  });
});

describe("StoragePool and StorageVolume", () => {
  const pool = uniq("ptest-pool");
  const vol = uniq("ptest-vol");
  afterAll(() =>
    cleanup([
      ["storage", "volume", "delete", "default", vol],
      ["storage", "delete", pool],
    ]),
  );

  it("pool: create, read, update in place, driver change replaces, delete", async () => {
    const args = {
      name: pool,
      driver: "dir",
      description: "scratch",
      config: { "rsync.bwlimit": "10MiB" },
    };
    const { id, outs } = await create("StoragePool", "pool", args);
    const back = await read("StoragePool", id, outs);
    expect(back.props).toEqual(args);
    // Incus added `source` for the dir driver: it is not part of the managed view.
    expect(incus(["storage", "get", pool, "source"]).trim()).not.toBe("");
    const upd = await change("StoragePool", id, back.props as PropertyMap, {
      ...args,
      config: { "rsync.bwlimit": "20MiB" },
    });
    expect(upd.diff.replaces ?? []).toEqual([]);
    expect(incus(["storage", "get", pool, "rsync.bwlimit"]).trim()).toBe("20MiB");
    const drv = await p.diff(
      id,
      urn("StoragePool", "pool"),
      upd.outs,
      await checked("StoragePool", "pool", { ...args, driver: "btrfs" }),
    );
    expect(drv.replaces).toEqual(["driver"]);
    await p.delete(id, urn("StoragePool", "pool"), upd.outs as PropertyMap);
    expect(incusOk(["storage", "show", pool])).toBe(false);
  });

  it("volume: snapshot settings, size update, drift, import, pool change replaces, delete", async () => {
    const args = {
      name: vol,
      pool: "default",
      config: {
        size: "64MiB",
        "snapshots.schedule": "0 2 * * *",
        "snapshots.expiry": "7d",
        "snapshots.pattern": "snap%d",
      },
    };
    const { id, outs } = await create("StorageVolume", "data", args);
    expect(id).toBe(`default/${vol}`);
    const back = await read("StorageVolume", id, outs);
    expect(back.props).toMatchObject({ ...args, type: "custom", contentType: "filesystem" });
    expect(back.inputs).not.toHaveProperty("location");

    const upd = await change("StorageVolume", id, back.props as PropertyMap, {
      ...args,
      config: { ...args.config, "snapshots.expiry": "14d" },
    });
    expect(upd.diff.replaces ?? []).toEqual([]);
    expect(incus(["storage", "volume", "get", "default", vol, "snapshots.expiry"]).trim()).toBe(
      "14d",
    );

    incus(["storage", "volume", "set", "default", vol, "snapshots.schedule=@daily"]);
    const drift = await read("StorageVolume", id, upd.outs);
    expect(((drift.props as PropertyMap).config as PropertyMap)["snapshots.schedule"]).toBe(
      "@daily",
    );

    const imported = await read("StorageVolume", id);
    expect(imported.inputs).toMatchObject({
      name: vol,
      pool: "default",
      contentType: "filesystem",
    });

    const move = await p.diff(
      id,
      urn("StorageVolume", "data"),
      upd.outs,
      await checked("StorageVolume", "data", { ...args, pool: "other" }),
    );
    expect(move.replaces).toEqual(["pool"]);

    await p.delete(id, urn("StorageVolume", "data"), upd.outs as PropertyMap);
    expect(incusOk(["storage", "volume", "show", "default", vol])).toBe(false);
    expect((await read("StorageVolume", id, upd.outs as PropertyMap)).id).toBe("");
  });
});

describe("NetworkAcl", () => {
  const name = uniq("ptest-acl");
  afterAll(() => cleanup([["network", "acl", "delete", name]]));

  it("creates rules, reads them back, updates in place, detects drift and deletes", async () => {
    const args = {
      name,
      description: "mqtt only",
      ingress: [{ action: "allow", state: "enabled", protocol: "tcp", destinationPort: "1883" }],
      egress: [{ action: "drop", state: "logged", destination: "192.0.2.0/24" }],
    };
    const { id, outs } = await create("NetworkAcl", "acl", args);
    const back = await read("NetworkAcl", id, outs);
    expect(back.props).toEqual({ ...args, config: {} });
    const upd = await change("NetworkAcl", id, back.props as PropertyMap, {
      ...args,
      ingress: [
        ...args.ingress,
        { action: "reject", state: "enabled", protocol: "udp", destinationPort: "53" },
      ],
    });
    expect(upd.diff.replaces ?? []).toEqual([]);
    expect(incus(["network", "acl", "show", name])).toContain("53");
    incus(["network", "acl", "rule", "remove", name, "ingress", "destination_port=53"]);
    const drift = await read("NetworkAcl", id, upd.outs);
    expect((drift.props as PropertyMap).ingress).toHaveLength(1);
    await p.delete(id, urn("NetworkAcl", "acl"), upd.outs as PropertyMap);
    expect(incusOk(["network", "acl", "show", name])).toBe(false);
  });
});

describe("Certificate", () => {
  const { cert } = makeCertificate("ptest-client");
  let fingerprint = "";
  afterAll(() => cleanup([["config", "trust", "remove", fingerprint]]));

  it("trusts a client certificate, renames in place, a type change replaces (delete first), deletes", async () => {
    const args = { name: uniq("ptest-cert"), certificate: cert, description: "ci" };
    const { id, outs } = await create("Certificate", "c", args);
    fingerprint = id;
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(incus(["config", "trust", "list", "--format", "csv"])).toContain(args.name);
    const back = await read("Certificate", id, outs);
    expect(back.props).toMatchObject({
      name: args.name,
      type: "client",
      restricted: false,
      fingerprint: id,
    });
    expect((back.props as PropertyMap).certificate).toBe(outs.certificate);

    const upd = await change("Certificate", id, back.props as PropertyMap, {
      ...args,
      name: `${args.name}-2`,
      restricted: true,
      projects: ["default"],
    });
    expect(upd.diff.replaces ?? []).toEqual([]);
    expect(incus(["config", "trust", "show", id])).toContain(`${args.name}-2`);

    const typeChange = await p.diff(
      id,
      urn("Certificate", "c"),
      upd.outs,
      await checked("Certificate", "c", { ...args, type: "metrics" }),
    );
    expect(typeChange.replaces).toEqual(["type"]);
    expect(typeChange.deleteBeforeReplace).toBe(true);
    await p.delete(id, urn("Certificate", "c"), upd.outs as PropertyMap);
    const again = await create("Certificate", "c", { ...args, type: "metrics" });
    expect(again.id).toBe(id);
    expect((await read("Certificate", id, again.outs)).props).toMatchObject({ type: "metrics" });
    await p.delete(id, urn("Certificate", "c"), again.outs);
    expect((await read("Certificate", id, again.outs)).id).toBe("");
  });

  it("rejects a certificate that is not PEM with a clear message", async () => {
    const c = await p.check(urn("Certificate", "bad"), {}, { name: "bad", certificate: "hello" });
    expect(c.failures?.[0]?.reason).toMatch(
      /Certificate "bad": certificate: must be a PEM-encoded X.509 certificate/,
    );
  });
});

describe("Server", () => {
  const cliKey = "images.auto_update_interval";
  afterAll(() =>
    cleanup([
      ["config", "unset", cliKey],
      ["config", "unset", "images.remote_cache_expiry"],
      ["config", "unset", "core.remote_token_expiry"],
    ]),
  );

  it("sets and unsets only its own keys; keys set by the CLI survive", async () => {
    incus(["config", "set", `${cliKey}=7`]);
    const { id, outs } = await create("Server", "srv", {
      config: { "images.remote_cache_expiry": "5" },
    });
    expect(id).toBe("server");
    expect(incus(["config", "get", "images.remote_cache_expiry"]).trim()).toBe("5");
    const back = await read("Server", id, outs);
    expect(back.props).toEqual({ config: { "images.remote_cache_expiry": "5" } });

    const upd = await change("Server", id, back.props as PropertyMap, {
      config: { "core.remote_token_expiry": "1H" },
    });
    expect(incus(["config", "get", "images.remote_cache_expiry"]).trim()).toBe("");
    expect(incus(["config", "get", "core.remote_token_expiry"]).trim()).toBe("1H");
    expect(incus(["config", "get", cliKey]).trim()).toBe("7");

    incus(["config", "set", "core.remote_token_expiry=2H"]);
    const drift = await read("Server", id, upd.outs);
    expect(drift.props).toEqual({ config: { "core.remote_token_expiry": "2H" } });

    await p.delete(id, urn("Server", "srv"), upd.outs as PropertyMap);
    expect(incus(["config", "get", "core.remote_token_expiry"]).trim()).toBe("");
    expect(incus(["config", "get", cliKey]).trim()).toBe("7");
  });
});
