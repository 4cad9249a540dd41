import type { Connection, NetworkRole } from "./connections";

/**
 * The network mode of a stack: `bridge` (NAT'd Incus bridges), `physical` (the production
 * network is the LAN itself; management and gitops stay bridges) or `ovn` (every network
 * an OVN overlay on an uplink).
 */
export type NetworkMode = "bridge" | "physical" | "ovn";

/**
 * How a consumer reaches a service. `.incus` names resolve only among the instances of
 * one Incus network on one host (each bridge's DNS knows its own instances), and a
 * bridge's addresses sit behind its host's NAT, so every other case needs an endpoint
 * that resolves and routes from where the consumer runs.
 */
export type Route =
  /** Same network on the same host: `<instance>.incus`. */
  | { kind: "incusName" }
  /**
   * Another network on the same host: a proxy device in the service's profile listens on
   * the consumer network's gateway (the host's own address on the consumer's bridge,
   * known from `networks.<role>.ipv4Address` before anything exists).
   */
  | { kind: "gatewayProxy"; listenOn: NetworkRole }
  /**
   * Another host, the LAN, or the host's own daemon, with the service on a bridge: a
   * proxy device on the service host's LAN address (`proxyListenAddress`), published as a
   * stack output when the consumer is on another host.
   */
  | { kind: "hostProxy" }
  /**
   * Another member of the same cluster, the service on a bridge: each member's bridge is
   * its own (same subnet, own DNS, behind that member's NAT), so a proxy device listens on
   * the service member's LAN address, the address the cluster reports for the member.
   */
  | { kind: "memberProxy" }
  /** The service is on the LAN itself (physical mode): its own address. */
  | { kind: "instanceAddress" }
  /** OVN: the service's load-balancer VIP on the uplink. */
  | { kind: "loadBalancer" };

/** The kind of network a role is in a mode. */
export function networkKind(role: NetworkRole, mode: NetworkMode): "bridge" | "physical" | "ovn" {
  if (mode === "ovn") return "ovn";
  return role === "production" && mode === "physical" ? "physical" : "bridge";
}

/** The route a connection takes in a network mode (both stacks in the same mode). */
export function routeFor(connection: Connection, mode: NetworkMode): Route {
  const { consumer, service } = connection;
  const serviceNetwork = networkKind(service.network, mode);
  if (consumer.kind === "instance" && consumer.host === service.host) {
    const sameMember = (consumer.member ?? 0) === (service.member ?? 0);
    // An OVN network spans the cluster's members (one overlay, one DNS); a bridge does not.
    if (consumer.network === service.network && (sameMember || serviceNetwork === "ovn")) {
      return { kind: "incusName" };
    }
    if (!sameMember && serviceNetwork !== "ovn") {
      return serviceNetwork === "physical" ? { kind: "instanceAddress" } : { kind: "memberProxy" };
    }
    return mode === "ovn"
      ? { kind: "loadBalancer" }
      : { kind: "gatewayProxy", listenOn: consumer.network };
  }
  // Another host, the LAN, or the Incus daemon of the service's host: only an endpoint
  // on the host's LAN side answers there.
  if (serviceNetwork === "ovn") return { kind: "loadBalancer" };
  if (serviceNetwork === "physical") return { kind: "instanceAddress" };
  return { kind: "hostProxy" };
}

/** A route as the README and failure messages name it. */
export function routeName(route: Route): string {
  switch (route.kind) {
    case "incusName":
      return "`.incus` name";
    case "gatewayProxy":
      return `proxy device on the ${route.listenOn} gateway`;
    case "hostProxy":
      return "proxy device on the host's LAN address";
    case "memberProxy":
      return "proxy device on its cluster member's LAN address";
    case "instanceAddress":
      return "the instance's LAN address";
    case "loadBalancer":
      return "OVN load-balancer VIP";
  }
}

/**
 * The ports the platform's own proxy devices listen on in bridge mode (the LAN's way in,
 * cross-host endpoints, another network's gateway, another cluster member's address): what the policy pack's proxy
 * allow-list permits by default, so that the platform passes its own policy.
 */
export function platformProxyPorts(connections: readonly Connection[]): number[] {
  const proxied = connections.filter((c) => {
    const kind = routeFor(c, "bridge").kind;
    return kind === "hostProxy" || kind === "gatewayProxy" || kind === "memberProxy";
  });
  return [...new Set(proxied.map((c) => c.port))].sort((a, b) => a - b);
}
