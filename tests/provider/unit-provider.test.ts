/**
 * Unit tests (no daemon): diff/replace decisions, input validation, secrets and unknowns,
 * provider configuration, image source construction and incus CLI config parsing.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parseCliConfig, resolveEndpoint, selectRemoteName } from "../../incus/client";
import { IncusProvider, parseUrn, settingsFromConfigure } from "../../incus/provider/provider";
import { imageSource } from "../../incus/provider/resources/instance";
import { mergeConfig, managedView } from "../../incus/provider/diff";
import { isValidSchedule } from "../../incus/provider/validators";
import {
  SECRET_SIG,
  SIG_KEY,
  UNKNOWN,
  unwrapSecrets,
  wrapSecrets,
  type PropertyMap,
} from "../../incus/provider/values";

const p = new IncusProvider({}, { INCUS_CONF: "/nonexistent" });
const u = (t: string) => `urn:pulumi:s::atlas::incus:index:${t}::x`;
const secret = (v: string) => ({ [SIG_KEY]: SECRET_SIG, value: v });

async function diff(type: string, olds: PropertyMap, news: PropertyMap) {
  const c = await p.check(u(type), olds, news);
  expect(c.failures ?? []).toEqual([]);
  return p.diff("id", u(type), olds, c.inputs);
}

describe("diff decisions follow Incus semantics", () => {
  const net = {
    name: "br0",
    type: "bridge",
    description: "",
    config: { "ipv4.nat": "false" },
    managed: true,
  };
  it("network: config updates in place, type replaces (delete first), name replaces (create first)", async () => {
    expect(
      await diff("Network", net, { name: "br0", config: { "ipv4.nat": "true" } }),
    ).toMatchObject({ changes: true, replaces: [] });
    expect(
      await diff("Network", net, {
        name: "br0",
        type: "ovn",
        config: { "ipv4.nat": "false", network: "up" },
      }),
    ).toMatchObject({ replaces: ["type"], deleteBeforeReplace: true });
    expect(
      await diff("Network", net, { name: "br1", config: { "ipv4.nat": "false" } }),
    ).toMatchObject({ replaces: ["name"], deleteBeforeReplace: false });
    expect(
      await diff("Network", net, { name: "br0", config: { "ipv4.nat": "false" } }),
    ).toMatchObject({ changes: false });
  });
  it("volume: pool and content type replace; snapshot settings and size update in place", async () => {
    const vol = {
      name: "v",
      pool: "default",
      type: "custom",
      contentType: "filesystem",
      config: { size: "1GiB" },
      location: "none",
    };
    expect(
      (await diff("StorageVolume", vol, { name: "v", pool: "fast", config: { size: "1GiB" } }))
        .replaces,
    ).toEqual(["pool"]);
    expect(
      (
        await diff("StorageVolume", vol, {
          name: "v",
          pool: "default",
          contentType: "block",
          config: { size: "1GiB" },
        })
      ).replaces,
    ).toEqual(["contentType"]);
    const d = await diff("StorageVolume", vol, {
      name: "v",
      pool: "default",
      config: {
        size: "2GiB",
        "snapshots.schedule": "@daily",
        "snapshots.expiry": "2w",
        "snapshots.pattern": "snap%d",
      },
    });
    expect(d).toMatchObject({ changes: true, replaces: [] });
  });
  it("instance: image/type/targetNode replace; profiles order, config, devices, running update in place", async () => {
    const inst = {
      name: "a",
      image: "atlas-test",
      type: "container",
      profiles: ["a", "b"],
      config: {},
      devices: [],
      running: true,
      ephemeral: false,
    };
    expect((await diff("Instance", inst, { ...inst, image: "images:debian/12" })).replaces).toEqual(
      ["image"],
    );
    expect((await diff("Instance", inst, { ...inst, targetNode: "n2" })).replaces).toEqual([
      "targetNode",
    ]);
    expect(await diff("Instance", inst, { ...inst, profiles: ["b", "a"] })).toMatchObject({
      changes: true,
      replaces: [],
    });
    expect(await diff("Instance", inst, { ...inst, running: false })).toMatchObject({
      changes: true,
      replaces: [],
    });
    // Devices compare regardless of order.
    const devs = [
      { name: "b", type: "nic", properties: { network: "n" } },
      { name: "a", type: "disk", properties: { path: "/a", pool: "p", source: "v" } },
    ];
    expect(
      (
        await diff(
          "Instance",
          { ...inst, devices: [...devs].reverse() },
          { ...inst, devices: devs },
        )
      ).changes,
    ).toBe(false);
    // Profiles omitted: Incus's default profile is left alone.
    const { profiles: _p, ...noProfiles } = inst;
    expect((await diff("Instance", inst, noProfiles)).changes).toBe(false);
    // An imported instance recorded by fingerprint is not rebuilt for naming its alias.
    expect((await diff("Instance", { ...inst, image: "a".repeat(64) }, inst)).changes).toBe(false);
  });
  it("unknown values during preview count as changes, and replace when the property replaces", async () => {
    const inst = {
      name: "a",
      image: "atlas-test",
      type: "container",
      config: {},
      devices: [],
      running: true,
      ephemeral: false,
    };
    expect(await diff("Instance", inst, { ...inst, image: UNKNOWN })).toMatchObject({
      replaces: ["image"],
    });
    expect(
      await diff("Instance", inst, { ...inst, config: { "limits.cpu": UNKNOWN } }),
    ).toMatchObject({ changes: true, replaces: [] });
  });
  it("server: a target change replaces; config updates in place", async () => {
    expect(await diff("Server", { config: { a: "1" } }, { config: { a: "2" } })).toMatchObject({
      changes: true,
      replaces: [],
    });
    expect(
      (await diff("Server", { config: { a: "1" } }, { config: { a: "1" }, target: "n1" })).replaces,
    ).toEqual(["target"]);
  });
});

describe("config maps are managed key by key", () => {
  it("merge keeps unmanaged keys, drops keys no longer set, sets new ones", () => {
    expect(
      mergeConfig(
        { "volatile.x": "1", host: "h", a: "1", b: "2" },
        { a: "1", b: "2" },
        { b: "3", c: "4" },
      ),
    ).toEqual({ "volatile.x": "1", host: "h", b: "3", c: "4" });
  });
  it("the managed view is the state's keys on refresh and everything but internals on import", () => {
    const live = { "volatile.base_image": "f", "image.os": "x", a: "1", b: "2" };
    expect(managedView(live, { a: "0", gone: "1" })).toEqual({ a: "1" });
    expect(
      managedView(live, undefined, (k) => k.startsWith("volatile.") || k.startsWith("image.")),
    ).toEqual({ a: "1", b: "2" });
  });
});

describe("check: validation with clear messages", () => {
  it("names the resource, the setting and what is allowed", async () => {
    const c = await p.check(
      u("Network"),
      {},
      { name: "a-very-long-bridge-name", type: "bridge2", config: { "ipv4.nat": 1 } },
    );
    const reasons = (c.failures ?? []).map((f) => f.reason);
    expect(reasons).toContain(
      'Network "a-very-long-bridge-name": type: must be one of bridge, physical, ovn, macvlan, sriov (got "bridge2")',
    );
    expect(reasons.some((r) => r.includes("name: must be an interface name: 1-15"))).toBe(true);
    expect((c.inputs as PropertyMap).config).toEqual({ "ipv4.nat": "1" });
  });
  it("physical networks need a parent, ovn networks an uplink", async () => {
    const phys = await p.check(u("Network"), {}, { name: "up0", type: "physical" });
    expect(phys.failures?.[0]?.reason).toContain("a physical network needs config.parent");
    const ovn = await p.check(u("Network"), {}, { name: "ovn0", type: "ovn" });
    expect(ovn.failures?.[0]?.reason).toContain("an ovn network needs config.network");
  });
  it("snapshot schedule, expiry, pattern and sizes", async () => {
    const c = await p.check(
      u("StorageVolume"),
      {},
      {
        name: "v",
        pool: "p",
        config: {
          "snapshots.schedule": "every day",
          "snapshots.expiry": "7 days",
          "snapshots.pattern": "a/b",
          size: "big",
        },
      },
    );
    const reasons = (c.failures ?? []).map((f) => f.reason).join("\n");
    expect(reasons).toContain(
      'key "snapshots.schedule" = "every day" is invalid; expected a 5-field cron expression',
    );
    expect(reasons).toContain('key "snapshots.expiry" = "7 days" is invalid');
    expect(reasons).toContain('key "snapshots.pattern" = "a/b" is invalid');
    expect(reasons).toContain('key "size" = "big" is invalid');
    expect(isValidSchedule("0 2 * * *, 30 14 * * 1-5")).toBe(true);
    expect(isValidSchedule("@daily")).toBe(true);
  });
  it("devices: required fields per type and unique names", async () => {
    const c = await p.check(
      u("Profile"),
      {},
      {
        name: "p",
        devices: [
          { name: "web", type: "proxy", properties: { listen: "127.0.0.1:80" } },
          { name: "web", type: "disk", properties: {} },
          { name: "x", type: "floppy", properties: {} },
        ],
      },
    );
    const reasons = (c.failures ?? []).map((f) => f.reason).join("\n");
    expect(reasons).toContain("a proxy device needs properties.listen as <tcp|udp|unix>:<address>");
    expect(reasons).toContain('device name "web" is used twice');
    expect(reasons).toContain("type must be one of none, nic, disk");
    expect(reasons).toContain("a disk device needs properties.path");
  });
  it("required properties and unknown properties", async () => {
    const c = await p.check(u("StorageVolume"), {}, { name: "v", sizee: "1" });
    const reasons = (c.failures ?? []).map((f) => f.reason);
    expect(reasons).toContain('StorageVolume "v": pool: is required');
    expect(
      reasons.some((r) =>
        r.startsWith('StorageVolume "v": sizee: unknown property; allowed: name, pool'),
      ),
    ).toBe(true);
  });
  it("unknown values are not validated until known", async () => {
    const c = await p.check(u("Network"), {}, { name: UNKNOWN, type: "bridge" });
    expect(c.failures ?? []).toEqual([]);
  });
  it("a list element the engine sends as null during preview is treated as unknown", async () => {
    const c = await p.check(
      u("Instance"),
      {},
      {
        name: "web",
        image: "atlas-test",
        profiles: ["container-base", null],
      },
    );
    expect(c.failures ?? []).toEqual([]);
    const known = await p.check(
      u("Instance"),
      {},
      { name: "web", image: "atlas-test", profiles: [""] },
    );
    expect((known.failures ?? []).map((f) => f.reason).join()).toMatch(
      /profiles: must be a list of non-empty strings/,
    );
  });
  it("an unknown resource type is an error naming the supported ones", async () => {
    await expect(p.check("urn:pulumi:s::a::incus:index:Nope::x", {}, {})).rejects.toThrow(
      /unknown resource type "incus:index:Nope"; supported: incus:index:Network/,
    );
  });
});

describe("secrets", () => {
  it("secret inputs stay secret in check and create outputs", async () => {
    const news = {
      name: "i",
      image: "atlas-test",
      config: { "cloud-init.user-data": secret("#cloud-config\n") },
    };
    const c = await p.check(u("Instance"), {}, news);
    expect(((c.inputs as PropertyMap).config as PropertyMap)["cloud-init.user-data"]).toEqual(
      secret("#cloud-config\n"),
    );
    const { value, secrets } = unwrapSecrets(c.inputs as PropertyMap);
    expect(secrets).toEqual([["config", "cloud-init.user-data"]]);
    expect(wrapSecrets(value as PropertyMap, secrets)).toEqual(c.inputs);
  });
});

describe("provider configuration", () => {
  it("reads variables and args, with booleans as JSON strings", () => {
    expect(
      settingsFromConfigure(
        { "incus:config:remote": "cluster01", "incus:config:acceptRemoteCertificate": "true" },
        undefined,
      ),
    ).toEqual({ remote: "cluster01", project: undefined, acceptRemoteCertificate: true });
    expect(settingsFromConfigure({}, { project: "atlas", acceptRemoteCertificate: false })).toEqual(
      { remote: undefined, project: "atlas", acceptRemoteCertificate: false },
    );
    expect(() =>
      settingsFromConfigure({ "incus:config:acceptRemoteCertificate": "yes" }, undefined),
    ).toThrow(/acceptRemoteCertificate must be true or false/);
  });
  it("parses URNs, including parented types", () => {
    expect(
      parseUrn("urn:pulumi:s::p::atlas:components:Grafana$incus:index:Instance::grafana"),
    ).toEqual({ type: "incus:index:Instance", name: "grafana" });
  });
});

describe("incus CLI config and remotes", () => {
  const yml = `default-remote: cluster01
remotes:
  cluster01:
    addr: https://10.0.0.10:8443
    protocol: incus
    auth_type: tls
    project: atlas
  ghcr:
    addr: https://ghcr.io
    protocol: oci
    public: true
  local:
    addr: unix://
    public: false
`;
  it("parses remotes and keeps the built-in images remote", () => {
    const cfg = parseCliConfig(yml, "/conf");
    expect(cfg.defaultRemote).toBe("cluster01");
    expect(cfg.remotes.cluster01).toMatchObject({
      addr: "https://10.0.0.10:8443",
      protocol: "incus",
      project: "atlas",
    });
    expect(cfg.remotes.images).toMatchObject({ protocol: "simplestreams", public: true });
  });
  it("selects the remote: provider config, else INCUS_REMOTE, else the default", () => {
    const cfg = parseCliConfig(yml, "/conf");
    expect(selectRemoteName(cfg, "local", { INCUS_REMOTE: "ghcr" })).toBe("local");
    expect(selectRemoteName(cfg, undefined, { INCUS_REMOTE: "local" })).toBe("local");
    expect(selectRemoteName(cfg, undefined, {})).toBe("cluster01");
    expect(selectRemoteName(parseCliConfig("", "/c"), undefined, {})).toBe("local");
  });
  it("resolves unix and https endpoints with certificates, and explains what is missing", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ptest-conf-"));
    try {
      const cfg = parseCliConfig(yml, dir);
      expect(
        resolveEndpoint(cfg, { remote: "local", env: { INCUS_SOCKET: "/run/x.sock" } }),
      ).toMatchObject({ kind: "unix", socketPath: "/run/x.sock" });
      expect(() => resolveEndpoint(cfg, { env: {} })).toThrow(
        /no client certificate in .*client.crt/,
      );
      fs.writeFileSync(path.join(dir, "client.crt"), "C");
      fs.writeFileSync(path.join(dir, "client.key"), "K");
      expect(() => resolveEndpoint(cfg, { env: {} })).toThrow(
        /no pinned server certificate .*servercerts\/cluster01.crt.*acceptRemoteCertificate=true/,
      );
      expect(resolveEndpoint(cfg, { env: {}, acceptRemoteCertificate: true })).toMatchObject({
        kind: "https",
        remote: "cluster01",
        project: "atlas",
        clientCert: "C",
      });
      expect(() => resolveEndpoint(cfg, { remote: "ghcr", env: {} })).toThrow(
        /image server \(protocol oci\)/,
      );
      expect(() => resolveEndpoint(cfg, { remote: "nope", env: {} })).toThrow(
        /remote "nope" is not in .*known remotes: cluster01, ghcr, images, local/,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
  it("builds image sources for local aliases, fingerprints and remote:alias", () => {
    const cfg = parseCliConfig(yml, "/conf");
    expect(imageSource("atlas-test", cfg, "local")).toEqual({ type: "image", alias: "atlas-test" });
    expect(imageSource("local:atlas-test", cfg, "local")).toEqual({
      type: "image",
      alias: "atlas-test",
    });
    expect(imageSource("b".repeat(64), cfg, "local")).toEqual({
      type: "image",
      fingerprint: "b".repeat(64),
    });
    expect(imageSource("images:alpine/3.21/cloud", cfg, "local")).toEqual({
      type: "image",
      mode: "pull",
      server: "https://images.linuxcontainers.org",
      protocol: "simplestreams",
      alias: "alpine/3.21/cloud",
    });
    expect(imageSource("ghcr:org/image:tag", cfg, "local")).toEqual({
      type: "image",
      mode: "pull",
      server: "https://ghcr.io",
      protocol: "oci",
      alias: "org/image:tag",
    });
    expect(() => imageSource("local:x", cfg, "cluster01", "web")).toThrow(
      /Instance "web": image "local:x": remote "local" is a local unix socket/,
    );
    expect(() => imageSource("nope:x", cfg, "local", "web")).toThrow(
      /remote "nope" is not in the incus CLI config/,
    );
  });
});
