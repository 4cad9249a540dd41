import * as pulumi from "@pulumi/pulumi";
import { gatewayAddress } from "../components/network/addressing";
import { proxyDevices } from "../components/shared/externalAccess";
import type { AtlasConfig } from "../config";
import type * as incus from "../incus/sdk";
import { routeFor, routeName, type NetworkMode } from "./connectionRoute";
import { partyName, platformConnections, type Connection } from "./connections";

/** What the topology wires for one connection in the stack's network mode. */
export interface ConnectionEndpoint {
  /** The host (name or address) the consumer's configuration names. */
  host: string;
  /** Devices the service's profile carries so that the host answers (proxy devices). */
  devices: incus.Device[];
}

/** The stack's network mode (see ./connectionRoute.ts). */
export function networkModeOf(config: AtlasConfig): NetworkMode {
  if (config.networkBackend === "ovn") return "ovn";
  return config.networks.production.type === "physical" ? "physical" : "bridge";
}

const wildcardAddresses = new Set(["0.0.0.0", "::", "[::]"]);

/**
 * The host's LAN address, as peers on other hosts reach its proxy devices: the
 * `proxyListenAddress` setting, unless it is the wildcard (listening everywhere names no
 * address a peer could use). On a cluster whose members were read, a wildcard still
 * listens on the first member, where the services live: its address, as the cluster
 * reports it.
 */
export function lanAddressOf(config: AtlasConfig): string | undefined {
  if (!wildcardAddresses.has(config.proxyListenAddress)) return config.proxyListenAddress;
  return memberAddressOf(config, 0);
}

/** The LAN address of the `index`-th member of `clusterNodes`, when the cluster was read. */
function memberAddressOf(config: AtlasConfig, index: number): string | undefined {
  if (!config.pinToClusterNodes) return undefined;
  const member = config.clusterNodes[index];
  return member === undefined ? undefined : config.clusterMemberAddresses?.[member];
}

/** The platform connection from `consumer` to `service` on `port`; throws if unmodelled. */
export function platformConnection(
  consumer: string,
  service: string,
  port: number,
  nodeExporterCount?: number,
): Connection {
  const found = platformConnections(nodeExporterCount).find(
    (c) =>
      partyName(c.consumer) === consumer && partyName(c.service) === service && c.port === port,
  );
  if (!found) {
    throw new Error(`atlas: no platform connection ${consumer} -> ${service}:${port} is modelled`);
  }
  return found;
}

/**
 * The endpoint of `connection` in the stack's network mode: the host the consumer names
 * and the proxy devices the service needs for it. Where the settings leave the address
 * unknown (a wildcard `proxyListenAddress` for a peer on another host, an OVN service
 * without a VIP setting), the `.incus` name is kept and a warning names the setting.
 */
export function connectionEndpoint(
  config: AtlasConfig,
  connection: Connection,
): ConnectionEndpoint {
  const route = routeFor(connection, networkModeOf(config));
  const { service, port, protocol } = connection;
  const incusName = `${service.name}.incus`;
  const described = `${partyName(connection.consumer)} -> ${partyName(service)}:${port} (${connection.purpose})`;
  switch (route.kind) {
    case "incusName":
      return { host: incusName, devices: [] };
    case "gatewayProxy": {
      const gateway = gatewayAddress(config.networks[route.listenOn].ipv4Address);
      return {
        host: gateway,
        devices: proxyDevices(
          [{ name: `${route.listenOn}-gateway-${port}`, protocol, port }],
          gateway,
        ),
      };
    }
    case "hostProxy": {
      const devices = proxyDevices(
        [{ name: `lan-${port}`, protocol, port }],
        config.proxyListenAddress,
      );
      const lan = lanAddressOf(config);
      if (lan) return { host: lan, devices };
      // The host's own daemon reaches a wildcard listener on loopback.
      if (connection.consumer.kind === "incusDaemon") return { host: "127.0.0.1", devices };
      pulumi.log.warn(
        `atlas: ${described}: proxyListenAddress is ${config.proxyListenAddress}, which names no address ` +
          `a peer host can use; publishing ${incusName}, which resolves on this host's ${service.network} ` +
          `network only. Set proxyListenAddress to this host's LAN address.`,
      );
      return { host: incusName, devices };
    }
    case "memberProxy": {
      const address = memberAddressOf(config, service.member ?? 0);
      if (address) {
        return {
          host: address,
          devices: proxyDevices([{ name: `member-${port}`, protocol, port }], address),
        };
      }
      // Unpinned (one standalone server), every instance shares the one bridge.
      if (config.pinToClusterNodes) {
        pulumi.log.warn(
          `atlas: ${described}: the LAN address of cluster member ` +
            `'${config.clusterNodes[service.member ?? 0] ?? "?"}' is not known (the cluster was not read); ` +
            `keeping ${incusName}, which resolves on that member's ${service.network} bridge only.`,
        );
      }
      return { host: incusName, devices: [] };
    }
    case "instanceAddress":
    case "loadBalancer": {
      const vips: Record<string, string | undefined> = config.ovn.loadBalancerAddresses;
      const key = service.name.replace(/0\d$/, "");
      const vip = route.kind === "loadBalancer" ? vips[key] : undefined;
      if (vip) return { host: vip, devices: [] };
      pulumi.log.warn(
        `atlas: ${described}: the ${routeName(route)} is not known to the settings; ` +
          `keeping ${incusName}, which resolves on this host's ${service.network} network only.`,
      );
      return { host: incusName, devices: [] };
    }
  }
}
