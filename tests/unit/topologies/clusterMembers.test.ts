import { describe, expect, it } from "vitest";
import type { GetClusterMembersResult } from "../../../incus/sdk";
import { chooseClusterNodes, memberAddresses } from "../../../topologies/clusterMembers";

const member = (name: string, status = "Online", message = "Fully operational") => ({
  name,
  address: `https://10.0.0.${name.slice(-1)}:8443`,
  status,
  message,
});
const cluster = (...members: ReturnType<typeof member>[]): GetClusterMembersResult => ({
  clustered: true,
  members,
});

describe("cluster01's members from the cluster", () => {
  const three = cluster(member("node01"), member("node02"), member("node03"));

  it("pins to every member the cluster reports when atlas:clusterNodes is unset", () => {
    expect(chooseClusterNodes(undefined, three, "c1")).toEqual(["node01", "node02", "node03"]);
    expect(chooseClusterNodes(undefined, cluster(member("a1"), member("b2")), "c1")).toEqual([
      "a1",
      "b2",
    ]);
  });

  it("keeps the configured members, in their order, when they exist and are online", () => {
    expect(chooseClusterNodes(["node03", "node01"], three, "c1")).toEqual(["node03", "node01"]);
  });

  it("refuses a configured member the cluster does not have, naming it and the members", () => {
    expect(() => chooseClusterNodes(["node01", "node09"], three, "c1")).toThrow(
      "atlas:clusterNodes: 'node09' is not a member of the cluster behind remote 'c1' (members: node01, node02, node03)",
    );
  });

  it("refuses an offline member, configured or found, naming it and its status", () => {
    const down = cluster(member("node01"), member("node02", "Offline", "No heartbeat since 20s"));
    expect(() => chooseClusterNodes(["node02"], down, "c1")).toThrow(
      "atlas:clusterNodes 'node02' of the cluster behind remote 'c1' is Offline (No heartbeat since 20s): bring it back online or remove it from atlas:clusterNodes",
    );
    expect(() => chooseClusterNodes(undefined, down, "c1")).toThrow(
      /cluster member 'node02' .* is Offline .*list the members to use in atlas:clusterNodes/,
    );
    // A configured list that leaves the offline member out is fine.
    expect(chooseClusterNodes(["node01"], down, "c1")).toEqual(["node01"]);
  });

  it("refuses to pin on a standalone server", () => {
    expect(() => chooseClusterNodes(undefined, { clustered: false, members: [] }, "solo")).toThrow(
      /atlas:pinToClusterNodes: .*'solo' is a standalone server.*set atlas:pinToClusterNodes false/,
    );
  });

  it("reads each member's LAN address from its API URL (IPv6 kept in brackets)", () => {
    const mixed = cluster(member("node01"), {
      ...member("node02"),
      address: "https://[fd00:77::12]:8443",
    });
    expect(memberAddresses(mixed)).toEqual({ node01: "10.0.0.1", node02: "[fd00:77::12]" });
    expect(memberAddresses(cluster({ ...member("node03"), address: "" }))).toEqual({});
  });
});
