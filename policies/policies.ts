import type { Policies } from "@pulumi/policy";
import { hostCapacity } from "./rules/hostCapacity";
import { instanceHasLimits } from "./rules/instanceHasLimits";
import { limitValues } from "./rules/limitValues";
import { memoryLimitsHard } from "./rules/memoryLimitsHard";
import { nestingAllowList } from "./rules/nestingAllowList";
import { noDefaultProfile } from "./rules/noDefaultProfile";
import { noPrivilegedContainers } from "./rules/noPrivilegedContainers";
import { noRawConfig } from "./rules/noRawConfig";
import { proxyListenAllowList } from "./rules/proxyListenAllowList";
import { serviceProfileRootDisk } from "./rules/serviceProfileRootDisk";
import { snapshotExpiry } from "./rules/snapshotExpiry";
import { storageVolumeSize } from "./rules/storageVolumeSize";

/** Every Atlas policy, in the order the README lists them (index.ts packs them). */
export const atlasPolicies: Policies = [
  noDefaultProfile,
  instanceHasLimits,
  memoryLimitsHard,
  limitValues,
  serviceProfileRootDisk,
  storageVolumeSize,
  snapshotExpiry,
  noPrivilegedContainers,
  nestingAllowList,
  noRawConfig,
  proxyListenAllowList,
  hostCapacity,
];
