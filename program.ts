import { loadAtlasConfig, type AtlasConfig } from "./config";
import { resolveClusterNodes } from "./topologies/clusterMembers";
import { topologies, type StackOutputs } from "./topologies";
import { quietSdkDebugLog } from "./sdkDebugLog";

/**
 * The Atlas program: validate the stack's configuration, then build the topology it
 * names. Shared by `index.ts` (the CLI) and Automation API inline programs.
 */
export function atlasProgram(config: AtlasConfig = loadAtlasConfig()): StackOutputs {
  // Four debug messages per resource, sent to the engine one at a time (sdkDebugLog.ts).
  quietSdkDebugLog();
  const outputs = topologies[config.topology](config);
  // Outputs of services the stack does not deploy (no tunnel token, metrics off) are
  // left out rather than exported as undefined.
  return Object.fromEntries(Object.entries(outputs).filter(([, value]) => value !== undefined));
}

/**
 * The program a deployment runs (`pulumi up`, the Automation API): cluster01 first asks its
 * cluster for the members to pin to, then the topology is built as in `atlasProgram`.
 */
export async function atlasDeployment(): Promise<StackOutputs> {
  const config = loadAtlasConfig();
  await resolveClusterNodes(config);
  return atlasProgram(config);
}
