/**
 * A managed network's leases (`GET /1.0/networks/<name>/leases`), read once for many
 * instances.
 *
 * Incus builds the list from every instance in the project (static allocations, SLAAC
 * addresses) and dnsmasq's lease file, so one request costs the daemon in proportion to
 * the instances it has: about 24 ms of its CPU at 100 node exporters, and a create or
 * refresh of each of them asked once per instance (docs/benchmarks.md, "Scale"). Here,
 * addresses asked for at about the same moment share one request:
 *
 * - `fresh` (after a create, start or update): the caller's instance may have just got its
 *   lease, so only a request sent after the call is good enough; callers within a short
 *   window share the one sent at its end.
 * - `recent` (a refresh): a list read from the daemon within the last two seconds is as
 *   good as a new one for reporting drift, and is reused.
 */
import { type IncusClient, IncusError, type RequestOptions } from "../../client";
import { enc } from "../handler";

/** One entry of the list. */
export interface NetworkLease {
  hwaddr: string;
  address: string;
  type: string;
}

export type LeaseFreshness = "fresh" | "recent";

/** How long callers wait for others to share a fresh read. */
const SHARE_WINDOW_MS = 15;
/** How old a list a refresh accepts. */
const RECENT_MS = 2000;

interface Read {
  /** When the request was sent (undefined while it waits for its window to close). */
  sentAt?: number;
  leases: Promise<NetworkLease[]>;
}

export class LeaseReader {
  private readonly reads = new Map<string, Read>();

  constructor(private readonly client: IncusClient) {}

  /** The network's leases; `target` names the cluster member whose bridge is asked. */
  leases(
    network: string,
    opts: RequestOptions,
    target: string | undefined,
    freshness: LeaseFreshness,
  ): Promise<NetworkLease[]> {
    const key = JSON.stringify([opts.project ?? "", network, target ?? ""]);
    const last = this.reads.get(key);
    if (last) {
      const waiting = last.sentAt === undefined;
      const recentEnough =
        freshness === "recent" && last.sentAt !== undefined && Date.now() - last.sentAt < RECENT_MS;
      if (waiting || recentEnough) return last.leases;
    }
    const read: Read = {
      leases: new Promise<void>((r) => setTimeout(r, SHARE_WINDOW_MS)).then(async () => {
        read.sentAt = Date.now();
        const ask = (member: string | undefined): Promise<{ value: NetworkLease[] }> =>
          this.client.get<NetworkLease[]>(`/1.0/networks/${enc(network)}/leases`, {
            ...opts,
            object: `leases of network "${network}"`,
            target: member,
          });
        // A daemon that refuses the member (400) is asked for the whole list, which holds
        // every member's leases (each is matched by MAC address anyway).
        const res = await ask(target).catch((e: unknown) => {
          if (target === undefined || !(e instanceof IncusError) || e.status !== 400) throw e;
          return ask(undefined);
        });
        return res.value ?? [];
      }),
    };
    // A failed read is not kept for others to reuse.
    read.leases.catch(() => {
      if (this.reads.get(key) === read) this.reads.delete(key);
    });
    this.reads.set(key, read);
    return read.leases;
  }
}

const readers = new WeakMap<IncusClient, LeaseReader>();

/** The lease reader of the daemon a client talks to. */
export function leaseReader(client: IncusClient): LeaseReader {
  let reader = readers.get(client);
  if (!reader) {
    reader = new LeaseReader(client);
    readers.set(client, reader);
  }
  return reader;
}
