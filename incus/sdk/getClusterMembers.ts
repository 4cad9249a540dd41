import * as pulumi from "@pulumi/pulumi";

/** A cluster member as the remote reports it. */
export interface ClusterMember {
  name: string;
  /** The member's API URL, e.g. `https://10.0.0.11:8443`. */
  address: string;
  /** Online, Offline, Evacuated, ... */
  status: string;
  message: string;
}

/** The function takes no arguments: it asks the provider's remote. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface GetClusterMembersArgs {}

export interface GetClusterMembersResult {
  /** False on a standalone server (then `members` is empty). */
  clustered: boolean;
  members: ClusterMember[];
}

export const getClusterMembersToken = "incus:index:getClusterMembers";

/** Lists the members of the cluster behind the provider's remote (pass `{ provider }`). */
export function getClusterMembers(
  args: GetClusterMembersArgs = {},
  opts?: pulumi.InvokeOptions,
): Promise<GetClusterMembersResult> {
  return pulumi.runtime.invoke(getClusterMembersToken, { ...args }, opts);
}
