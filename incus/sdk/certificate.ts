import * as pulumi from "@pulumi/pulumi";

export interface CertificateArgs {
  name: pulumi.Input<string>;
  /** PEM-encoded certificate; changing it replaces the trust entry. */
  certificate: pulumi.Input<string>;
  /** client (default) or metrics; changing it replaces the trust entry. */
  type?: pulumi.Input<string>;
  description?: pulumi.Input<string>;
  restricted?: pulumi.Input<boolean>;
  projects?: pulumi.Input<pulumi.Input<string>[]>;
}

/** A trusted certificate (`/1.0/certificates/<fingerprint>`). */
export class Certificate extends pulumi.CustomResource {
  public static readonly __pulumiType = "incus:index:Certificate";

  declare public readonly name: pulumi.Output<string>;
  declare public readonly certificate: pulumi.Output<string>;
  declare public readonly type: pulumi.Output<string>;
  declare public readonly description: pulumi.Output<string>;
  declare public readonly restricted: pulumi.Output<boolean>;
  declare public readonly projects: pulumi.Output<string[]>;
  /** SHA-256 fingerprint Incus computed for the certificate. */
  declare public readonly fingerprint: pulumi.Output<string>;

  constructor(name: string, args: CertificateArgs, opts?: pulumi.CustomResourceOptions) {
    super(Certificate.__pulumiType, name, { ...args, fingerprint: undefined }, opts);
  }
}
