import type * as pulumi from "@pulumi/pulumi";
import type { ServiceSettings } from "../../config";
import type * as incus from "../../incus/sdk";
import type { ServiceAnatomy, ServiceAnatomyArgs } from "./serviceAnatomy";

/** What every service component takes besides its own settings. */
export interface ServiceComponentArgs {
  settings: ServiceSettings;
  storagePool: string;
  /** container-base, then the network profile (BaseInfrastructure's outputs). */
  baseProfiles: pulumi.Input<string>[];
  /** Overrides the reference's instance name (e.g. `grafana01`). */
  instanceName?: string;
  /** Overrides the reference's profile name (e.g. `grafana`). */
  profileName?: string;
  /**
   * Proxy devices that expose the service to consumers outside its network (another
   * network's gateway, the host's LAN address), chosen by the topology from the
   * platform's connections.
   */
  devices?: incus.Device[];
  /**
   * Cluster member the instance and its data volume live on (`?target=`). A pool local to
   * each member (`dir`, `zfs`, `btrfs`, `lvm`) holds a volume on one member only, so the
   * volume and its instance must be placed on the same one; unset on a standalone server.
   */
  targetNode?: string;
}

/** What every component hands its anatomy unchanged from its arguments, names defaulted. */
export function serviceAnatomyBasics(
  args: ServiceComponentArgs,
  instanceName: string,
  profileName: string,
): Pick<
  ServiceAnatomyArgs,
  | "instanceName"
  | "profileName"
  | "settings"
  | "storagePool"
  | "baseProfiles"
  | "targetNode"
  | "devices"
> {
  return {
    instanceName: args.instanceName ?? instanceName,
    profileName: args.profileName ?? profileName,
    settings: args.settings,
    storagePool: args.storagePool,
    baseProfiles: args.baseProfiles,
    targetNode: args.targetNode,
    devices: args.devices,
  };
}

/** Outputs every service component exposes. */
export interface ServiceOutputs {
  instanceName: pulumi.Output<string>;
  ipv4Address: pulumi.Output<string>;
  /** `http://<instance>.incus:<port>`. */
  endpoint: pulumi.Output<string>;
}

/** A service's common outputs from its anatomy (which must have been given a port). */
export function serviceOutputs(anatomy: ServiceAnatomy): ServiceOutputs {
  if (!anatomy.endpoint) throw new Error("service anatomy built without a port has no endpoint");
  return {
    instanceName: anatomy.instanceName,
    ipv4Address: anatomy.ipv4Address,
    endpoint: anatomy.endpoint,
  };
}
