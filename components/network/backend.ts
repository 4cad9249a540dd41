import type * as pulumi from "@pulumi/pulumi";
import type { AtlasConfig, NetworkBackend } from "../../config";
import type * as incus from "../../incus/sdk";

/** The networks every Atlas environment attaches its instances to. */
export type NetworkRole = "production" | "management" | "gitops";

/** A network instances can attach to, however it came to exist. */
export interface AtlasNetwork {
  /** Name to use in NIC devices (`network=<name>`). */
  name: pulumi.Output<string>;
  /** IPv4 gateway address (no prefix); empty when the host owns the addressing. */
  gateway: pulumi.Output<string>;
  /** The managed resource, when this stack created or took over the network. */
  resource?: incus.Network;
}

export interface BackendNetworks {
  production: AtlasNetwork;
  management: AtlasNetwork;
  /** Only when the gitops network is enabled. */
  gitops?: AtlasNetwork;
}

/** What a backend needs: the network settings (and, for OVN, its own section). */
export interface NetworkBackendArgs {
  networks: AtlasConfig["networks"];
  ovn: AtlasConfig["ovn"];
  /**
   * OVN: what the server's northbound setting must wait for (OVN central, when the same
   * stack runs it); the OVN networks come after that setting.
   */
  ovnCentral?: pulumi.Input<pulumi.Resource[]>;
}

/**
 * Builds the three role networks as children of `parent`. One function per backend,
 * so adding OVN is a new entry in `networkBackends`, not a change to the others.
 */
export type NetworkBackendBuilder = (
  parent: pulumi.ComponentResource,
  args: NetworkBackendArgs,
) => BackendNetworks;

/** Registry of backends; see components/network/index.ts. */
export type NetworkBackendRegistry = Partial<Record<NetworkBackend, NetworkBackendBuilder>>;
