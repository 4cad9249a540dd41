import * as pulumi from "@pulumi/pulumi";
import type { NetworkAclRule } from "./types";

export interface NetworkAclArgs {
  name: pulumi.Input<string>;
  description?: pulumi.Input<string>;
  config?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  egress?: pulumi.Input<pulumi.Input<NetworkAclRule>[]>;
  ingress?: pulumi.Input<pulumi.Input<NetworkAclRule>[]>;
  project?: pulumi.Input<string>;
}

/** A network ACL (`/1.0/network-acls/<name>`). */
export class NetworkAcl extends pulumi.CustomResource {
  public static readonly __pulumiType = "incus:index:NetworkAcl";

  declare public readonly name: pulumi.Output<string>;
  declare public readonly description: pulumi.Output<string>;
  declare public readonly config: pulumi.Output<Record<string, string>>;
  declare public readonly egress: pulumi.Output<NetworkAclRule[]>;
  declare public readonly ingress: pulumi.Output<NetworkAclRule[]>;
  declare public readonly project: pulumi.Output<string | undefined>;

  constructor(name: string, args: NetworkAclArgs, opts?: pulumi.CustomResourceOptions) {
    super(NetworkAcl.__pulumiType, name, { ...args }, opts);
  }
}
