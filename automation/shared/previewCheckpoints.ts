/**
 * The engine environment Atlas gives an operation: previews skip the engine's per-step
 * snapshots.
 *
 * A preview writes no state. The Pulumi CLI (v3.274.1, `pkg/backend/diy/backend.go`) still
 * gives it a snapshot manager, with a persister that discards what it is given, and that
 * manager serialises the whole state (and checks its integrity) after every step that
 * changes it, only for the result to be dropped. `preview --refresh` changes every
 * resource's snapshot, so the work grows with the square of the stack: at 100 node
 * exporters (326 resources, 2 MiB of state) it was 41 % of the engine's CPU in a profile
 * (`pulumi preview --refresh --profiling`), and the command took 7.7 s with
 * `PULUMI_SKIP_CHECKPOINTS` against 9.1 s without (medians, docs/benchmarks.md, scale).
 *
 * `PULUMI_SKIP_CHECKPOINTS` makes the manager serialise once, at the end. For a preview that
 * loses nothing, as nothing is written. `up`, `refresh` and `destroy` keep the engine's
 * default: a checkpoint after each step is what keeps the record of what an interrupted
 * run created.
 */

const skipCheckpoints = "PULUMI_SKIP_CHECKPOINTS";

/** Operations that write no state, so the checkpoints the engine takes are thrown away. */
const writesNoState: readonly string[] = ["preview"];

/**
 * The variables Atlas adds to the environment of an operation: none that the environment
 * sets already (an operator's own choice wins).
 */
export function engineEnvironmentFor(
  operation: string,
  environment: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
  if (!writesNoState.includes(operation) || environment[skipCheckpoints] !== undefined) return {};
  return { [skipCheckpoints]: "true" };
}
