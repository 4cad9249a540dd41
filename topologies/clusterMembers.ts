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
 * Each member's LAN address: the host of the API URL the cluster reports for it (IPv6 in
 * brackets, as proxy devices and scrape targets write it). Consumers on another member
 * reach a member's services there (a bridge is member-local: topologies/connectionRoute.ts).
 */
export function memberAddresses(found: incus.GetClusterMembersResult): Record<string, string> {
  const addresses: Record<string, string> = {};
  for (const member of found.members) {
    try {
      addresses[member.name] = new URL(member.address).hostname;
    } catch {
      // A member without a usable URL has no address to publish; its consumers are warned.
    }
  }
  return addresses;
}

/**
 * Before cluster01 is built: asks the remote for its members (through the topology's own
 * provider), sets `config.clusterNodes` to those the node exporters pin to and
 * `config.clusterMemberAddresses` to their LAN addresses. Nothing to ask when pinning is
 * off (a standalone test server) or for iapetus.
 */
export async function resolveClusterNodes(config: AtlasConfig): Promise<void> {
  if (config.topology !== "cluster01" || !config.pinToClusterNodes) return;
  const provider = incusProviderFor(config);
  const found = await incus.getClusterMembers({}, { provider });
  const configured = new pulumi.Config("atlas").getObject<string[]>("clusterNodes");
  const remote = config.incus.remote || process.env.INCUS_REMOTE || "(the incus CLI's default)";
  config.clusterNodes = chooseClusterNodes(configured, found, remote);
  config.clusterMemberAddresses = memberAddresses(found);
}
