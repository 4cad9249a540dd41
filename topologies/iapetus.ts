import type { Topology } from "./types";

/** The control plane: monitoring core, CA, tunnel and GitOps. Filled in by the components. */
export const iapetus: Topology = () => ({});
