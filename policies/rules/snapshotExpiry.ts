import { configOf, describe, incusTypes } from "../incusResources";
import { resourcePolicy } from "../policy";

/** Scheduled snapshots without an expiry accumulate until the pool is full. */
export const snapshotExpiry = resourcePolicy({
  name: "snapshot-schedule-has-expiry",
  description: "A storage volume with snapshots.schedule also sets snapshots.expiry.",
  enforcementLevel: "mandatory",
  defaults: {},
  schema: {},
  types: [incusTypes.storageVolume],
  validate(volume, _config, report) {
    const config = configOf(volume);
    const schedule = config["snapshots.schedule"]?.trim() ?? "";
    const expiry = config["snapshots.expiry"]?.trim() ?? "";
    if (schedule !== "" && expiry === "") {
      report(
        `${describe(volume)} takes snapshots on '${schedule}' but never expires them: set snapshots.expiry (e.g. 7d or 2w).`,
      );
    }
  },
});
