// Entry point for `pulumi up -s <stack>`: the stack (or `atlas:topology`) picks the topology.
import { atlasDeployment } from "./program";

export = atlasDeployment();
