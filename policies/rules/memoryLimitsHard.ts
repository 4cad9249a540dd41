import { configOf, describe, incusTypes } from "../incusResources";
import { resourcePolicy } from "../policy";

/**
 * Memory limits are hard (`limits.memory.enforce=hard`: the OOM killer acts at the
 * limit, so a service cannot starve its neighbours). Whoever sets `limits.memory` sets
 * the enforcement beside it, so the pair never depends on profile order.
 */
export const memoryLimitsHard = resourcePolicy({
  name: "memory-limits-hard",
  description:
    "A profile or instance that sets limits.memory also sets limits.memory.enforce=hard; soft enforcement is refused.",
  enforcementLevel: "mandatory",
  defaults: {},
  schema: {},
  types: [incusTypes.instance, incusTypes.profile],
  validate(resource, _config, report) {
    const config = configOf(resource);
    const enforce = config["limits.memory.enforce"];
    if (enforce !== undefined && enforce !== "hard") {
      report(
        `${describe(resource)} sets limits.memory.enforce=${enforce}: set it to 'hard' so the memory limit is enforced.`,
      );
    } else if ("limits.memory" in config && enforce === undefined) {
      report(
        `${describe(resource)} sets limits.memory=${config["limits.memory"]} without limits.memory.enforce (Incus defaults to soft): add limits.memory.enforce=hard.`,
      );
    }
  },
});
