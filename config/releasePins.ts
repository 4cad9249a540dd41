import type { ConfigProblem } from "./errors";
import {
  isReleaseService,
  releaseArchitectures,
  releases,
  type ReleaseArchitecture,
  type ReleaseService,
  type ReleaseSha256,
} from "./releases";
import type { Rule } from "./rules";
import type { ServiceKey, ServiceSettings } from "./schema";

/**
 * Release pins: every (service, version, architecture) Atlas installs must have a
 * SHA-256, from the table in config/releases.ts or from the operator's
 * `atlas:services.<service>.releaseSha256.<arch>`. A version without one is refused
 * here, before anything is registered, rather than installed unverified.
 */

const sha256Pattern = /^[0-9a-f]{64}$/;

const pinShape = `an object of SHA-256 digests (64 hex digits) by architecture: { ${releaseArchitectures
  .map((a) => `"${a}": "…"`)
  .join(", ")} }`;

/** `services.<name>.releaseSha256`: per-architecture SHA-256, normalised to lowercase. */
export const releaseSha256Rule: Rule<ReleaseSha256 | undefined> = (value) => {
  if (value === undefined) return { ok: true, value: undefined };
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, allowed: pinShape };
  }
  const pins: ReleaseSha256 = {};
  for (const [arch, digest] of Object.entries(value)) {
    const known = (releaseArchitectures as readonly string[]).includes(arch);
    const hex = typeof digest === "string" ? digest.trim().toLowerCase() : "";
    if (!known || !sha256Pattern.test(hex)) return { ok: false, allowed: pinShape };
    pins[arch as ReleaseArchitecture] = hex;
  }
  return { ok: true, value: pins };
};

/** One architecture's download of a pinned release. */
export interface PinnedArtifact {
  arch: ReleaseArchitecture;
  url: string;
  sha256: string;
}

/** A release resolved against the table and the operator's pins. */
export interface PinnedRelease {
  version: string;
  /** Only the architectures with a hash: the install script refuses any other. */
  artifacts: PinnedArtifact[];
  /** The config key an operator sets to pin a hash (named in refusals). */
  pinKey: string;
}

function pinKey(service: ServiceKey): string {
  return `atlas:services.${service}.releaseSha256`;
}

/** The operator's hash wins over the table only where the table has none (see problems). */
function pinnedSha256(
  service: ReleaseService,
  version: string,
  arch: ReleaseArchitecture,
  operatorPins: ReleaseSha256 | undefined,
): string | undefined {
  return releases[service].sha256[version]?.[arch] ?? operatorPins?.[arch];
}

/** The downloads and hashes a release-installed service uses for its configured version. */
export function pinnedRelease(service: ReleaseService, settings: ServiceSettings): PinnedRelease {
  const artifacts: PinnedArtifact[] = [];
  for (const arch of releaseArchitectures) {
    const sha256 = pinnedSha256(service, settings.version, arch, settings.releaseSha256);
    if (sha256) {
      artifacts.push({ arch, url: releases[service].url(settings.version, arch), sha256 });
    }
  }
  return { version: settings.version, artifacts, pinKey: pinKey(service) };
}

function fileName(url: string): string {
  return url.slice(url.lastIndexOf("/") + 1);
}

/** The architectures a pinned release has no download for (its script refuses them). */
export function unpinnedArchitectures(release: PinnedRelease): ReleaseArchitecture[] {
  return releaseArchitectures.filter((arch) => !release.artifacts.some((a) => a.arch === arch));
}

/**
 * Release pins that make a stack invalid, as config problems naming the key to set: a
 * version Atlas does not know with no operator hash at all, an operator hash that
 * contradicts the table, or a hash for a service that downloads nothing. A known version still missing an architecture's hash
 * is not a problem here: its install script refuses that architecture, by name.
 */
export function releasePinProblems(
  services: Readonly<Record<ServiceKey, ServiceSettings>>,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const [service, settings] of Object.entries(services) as [ServiceKey, ServiceSettings][]) {
    const operatorPins = settings.releaseSha256;
    if (!isReleaseService(service)) {
      if (operatorPins !== undefined) {
        problems.push({
          key: pinKey(service),
          value: JSON.stringify(operatorPins),
          allowed: `unset: ${service} is installed from Alpine packages or an image, not from a release download`,
        });
      }
      continue;
    }
    // The version's form (it lands in URLs and scripts) is rules.releaseVersion's job.
    const { version } = settings;
    const source = releases[service];
    const table = source.sha256[version];
    for (const arch of releaseArchitectures) {
      const fromTable = table?.[arch];
      const fromOperator = operatorPins?.[arch];
      if (fromTable && fromOperator && fromTable !== fromOperator) {
        problems.push({
          key: `${pinKey(service)}.${arch}`,
          value: `'${fromOperator}'`,
          allowed: `unset, or the SHA-256 Atlas pins for ${fileName(source.url(version, arch))} (${fromTable}): two digests for one download means one of them is wrong`,
        });
      }
    }
    const operatorPinned = releaseArchitectures.some((arch) => operatorPins?.[arch]);
    if (table === undefined && !operatorPinned) {
      const known = Object.keys(source.sha256);
      const shape = releaseArchitectures
        .map((arch) => `"${arch}": <SHA-256 of ${fileName(source.url(version, arch))}>`)
        .join(", ");
      problems.push({
        key: pinKey(service),
        value: "(unset)",
        allowed: `{ ${shape} } (at least the architectures your Incus hosts run): Atlas pins no hash for ${service} ${version} (known versions: ${
          known.length > 0 ? known.join(", ") : "none"
        }), and release downloads are never installed unverified`,
      });
    }
  }
  return problems;
}
