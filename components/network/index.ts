import type { NetworkBackendRegistry } from "./backend";
import { bridgeBackend } from "./bridgeBackend";
import { ovnBackend } from "./ovnBackend";

export * from "./backend";
export { addressingConfig, gatewayAddress } from "./addressing";

/** Network backends by `atlas:networkBackend`; BaseInfrastructure picks one. */
export const networkBackends: NetworkBackendRegistry = {
  bridge: bridgeBackend,
  ovn: ovnBackend,
};
