import { loadAtlasConfig } from "./config";
import { topologies, type StackOutputs } from "./topologies";

/**
 * The Atlas program: validate the stack's configuration, then build the topology it
 * names. Shared by `index.ts` (the CLI) and Automation API inline programs.
 */
export function atlasProgram(): StackOutputs {
  const config = loadAtlasConfig();
  const outputs = topologies[config.topology](config);
  // Outputs of services the stack does not deploy (no tunnel token, metrics off) are
  // left out rather than exported as undefined.
  return Object.fromEntries(Object.entries(outputs).filter(([, value]) => value !== undefined));
}
