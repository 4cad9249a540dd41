import * as pulumi from "@pulumi/pulumi";
import * as incus from "../incus/sdk";
import type { ExternalAccess, ExternalPort } from "./shared/externalAccess";

export interface OvnLoadBalancerBackend {
  /** Backend name, e.g. `mosquitto01`. */
  name: string;
  /** Address of the instance on the OVN network. */
  targetAddress: pulumi.Input<string>;
}

export interface OvnLoadBalancerArgs {
  /** OVN network the backends are attached to. */
  network: pulumi.Input<string>;
  /** LAN VIP; must lie in the uplink's `ipv4.ovn.ranges`. */
  listenAddress: string;
  backends: OvnLoadBalancerBackend[];
  /** Ports served on the VIP; each is forwarded to the same port on every backend. */
  ports: ExternalPort[];
  description?: string;
}

/**
 * An OVN network load balancer: the OVN backend's replacement for proxy devices. The VIP
 * is routable on the LAN, so Mosquitto and CoreDNS are reached without host ports.
 */
export class OvnLoadBalancer extends pulumi.ComponentResource {
  public readonly listenAddress: pulumi.Output<string>;
  public readonly loadBalancer: incus.NetworkLb;

  constructor(name: string, args: OvnLoadBalancerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("atlas:components:OvnLoadBalancer", name, {}, opts);

    const backendNames = args.backends.map((b) => b.name);
    this.loadBalancer = new incus.NetworkLb(
      name,
      {
        network: args.network,
        listenAddress: args.listenAddress,
        description: args.description ?? `Atlas ${name}`,
        backends: args.backends.map((b) =>
          pulumi.output(b.targetAddress).apply((targetAddress) => ({
            name: b.name,
            description: `${b.name} behind ${args.listenAddress}`,
            targetAddress,
          })),
        ),
        ports: args.ports.map((p) => ({
          description: p.name,
          protocol: p.protocol,
          listenPort: String(p.port),
          targetBackend: backendNames,
        })),
      },
      { parent: this },
    );
    this.listenAddress = this.loadBalancer.listenAddress;

    this.registerOutputs({ listenAddress: this.listenAddress });
  }
}

/**
 * The load balancer a single-instance service needs under the OVN backend, as a child of
 * the service component; undefined in the other access modes.
 */
export function loadBalancerFor(
  parent: pulumi.ComponentResource,
  access: ExternalAccess,
  instanceName: string,
  instanceAddress: pulumi.Input<string>,
  ports: ExternalPort[],
): OvnLoadBalancer | undefined {
  if (access.mode !== "loadBalancer") return undefined;
  return new OvnLoadBalancer(
    `${instanceName}-lb`,
    {
      network: access.network,
      listenAddress: access.listenAddress,
      backends: [{ name: instanceName, targetAddress: instanceAddress }],
      ports,
    },
    { parent },
  );
}
