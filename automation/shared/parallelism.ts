/**
 * How many resource operations the engine runs at once (`pulumi up --parallel`), for the
 * operator scripts and the benchmarks. Undefined leaves the Pulumi CLI's own default.
 */
export const defaultParallel: number | undefined = undefined;
