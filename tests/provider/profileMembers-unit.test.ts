/**
 * Unit test (no daemon) of a profile update on a cluster: Incus applies a profile change
 * on each other member by a notification it skips for a member it cannot reach (the PUT
 * succeeds; the lab showed it), so before the PUT the provider asks every member hosting
 * one of the profile's instances, and a silent one stops the update naming it.
 */
import { describe, expect, it } from "vitest";
import type { IncusClient, RequestOptions } from "../../incus/client";
import type { HandlerContext } from "../../incus/provider/handler";
import {
  assertMembersAnswer,
  instancesUsing,
  membersHosting,
} from "../../incus/provider/resources/profileMembers";

/** A context whose client answers the instance list and `/1.0` per member. */
function fakeContext(
  instances: { name: string; location: string }[],
  silent: string[] = [],
): { ctx: HandlerContext; requests: string[] } {
  const requests: string[] = [];
  const client = {
    get: async (path: string, opts: RequestOptions = {}) => {
      requests.push(opts.target ? `${path}?target=${opts.target}` : path);
      if (path === "/1.0/instances") return { value: instances };
      if (opts.target && silent.includes(opts.target)) {
        throw new Error("Missing event connection with target cluster member");
      }
      return { value: {} };
    },
  } as unknown as IncusClient;
  return {
    ctx: { client, cliConfig: {} as HandlerContext["cliConfig"], warn: () => undefined },
    requests,
  };
}

const onCluster = [
  { name: "node-exporter01", location: "node01" },
  { name: "node-exporter02", location: "node02" },
  { name: "prometheus01", location: "node01" },
];

describe("a profile change on a cluster asks the members hosting its instances first", () => {
  it("reads instance names from used_by, whatever the query", () => {
    expect(
      instancesUsing([
        "/1.0/instances/node-exporter02?project=atlas",
        "/1.0/instances/web",
        "/1.0/profiles/other",
      ]),
    ).toEqual(["node-exporter02", "web"]);
    expect(instancesUsing(undefined)).toEqual([]);
  });

  it("groups the profile's instances by member; a standalone server has none", () => {
    expect([...membersHosting(onCluster, ["node-exporter02", "prometheus01"])]).toEqual([
      ["node02", ["node-exporter02"]],
      ["node01", ["prometheus01"]],
    ]);
    expect(membersHosting([{ name: "web", location: "none" }], ["web"]).size).toBe(0);
  });

  it("asks each member once and lets the update go on when all answer", async () => {
    const { ctx, requests } = fakeContext(onCluster);
    await assertMembersAnswer(ctx, 'profile "management-network"', "atlas", [
      "/1.0/instances/node-exporter01",
      "/1.0/instances/node-exporter02",
      "/1.0/instances/prometheus01",
    ]);
    expect(requests.sort()).toEqual(["/1.0/instances", "/1.0?target=node01", "/1.0?target=node02"]);
  });

  it("stops the update naming the silent member and its instances", async () => {
    const { ctx } = fakeContext(onCluster, ["node02"]);
    await expect(
      assertMembersAnswer(ctx, 'profile "node-exporter02"', "atlas", [
        "/1.0/instances/node-exporter02",
      ]),
    ).rejects.toThrow(
      /profile "node-exporter02": cluster member node02 does not answer \(Missing event connection.*\), so the change would not reach node-exporter02 there.*Bring node02 back online/,
    );
  });

  it("costs nothing for an unused profile, one list on a standalone server", async () => {
    const unused = fakeContext(onCluster);
    await assertMembersAnswer(unused.ctx, 'profile "x"', "atlas", []);
    expect(unused.requests).toEqual([]);
    const standalone = fakeContext([{ name: "web", location: "none" }]);
    await assertMembersAnswer(standalone.ctx, 'profile "web"', "atlas", ["/1.0/instances/web"]);
    expect(standalone.requests).toEqual(["/1.0/instances"]);
  });
});
