import * as pulumi from "@pulumi/pulumi";
import { pinnedRelease, type CloudflaredSettings, type ServiceSettings } from "../config";
import { cloudInitUserData } from "./shared/cloudInit";
import { buildServiceAnatomy } from "./shared/serviceAnatomy";
import { serviceCloudConfig } from "./shared/serviceCloudConfig";

/** Port of cloudflared's Prometheus endpoint (`http://cloudflared01.incus:2000`). */
export const cloudflaredMetricsPort = 2000;

export interface CloudflaredArgs {
  settings: ServiceSettings;
  /** The tunnel token (secret), from the Cloudflare Zero Trust dashboard. */
  tunnelToken: pulumi.Input<string>;
  storagePool: string;
  /** container-base, then the management network profile. */
  baseProfiles: pulumi.Input<string>[];
  instanceName?: string;
  profileName?: string;
}

// OpenRC sources /etc/conf.d/<service> before starting it: the token lives there, readable
// by root only, instead of in the world-readable init script.
const tokenFile = "/etc/conf.d/cloudflared";

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

    // Built inside apply on a secret input, so the user-data stays secret.
    const userData = pulumi.secret(args.tunnelToken).apply((token) => {
      if (!/^[A-Za-z0-9+/=_-]+$/.test(token)) {
        throw new Error(`${name}: the tunnel token has unexpected characters`);
      }
      return cloudInitUserData(
        serviceCloudConfig({
          service: {
            name: "cloudflared",
            description: "Cloudflare Tunnel client",
            command: "/usr/local/bin/cloudflared",
            args: [
              "tunnel",
              "--no-autoupdate",
              "--metrics",
              `0.0.0.0:${cloudflaredMetricsPort}`,
              "run",
            ],
            user: "cloudflared",
          },
          release: {
            ...pinnedRelease("cloudflared", args.settings),
            binaries: [{ source: "cloudflared-linux-*", target: "cloudflared" }],
          },
          home: "/var/lib/cloudflared",
          files: [
            {
              path: tokenFile,
              content: `export TUNNEL_TOKEN='${token}'\n`,
              permissions: "0600",
            },
          ],
          ownedPaths: ["/var/lib/cloudflared"],
        }),
      );
    });

    const anatomy = buildServiceAnatomy(this, {
      instanceName: args.instanceName ?? "cloudflared01",
      profileName: args.profileName ?? "cloudflared",
      settings: args.settings,
      storagePool: args.storagePool,
      baseProfiles: args.baseProfiles,
      userData,
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
