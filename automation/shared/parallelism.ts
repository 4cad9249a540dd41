/**
 * How many resource operations the engine runs at once (`pulumi up --parallel`), for the
 * operator scripts (scripts/stack.ts) and the scale benchmark. The Pulumi CLI's own default
 * is 4 per core, 8 on a 2-core machine. PLACEHOLDER: set from the scale measurements.
 */
export const defaultParallel: number | undefined = undefined;

/** Whether pulumi arguments choose the parallelism already (`--parallel N`, `-p N`, ...). */
export function choosesParallel(args: readonly string[]): boolean {
  return args.some((a) => a === "--parallel" || a === "-p" || /^(--parallel=|-p=?)\d+$/.test(a));
}

/**
 * The arguments with `--parallel <parallel>` added, unless they choose one themselves (an
 * operator's own choice wins) or there is no default to add.
 */
export function withParallel(
  args: readonly string[],
  parallel: number | undefined = defaultParallel,
): string[] {
  if (parallel === undefined || choosesParallel(args)) return [...args];
  return [...args, "--parallel", String(parallel)];
}
