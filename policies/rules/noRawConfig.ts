import { configOf, describe, incusTypes } from "../incusResources";
import { resourcePolicy } from "../policy";

/**
 * raw.lxc and raw.idmap bypass Incus's own checks (arbitrary LXC keys, host uid maps):
 * they can undo the isolation every other policy relies on.
 */
export const noRawConfig = resourcePolicy({
  name: "no-raw-lxc-config",
  description: "No profile or instance sets raw.lxc or raw.idmap (or other keys in forbiddenKeys).",
  enforcementLevel: "mandatory",
  defaults: { forbiddenKeys: ["raw.lxc", "raw.idmap"] },
  schema: {
    forbiddenKeys: {
      type: "array",
      items: { type: "string" },
      description: "Config keys no profile or instance may set.",
    },
  },
  types: [incusTypes.instance, incusTypes.profile],
  validate(resource, config, report) {
    const set = Object.keys(configOf(resource)).filter((key) => config.forbiddenKeys.includes(key));
    if (set.length > 0) {
      report(
        `${describe(resource)} sets ${set.join(", ")}: remove ${set.length === 1 ? "it" : "them"}; ` +
          `express the need with regular Incus config keys.`,
      );
    }
  },
});
