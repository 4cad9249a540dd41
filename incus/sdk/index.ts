/**
 * The Atlas Incus SDK: what components import. Tokens are `incus:index:<Name>`, served by
 * the `pulumi-resource-incus` plugin under incus/provider.
 */
export * from "./types";
export { Provider, type ProviderArgs } from "./provider";
export { Network, type NetworkArgs } from "./network";
export { Profile, type ProfileArgs } from "./profile";
export { StoragePool, type StoragePoolArgs } from "./storagePool";
export { StorageVolume, type StorageVolumeArgs } from "./storageVolume";
export { StorageBucket, type StorageBucketArgs } from "./storageBucket";
export { StorageBucketKey, type StorageBucketKeyArgs } from "./storageBucketKey";
export { Instance, type InstanceArgs } from "./instance";
export { Certificate, type CertificateArgs } from "./certificate";
export { Server, type ServerArgs } from "./server";
export { NetworkLb, type NetworkLbArgs } from "./networkLb";
export { NetworkAcl, type NetworkAclArgs } from "./networkAcl";
export {
  getNetwork,
  getNetworkOutput,
  getNetworkToken,
  type GetNetworkArgs,
  type GetNetworkResult,
} from "./getNetwork";
export {
  getClusterMembers,
  getClusterMembersToken,
  type ClusterMember,
  type GetClusterMembersArgs,
  type GetClusterMembersResult,
} from "./getClusterMembers";
