import {
  describe,
  effectiveInstance,
  incusName,
  incusTypes,
  isTrue,
  profilesByName,
} from "../incusResources";
import { stackPolicy } from "../policy";

/**
 * Nesting (containers inside the container) widens the kernel surface; it is allowed
 * per instance only. A stack policy, because nesting set on a profile reaches every
 * instance that uses the profile.
 */
export const nestingAllowList = stackPolicy({
  name: "nesting-allow-list",
  description:
    "Only instances in allowedInstances get security.nesting=true (from their own config or a profile).",
  enforcementLevel: "mandatory",
  defaults: { allowedInstances: [] as string[] },
  schema: {
    allowedInstances: {
      type: "array",
      items: { type: "string" },
      description: "Incus names of the instances allowed to run with security.nesting=true.",
    },
  },
  validate(resources, config, report) {
    const profiles = profilesByName(resources);
    for (const instance of resources.filter((r) => r.type === incusTypes.instance)) {
      const effective = effectiveInstance(instance, profiles);
      if (!isTrue(effective.config["security.nesting"])) continue;
      const name = incusName(instance);
      if (config.allowedInstances.includes(name)) continue;
      report(
        `${describe(instance)} runs with security.nesting=true (set by ${effective.configSource["security.nesting"]}): ` +
          `remove it, or add '${name}' to nesting-allow-list.allowedInstances in the policy config.`,
        instance.urn,
      );
    }
  },
});
