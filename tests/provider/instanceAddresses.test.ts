/**
 * Where an instance's addresses come from, on the real daemon (instanceAddresses.ts): a NIC
 * on a managed bridge from the network's leases (its static allocation, its SLAAC
 * address), a NIC on a parent bridge Incus does not manage for it from the live state, and
 * the request each costs: the daemon's live state is never asked for a managed network.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IncusProvider } from "../../incus/provider/provider";
import type { PropertyMap } from "../../incus/provider/values";
import {
  cleanup,
  incus,
  localProvider,
  requireDaemon,
  TEST_IMAGE,
  uniq,
  urn,
} from "../helpers/incus";

let p: IncusProvider;
let managedOuts: PropertyMap = {};
const bridge = uniq("pab");
const managed = uniq("pa-m");
const parented = uniq("pa-p");
// A /24 and a /64 of their own, so no other test's bridge overlaps.
const octet = 100 + Math.floor(Math.random() * 100);
const ipv4Gateway = `10.213.${octet}.1`;
const staticIpv4 = `10.213.${octet}.50`;
// Written out to its fourth group, so no address of it is shortened with "::".
const ipv6Prefix = `fd42:213:${octet.toString(16)}:1:`;

beforeAll(async () => {
  await requireDaemon();
  p = localProvider();
  incus([
    "network",
    "create",
    bridge,
    `ipv4.address=${ipv4Gateway}/24`,
    `ipv6.address=${ipv6Prefix}:1/64`,
    "ipv4.nat=false",
    "ipv6.nat=false",
  ]);
});

afterAll(() =>
  cleanup([
    ["delete", "--force", managed],
    ["delete", "--force", parented],
    ["network", "delete", bridge],
  ]),
);

function instanceArgs(name: string, nic: Record<string, string>): PropertyMap {
  return {
    name,
    image: TEST_IMAGE,
    config: {},
    devices: [
      { name: "root", type: "disk", properties: { path: "/", pool: "default" } },
      { name: "eth0", type: "nic", properties: nic },
    ],
    running: true,
  };
}

async function create(args: PropertyMap): Promise<PropertyMap> {
  const c = await p.check(urn("Instance", String(args.name)), {}, args);
  expect(c.failures ?? []).toEqual([]);
  return (await p.create(urn("Instance", String(args.name)), c.inputs as PropertyMap))
    .outs as PropertyMap;
}

/** SLAAC: the prefix plus the EUI-64 interface id of the MAC. */
function slaac(mac: string): string {
  const b = mac.split(":").map((x) => parseInt(x, 16));
  b[0] ^= 2;
  const groups = [(b[0] << 8) | b[1], (b[2] << 8) | 0xff, (0xfe << 8) | b[3], (b[4] << 8) | b[5]];
  return `${ipv6Prefix}${groups.map((g) => g.toString(16)).join(":")}`;
}

describe("Instance addresses", () => {
  it("on a managed network: from its leases (static IPv4, SLAAC IPv6), one light request, no live state", async () => {
    const outs = await create(
      instanceArgs(managed, { network: bridge, "ipv4.address": staticIpv4 }),
    );
    managedOuts = outs;
    const mac = String(outs.macAddress);
    expect(mac).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
    // The guest (busybox) runs no DHCP client: the address is the one the network gave it.
    expect(outs.ipv4Address).toBe(staticIpv4);
    expect(outs.ipv6Address).toBe(slaac(mac));

    // A provider of its own: this one's lease list, read during the create, would be reused.
    const reader = localProvider();
    const ctx = reader.context();
    ctx.client.resetStats();
    const back = await reader.read(managed, urn("Instance", managed), outs);
    expect((back.props as PropertyMap).ipv4Address).toBe(staticIpv4);
    expect([...ctx.client.stats()].sort()).toEqual([
      [`GET /1.0/instances/${managed}`, 1],
      [`GET /1.0/networks/${bridge}/leases`, 1],
    ]);
  });

  it("on a parent bridge Incus does not manage for the NIC: from the live state", async () => {
    const outs = await create(instanceArgs(parented, { nictype: "bridged", parent: bridge }));
    const mac = String(outs.macAddress);
    // The static allocation is the managed network's; here only the guest's own addresses
    // count: none for IPv4 (no DHCP client), the kernel's SLAAC address for IPv6 once the
    // bridge's router advertisement arrived.
    expect(outs.ipv4Address).toBe("");
    const ctx = p.context();
    let back: PropertyMap = {};
    for (let i = 0; i < 40 && back.ipv6Address !== slaac(mac); i++) {
      ctx.client.resetStats();
      back = (await p.read(parented, urn("Instance", parented), outs)).props as PropertyMap;
      if (back.ipv6Address !== slaac(mac)) await new Promise((r) => setTimeout(r, 250));
    }
    expect(back.ipv6Address).toBe(slaac(mac));
    expect([...ctx.client.stats()].sort()).toEqual([
      [`GET /1.0/instances/${parented}`, 1],
      [`GET /1.0/instances/${parented}/state`, 1],
    ]);
  });

  it("a stopped instance reports no addresses and costs no request beyond the instance", async () => {
    incus(["stop", "--force", managed]);
    const ctx = p.context();
    ctx.client.resetStats();
    const back = (await p.read(managed, urn("Instance", managed), managedOuts))
      .props as PropertyMap;
    expect(back).toMatchObject({ status: "Stopped", ipv4Address: "", ipv6Address: "" });
    expect([...ctx.client.stats()]).toEqual([[`GET /1.0/instances/${managed}`, 1]]);
  });
});
