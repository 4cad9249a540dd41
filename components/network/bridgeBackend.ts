import * as pulumi from "@pulumi/pulumi";
import type {
  GitopsNetworkSettings,
  ManagementNetworkSettings,
  ProductionNetworkSettings,
} from "../../config";
import * as incus from "../../incus/sdk";
import { addressingConfig, gatewayAddress } from "./addressing";
import type { AtlasNetwork, NetworkBackendBuilder } from "./backend";

/** A Linux bridge created (or taken over) by this stack. */
function bridgeNetwork(
  parent: pulumi.ComponentResource,
  role: string,
  settings: ProductionNetworkSettings | ManagementNetworkSettings | GitopsNetworkSettings,
  adopt: boolean,
): AtlasNetwork {
  const network = new incus.Network(
    `${role}-network`,
    {
      name: settings.name,
      type: "bridge",
      description: `Atlas ${role} network`,
      config: addressingConfig(settings),
    },
    { parent, ...(adopt ? { import: settings.name } : {}) },
  );
  return {
    name: network.name,
    gateway: pulumi.output(gatewayAddress(settings.ipv4Address)),
    resource: network,
  };
}

/**
 * A managed physical network on a host interface (IncusOS): Atlas sets only its parent;
 * config and description belong to the host, so they are never diffed. Typically it
 * exists already (`incus network set eno1 role instances`) and is taken over.
 */
function physicalNetwork(
  parent: pulumi.ComponentResource,
  settings: ProductionNetworkSettings,
): AtlasNetwork {
  const network = new incus.Network(
    "production-network",
    {
      name: settings.name,
      type: "physical",
      config: { parent: settings.parent ?? settings.name },
    },
    {
      parent,
      ignoreChanges: ["config", "description"],
      ...(settings.adoptExisting ? { import: settings.name } : {}),
    },
  );
  // Addresses come from the LAN's DHCP, not from Incus.
  return { name: network.name, gateway: pulumi.output(""), resource: network };
}

/** A network that exists outside this stack (a cluster's management network). */
function existingNetwork(
  parent: pulumi.ComponentResource,
  settings: ManagementNetworkSettings,
): AtlasNetwork {
  const found = incus.getNetworkOutput({ name: settings.name }, { parent });
  return {
    name: found.name,
    gateway: found.config.apply((config) =>
      gatewayAddress(config?.["ipv4.address"] || settings.ipv4Address),
    ),
  };
}

/** Bridge backend: Linux bridges, a physical production network, or existing ones. */
export const bridgeBackend: NetworkBackendBuilder = (parent, { networks }) => {
  const { production, management, gitops } = networks;
  return {
    production:
      production.type === "physical"
        ? physicalNetwork(parent, production)
        : bridgeNetwork(parent, "production", production, production.adoptExisting),
    management: management.existing
      ? existingNetwork(parent, management)
      : bridgeNetwork(parent, "management", management, false),
    gitops: gitops.enabled ? bridgeNetwork(parent, "gitops", gitops, false) : undefined,
  };
};
