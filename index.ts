// Entry point for `pulumi up -s <stack>`: the stack (or `atlas:topology`) picks the topology.
import { atlasProgram } from "./program";

export = atlasProgram();
