import type * as pulumi from "@pulumi/pulumi";
import type { AtlasConfig } from "../config";
import { lanAddressOf, networkModeOf } from "./connectionEndpoint";
import { routeFor } from "./connectionRoute";
import type { Connection } from "./connections";

/**
 * The host LAN clients use for a LAN-facing service (Mosquitto, CoreDNS), for the stack's
 * outputs: the host's LAN address where its proxy devices listen (bridge), the instance's
 * own address (physical, the production network is the LAN), the service's VIP (OVN).
 * Undefined when the settings name none (a wildcard `proxyListenAddress` on a host whose
 * address is not known): the output is then left out rather than naming a `.incus` name,
 * which no LAN client resolves.
 */
export function lanHost(
  config: AtlasConfig,
  connection: Connection,
  instanceAddress: pulumi.Output<string>,
): pulumi.Input<string> | undefined {
  const route = routeFor(connection, networkModeOf(config));
  switch (route.kind) {
    case "hostProxy":
      return lanAddressOf(config);
    case "instanceAddress":
      return instanceAddress;
    case "loadBalancer": {
      const vips: Record<string, string | undefined> = config.ovn.loadBalancerAddresses;
      return vips[connection.service.name.replace(/0\d$/, "")];
    }
    default:
      return undefined;
  }
}
