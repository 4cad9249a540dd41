import { configOf, describe, incusTypes, isTrue } from "../incusResources";
import { resourcePolicy } from "../policy";

/** A privileged container's root is the host's root: never, on any profile or instance. */
export const noPrivilegedContainers = resourcePolicy({
  name: "no-privileged-containers",
  description: "No profile or instance sets security.privileged=true.",
  enforcementLevel: "mandatory",
  defaults: {},
  schema: {},
  types: [incusTypes.instance, incusTypes.profile],
  validate(resource, _config, report) {
    const privileged = configOf(resource)["security.privileged"];
    if (isTrue(privileged)) {
      report(
        `${describe(resource)} sets security.privileged=${privileged}: remove it; Atlas services run unprivileged.`,
      );
    }
  },
});
