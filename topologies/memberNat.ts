import * as pulumi from "@pulumi/pulumi";
import type { AtlasConfig } from "../config";
import { networkModeOf } from "./connectionEndpoint";

/**
 * Warns when cluster01's Prometheus cannot hear back from the node exporters on other
 * members: every member's copy of a cluster bridge has the same subnet, so with
 * `managementNetwork.ipv4Nat` false an exporter's member answers Prometheus' address on
 * its own bridge and the reply never leaves it. NAT (the default) sends the scrape from
 * the first member's LAN address instead, which every member can answer.
 */
export function warnIfMembersCannotReply(config: AtlasConfig): void {
  const spread = config.pinToClusterNodes && new Set(config.clusterNodes).size > 1;
  if (!spread || networkModeOf(config) === "ovn" || config.networks.management.ipv4Nat) return;
  pulumi.log.warn(
    `atlas: managementNetwork.ipv4Nat is false on a ${config.clusterNodes.length}-member cluster: ` +
      `Prometheus on ${config.clusterNodes[0]} scrapes the node exporters on the other members ` +
      `at their LAN addresses, and their replies go to the same subnet on their own member's ` +
      `bridge instead. Set managementNetwork.ipv4Nat true (the default).`,
  );
}
