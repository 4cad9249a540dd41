import type { TopologyName } from "../config";
import { cluster01 } from "./cluster01";
import { iapetus } from "./iapetus";
import type { Topology } from "./types";

export type { StackOutputs, Topology } from "./types";

export const topologies: Record<TopologyName, Topology> = { iapetus, cluster01 };
