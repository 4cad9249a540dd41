/**
 * Unit test (no daemon) of how instances' address reads share a network's lease list
 * (incus/provider/resources/networkLeases.ts): reads after a change share only a request
 * sent after they asked; a refresh reuses one read within the last two seconds; a failed
 * read is not reused.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { errorFor, type IncusClient } from "../../incus/client";
import { LeaseReader } from "../../incus/provider/resources/networkLeases";

/** A client that counts lease requests and answers each with its number. */
function countingClient(fail = false): { client: IncusClient; sent: () => number } {
  let sent = 0;
  const client = {
    get: async () => {
      sent++;
      if (fail) throw new Error("daemon unreachable");
      return { value: [{ hwaddr: "aa", address: `10.0.0.${sent}`, type: "dynamic" }] };
    },
  } as unknown as IncusClient;
  return { client, sent: () => sent };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("LeaseReader", () => {
  it("fresh reads asked together share one request; one asked after it was sent gets its own", async () => {
    const { client, sent } = countingClient();
    const reader = new LeaseReader(client);
    const together = await Promise.all(
      [1, 2, 3].map(() => reader.leases("net", { project: "p" }, undefined, "fresh")),
    );
    expect(sent()).toBe(1);
    expect(together.map((l) => l[0].address)).toEqual(["10.0.0.1", "10.0.0.1", "10.0.0.1"]);
    const later = await reader.leases("net", { project: "p" }, undefined, "fresh");
    expect(sent()).toBe(2);
    expect(later[0].address).toBe("10.0.0.2");
  });

  it("networks, projects and members are read apart", async () => {
    const { client, sent } = countingClient();
    const reader = new LeaseReader(client);
    await Promise.all([
      reader.leases("net", { project: "p" }, undefined, "fresh"),
      reader.leases("other", { project: "p" }, undefined, "fresh"),
      reader.leases("net", { project: "q" }, undefined, "fresh"),
      reader.leases("net", { project: "p" }, "node02", "fresh"),
    ]);
    expect(sent()).toBe(4);
  });

  it("a refresh reuses a list read within two seconds, not an older one", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "Date"] });
    const { client, sent } = countingClient();
    const reader = new LeaseReader(client);
    const first = reader.leases("net", {}, undefined, "recent");
    await vi.advanceTimersByTimeAsync(20);
    await first;
    await vi.advanceTimersByTimeAsync(1500);
    await reader.leases("net", {}, undefined, "recent");
    expect(sent()).toBe(1);
    await vi.advanceTimersByTimeAsync(600);
    const again = reader.leases("net", {}, undefined, "recent");
    await vi.advanceTimersByTimeAsync(20);
    await again;
    expect(sent()).toBe(2);
  });

  it("a failed read fails its callers and is not reused", async () => {
    const { client, sent } = countingClient(true);
    const reader = new LeaseReader(client);
    await expect(reader.leases("net", {}, undefined, "recent")).rejects.toThrow("unreachable");
    await expect(reader.leases("net", {}, undefined, "recent")).rejects.toThrow("unreachable");
    expect(sent()).toBe(2);
  });

  it("a daemon refusing the cluster member is asked for the whole list instead", async () => {
    const asked: (string | undefined)[] = [];
    const client = {
      get: async (_path: string, opts: { target?: string }) => {
        asked.push(opts.target);
        if (opts.target) {
          throw errorFor({
            status: 400,
            object: 'leases of network "net"',
            remote: "lab",
            method: "GET",
            path: "/1.0/networks/net/leases?target=node02",
            incusMessage: "This server is not clustered",
          });
        }
        return { value: [{ hwaddr: "aa", address: "10.0.0.9", type: "dynamic" }] };
      },
    } as unknown as IncusClient;
    const leases = await new LeaseReader(client).leases("net", {}, "node02", "fresh");
    expect(leases[0].address).toBe("10.0.0.9");
    expect(asked).toEqual(["node02", undefined]);
  });
});
