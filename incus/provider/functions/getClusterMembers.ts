import type { HandlerContext } from "../handler";
import type { PropertyMap } from "../values";

export const getClusterMembersToken = "incus:index:getClusterMembers";

/** A member as `GET /1.0/cluster/members?recursion=1` returns it (the fields read here). */
interface LiveClusterMember {
  server_name: string;
  url: string;
  status: string;
  message?: string;
}

/** `GET /1.0/cluster`: whether the server is a cluster member at all. */
interface LiveCluster {
  enabled: boolean;
  server_name: string;
}

/**
 * The members of the cluster the provider's remote belongs to: name, address (the
 * member's API URL) and status (Online, Offline, Evacuated, ...), in the order Incus lists
 * them. A standalone server answers `clustered: false` and no members, so a caller can
 * tell "not a cluster" from "a cluster without that member".
 */
export async function getClusterMembers(
  ctx: HandlerContext,
  _args: PropertyMap,
): Promise<{ outputs: PropertyMap }> {
  const cluster = await ctx.client.get<LiveCluster>("/1.0/cluster", {
    object: "cluster",
    project: false,
  });
  if (!cluster.value.enabled) return { outputs: { clustered: false, members: [] } };
  const live = await ctx.client.get<LiveClusterMember[]>("/1.0/cluster/members", {
    object: "cluster members",
    project: false,
    query: { recursion: "1" },
  });
  return {
    outputs: {
      clustered: true,
      members: live.value.map((m) => ({
        name: m.server_name,
        address: m.url,
        status: m.status,
        message: m.message ?? "",
      })),
    },
  };
}
