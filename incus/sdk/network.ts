import * as pulumi from "@pulumi/pulumi";

export interface NetworkArgs {
  name: pulumi.Input<string>;
  /** bridge (default), physical, ovn, macvlan, sriov. Changing it replaces the network. */
  type?: pulumi.Input<string>;
  description?: pulumi.Input<string>;
  config?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  project?: pulumi.Input<string>;
  /** Cluster member for member-specific config; changing it replaces the network. */
  target?: pulumi.Input<string>;
}

/** A managed Incus network (`/1.0/networks/<name>`). */
export class Network extends pulumi.CustomResource {
  public static readonly __pulumiType = "incus:index:Network";

  declare public readonly name: pulumi.Output<string>;
  declare public readonly type: pulumi.Output<string>;
  declare public readonly description: pulumi.Output<string>;
  declare public readonly config: pulumi.Output<Record<string, string>>;
  declare public readonly project: pulumi.Output<string | undefined>;
  declare public readonly target: pulumi.Output<string | undefined>;
  /** Whether Incus manages the network (false for host interfaces). */
  declare public readonly managed: pulumi.Output<boolean>;

  constructor(name: string, args: NetworkArgs, opts?: pulumi.CustomResourceOptions) {
    super(Network.__pulumiType, name, { ...args, managed: undefined }, opts);
  }
}
