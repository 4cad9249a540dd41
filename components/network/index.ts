import type { NetworkBackendRegistry } from "./backend";
import { bridgeBackend } from "./bridgeBackend";

export * from "./backend";
export { addressingConfig, gatewayAddress } from "./addressing";

/**
 * Network backends by `atlas:networkBackend`. The OVN backend registers here
 * (`ovn: ovnBackend`) when it lands; BaseInfrastructure needs no change for it.
 */
export const networkBackends: NetworkBackendRegistry = {
  bridge: bridgeBackend,
};
