/**
 * Declarative description of each resource's inputs, used by the shared check (validation
 * and normalization) and the shared diff (what updates in place, what forces replacement).
 */
import type { CheckFailure } from "@pulumi/pulumi/provider";
import { containsUnknown, isObject, type PropertyMap, type PropertyValue } from "./values";

export type PropKind =
  "string" | "boolean" | "number" | "stringMap" | "stringList" | "devices" | "list";

export interface PropSpec {
  kind: PropKind;
  required?: boolean;
  /** Allowed values for a string. */
  enum?: readonly string[];
  /** A string's format, with the words used in the error message. */
  pattern?: { re: RegExp; allowed: string };
  /** Filled in by check when omitted, so state and diffs always see a value. */
  default?: PropertyValue;
  /** Changing the property replaces the Incus object (Incus cannot change it in place). */
  replaceOnChange?: boolean;
  /**
   * When omitted, the property is not managed: the live value (set by Incus or the host)
   * is kept and never reported as a difference.
   */
  computedWhenOmitted?: boolean;
  /** Lists of named items (devices) compared regardless of order. */
  unorderedByName?: boolean;
  /** Validates one element of a `list`; returns reasons, empty when fine. */
  item?: (value: PropertyValue, index: number) => string[];
  /**
   * Token of the object type a `list` holds (`incus:index:InstanceFile`, see
   * objectTypes.ts): what the package schema names as the list's element type.
   */
  itemType?: string;
}

/** A property Incus computes: in the resource's state and outputs, never an input. */
export interface OutputSpec {
  kind: PropKind;
  description: string;
  /** Always a Pulumi secret, whatever the inputs were. */
  secret?: boolean;
}

export interface ResourceSpec {
  token: string;
  /** Short type name used in messages, e.g. "Profile". */
  label: string;
  /** What the resource is, for the package schema and the docs generated from it. */
  description?: string;
  props: Record<string, PropSpec>;
  /** Properties that make up the object's identity in Incus (name, pool, ...). */
  identity: string[];
  /** Properties Incus computes, published as outputs beside the inputs. */
  outputs?: Record<string, OutputSpec>;
  /** Cross-property validation after the per-property checks; returns failures. */
  validate?: (inputs: PropertyMap) => CheckFailure[];
}

/** Incus object names used in URLs: no slash, no whitespace, not "." or "..". */
export const GENERIC_NAME = {
  re: /^(?!\.\.?$)[^\s/]{1,255}$/,
  allowed: 'a non-empty name without "/" or whitespace (and not "." or "..")',
};

/** Instance names double as hostnames. */
export const INSTANCE_NAME = {
  re: /^[a-zA-Z](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/,
  allowed:
    "a hostname: 1-63 letters, digits and hyphens, starting with a letter and not ending with a hyphen",
};

/** Network names become Linux interface names (15 bytes at most). */
export const NETWORK_NAME = {
  re: /^[a-zA-Z0-9_][a-zA-Z0-9_.-]{0,14}$/,
  allowed: "an interface name: 1-15 letters, digits, '_', '-' or '.', not starting with '-' or '.'",
};

export const DEVICE_TYPES = [
  "none",
  "nic",
  "disk",
  "unix-char",
  "unix-block",
  "unix-hotplug",
  "usb",
  "gpu",
  "infiniband",
  "proxy",
  "tpm",
  "pci",
] as const;

function show(v: PropertyValue): string {
  return typeof v === "string" ? JSON.stringify(v) : JSON.stringify(v ?? null);
}

/** Config values must be strings in Incus; numbers and booleans are stringified for the user. */
function normalizeStringMap(v: PropertyValue, reasons: string[]): PropertyValue {
  if (!isObject(v)) {
    reasons.push(`must be a map of strings (got ${show(v)})`);
    return v;
  }
  const out: Record<string, PropertyValue> = {};
  for (const [k, e] of Object.entries(v)) {
    if (e === undefined || e === null) continue;
    if (typeof e === "number" || typeof e === "boolean") out[k] = String(e);
    else if (typeof e === "string") out[k] = e;
    else reasons.push(`key "${k}" must be a string (got ${show(e)})`);
  }
  return out;
}

function validateDevice(v: PropertyValue, index: number): string[] {
  if (!isObject(v)) return [`devices[${index}] must be {name, type, properties}`];
  const reasons: string[] = [];
  const where = `devices[${index}]${typeof v.name === "string" ? ` ("${v.name}")` : ""}`;
  if (typeof v.name !== "string" || !GENERIC_NAME.re.test(v.name)) {
    reasons.push(`${where}: name must be ${GENERIC_NAME.allowed}`);
  }
  if (typeof v.type !== "string" || !(DEVICE_TYPES as readonly string[]).includes(v.type)) {
    reasons.push(`${where}: type must be one of ${DEVICE_TYPES.join(", ")} (got ${show(v.type)})`);
  }
  const props = v.properties ?? {};
  if (!isObject(props)) {
    reasons.push(`${where}: properties must be a map of strings`);
    return reasons;
  }
  if ("type" in props) reasons.push(`${where}: set the device type with "type", not in properties`);
  if (v.type === "disk") {
    if (typeof props.path !== "string" && v.name !== "root" && typeof props.source !== "string") {
      reasons.push(`${where}: a disk device needs properties.path (where to mount it)`);
    }
    if (typeof props.source !== "string" && typeof props.pool !== "string") {
      reasons.push(
        `${where}: a disk device needs properties.pool (root disk or storage volume) or properties.source`,
      );
    }
  }
  if (v.type === "proxy") {
    for (const key of ["listen", "connect"]) {
      const s = props[key];
      if (typeof s !== "string" || !/^(tcp|udp|unix):/.test(s)) {
        reasons.push(
          `${where}: a proxy device needs properties.${key} as <tcp|udp|unix>:<address> (got ${show(s)})`,
        );
      }
    }
  }
  return reasons;
}

function normalizeDevices(v: PropertyValue, reasons: string[]): PropertyValue {
  if (!Array.isArray(v)) {
    reasons.push(`must be a list of {name, type, properties}`);
    return v;
  }
  const seen = new Set<string>();
  return v.map((d, i) => {
    reasons.push(...validateDevice(d, i));
    if (!isObject(d)) return d;
    if (typeof d.name === "string") {
      if (seen.has(d.name)) reasons.push(`device name "${d.name}" is used twice`);
      seen.add(d.name);
    }
    const sub: string[] = [];
    const properties = normalizeStringMap(d.properties ?? {}, sub);
    reasons.push(...sub.map((r) => `devices[${i}].properties: ${r}`));
    return { name: d.name, type: d.type, properties };
  });
}

/**
 * Validates and normalizes inputs. Unknown (preview) values are passed through untouched:
 * they are checked again when known.
 */
export function checkInputs(
  spec: ResourceSpec,
  news: PropertyMap,
  resourceName: string,
): { inputs: PropertyMap; failures: CheckFailure[] } {
  const failures: CheckFailure[] = [];
  const inputs: PropertyMap = {};
  const prefix = `${spec.label} "${resourceName}"`;
  const fail = (property: string, reason: string): void => {
    failures.push({ property, reason: `${prefix}: ${property}: ${reason}` });
  };
  for (const key of Object.keys(news)) {
    if (!(key in spec.props) && news[key] !== undefined && news[key] !== null) {
      fail(key, `unknown property; allowed: ${Object.keys(spec.props).join(", ")}`);
    }
  }
  for (const [key, p] of Object.entries(spec.props)) {
    let v = news[key];
    if (v === null) v = undefined;
    if (v === undefined) {
      if (p.required) {
        fail(key, "is required");
        continue;
      }
      if (p.default !== undefined) inputs[key] = structuredClone(p.default);
      continue;
    }
    if (containsUnknown(v)) {
      inputs[key] = v;
      continue;
    }
    const reasons: string[] = [];
    switch (p.kind) {
      case "string":
        if (typeof v === "number") v = String(v);
        if (typeof v !== "string") reasons.push(`must be a string (got ${show(v)})`);
        else if (p.required && v === "") reasons.push("must not be empty");
        else if (p.enum && !p.enum.includes(v)) {
          reasons.push(`must be one of ${p.enum.join(", ")} (got ${show(v)})`);
        } else if (p.pattern && !p.pattern.re.test(v)) {
          reasons.push(`must be ${p.pattern.allowed} (got ${show(v)})`);
        }
        break;
      case "boolean":
        if (v === "true" || v === "false") v = v === "true";
        if (typeof v !== "boolean") reasons.push(`must be true or false (got ${show(v)})`);
        break;
      case "number":
        if (typeof v !== "number" || !Number.isInteger(v) || v < 0) {
          reasons.push(`must be a non-negative integer (got ${show(v)})`);
        }
        break;
      case "stringMap":
        v = normalizeStringMap(v, reasons);
        break;
      case "stringList":
        if (!Array.isArray(v) || v.some((e) => typeof e !== "string" || e === "")) {
          reasons.push(`must be a list of non-empty strings (got ${show(v)})`);
        }
        break;
      case "devices":
        v = normalizeDevices(v, reasons);
        break;
      case "list":
        if (!Array.isArray(v)) reasons.push(`must be a list (got ${show(v)})`);
        else if (p.item) v.forEach((e, i) => reasons.push(...p.item!(e, i)));
        break;
    }
    for (const r of reasons) fail(key, r);
    inputs[key] = v;
  }
  // Cross-property rules need every value; with unknowns they run again at apply time.
  const anyUnknown = Object.values(inputs).some((v) => v !== undefined && containsUnknown(v));
  if (failures.length === 0 && spec.validate && !anyUnknown) {
    for (const f of spec.validate(inputs)) {
      failures.push({ property: f.property, reason: `${prefix}: ${f.property}: ${f.reason}` });
    }
  }
  return { inputs, failures };
}
