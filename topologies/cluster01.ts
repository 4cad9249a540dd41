import type { Topology } from "./types";

/** The 3-node production cluster. Filled in by the components. */
export const cluster01: Topology = () => ({});
