import { configOf, describe, incusTypes } from "../incusResources";
import { resourcePolicy } from "../policy";
import { parseSize } from "../sizes";

/**
 * Volumes are sized, within bounds: an unsized volume can fill the pool, and a size far
 * beyond the reference's largest (Prometheus, 100GB) is almost always a typo.
 */
export const storageVolumeSize = resourcePolicy({
  name: "storage-volume-size",
  description: "Storage volumes set config.size within [minSize, maxSize].",
  enforcementLevel: "mandatory",
  defaults: { minSize: "1GB", maxSize: "200GB" },
  schema: {
    minSize: { type: "string", description: "Smallest allowed volume size, e.g. 1GB." },
    maxSize: { type: "string", description: "Largest allowed volume size, e.g. 200GB." },
  },
  types: [incusTypes.storageVolume],
  validate(volume, config, report) {
    const size = configOf(volume).size;
    const bytes = parseSize(size);
    const min = parseSize(config.minSize) ?? 0;
    const max = parseSize(config.maxSize) ?? Infinity;
    const bounds = `between ${config.minSize} and ${config.maxSize}`;
    if (size === undefined) {
      report(`${describe(volume)} has no size: set config.size ${bounds}.`);
    } else if (bytes === undefined) {
      report(`${describe(volume)} has size '${size}', which is not a size: use e.g. 10GB.`);
    } else if (bytes < min || bytes > max) {
      report(
        `${describe(volume)} has size ${size}, outside the allowed range: set config.size ${bounds}, ` +
          `or change this policy's minSize/maxSize in the policy config.`,
      );
    }
  },
});
