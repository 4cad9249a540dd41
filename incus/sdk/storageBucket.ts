import * as pulumi from "@pulumi/pulumi";

export interface StorageBucketArgs {
  name: pulumi.Input<string>;
  pool: pulumi.Input<string>;
  description?: pulumi.Input<string>;
  /** e.g. `size`. */
  config?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  project?: pulumi.Input<string>;
  target?: pulumi.Input<string>;
}

/**
 * An S3 storage bucket (`/1.0/storage-pools/<pool>/buckets/<name>`). Local pools need
 * MinIO on the Incus host and `core.storage_buckets_address` set.
 */
export class StorageBucket extends pulumi.CustomResource {
  public static readonly __pulumiType = "incus:index:StorageBucket";

  declare public readonly name: pulumi.Output<string>;
  declare public readonly pool: pulumi.Output<string>;
  declare public readonly description: pulumi.Output<string>;
  declare public readonly config: pulumi.Output<Record<string, string>>;
  declare public readonly project: pulumi.Output<string | undefined>;
  declare public readonly target: pulumi.Output<string | undefined>;
  /** The bucket's S3 URL as reported by Incus. */
  declare public readonly s3Url: pulumi.Output<string>;
  declare public readonly location: pulumi.Output<string>;

  constructor(name: string, args: StorageBucketArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      StorageBucket.__pulumiType,
      name,
      { ...args, s3Url: undefined, location: undefined },
      opts,
    );
  }
}
