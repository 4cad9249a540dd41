import * as pulumi from "@pulumi/pulumi";

export interface StorageBucketKeyArgs {
  name: pulumi.Input<string>;
  pool: pulumi.Input<string>;
  storageBucket: pulumi.Input<string>;
  /** admin or read-only (default read-only). */
  role?: pulumi.Input<string>;
  description?: pulumi.Input<string>;
  project?: pulumi.Input<string>;
}

/** An access key of a storage bucket. The secret key is always a Pulumi secret. */
export class StorageBucketKey extends pulumi.CustomResource {
  public static readonly __pulumiType = "incus:index:StorageBucketKey";

  declare public readonly name: pulumi.Output<string>;
  declare public readonly pool: pulumi.Output<string>;
  declare public readonly storageBucket: pulumi.Output<string>;
  declare public readonly role: pulumi.Output<string>;
  declare public readonly description: pulumi.Output<string>;
  declare public readonly project: pulumi.Output<string | undefined>;
  declare public readonly accessKey: pulumi.Output<string>;
  declare public readonly secretKey: pulumi.Output<string>;

  constructor(name: string, args: StorageBucketKeyArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      StorageBucketKey.__pulumiType,
      name,
      { ...args, accessKey: undefined, secretKey: undefined },
      pulumi.mergeOptions(opts, { additionalSecretOutputs: ["secretKey"] }),
    );
  }
}
