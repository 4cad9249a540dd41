import * as pulumi from "@pulumi/pulumi";
import type { AtlasConfig } from "../config";
import * as incus from "../incus/sdk";

/**
 * The explicit Incus provider a topology deploys through.
 *
 * - iapetus targets the local daemon unless `incus:remote` names another remote: an
 *   `INCUS_REMOTE` exported for cluster work must never redirect the control plane.
 * - cluster01 targets `incus:remote`, else `INCUS_REMOTE`, else the incus CLI's default
 *   remote, as the reference's provider block did.
 */
// One provider per loaded configuration: the cluster member lookup (clusterMembers.ts) runs
// before the topology and must use the provider the topology deploys through.
const providers = new WeakMap<AtlasConfig, incus.Provider>();

export function incusProviderFor(config: AtlasConfig): incus.Provider {
  const existing = providers.get(config);
  if (existing) return existing;
  const remote =
    config.incus.remote || (config.topology === "iapetus" ? "local" : process.env.INCUS_REMOTE);
  if (config.topology === "cluster01" && !remote) {
    pulumi.log.warn(
      "atlas: cluster01 has no Incus remote (set `pulumi config set incus:remote cluster01` or export INCUS_REMOTE); using the incus CLI's default remote",
    );
  }
  const provider = new incus.Provider(config.topology, { remote, project: config.incus.project });
  providers.set(config, provider);
  return provider;
}
