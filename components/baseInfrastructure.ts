import * as pulumi from "@pulumi/pulumi";
import type { AtlasConfig, NetworkBackend } from "../config";
import * as incus from "../incus/sdk";
import { networkBackends, type AtlasNetwork, type NetworkBackendRegistry } from "./network";

export interface BaseInfrastructureArgs {
  networkBackend: NetworkBackend;
  networks: AtlasConfig["networks"];
  ovn: AtlasConfig["ovn"];
  /** Backends to choose from (tests and the OVN issue may pass their own). */
  backends?: NetworkBackendRegistry;
  /** OVN backend: what the server's northbound setting waits for (see NetworkBackendArgs). */
  ovnCentral?: pulumi.Input<pulumi.Resource[]>;
}

/** Names of the base profiles every service instance is composed from. */
export const baseProfileNames = {
  containerBase: "container-base",
  managementNetwork: "management-network",
  productionNetwork: "production-network",
  gitopsNetwork: "gitops-network",
} as const;

/**
 * The environment's networks and the base profiles services compose (the reference's
 * base-infrastructure module): `container-base` (boot.autorestart only) and one profile
 * per network giving `eth0`, so no instance ever needs the `default` profile.
 */
export class BaseInfrastructure extends pulumi.ComponentResource {
  public readonly containerBaseProfile: pulumi.Output<string>;
  public readonly managementNetworkProfile: pulumi.Output<string>;
  public readonly productionNetworkProfile: pulumi.Output<string>;
  /** Only when the gitops network is enabled. */
  public readonly gitopsNetworkProfile?: pulumi.Output<string>;
  public readonly managementNetworkName: pulumi.Output<string>;
  public readonly productionNetworkName: pulumi.Output<string>;
  public readonly gitopsNetworkName?: pulumi.Output<string>;
  /** Management gateway address: the Incus metrics endpoint and the `.incus` resolver. */
  public readonly managementGateway: pulumi.Output<string>;

  constructor(name: string, args: BaseInfrastructureArgs, opts?: pulumi.ComponentResourceOptions) {
    super("atlas:components:BaseInfrastructure", name, {}, opts);

    const build = (args.backends ?? networkBackends)[args.networkBackend];
    if (!build) {
      throw new Error(
        `atlas:networkBackend: no '${args.networkBackend}' network backend is available`,
      );
    }
    const networks = build(this, {
      networks: args.networks,
      ovn: args.ovn,
      ovnCentral: args.ovnCentral,
    });

    const containerBase = new incus.Profile(
      baseProfileNames.containerBase,
      {
        name: baseProfileNames.containerBase,
        description:
          "Atlas base: restart instances with the host; devices come from other profiles",
        config: { "boot.autorestart": "true" },
        devices: [],
      },
      { parent: this },
    );
    const networkProfile = (profileName: string, network: AtlasNetwork): incus.Profile =>
      new incus.Profile(
        profileName,
        {
          name: profileName,
          description: pulumi.interpolate`Atlas: eth0 on the ${network.name} network`,
          config: {},
          devices: [
            network.name.apply((n) => ({
              name: "eth0",
              type: "nic",
              properties: { name: "eth0", network: n },
            })),
          ],
        },
        { parent: this, dependsOn: network.resource ? [network.resource] : [] },
      );

    this.containerBaseProfile = containerBase.name;
    this.managementNetworkProfile = networkProfile(
      baseProfileNames.managementNetwork,
      networks.management,
    ).name;
    this.productionNetworkProfile = networkProfile(
      baseProfileNames.productionNetwork,
      networks.production,
    ).name;
    this.gitopsNetworkProfile = networks.gitops
      ? networkProfile(baseProfileNames.gitopsNetwork, networks.gitops).name
      : undefined;
    this.managementNetworkName = networks.management.name;
    this.productionNetworkName = networks.production.name;
    this.gitopsNetworkName = networks.gitops?.name;
    this.managementGateway = networks.management.gateway;

    this.registerOutputs({
      containerBaseProfile: this.containerBaseProfile,
      managementNetworkProfile: this.managementNetworkProfile,
      productionNetworkProfile: this.productionNetworkProfile,
      gitopsNetworkProfile: this.gitopsNetworkProfile,
      managementNetworkName: this.managementNetworkName,
      productionNetworkName: this.productionNetworkName,
      gitopsNetworkName: this.gitopsNetworkName,
      managementGateway: this.managementGateway,
    });
  }
}
