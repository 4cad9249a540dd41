import {
  describe,
  effectiveInstance,
  incusTypes,
  profilesByName,
  profilesUnknown,
  type EffectiveInstance,
} from "../incusResources";
import { stackPolicy } from "../policy";

function missingLimits(effective: EffectiveInstance): string[] {
  return ["limits.cpu", "limits.memory"].filter((key) => !(key in effective.config));
}

/**
 * Every instance is sized: its profiles (resolved against the Profile resources of the
 * same stack, applied in order) or its own config set `limits.cpu` and `limits.memory`.
 * A stack policy, because an instance only names its profiles.
 */
export const instanceHasLimits = stackPolicy({
  name: "instance-has-limits",
  description:
    "Every instance gets limits.cpu and limits.memory from a profile of the stack (or its own config).",
  enforcementLevel: "mandatory",
  defaults: {},
  schema: {},
  validate(resources, _config, report) {
    const profiles = profilesByName(resources);
    for (const instance of resources.filter((r) => r.type === incusTypes.instance)) {
      const effective = effectiveInstance(instance, profiles);
      const missing = missingLimits(effective);
      // profile names still unknown (preview) that no dependency resolved: undecidable
      if (missing.length === 0 || profilesUnknown(instance)) continue;
      const unresolved =
        effective.unresolvedProfiles.length > 0
          ? ` Profiles not defined in this stack (cannot be checked): ${effective.unresolvedProfiles.join(", ")}.`
          : "";
      report(
        `${describe(instance)} has no ${missing.join(" and ")} from its profiles or config: ` +
          `add its service profile (limits.cpu, limits.memory, limits.memory.enforce=hard) to its profiles.${unresolved}`,
        instance.urn,
      );
    }
  },
});
