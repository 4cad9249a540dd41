import * as pulumi from "@pulumi/pulumi";

export interface StorageVolumeArgs {
  name: pulumi.Input<string>;
  /** Storage pool; changing it replaces the volume. */
  pool: pulumi.Input<string>;
  /** Volume type (default `custom`). */
  type?: pulumi.Input<string>;
  /** filesystem (default) or block; changing it replaces the volume. */
  contentType?: pulumi.Input<string>;
  description?: pulumi.Input<string>;
  /** e.g. `size`, `snapshots.schedule`, `snapshots.expiry`, `snapshots.pattern`. */
  config?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  project?: pulumi.Input<string>;
  /** Cluster member holding the volume (local pools); changing it replaces the volume. */
  target?: pulumi.Input<string>;
}

/** A custom storage volume (`/1.0/storage-pools/<pool>/volumes/custom/<name>`). */
export class StorageVolume extends pulumi.CustomResource {
  public static readonly __pulumiType = "incus:index:StorageVolume";

  declare public readonly name: pulumi.Output<string>;
  declare public readonly pool: pulumi.Output<string>;
  declare public readonly type: pulumi.Output<string>;
  declare public readonly contentType: pulumi.Output<string>;
  declare public readonly description: pulumi.Output<string>;
  declare public readonly config: pulumi.Output<Record<string, string>>;
  declare public readonly project: pulumi.Output<string | undefined>;
  declare public readonly target: pulumi.Output<string | undefined>;
  /** Cluster member the volume lives on, as reported by Incus. */
  declare public readonly location: pulumi.Output<string>;

  constructor(name: string, args: StorageVolumeArgs, opts?: pulumi.CustomResourceOptions) {
    super(StorageVolume.__pulumiType, name, { ...args, location: undefined }, opts);
  }
}
