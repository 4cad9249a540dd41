/**
 * Where an instance's eth0 addresses (the `ipv4Address`/`ipv6Address` outputs) are read
 * from, as cheaply as the network allows.
 *
 * The instance's live state (`GET /1.0/instances/<name>?recursion=1` or `/state`) has them,
 * but for it incusd gathers CPU, memory, disk, process and network figures, asking inside
 * the container through a helper process: 30-35 ms of daemon CPU and about 40 ms per
 * request against 2-3 ms and 9 ms for the plain instance (measured on the test daemon,
 * docs/benchmarks.md "Scale"). Every create and every refresh reads each instance, so at
 * 100 instances that was 3.5 s of the daemon's CPU per `preview --refresh`.
 *
 * A NIC on a managed network gets its addresses from the network, which lists them
 * (`GET /1.0/networks/<name>/leases`: DHCP leases, static `ipv4.address`/`ipv6.address`
 * allocations and the SLAAC address derived from the MAC) for all its instances at once,
 * so one request, shared by the instances read at about the same time (networkLeases.ts),
 * answers for them. OVN allocates eth0's addresses itself when the instance starts and records them
 * in `volatile.eth0.last_state.ip_addresses` (no request at all). Only a NIC on a parent
 * interface Incus does not manage (physical mode's macvlan or an unmanaged bridge) is
 * known to the guest alone, and its state is asked for.
 */
import type { IncusClient, RequestOptions } from "../../client";
import { enc } from "../handler";
import type { StringMap } from "../diff";
import { type LeaseFreshness, leaseReader } from "./networkLeases";

export interface Eth0Addresses {
  ipv4: string;
  ipv6: string;
}

interface NetAddress {
  family: string;
  address: string;
  scope: string;
}

/** The fields of an instance (`GET /1.0/instances/<name>`) the addresses depend on. */
export interface AddressedInstance {
  status: string;
  location?: string;
  config: StringMap;
  expanded_devices?: Record<string, StringMap>;
}

const isIpv6 = (address: string): boolean => address.includes(":");

function pick(addresses: string[]): Eth0Addresses {
  return {
    ipv4: addresses.find((a) => !isIpv6(a)) ?? "",
    ipv6: addresses.find(isIpv6) ?? "",
  };
}

/** What OVN allocated to eth0 (empty on any other network). */
function allocatedByOvn(live: AddressedInstance): string[] {
  return (live.config["volatile.eth0.last_state.ip_addresses"] ?? "").split(",").filter(Boolean);
}

/** A clustered daemon names the member; a standalone one says "none". */
function member(live: AddressedInstance): string | undefined {
  return live.location && live.location !== "none" ? live.location : undefined;
}

/**
 * eth0's first IPv4 and IPv6 address (global scope), or "" for each it has none of; a
 * stopped instance, or one without an eth0 NIC, has none (except what OVN allocated, which
 * stays with it). `freshness`: what a lease list shared with other instances' reads must
 * be (networkLeases.ts).
 */
export async function eth0Addresses(
  client: IncusClient,
  instance: string,
  live: AddressedInstance,
  opts: RequestOptions,
  freshness: LeaseFreshness,
): Promise<Eth0Addresses> {
  const ovn = allocatedByOvn(live);
  if (live.status !== "Running") return pick(ovn);
  const nic = live.expanded_devices?.eth0;
  // No eth0 (or not a NIC): no addresses to report, and nothing to ask.
  if (nic?.type !== "nic") return pick(ovn);
  const network = nic.network;
  if (network) {
    const mac = (live.config["volatile.eth0.hwaddr"] ?? "").toLowerCase();
    // A cluster member answers for its own bridge without asking every other member.
    const leases = await leaseReader(client).leases(network, opts, member(live), freshness);
    const own = leases
      .filter((l) => (l.hwaddr ?? "").toLowerCase() === mac && l.type !== "gateway")
      .map((l) => l.address);
    return pick([...own, ...ovn]);
  }
  const state = await client.get<{
    network?: Record<string, { addresses?: NetAddress[] }> | null;
  }>(`/1.0/instances/${enc(instance)}/state`, { ...opts, object: `instance "${instance}"` });
  const global = (state.value.network?.eth0?.addresses ?? [])
    .filter((a) => a.scope === "global" && (a.family === "inet" || a.family === "inet6"))
    .map((a) => a.address);
  return pick([...global, ...ovn]);
}
