import * as pulumi from "@pulumi/pulumi";
import type { NetworkLbBackend, NetworkLbPort } from "./types";

export interface NetworkLbArgs {
  /** OVN network the load balancer belongs to; changing it replaces the load balancer. */
  network: pulumi.Input<string>;
  /** VIP on the uplink (must be in its `ipv4.ovn.ranges`); changing it replaces it. */
  listenAddress: pulumi.Input<string>;
  description?: pulumi.Input<string>;
  config?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  backends?: pulumi.Input<pulumi.Input<NetworkLbBackend>[]>;
  ports?: pulumi.Input<pulumi.Input<NetworkLbPort>[]>;
  project?: pulumi.Input<string>;
}

/** An OVN network load balancer (`/1.0/networks/<network>/load-balancers/<address>`). */
export class NetworkLb extends pulumi.CustomResource {
  public static readonly __pulumiType = "incus:index:NetworkLb";

  declare public readonly network: pulumi.Output<string>;
  declare public readonly listenAddress: pulumi.Output<string>;
  declare public readonly description: pulumi.Output<string>;
  declare public readonly config: pulumi.Output<Record<string, string>>;
  declare public readonly backends: pulumi.Output<NetworkLbBackend[]>;
  declare public readonly ports: pulumi.Output<NetworkLbPort[]>;
  declare public readonly project: pulumi.Output<string | undefined>;

  constructor(name: string, args: NetworkLbArgs, opts?: pulumi.CustomResourceOptions) {
    super(NetworkLb.__pulumiType, name, { ...args }, opts);
  }
}
