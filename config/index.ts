import * as pulumi from "@pulumi/pulumi";
import * as runtimeConfig from "@pulumi/pulumi/runtime/config";
import { parseAtlasConfig } from "./parse";
import type { AtlasConfig } from "./schema";

export * from "./schema";
export { ConfigValidationError, type ConfigProblem } from "./errors";
export { parseAtlasConfig, type ConfigInput } from "./parse";
export { serviceDefaults, alpineCloudImage } from "./defaults";
export {
  pinnedRelease,
  unpinnedArchitectures,
  type PinnedArtifact,
  type PinnedRelease,
} from "./releasePins";
export {
  releaseArchitectures,
  releases,
  releaseServices,
  type ReleaseArchitecture,
  type ReleaseService,
  type ReleaseSha256,
} from "./releases";

// Pulumi keeps the list of secret keys in its runtime store; the accessor is internal,
// so it is looked up defensively rather than imported from a typed module.
function secretConfigKeys(values: Record<string, string>): string[] {
  const isSecret = (runtimeConfig as { isConfigSecret?: (key: string) => boolean }).isConfigSecret;
  return isSecret ? Object.keys(values).filter((k) => isSecret(k)) : [];
}

/** Reads the current stack's configuration (throws ConfigValidationError on bad input). */
export function loadAtlasConfig(): AtlasConfig {
  const values = pulumi.runtime.allConfig();
  return parseAtlasConfig({
    stack: pulumi.getStack(),
    values,
    secretKeys: secretConfigKeys(values),
  });
}
