/**
 * Reading engine results: what an operation changed, by kind and by resource.
 */
import type { EngineEvent, OpMap } from "@pulumi/pulumi/automation";

/** Operations other than `same` (creates, updates, deletes, replaces, ...), by kind. */
export function changedOps(summary: OpMap | undefined): Record<string, number> {
  const changed: Record<string, number> = {};
  for (const [op, count] of Object.entries(summary ?? {})) {
    if (op !== "same" && (count ?? 0) > 0) changed[op] = count ?? 0;
  }
  return changed;
}

/** Collects `<op> <type>::<name>` for every step that changes something. */
export class StepRecorder {
  readonly steps: string[] = [];

  readonly onEvent = (event: EngineEvent): void => {
    const pre = event.resourcePreEvent;
    if (!pre || pre.metadata.op === "same" || pre.metadata.op === "read") return;
    const parts = pre.metadata.urn.split("::");
    const type = (parts[2] ?? "").split("$").pop() ?? "";
    this.steps.push(`${pre.metadata.op} ${type}::${parts.slice(3).join("::")}`);
  };
}
