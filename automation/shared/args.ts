/**
 * Command-line parsing shared by the bootstrap and backup scripts: `--stack` is required
 * and must name a topology, so a typo never reaches an Incus daemon.
 */
import { parseArgs } from "node:util";
import { topologyNames, type TopologyName } from "../../config/schema";

/** A usage problem: the scripts print it with their usage text and exit 2. */
export class UsageError extends Error {}

export interface ParsedCommandLine {
  positionals: string[];
  stack: TopologyName;
  /** Every other `--name value` option given (flags as "true"). */
  options: Record<string, string>;
}

/**
 * Parses `argv` allowing `--stack` plus the given string options and boolean flags.
 * Unknown options are usage errors.
 */
export function parseCommandLine(
  argv: readonly string[],
  stringOptions: readonly string[],
  flags: readonly string[] = [],
): ParsedCommandLine {
  const options: Record<string, { type: "string" | "boolean"; short?: string }> = {
    stack: { type: "string", short: "s" },
  };
  for (const name of stringOptions) options[name] = { type: "string" };
  for (const name of flags) options[name] = { type: "boolean" };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { stack, ...rest } = parsed.values;
  if (typeof stack !== "string" || stack === "") {
    throw new UsageError(`--stack is required (${topologyNames.join(" or ")})`);
  }
  if (!(topologyNames as readonly string[]).includes(stack)) {
    throw new UsageError(`unknown stack "${stack}": expected ${topologyNames.join(" or ")}`);
  }
  const values: Record<string, string> = {};
  for (const [k, v] of Object.entries(rest)) {
    if (typeof v === "string") values[k] = v;
    else if (v === true) values[k] = "true";
  }
  return { positionals: parsed.positionals, stack: stack as TopologyName, options: values };
}
