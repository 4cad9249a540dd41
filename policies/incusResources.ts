/**
 * Reading Incus resources the way the policies need them: their config and devices
 * (as the SDK declares them, tolerant of missing fields), and an instance's effective
 * config and devices once its profiles are applied, as Incus applies them.
 */
import * as incus from "../incus/sdk";

/** Resource type tokens, from the SDK so they never drift from what components register. */
export const incusTypes = {
  instance: incus.Instance.__pulumiType,
  profile: incus.Profile.__pulumiType,
  storageVolume: incus.StorageVolume.__pulumiType,
} as const;

/** The profile Incus applies when an instance names none (`profiles` omitted). */
export const defaultProfileName = "default";

/** What a policy needs of a resource: its type, names and inputs (or outputs). */
export interface IncusResource {
  type: string;
  /** Pulumi resource name. */
  name: string;
  urn: string;
  props: Record<string, unknown>;
  /**
   * Profile resources the instance's `profiles` input was computed from (the engine's
   * property dependencies, stack policies only): they resolve profile names that are
   * unknown during a preview.
   */
  profileDependencies?: IncusResource[];
}

export type IncusConfig = Record<string, string>;

export interface IncusDevice {
  name: string;
  type: string;
  properties: Record<string, string>;
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/**
 * The known string values of a config or properties map. During a preview the policy SDK
 * throws when a policy reads a value that is not known yet (e.g. cloud-init user-data
 * built from instance addresses); such keys are left out, so one unknown value does not
 * stop every policy from checking the keys that are known (limits, security, raw.*).
 */
function stringValues(value: unknown): Record<string, string> {
  const record = asRecord(value);
  const out: Record<string, string> = {};
  for (const key of Object.keys(record)) {
    let v: unknown;
    try {
      v = record[key];
    } catch {
      continue;
    }
    if (v !== undefined && v !== null) out[key] = String(v);
  }
  return out;
}

/** The Incus object name (`props.name`), falling back to the Pulumi name. */
export function incusName(resource: IncusResource): string {
  const name = resource.props.name;
  return typeof name === "string" && name !== "" ? name : resource.name;
}

/** How a message names a resource: `Instance grafana01`. */
export function describe(resource: IncusResource): string {
  const kind = resource.type.split(":").pop() ?? resource.type;
  const incusObject = incusName(resource);
  return incusObject === resource.name
    ? `${kind} '${incusObject}'`
    : `${kind} '${incusObject}' (Pulumi resource '${resource.name}')`;
}

export function configOf(resource: IncusResource): IncusConfig {
  return stringValues(resource.props.config);
}

export function devicesOf(resource: IncusResource): IncusDevice[] {
  const devices = resource.props.devices;
  if (!Array.isArray(devices)) return [];
  return devices.map((d: unknown) => {
    const device = asRecord(d);
    return {
      name: String(device.name ?? ""),
      type: String(device.type ?? ""),
      properties: stringValues(device.properties),
    };
  });
}

/**
 * An instance's profile names in order, or undefined when the instance names none (Incus
 * then applies the `default` profile). During a preview the engine hands the analyzer
 * values it cannot know yet (a new profile's `name` output) as null: unknown entries
 * are left out (they are never `default`), and a `profiles` list that is unknown as a
 * whole is an empty list here, not an absent one (see `profilesUnknown`).
 */
export function profileNamesOf(instance: IncusResource): string[] | undefined {
  const profiles = instance.props.profiles;
  if (profiles === null) return [];
  return Array.isArray(profiles)
    ? profiles.filter((p: unknown): p is string => typeof p === "string")
    : undefined;
}

/** Whether some of an instance's profile names are not known yet (preview). */
export function profilesUnknown(instance: IncusResource): boolean {
  const profiles = instance.props.profiles;
  return profiles === null || (Array.isArray(profiles) && profiles.some((p) => p === null));
}

/** Where an instance runs: its `targetNode`, or undefined when Incus places it. */
export function targetNodeOf(resource: IncusResource): string | undefined {
  const target = resource.props.targetNode ?? resource.props.target;
  return typeof target === "string" && target !== "" ? target : undefined;
}

/** Which resource set an effective config key or device (for messages). */
export interface EffectiveInstance {
  instance: IncusResource;
  config: IncusConfig;
  /** Name of the profile (or `instance config`) that set each config key. */
  configSource: Record<string, string>;
  devices: IncusDevice[];
  /** Profile names the instance uses that no Profile resource in the stack defines. */
  unresolvedProfiles: string[];
}

export const instanceConfigSource = "instance config";

/**
 * Applies an instance's profiles in order, then its own config and devices, as Incus
 * does: later profiles override earlier ones key by key, devices by name.
 */
export function effectiveInstance(
  instance: IncusResource,
  profilesByName: ReadonlyMap<string, IncusResource>,
): EffectiveInstance {
  const config: IncusConfig = {};
  const configSource: Record<string, string> = {};
  const devices = new Map<string, IncusDevice>();
  const unresolvedProfiles: string[] = [];
  const layers: { source: string; resource: IncusResource }[] = [];
  const names = profileNamesOf(instance) ?? [defaultProfileName];
  for (const name of names) {
    const profile = profilesByName.get(name);
    if (profile) layers.push({ source: `profile '${name}'`, resource: profile });
    else unresolvedProfiles.push(name);
  }
  // Names unknown during a preview: the profiles they come from, after the known ones
  // (a service profile, the one that varies, comes last in Atlas's composition).
  if (profilesUnknown(instance)) {
    for (const profile of instance.profileDependencies ?? []) {
      const name = incusName(profile);
      if (!names.includes(name)) layers.push({ source: `profile '${name}'`, resource: profile });
    }
  }
  layers.push({ source: instanceConfigSource, resource: instance });
  for (const { source, resource } of layers) {
    for (const [key, value] of Object.entries(configOf(resource))) {
      config[key] = value;
      configSource[key] = source;
    }
    for (const device of devicesOf(resource)) devices.set(device.name, device);
  }
  return { instance, config, configSource, devices: [...devices.values()], unresolvedProfiles };
}

/** Profile resources of a stack by their Incus name. */
export function profilesByName(resources: readonly IncusResource[]): Map<string, IncusResource> {
  const byName = new Map<string, IncusResource>();
  for (const r of resources) if (r.type === incusTypes.profile) byName.set(incusName(r), r);
  return byName;
}

/** The root disk among devices: a disk device mounted at `/`. */
export function rootDisk(devices: readonly IncusDevice[]): IncusDevice | undefined {
  return devices.find((d) => d.type === "disk" && d.properties.path === "/");
}

/**
 * A service profile is one that sets resource limits (`limits.*`): that is what makes it
 * the profile an instance is sized by. Network profiles (a NIC) and container-base
 * (`boot.*` settings) set no limits and are not service profiles.
 */
export function isServiceProfile(profile: IncusResource): boolean {
  return Object.keys(configOf(profile)).some((key) => key.startsWith("limits."));
}

/** Config values that Incus reads as true. */
export function isTrue(value: string | undefined): boolean {
  return value !== undefined && ["true", "1", "yes", "on"].includes(value.toLowerCase());
}
