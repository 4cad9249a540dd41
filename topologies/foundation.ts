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

export function stackFoundation(config: AtlasConfig): StackFoundation {
  const opts: pulumi.ComponentResourceOptions = { providers: { incus: incusProviderFor(config) } };
  const base = new BaseInfrastructure(
    "base",
    { networkBackend: config.networkBackend, networks: config.networks, ovn: config.ovn },
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
