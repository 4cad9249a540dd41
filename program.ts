import { loadAtlasConfig } from "./config";
import { topologies, type StackOutputs } from "./topologies";

/**
 * The Atlas program: validate the stack's configuration, then build the topology it
 * names. Shared by `index.ts` (the CLI) and Automation API inline programs.
 */
export function atlasProgram(): StackOutputs {
  const config = loadAtlasConfig();
  return topologies[config.topology](config);
}
