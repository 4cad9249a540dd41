/**
 * The one place where "what changed, and can Incus change it in place?" is decided, plus
 * the config-map rules shared by every resource with a `config`.
 *
 * Config maps are managed key by key: the provider owns the keys the program sets and
 * never removes keys that Incus or the host added (volatile.*, a bridge's generated
 * ipv4.address, a physical network's host settings). State keeps only the managed keys, so
 * comparing state with new inputs is a plain map comparison.
 */
import type { DiffResult } from "@pulumi/pulumi/provider";
import { OWNER_KEY } from "./ownership";
import type { ResourceSpec } from "./schema";
import {
  containsUnknown,
  deepEqual,
  isObject,
  type PropertyMap,
  type PropertyValue,
} from "./values";

export interface ResourceDiff extends DiffResult {
  /** Properties that differ (for messages and tests). */
  readonly changed: string[];
}

function byName(v: PropertyValue): PropertyValue {
  if (!Array.isArray(v)) return v;
  return [...v].sort((a, b) => {
    const na = isObject(a) && typeof a.name === "string" ? a.name : "";
    const nb = isObject(b) && typeof b.name === "string" ? b.name : "";
    return na < nb ? -1 : na > nb ? 1 : 0;
  });
}

/** Compares old state with new (checked) inputs, property by property, following `spec`. */
export function diffProperties(
  spec: ResourceSpec,
  olds: PropertyMap,
  news: PropertyMap,
): ResourceDiff {
  const changed: string[] = [];
  for (const [key, p] of Object.entries(spec.props)) {
    let n: PropertyValue = news[key] ?? undefined;
    let o: PropertyValue = olds[key] ?? undefined;
    if (n === undefined && p.computedWhenOmitted) continue;
    if (n !== undefined && containsUnknown(n)) {
      changed.push(key);
      continue;
    }
    n = n ?? p.default;
    o = o ?? p.default;
    // An absent map/list and an empty one mean the same thing to Incus.
    if (
      (p.kind === "stringMap" && n === undefined) ||
      (p.kind === "stringMap" && o === undefined)
    ) {
      n = n ?? {};
      o = o ?? {};
    }
    if (p.unorderedByName) {
      n = byName(n ?? []);
      o = byName(o ?? []);
    }
    if (!deepEqual(n, o)) changed.push(key);
  }
  const replaces = changed.filter((k) => spec.props[k]?.replaceOnChange);
  // Incus identifies objects by name: recreating one under the same name must delete the
  // old one first, or the create would conflict with it.
  const identityKept = spec.identity.every((k) => !changed.includes(k));
  return {
    changes: changed.length > 0,
    replaces,
    changed,
    deleteBeforeReplace: replaces.length > 0 && identityKept,
  };
}

export type StringMap = Record<string, string>;

export function asStringMap(v: PropertyValue): StringMap {
  const out: StringMap = {};
  if (isObject(v)) {
    for (const [k, e] of Object.entries(v)) if (typeof e === "string") out[k] = e;
  }
  return out;
}

/**
 * The config to PUT: the live config, minus keys this resource managed before and no
 * longer sets, plus the keys it sets now. Keys nobody asked for are left as they are.
 */
export function mergeConfig(
  live: StringMap,
  previouslyManaged: StringMap,
  desired: StringMap,
): StringMap {
  const out: StringMap = { ...live };
  for (const k of Object.keys(previouslyManaged)) if (!(k in desired)) delete out[k];
  return Object.assign(out, desired);
}

/**
 * The managed view of a live config: on refresh, the keys the state manages; on import
 * (no state), every key except those Incus maintains itself and the owner tag.
 */
export function managedView(
  live: StringMap,
  managed: StringMap | undefined,
  ignore: (key: string) => boolean = () => false,
): StringMap {
  const out: StringMap = {};
  if (managed) {
    for (const k of Object.keys(managed)) if (k in live) out[k] = live[k];
  } else {
    for (const [k, v] of Object.entries(live)) if (!ignore(k) && k !== OWNER_KEY) out[k] = v;
  }
  return out;
}

/** Keys Incus writes on its own; never imported into a program. */
export function isInternalKey(key: string): boolean {
  return key.startsWith("volatile.") || key.startsWith("image.");
}

export interface Device {
  name: string;
  type: string;
  properties: StringMap;
}

export function devicesFromInputs(v: PropertyValue): Device[] {
  if (!Array.isArray(v)) return [];
  return v.filter(isObject).map((d) => ({
    name: String(d.name),
    type: String(d.type),
    properties: asStringMap(d.properties ?? {}),
  }));
}

export function devicesToApi(devices: Device[]): Record<string, StringMap> {
  const out: Record<string, StringMap> = {};
  for (const d of devices) out[d.name] = { ...d.properties, type: d.type };
  return out;
}

export function devicesFromApi(api: Record<string, StringMap> | undefined | null): Device[] {
  return Object.entries(api ?? {})
    .map(([name, all]) => {
      const { type, ...properties } = all;
      return { name, type: type ?? "none", properties };
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Devices as plain property values (for outputs). */
export function devicesValue(devices: Device[]): PropertyValue {
  return devices.map((d) => ({ name: d.name, type: d.type, properties: { ...d.properties } }));
}
