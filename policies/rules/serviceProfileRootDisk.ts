import { describe, devicesOf, incusTypes, isServiceProfile, rootDisk } from "../incusResources";
import { resourcePolicy } from "../policy";
import { parseSize } from "../sizes";

/**
 * A service profile (one that sets `limits.*`) defines a root disk with a size, so no
 * service can fill the pool (the reference's DoS guard). Network profiles and
 * container-base set no limits and are left alone.
 */
export const serviceProfileRootDisk = resourcePolicy({
  name: "service-profile-root-disk",
  description:
    "Every service profile (a profile that sets limits.*) defines a root disk device (path /) with a size.",
  enforcementLevel: "mandatory",
  defaults: {},
  schema: {},
  types: [incusTypes.profile],
  validate(profile, _config, report) {
    if (!isServiceProfile(profile)) return;
    const root = rootDisk(devicesOf(profile));
    if (!root) {
      report(
        `${describe(profile)} sets limits but has no root disk: add a disk device { path: "/", pool, size } (e.g. size 1GB).`,
      );
    } else if (parseSize(root.properties.size) === undefined) {
      const size =
        root.properties.size === undefined ? "no size" : `size '${root.properties.size}'`;
      report(
        `${describe(profile)} has a root disk '${root.name}' with ${size}: set properties.size, e.g. 1GB or 2GB.`,
      );
    }
  },
});
