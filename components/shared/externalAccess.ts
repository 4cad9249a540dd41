import type * as pulumi from "@pulumi/pulumi";
import type { AtlasConfig } from "../../config";
import type * as incus from "../../incus/sdk";

/**
 * How a production service (Mosquitto, CoreDNS) is reached from the LAN. The reference
 * has three answers, one per network mode:
 * - bridge: the production network is NAT'd, so Incus proxy devices listen on host ports;
 * - physical: the container has a LAN address itself, nothing to add;
 * - OVN: an OVN load balancer VIP on the uplink forwards to the container.
 */
export type ExternalAccess =
  | {
      mode: "proxy";
      /** Host address the proxy devices listen on (`proxyListenAddress`). */
      listenAddress: string;
    }
  | { mode: "direct" }
  | {
      mode: "loadBalancer";
      /** OVN network the instance is attached to (the load balancer's network). */
      network: pulumi.Input<string>;
      /** VIP in the uplink's `ipv4.ovn.ranges`. */
      listenAddress: string;
    };

/** A port a service exposes outside its network. */
export interface ExternalPort {
  /** Short name, used for device and backend names (e.g. `mqtt`, `dns-udp`). */
  name: string;
  protocol: "tcp" | "udp";
  port: number;
}

/**
 * The access mode the stack's network settings imply for a service.
 * `loadBalancerAddress` is the service's OVN VIP (`ovn.<service>LbAddress`).
 */
export function externalAccessFor(
  config: AtlasConfig,
  productionNetwork: pulumi.Input<string>,
  loadBalancerAddress: string | undefined,
): ExternalAccess {
  if (config.networkBackend === "ovn") {
    if (!loadBalancerAddress) {
      // parseAtlasConfig rejects this combination; reaching it is a programming error.
      throw new Error("the OVN backend needs a load balancer address for this service");
    }
    return { mode: "loadBalancer", network: productionNetwork, listenAddress: loadBalancerAddress };
  }
  return config.networks.production.type === "physical"
    ? { mode: "direct" }
    : { mode: "proxy", listenAddress: config.proxyListenAddress };
}

/**
 * Proxy devices that make the host listen on every interface and forward to the same
 * port inside the container (the reference's "external TCP service pattern").
 */
export function proxyDevices(ports: ExternalPort[], listenAddress = "0.0.0.0"): incus.Device[] {
  return ports.map((p) => ({
    name: `${p.name}-proxy`,
    type: "proxy",
    properties: {
      listen: `${p.protocol}:${listenAddress}:${p.port}`,
      connect: `${p.protocol}:127.0.0.1:${p.port}`,
    },
  }));
}

/** Profile devices for an access mode: proxy devices in bridge mode only. */
export function accessDevices(access: ExternalAccess, ports: ExternalPort[]): incus.Device[] {
  return access.mode === "proxy" ? proxyDevices(ports, access.listenAddress) : [];
}
