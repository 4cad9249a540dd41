import * as pulumi from "@pulumi/pulumi";
import type { CloudflaredSettings } from "../../config";
import type { ServiceComponentArgs } from "../shared/serviceArgs";
import { buildServiceAnatomy } from "../shared/serviceAnatomy";
import { serviceAnatomyBasics } from "../shared/serviceArgs";
import { cloudflaredConfiguration } from "./configuration";
import { cloudflaredInstall, cloudflaredMetricsPort } from "./install";

export { cloudflaredMetricsPort } from "./install";

export interface CloudflaredArgs extends ServiceComponentArgs {
  /** The tunnel token (secret), from the Cloudflare Zero Trust dashboard. */
  tunnelToken: pulumi.Input<string>;
}

/**
 * Cloudflare Tunnel client (the reference's `cloudflared01`): outbound only, stateless,
 * token-authenticated, routes managed in the Cloudflare dashboard.
 */
export class Cloudflared extends pulumi.ComponentResource {
  /** `http://cloudflared01.incus:2000`, scraped by Prometheus. */
  public readonly metricsEndpoint: pulumi.Output<string>;
  public readonly ipv4Address: pulumi.Output<string>;

  constructor(name: string, args: CloudflaredArgs, opts?: pulumi.ComponentResourceOptions) {
    super("atlas:components:Cloudflared", name, {}, opts);
    const anatomy = buildServiceAnatomy(this, {
      ...serviceAnatomyBasics(args, "cloudflared01", "cloudflared"),
      install: cloudflaredInstall(args.settings),
      configuration: cloudflaredConfiguration(name, args.tunnelToken),
      port: cloudflaredMetricsPort,
    });
    this.metricsEndpoint = anatomy.endpoint as pulumi.Output<string>;
    this.ipv4Address = anatomy.ipv4Address;
    this.registerOutputs({ metricsEndpoint: this.metricsEndpoint, ipv4Address: this.ipv4Address });
  }
}

export type CloudflaredIfConfiguredArgs = Omit<CloudflaredArgs, "tunnelToken"> & {
  cloudflared: CloudflaredSettings;
};

/** Cloudflared only when a tunnel token is set (the reference's conditional deployment). */
export function cloudflaredIfConfigured(
  name: string,
  args: CloudflaredIfConfiguredArgs,
  opts?: pulumi.ComponentResourceOptions,
): Cloudflared | undefined {
  const { cloudflared, ...rest } = args;
  if (!cloudflared.tunnelToken) return undefined;
  return new Cloudflared(name, { ...rest, tunnelToken: cloudflared.tunnelToken }, opts);
}
