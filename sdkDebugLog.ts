/**
 * The Pulumi Node SDK's per-resource debug messages, dropped unless asked for.
 *
 * `@pulumi/pulumi` (3.248) sends the engine debug messages for every resource it registers
 * ("Registering resource ...", "RegisterResource RPC prepared ...", "... finished ..."),
 * four per resource, each an `Engine.Log` call. It sends them one at a time (each waits for
 * the one before, to keep log order), and the program cannot end before the last has been
 * answered. The engine shows them only with `--debug`. At 100 node exporters (326
 * resources) that is 1,304 round trips in series in every `up`, `preview` and refresh:
 * without them a no-op `up` took 3.8 s instead of 5.0 s and `preview --refresh` 7.7 s
 * instead of 9.1 s (medians, docs/benchmarks.md, scale). Upstream put other such messages
 * behind a flag for the same reason (pulumi/pulumi#7144).
 *
 * So the program replaces the SDK's `log.debug` with one that drops the message, unless
 * `ATLAS_SDK_DEBUG_LOG=1`: run `ATLAS_SDK_DEBUG_LOG=1 pulumi up --debug` to see them.
 * Warnings, errors and info messages (Atlas' own included) are untouched.
 */
import * as pulumiLog from "@pulumi/pulumi/log";

/** Set to 1 to keep the SDK's debug messages. */
export const keepSdkDebugLogVariable = "ATLAS_SDK_DEBUG_LOG";

type LogModule = { debug: typeof pulumiLog.debug };

const sdkDebug = pulumiLog.debug;
const dropped: typeof pulumiLog.debug = () => Promise.resolve();

/**
 * Drops (or, with `ATLAS_SDK_DEBUG_LOG=1`, keeps) the SDK's debug messages for the rest of
 * the process; returns whether they are dropped. The SDK calls `log.debug` through the
 * module object, so replacing the export reaches every caller.
 */
export function quietSdkDebugLog(
  environment: Readonly<Record<string, string | undefined>> = process.env,
): boolean {
  const drop = environment[keepSdkDebugLogVariable] !== "1";
  (pulumiLog as LogModule).debug = drop ? dropped : sdkDebug;
  return drop;
}
