import * as pulumi from "@pulumi/pulumi";

export interface ServerArgs {
  /**
   * Server config keys to manage (`core.*`, `logging.*`, `network.ovn.*`, ...). Only these
   * keys are set; keys set by anything else are never touched, and delete unsets exactly
   * these.
   */
  config: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Cluster member for member-specific keys (e.g. `core.storage_buckets_address`). */
  target?: pulumi.Input<string>;
}

/** Part of an Incus server's configuration (`/1.0` config). */
export class Server extends pulumi.CustomResource {
  public static readonly __pulumiType = "incus:index:Server";

  declare public readonly config: pulumi.Output<Record<string, string>>;
  declare public readonly target: pulumi.Output<string | undefined>;

  constructor(name: string, args: ServerArgs, opts?: pulumi.CustomResourceOptions) {
    super(Server.__pulumiType, name, { ...args }, opts);
  }
}
