import * as pulumi from "@pulumi/pulumi";
import type { Device } from "./types";

export interface ProfileArgs {
  name: pulumi.Input<string>;
  description?: pulumi.Input<string>;
  config?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  devices?: pulumi.Input<pulumi.Input<Device>[]>;
  project?: pulumi.Input<string>;
}

/** An Incus profile (`/1.0/profiles/<name>`). */
export class Profile extends pulumi.CustomResource {
  public static readonly __pulumiType = "incus:index:Profile";

  declare public readonly name: pulumi.Output<string>;
  declare public readonly description: pulumi.Output<string>;
  declare public readonly config: pulumi.Output<Record<string, string>>;
  declare public readonly devices: pulumi.Output<Device[]>;
  declare public readonly project: pulumi.Output<string | undefined>;

  constructor(name: string, args: ProfileArgs, opts?: pulumi.CustomResourceOptions) {
    super(Profile.__pulumiType, name, { ...args }, opts);
  }
}
