/**
 * How many resource operations the engine runs at once (`--parallel`), for the operator
 * scripts (scripts/stack.ts) and the scale benchmark, per operation. The Pulumi CLI's own
 * default is 4 per core (8 on a 2-core machine).
 *
 * Measured on cluster01 with 100 node exporters (326 resources) on the 2-core test machine
 * (docs/benchmarks.md, scale): `up` took 45-49 s at 128 in five runs against 54-59 s at
 * the CLI's 8 in two (an instance create is mostly the daemon's own work and waiting,
 * which more creates in flight overlap); `destroy` (23-25 s at 8, 28-31 s at 128) and
 * `preview --refresh` (8.4-8.5 s at 8, 11.5-11.7 s at 128) got slower, the engine spending
 * more CPU when more steps run at once. So only `up` gets a value of its own; 128 is more
 * than a stack of this size has instances to create at once.
 */
export const defaultParallel: Readonly<Partial<Record<string, number>>> = { up: 128 };

/** The `--parallel` Atlas passes for an operation, or undefined for the CLI's default. */
export function parallelFor(operation: string): number | undefined {
  return defaultParallel[operation];
}

/** Whether pulumi arguments choose the parallelism already (`--parallel N`, `-p N`, ...). */
export function choosesParallel(args: readonly string[]): boolean {
  return args.some((a) => a === "--parallel" || a === "-p" || /^(--parallel=|-p=?)\d+$/.test(a));
}

/**
 * The arguments with `--parallel <parallel>` added, unless they choose one themselves (an
 * operator's own choice wins) or there is no default to add.
 */
export function withParallel(args: readonly string[], parallel: number | undefined): string[] {
  if (parallel === undefined || choosesParallel(args)) return [...args];
  return [...args, "--parallel", String(parallel)];
}
