import * as pulumi from "@pulumi/pulumi";
import type { Device, InstanceExec, InstanceFile } from "./types";

export interface InstanceArgs {
  name: pulumi.Input<string>;
  /**
   * Image source: a local alias or fingerprint (`atlas-test`), or `remote:alias`
   * (`images:alpine/3.21/cloud`, `ghcr:org/image:tag`). Changing it replaces the instance.
   */
  image: pulumi.Input<string>;
  /** container (default) or virtual-machine; changing it replaces the instance. */
  type?: pulumi.Input<string>;
  description?: pulumi.Input<string>;
  ephemeral?: pulumi.Input<boolean>;
  /** Profiles, applied in order. An empty list means no profile at all. */
  profiles?: pulumi.Input<pulumi.Input<string>[]>;
  /** Instance config, e.g. `cloud-init.user-data`, `limits.*`, `environment.*`. */
  config?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  devices?: pulumi.Input<pulumi.Input<Device>[]>;
  /** Desired power state (default true: started and waited for). */
  running?: pulumi.Input<boolean>;
  /** Cluster member to place the instance on; changing it replaces the instance. */
  targetNode?: pulumi.Input<string>;
  /**
   * Files pushed after creation (before first start when running). In an update only the
   * files whose content, mode or owner changed are pushed, and the changed paths are listed
   * in the preview.
   */
  files?: pulumi.Input<pulumi.Input<InstanceFile>[]>;
  /**
   * Commands run in the instance, in list order per trigger (`once`, `on_change`,
   * `on_start`): typically "check the new config, then reload". Changing only `execs` runs
   * nothing but newly added `once` commands.
   */
  execs?: pulumi.Input<pulumi.Input<InstanceExec>[]>;
  project?: pulumi.Input<string>;
}

/** An Incus instance (`/1.0/instances/<name>`). */
export class Instance extends pulumi.CustomResource {
  public static readonly __pulumiType = "incus:index:Instance";

  declare public readonly name: pulumi.Output<string>;
  declare public readonly image: pulumi.Output<string>;
  declare public readonly type: pulumi.Output<string>;
  declare public readonly description: pulumi.Output<string>;
  declare public readonly ephemeral: pulumi.Output<boolean>;
  declare public readonly profiles: pulumi.Output<string[]>;
  /** As state records it: `cloud-init.user-data` as `sha256:<hex>` of the text. */
  declare public readonly config: pulumi.Output<Record<string, string>>;
  declare public readonly devices: pulumi.Output<Device[]>;
  declare public readonly running: pulumi.Output<boolean>;
  declare public readonly targetNode: pulumi.Output<string | undefined>;
  /** As state records them: `contentSha256` in place of `content`. */
  declare public readonly files: pulumi.Output<InstanceFile[] | undefined>;
  declare public readonly execs: pulumi.Output<InstanceExec[] | undefined>;
  /**
   * The `once` execs that have run, as `name@digest` of their definition (secret when any
   * exec holds a secret).
   */
  declare public readonly completedOnceExecs: pulumi.Output<string[]>;
  declare public readonly project: pulumi.Output<string | undefined>;
  /** Status reported by Incus (Running, Stopped, ...). */
  declare public readonly status: pulumi.Output<string>;
  /** Cluster member the instance runs on. */
  declare public readonly location: pulumi.Output<string>;
  /** First global IPv4 address of eth0, when the instance is running and has one. */
  declare public readonly ipv4Address: pulumi.Output<string>;
  declare public readonly ipv6Address: pulumi.Output<string>;
  declare public readonly macAddress: pulumi.Output<string>;

  constructor(name: string, args: InstanceArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      Instance.__pulumiType,
      name,
      {
        ...args,
        status: undefined,
        location: undefined,
        ipv4Address: undefined,
        ipv6Address: undefined,
        macAddress: undefined,
        completedOnceExecs: undefined,
      },
      opts,
    );
  }
}
