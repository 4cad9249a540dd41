/**
 * Property values as the engine sends them over gRPC (Struct → plain JS): secrets arrive
 * wrapped in a signature object and preview-time unknowns as a sentinel string. Handlers
 * work on plain values; the provider unwraps on the way in and re-wraps on the way out so
 * a secret input never comes back as a plain output.
 */

export type PropertyValue =
  string | number | boolean | null | undefined | PropertyValue[] | { [key: string]: PropertyValue };
export type PropertyMap = Record<string, PropertyValue>;

/** The engine's marker for a value not known until apply (preview). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

export function isObject(v: PropertyValue): v is { [key: string]: PropertyValue } {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isSecretWrapper(v: PropertyValue): v is { [key: string]: PropertyValue } {
  return isObject(v) && v[SIG_KEY] === SECRET_SIG;
}

export function isUnknown(v: PropertyValue): boolean {
  return v === UNKNOWN;
}

/**
 * True if the value is, or contains, an unknown. During preview the engine hands a list
 * element that is not known yet (a new profile's name) over as null, so a null inside a
 * list counts as unknown too: no program sends a null element on purpose.
 */
export function containsUnknown(v: PropertyValue): boolean {
  if (v === UNKNOWN) return true;
  if (Array.isArray(v)) return v.some((e) => e === null || containsUnknown(e));
  if (isObject(v)) return Object.values(v).some(containsUnknown);
  return false;
}

/** A path into a property tree: object keys and array indexes. */
export type PropPath = (string | number)[];

/** Removes secret wrappers, returning the plain value and where the secrets were. */
export function unwrapSecrets(v: PropertyValue): { value: PropertyValue; secrets: PropPath[] } {
  const secrets: PropPath[] = [];
  const walk = (x: PropertyValue, path: PropPath): PropertyValue => {
    if (isSecretWrapper(x)) {
      secrets.push(path);
      return walk(x.value, path);
    }
    if (Array.isArray(x)) return x.map((e, i) => walk(e, [...path, i]));
    if (isObject(x)) {
      const out: { [key: string]: PropertyValue } = {};
      for (const [k, e] of Object.entries(x)) out[k] = walk(e, [...path, k]);
      return out;
    }
    return x;
  };
  return { value: walk(v, []), secrets };
}

export function unwrapMap(m: PropertyMap | undefined): { value: PropertyMap; secrets: PropPath[] } {
  const { value, secrets } = unwrapSecrets(m ?? {});
  return { value: (value ?? {}) as PropertyMap, secrets };
}

export function secret(v: PropertyValue): PropertyValue {
  return { [SIG_KEY]: SECRET_SIG, value: v };
}

/** Wraps the values found at the given paths (missing paths are skipped). */
export function wrapSecrets(v: PropertyMap, paths: PropPath[]): PropertyMap {
  if (paths.length === 0) return v;
  const root = structuredClone(v) as PropertyValue;
  // Deepest paths first so that wrapping a parent never hides a child path.
  const sorted = [...paths].sort((a, b) => b.length - a.length);
  let result: PropertyValue = root;
  for (const path of sorted) {
    if (path.length === 0) {
      result = secret(result);
      continue;
    }
    let parent: PropertyValue = result;
    for (const key of path.slice(0, -1)) {
      parent = getChild(parent, key);
      if (parent === undefined) break;
    }
    const last = path[path.length - 1];
    if (Array.isArray(parent) && typeof last === "number" && last < parent.length) {
      parent[last] = secret(parent[last]);
    } else if (isObject(parent) && typeof last === "string" && last in parent) {
      if (parent[last] !== undefined) parent[last] = secret(parent[last]);
    }
  }
  return result as PropertyMap;
}

function getChild(v: PropertyValue, key: string | number): PropertyValue {
  if (Array.isArray(v) && typeof key === "number") return v[key];
  if (isObject(v) && typeof key === "string") return v[key];
  return undefined;
}

/** Structural equality of plain property values (object key order ignored). */
export function deepEqual(a: PropertyValue, b: PropertyValue): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}

/** Drops undefined members so outputs serialize cleanly into a protobuf Struct. */
export function compact(m: PropertyMap): PropertyMap {
  const out: PropertyMap = {};
  for (const [k, v] of Object.entries(m)) if (v !== undefined) out[k] = v;
  return out;
}
