import * as pulumi from "@pulumi/pulumi";
import type { AtlasConfig } from "../config";
import * as incus from "../incus/sdk";
import { incusProviderFor } from "./incusProvider";

/**
 * cluster01's members, read from the cluster: the node exporters are pinned to the members
 * the remote reports, unless `atlas:clusterNodes` names them; either way every member used
 * must exist and be online, or the up stops before it creates anything, naming the member.
 */
export function chooseClusterNodes(
  configured: readonly string[] | undefined,
  found: incus.GetClusterMembersResult,
  remote: string,
): string[] {
  const where = `the cluster behind remote '${remote}'`;
  if (!found.clustered) {
    throw new Error(
      `atlas:pinToClusterNodes: ${where} is a standalone server, not a cluster; point incus:remote at the cluster, or set atlas:pinToClusterNodes false (one standalone test server)`,
    );
  }
  const byName = new Map(found.members.map((m) => [m.name, m]));
  const known = found.members.map((m) => m.name).join(", ");
  const names = configured ?? found.members.map((m) => m.name);
  const key = configured ? "atlas:clusterNodes" : "cluster member";
  for (const name of names) {
    const member = byName.get(name);
    if (!member) {
      throw new Error(
        `atlas:clusterNodes: '${name}' is not a member of ${where} (members: ${known})`,
      );
    }
    if (member.status !== "Online") {
      const why = member.message ? ` (${member.message})` : "";
      const fix = configured
        ? "bring it back online or remove it from atlas:clusterNodes"
        : "bring it back online, or list the members to use in atlas:clusterNodes";
      throw new Error(`${key} '${name}' of ${where} is ${member.status}${why}: ${fix}`);
    }
  }
  return [...names];
}

/**
 * Before cluster01 is built: asks the remote for its members (through the topology's own
 * provider) and sets `config.clusterNodes` to those the node exporters pin to. Nothing to
 * ask when pinning is off (a standalone test server) or for iapetus.
 */
export async function resolveClusterNodes(config: AtlasConfig): Promise<void> {
  if (config.topology !== "cluster01" || !config.pinToClusterNodes) return;
  const provider = incusProviderFor(config);
  const found = await incus.getClusterMembers({}, { provider });
  const configured = new pulumi.Config("atlas").getObject<string[]>("clusterNodes");
  const remote = config.incus.remote || process.env.INCUS_REMOTE || "(the incus CLI's default)";
  config.clusterNodes = chooseClusterNodes(configured, found, remote);
}
