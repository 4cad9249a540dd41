import { defaultProfileName, describe, incusTypes, profileNamesOf } from "../incusResources";
import { resourcePolicy } from "../policy";

/**
 * The `default` profile puts eth0 on incusbr0 (unwanted external access) and carries no
 * limits: instances compose container-base + a network profile + their service profile.
 */
export const noDefaultProfile = resourcePolicy({
  name: "instance-no-default-profile",
  description:
    "Instances never use the 'default' profile (named, or applied because no profiles are given).",
  enforcementLevel: "mandatory",
  defaults: {},
  schema: {},
  types: [incusTypes.instance],
  validate(instance, _config, report) {
    const profiles = profileNamesOf(instance);
    // a list not known yet (preview) is checked by `pulumi up`, when it is
    if (instance.props.profiles === null) return;
    const fix =
      "give it container-base, a network profile and its service profile (buildServiceAnatomy does)";
    if (profiles === undefined) {
      report(
        `${describe(instance)} names no profiles, so Incus applies the '${defaultProfileName}' profile: ${fix}.`,
      );
    } else if (profiles.includes(defaultProfileName)) {
      report(
        `${describe(instance)} uses the '${defaultProfileName}' profile (profiles: ${profiles.join(", ")}): remove it and ${fix}.`,
      );
    }
  },
});
