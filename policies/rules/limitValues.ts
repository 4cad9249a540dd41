import { configOf, describe, incusTypes } from "../incusResources";
import { resourcePolicy } from "../policy";
import { isCpuLimit, isMemoryLimitFormat } from "../sizes";

/** The reference's variable validations, enforced on what is actually deployed. */
export const limitValues = resourcePolicy({
  name: "limit-values",
  description:
    "limits.memory is a whole number of MB or GB; limits.cpu is a core count from 1 to 64.",
  enforcementLevel: "mandatory",
  defaults: {},
  schema: {},
  types: [incusTypes.instance, incusTypes.profile],
  validate(resource, _config, report) {
    const config = configOf(resource);
    const memory = config["limits.memory"];
    if (memory !== undefined && !isMemoryLimitFormat(memory)) {
      report(
        `${describe(resource)} sets limits.memory=${memory}: use a whole number of MB or GB, e.g. 512MB or 2GB.`,
      );
    }
    const cpu = config["limits.cpu"];
    if (cpu !== undefined && !isCpuLimit(cpu)) {
      report(`${describe(resource)} sets limits.cpu=${cpu}: use a core count from 1 to 64.`);
    }
  },
});
