import type * as pulumi from "@pulumi/pulumi";
import type { NetworkSettings, OvnSettings } from "../../config";
import * as incus from "../../incus/sdk";
import { addressingConfig, gatewayAddress } from "./addressing";
import type { AtlasNetwork, NetworkBackendBuilder, NetworkRole } from "./backend";
import { ovnServerConfig } from "./ovnServerConfig";

/**
 * An OVN overlay network on the uplink. Its MTU leaves room for Geneve encapsulation;
 * its addressing matches the bridge it replaces, so instances keep their subnets.
 */
function ovnNetwork(
  parent: pulumi.ComponentResource,
  role: NetworkRole,
  settings: NetworkSettings,
  ovn: OvnSettings,
  dependsOn: pulumi.Resource[],
): AtlasNetwork {
  if (!ovn.uplinkNetwork) {
    // parseAtlasConfig requires it for the OVN backend; reaching this is a programming error.
    throw new Error("the OVN backend needs ovn.uplinkNetwork");
  }
  const network = new incus.Network(
    `${role}-network`,
    {
      name: settings.name,
      type: "ovn",
      description: `Atlas ${role} network (OVN)`,
      config: {
        network: ovn.uplinkNetwork,
        "bridge.mtu": String(ovn.mtu),
        ...addressingConfig(settings),
      },
    },
    { parent, dependsOn },
  );
  return {
    name: network.name,
    gateway: network.name.apply(() => gatewayAddress(settings.ipv4Address)),
    resource: network,
  };
}

/**
 * OVN backend: production, management and (when enabled) gitops as OVN networks on the
 * uplink, created after the server knows where OVN's northbound database is. OVN builds
 * every network itself, so `production.type` / `management.existing` do not apply here.
 */
export const ovnBackend: NetworkBackendBuilder = (parent, { networks, ovn, ovnCentral }) => {
  const serverConfig = ovnServerConfig(parent, ovn, ovnCentral);
  const after = serverConfig ? [serverConfig] : [];
  return {
    production: ovnNetwork(parent, "production", networks.production, ovn, after),
    management: ovnNetwork(parent, "management", networks.management, ovn, after),
    gitops: networks.gitops.enabled
      ? ovnNetwork(parent, "gitops", networks.gitops, ovn, after)
      : undefined,
  };
};
