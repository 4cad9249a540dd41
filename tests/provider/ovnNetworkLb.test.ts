/**
 * The provider on a live OVN (scripts/incus-ovn.sh: Open vSwitch userspace datapath, OVN
 * central and an incusd of its own): an OVN network on the uplink, a NetworkAcl attached to
 * it, and a NetworkLb through create, read, update, import and delete, with traffic from
 * the uplink side (this host) to the VIP answered by listeners inside the backends.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IncusProvider } from "../../incus/provider/provider";
import type { PropertyMap } from "../../incus/provider/values";
import { uniq, urn, TEST_IMAGE } from "../helpers/incus";
import {
  eventually,
  northboundNames,
  ovnIncus,
  ovnIncusOk,
  ovnProvider,
  ovnUplink,
  prepareBackend,
  startOvn,
  stopOvn,
  stopUdpListeners,
  tcpAsk,
  tcpListener,
  udpAsk,
  udpListener,
} from "../helpers/ovn";

const slow = 120_000;
let p: IncusProvider;
const net = uniq("ptovn");
const acl = uniq("ptovn-acl");
const backendA = uniq("ptovn-a");
const backendB = uniq("ptovn-b");
/** From the top of the uplink's ipv4.ovn.ranges: Incus gives OVN routers the lowest free ones. */
const vip = "10.240.0.150";
const addresses: Record<string, string> = {};

async function checked(type: string, news: PropertyMap, olds: PropertyMap = {}) {
  const c = await p.check(urn(type, "r"), olds, news);
  expect(c.failures ?? []).toEqual([]);
  return c.inputs as PropertyMap;
}

async function update(type: string, id: string, olds: PropertyMap, news: PropertyMap) {
  const inputs = await checked(type, news, olds);
  const diff = await p.diff(id, urn(type, "r"), olds, inputs);
  const outs = diff.replaces?.length
    ? {}
    : ((await p.update(id, urn(type, "r"), olds, inputs)).outs as PropertyMap);
  return { diff, outs };
}

const networkArgs = (extra: Record<string, string> = {}): PropertyMap => ({
  name: net,
  type: "ovn",
  description: "provider test (OVN)",
  config: {
    network: ovnUplink,
    "ipv4.address": "10.241.10.1/24",
    "ipv4.nat": "false",
    "ipv6.address": "none",
    ...extra,
  },
});

beforeAll(async () => {
  const seconds = startOvn();
  console.log(`OVN harness ready in ${seconds.toFixed(1)} s`);
  p = ovnProvider();
}, 300_000);

afterAll(() => {
  stopUdpListeners();
  for (const args of [
    ["delete", "--force", backendA],
    ["delete", "--force", backendB],
    ["network", "load-balancer", "delete", net, vip],
    ["network", "delete", net],
    ["network", "acl", "delete", acl],
  ]) {
    ovnIncusOk(args);
  }
  stopOvn();
}, 120_000);

describe("OVN network and NetworkAcl on a live OVN", () => {
  let netId = "";
  let netOuts: PropertyMap = {};

  it(
    "creates an OVN network on the uplink, whose logical switch appears in OVN's northbound database",
    async () => {
      const r = await p.create(urn("Network", "n"), await checked("Network", networkArgs()));
      netId = r.id;
      netOuts = r.outs as PropertyMap;
      expect(ovnIncus(["network", "get", net, "network"]).trim()).toBe(ovnUplink);
      // The router's uplink address comes from the uplink's ipv4.ovn.ranges.
      expect(ovnIncus(["network", "get", net, "volatile.network.ipv4.address"])).toMatch(
        /^10\.240\.0\.1\d\d/,
      );
      expect(northboundNames("Logical_Switch").some((n) => n.endsWith("-ls-int"))).toBe(true);
      const back = await p.read(netId, urn("Network", "n"), netOuts);
      const d = await p.diff(netId, urn("Network", "n"), back.props as PropertyMap, {
        ...(await checked("Network", networkArgs())),
      });
      expect(d.changes).toBe(false);
    },
    slow,
  );

  it("refuses, naming the network, a subnet outside the uplink's ipv4.routes when NAT is off", async () => {
    const bad = { ...networkArgs({ "ipv4.address": "10.242.0.1/24" }), name: uniq("ptovn-x") };
    const err = await p
      .create(urn("Network", "x"), await checked("Network", bad))
      .catch((e: unknown) => e);
    expect(String(err)).toContain(String(bad.name));
    expect(String(err)).toContain('Uplink network doesn\'t contain "10.242.0.0/24" in its routes');
    // ... and what to change.
    expect(String(err)).toContain(
      `add it to ipv4.routes of uplink network "${ovnUplink}", or set ipv4.nat=true`,
    );
    expect(ovnIncusOk(["network", "show", String(bad.name)])).toBe(false);
  });

  it(
    "attaches a NetworkAcl to the OVN network (an OVN port group with its rules) and detaches it",
    async () => {
      const aclArgs = {
        name: acl,
        description: "mqtt and dns in",
        ingress: [
          { action: "allow", state: "enabled", protocol: "tcp", destinationPort: "1883,8883" },
          { action: "allow", state: "enabled", protocol: "udp", destinationPort: "53" },
        ],
        egress: [],
      };
      const a = await p.create(urn("NetworkAcl", "a"), await checked("NetworkAcl", aclArgs));
      const withAcl = await update(
        "Network",
        netId,
        netOuts,
        networkArgs({ "security.acls": acl }),
      );
      expect(withAcl.diff.replaces ?? []).toEqual([]);
      expect(ovnIncus(["network", "get", net, "security.acls"]).trim()).toBe(acl);
      // Incus renders an attached ACL into OVN as a port group named after it.
      const groups = northboundNames("Port_Group");
      expect(groups.some((g) => g.startsWith("incus") && g.includes("acl"))).toBe(true);
      const without = await update("Network", netId, withAcl.outs, networkArgs());
      expect(ovnIncus(["network", "get", net, "security.acls"]).trim()).toBe("");
      netOuts = without.outs;
      await p.delete(a.id, urn("NetworkAcl", "a"), a.outs as PropertyMap);
      expect(ovnIncusOk(["network", "acl", "show", acl])).toBe(false);
    },
    slow,
  );
});

describe("NetworkLb on a live OVN", () => {
  let lbId = "";
  let lbOuts: PropertyMap = {};
  const lbArgs = (ports: PropertyMap[], backends?: PropertyMap[]): PropertyMap => ({
    network: net,
    listenAddress: vip,
    description: "provider test VIP",
    backends: backends ?? [
      { name: "a", targetAddress: addresses.a, description: "backend a" },
      { name: "b", targetAddress: addresses.b, description: "backend b" },
    ],
    ports,
  });

  beforeAll(() => {
    for (const [key, name] of [
      ["a", backendA],
      ["b", backendB],
    ] as const) {
      ovnIncus(["launch", TEST_IMAGE, name, "--network", net, "--storage", "default"]);
      addresses[key] = prepareBackend(name);
      tcpListener(name, 1883, `mqtt-from-${key}`);
      tcpListener(name, 8883, `mqtts-from-${key}`);
      udpListener(name, 53, `dns-from-${key}`);
    }
  }, slow);

  it(
    "creates a VIP that reaches both backends from the uplink side, and reads it back unchanged",
    async () => {
      const ports = [{ protocol: "tcp", listenPort: "1883", targetBackend: ["a", "b"] }];
      const r = await p.create(urn("NetworkLb", "lb"), await checked("NetworkLb", lbArgs(ports)));
      lbId = r.id;
      lbOuts = r.outs as PropertyMap;
      expect(lbId).toBe(`${net}/${vip}`);
      const seen = new Set<string>();
      for (let i = 0; i < 30 && seen.size < 2; i++) {
        seen.add(await eventually(() => tcpAsk(vip, 1883)));
      }
      expect([...seen].sort()).toEqual(["mqtt-from-a", "mqtt-from-b"]);
      const back = await p.read(lbId, urn("NetworkLb", "lb"), lbOuts);
      const d = await p.diff(lbId, urn("NetworkLb", "lb"), back.props as PropertyMap, {
        ...(await checked("NetworkLb", lbArgs(ports))),
      });
      expect(d.changes).toBe(false);
    },
    slow,
  );

  it(
    "updates ports and backends in place: 8883/tcp and 53/udp appear, backend b leaves",
    async () => {
      const ports = [
        { protocol: "tcp", listenPort: "1883,8883", targetBackend: ["a"] },
        { protocol: "udp", listenPort: "53", targetBackend: ["a"] },
      ];
      const backends = [{ name: "a", targetAddress: addresses.a, description: "backend a" }];
      const u = await update("NetworkLb", lbId, lbOuts, lbArgs(ports, backends));
      expect(u.diff.replaces ?? []).toEqual([]);
      lbOuts = u.outs;
      expect(await eventually(() => tcpAsk(vip, 8883))).toBe("mqtts-from-a");
      expect(await eventually(() => udpAsk(vip, 53))).toBe("dns-from-a");
      for (let i = 0; i < 6; i++) expect(await tcpAsk(vip, 1883)).toBe("mqtt-from-a");
      const live = ovnIncus(["network", "load-balancer", "show", net, vip]);
      expect(live).not.toContain(addresses.b);
    },
    slow,
  );

  it("detects drift made outside Pulumi and imports by id", async () => {
    ovnIncus(["network", "load-balancer", "port", "remove", net, vip, "udp", "53"]);
    const drift = await p.read(lbId, urn("NetworkLb", "lb"), lbOuts);
    expect((drift.props as PropertyMap).ports).toHaveLength(1);
    const imported = await p.read(lbId, urn("NetworkLb", "imp"), {});
    expect(imported.props).toMatchObject({
      network: net,
      listenAddress: vip,
      description: "provider test VIP",
      backends: [{ name: "a", targetAddress: addresses.a, description: "backend a" }],
    });
    lbOuts = drift.props as PropertyMap;
  });

  it(
    "deletes the VIP: it stops answering and a read reports it gone",
    async () => {
      await p.delete(lbId, urn("NetworkLb", "lb"), lbOuts);
      expect(ovnIncusOk(["network", "load-balancer", "show", net, vip])).toBe(false);
      await expect(tcpAsk(vip, 1883, 2000)).rejects.toThrow();
      expect((await p.read(lbId, urn("NetworkLb", "lb"), lbOuts)).id).toBe("");
    },
    slow,
  );

  // Incus 6.0 does not hold a VIP to ipv4.ovn.ranges: any address of the uplink's subnet or
  // ipv4.routes is accepted (even one a router already holds); only what lies outside both,
  // and the uplink's gateway, is refused. Atlas' config check is what keeps VIPs in range.
  it("refuses a VIP outside the uplink's subnet and routes, naming the address", async () => {
    const outside = { ...lbArgs([]), listenAddress: "192.0.2.5", backends: [] };
    const err = await p
      .create(urn("NetworkLb", "x"), await checked("NetworkLb", outside))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toContain(
      'Uplink network doesn\'t contain "192.0.2.5/32" in its routes',
    );
    expect(ovnIncusOk(["network", "load-balancer", "show", net, "192.0.2.5"])).toBe(false);
  });
});

describe("Instance on an OVN network", () => {
  const name = uniq("ptovn-i");
  afterAll(() => {
    ovnIncusOk(["delete", "--force", name]);
  });

  it(
    "reports the address OVN will lease to eth0 as soon as it is created, before the guest asks",
    async () => {
      const args: PropertyMap = {
        name,
        image: TEST_IMAGE,
        profiles: [],
        devices: [
          { name: "root", type: "disk", properties: { pool: "default", path: "/" } },
          { name: "eth0", type: "nic", properties: { name: "eth0", network: net } },
        ],
      };
      const r = await p.create(urn("Instance", "i"), await checked("Instance", args));
      const address = String((r.outs as PropertyMap).ipv4Address);
      // The busybox image runs no DHCP client: the guest has no address of its own yet.
      expect(ovnIncus(["exec", name, "--", "ip", "-4", "-o", "addr", "show", "eth0"])).toBe("");
      expect(address).toMatch(/^10\.241\.10\.\d+$/);
      // ... and OVN's DHCP hands out exactly that one.
      expect(prepareBackend(name)).toBe(address);
    },
    slow,
  );
});
