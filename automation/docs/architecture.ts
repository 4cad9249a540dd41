/**
 * The README's architecture diagram: both stacks run under mocks with their own
 * `Pulumi.<stack>.yaml` and every optional service on, and iapetus federating cluster01
 * (named `<instance>.<stack>` as the cross-stack fallbacks name a peer), rendered by
 * ../shape/diagram.ts.
 */
import { topologyNames } from "../../config/schema";
import { platformGraph, renderMermaid, type StackRun } from "../shape/diagram";
import { optionalFeatures, recordStack, type ConfigOverlay } from "../shape/stackShape";

const titles: Record<string, string> = {
  iapetus: "iapetus: standalone Incus host, control plane",
  cluster01: "cluster01: Incus cluster, workloads",
};

/** Optional services on, and the peer a stack reads when both are deployed. */
function diagramOverlay(stack: string): ConfigOverlay {
  const overlay = optionalFeatures(stack);
  if (stack !== "iapetus") return overlay;
  return {
    config: {
      ...overlay.config,
      "atlas:crossStack": { federationTargetsFallback: ["prometheus01.cluster01:9090"] },
    },
    secretKeys: overlay.secretKeys,
  };
}

export async function architectureMermaid(): Promise<string> {
  const runs: StackRun[] = [];
  for (const stack of topologyNames) {
    const base = await recordStack(stack);
    const full = await recordStack(stack, diagramOverlay(stack));
    const names = (resources: typeof base): Set<string> =>
      new Set(
        resources
          .filter((r) => r.type === "incus:index:Instance")
          .map((r) => String(r.inputs.name)),
      );
    const baseNames = names(base);
    runs.push({
      stack,
      resources: full,
      optionalInstances: new Set([...names(full)].filter((n) => !baseNames.has(n))),
    });
  }
  return renderMermaid(platformGraph(runs), titles);
}
