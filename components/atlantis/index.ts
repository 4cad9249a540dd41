import * as pulumi from "@pulumi/pulumi";
import type { AtlantisSettings } from "../../config";
import type { ServiceComponentArgs } from "../shared/serviceArgs";
import { buildServiceAnatomy } from "../shared/serviceAnatomy";
import { serviceAnatomyBasics } from "../shared/serviceArgs";

/** Atlantis' HTTP port (webhooks and UI). */
export const atlantisPort = 4141;
const dataDir = "/atlantis-data";

/** `settings.image` is the OCI reference through an Incus remote (`ghcr:accuser-dev/atlas/atlantis:latest`). */
export interface AtlantisArgs extends ServiceComponentArgs {
  atlantis: AtlantisSettings;
}

/**
 * Atlantis, the GitOps controller (the reference's `atlantis01`): an OCI container, so
 * nothing is installed by cloud-init (the image is the install: a new image replaces the
 * instance) and it is configured through `environment.*` instance config. Incus updates that
 * in place, but an OCI container's process reads its environment only when it starts: a
 * changed setting reaches Atlantis at its next restart. The GitHub token and webhook
 * secret stay Pulumi secrets.
 */
export class Atlantis extends pulumi.ComponentResource {
  /** `http://atlantis01.incus:4141`. */
  public readonly endpoint: pulumi.Output<string>;
  /** `https://<domain>/events`, the GitHub webhook URL (through Cloudflare Tunnel). */
  public readonly webhookUrl: string;
  public readonly ipv4Address: pulumi.Output<string>;

  constructor(name: string, args: AtlantisArgs, opts?: pulumi.ComponentResourceOptions) {
    super("atlas:components:Atlantis", name, {}, opts);
    const { atlantis } = args;
    if (!atlantis.githubToken || !atlantis.webhookSecret) {
      // parseAtlasConfig requires both when Atlantis is enabled.
      throw new Error(`${name}: Atlantis needs atlantisGithubToken and atlantisWebhookSecret`);
    }
    const url = `https://${atlantis.domain}`;

    const anatomy = buildServiceAnatomy(this, {
      ...serviceAnatomyBasics(args, "atlantis01", "atlantis"),
      dataPath: dataDir,
      instanceConfig: {
        "environment.ATLANTIS_GH_TOKEN": pulumi.secret(atlantis.githubToken),
        "environment.ATLANTIS_GH_WEBHOOK_SECRET": pulumi.secret(atlantis.webhookSecret),
        "environment.ATLANTIS_GH_USER": atlantis.githubUser,
        "environment.ATLANTIS_REPO_ALLOWLIST": atlantis.repoAllowlist,
        "environment.ATLANTIS_ATLANTIS_URL": url,
        "environment.ATLANTIS_DATA_DIR": dataDir,
        "environment.ATLANTIS_PORT": String(atlantisPort),
      },
      port: atlantisPort,
    });

    this.endpoint = anatomy.endpoint as pulumi.Output<string>;
    this.webhookUrl = `${url}/events`;
    this.ipv4Address = anatomy.ipv4Address;
    this.registerOutputs({
      endpoint: this.endpoint,
      webhookUrl: this.webhookUrl,
      ipv4Address: this.ipv4Address,
    });
  }
}

/** Atlantis only when `atlantis.enabled` (which also requires the gitops network). */
export function atlantisIfEnabled(
  name: string,
  args: AtlantisArgs,
  opts?: pulumi.ComponentResourceOptions,
): Atlantis | undefined {
  return args.atlantis.enabled ? new Atlantis(name, args, opts) : undefined;
}
