import * as pulumi from "@pulumi/pulumi";

export interface ProviderArgs {
  /**
   * Name of a remote in the incus CLI configuration (`incus remote list`). Defaults to
   * `$INCUS_REMOTE`, then the configuration's default remote, then the local daemon.
   */
  remote?: pulumi.Input<string>;
  /** Incus project for every resource of this provider (default: `default`). */
  project?: pulumi.Input<string>;
  /** Trust a remote's server certificate that is not in `servercerts/` (default false). */
  acceptRemoteCertificate?: pulumi.Input<boolean>;
}

/** An explicit Incus provider, e.g. one per remote (`cluster01`). */
export class Provider extends pulumi.ProviderResource {
  public static readonly __pulumiType = "incus";

  declare public readonly remote: pulumi.Output<string | undefined>;
  declare public readonly project: pulumi.Output<string | undefined>;

  constructor(name: string, args: ProviderArgs = {}, opts?: pulumi.ResourceOptions) {
    super(
      Provider.__pulumiType,
      name,
      {
        remote: args.remote,
        project: args.project,
        acceptRemoteCertificate: pulumi
          .output(args.acceptRemoteCertificate)
          .apply((v) => (v === undefined ? undefined : JSON.stringify(v))),
      },
      opts,
    );
  }
}
