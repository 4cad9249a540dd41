import type * as pulumi from "@pulumi/pulumi";
import { BaseInfrastructure } from "../components";
import type { AtlasConfig } from "../config";
import { incusProviderFor } from "./incusProvider";

/** What every topology stands on: its Incus provider, networks and base profiles. */
export interface StackFoundation {
  /** Component options routing every Incus resource through the stack's provider. */
  opts: pulumi.ComponentResourceOptions;
  base: BaseInfrastructure;
  storagePool: string;
  /** container-base + the management network's eth0 (internal services). */
  managementProfiles: pulumi.Input<string>[];
  /** container-base + the production network's eth0 (LAN-facing services). */
  productionProfiles: pulumi.Input<string>[];
}

/**
 * `ovnCentral`: with the OVN backend, the OVN central this stack runs (it stands on the
 * foundation's container-base profile, so it can only be handed over as a promise).
 */
export function stackFoundation(
  config: AtlasConfig,
  ovnCentral?: Promise<pulumi.Resource[]>,
): StackFoundation {
  const opts: pulumi.ComponentResourceOptions = { providers: { incus: incusProviderFor(config) } };
  const base = new BaseInfrastructure(
    "base",
    {
      networkBackend: config.networkBackend,
      networks: config.networks,
      ovn: config.ovn,
      ovnCentral,
    },
    opts,
  );
  return {
    opts,
    base,
    storagePool: config.incus.storagePool,
    managementProfiles: [base.containerBaseProfile, base.managementNetworkProfile],
    productionProfiles: [base.containerBaseProfile, base.productionNetworkProfile],
  };
}
