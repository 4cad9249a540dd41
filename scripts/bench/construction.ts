/**
 * Benchmark 1: program construction under mocks (no host, no engine): how long the
 * Atlas program takes to build each stack's resource graph, and how many resources.
 */
import { recordStack } from "../../automation/shape/stackShape";

export interface ConstructionResult {
  stack: string;
  resources: number;
  incusResources: number;
  ms: number;
}

export async function measureConstruction(stack: string): Promise<ConstructionResult> {
  const start = process.hrtime.bigint();
  const resources = await recordStack(stack);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  return {
    stack,
    resources: resources.length,
    incusResources: resources.filter((r) => r.type.startsWith("incus:index:")).length,
    ms,
  };
}
