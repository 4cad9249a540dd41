import * as pulumi from "@pulumi/pulumi";

export interface StoragePoolArgs {
  name: pulumi.Input<string>;
  /** dir, zfs, btrfs, lvm, ceph, ... Changing it replaces the pool. */
  driver: pulumi.Input<string>;
  description?: pulumi.Input<string>;
  config?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  project?: pulumi.Input<string>;
  target?: pulumi.Input<string>;
}

/** An Incus storage pool (`/1.0/storage-pools/<name>`). */
export class StoragePool extends pulumi.CustomResource {
  public static readonly __pulumiType = "incus:index:StoragePool";

  declare public readonly name: pulumi.Output<string>;
  declare public readonly driver: pulumi.Output<string>;
  declare public readonly description: pulumi.Output<string>;
  declare public readonly config: pulumi.Output<Record<string, string>>;
  declare public readonly project: pulumi.Output<string | undefined>;
  declare public readonly target: pulumi.Output<string | undefined>;

  constructor(name: string, args: StoragePoolArgs, opts?: pulumi.CustomResourceOptions) {
    super(StoragePool.__pulumiType, name, { ...args }, opts);
  }
}
