/**
 * Masking of secret input values in the text the provider sends to the engine (errors and
 * warnings). The engine hides secrets only in the property values it displays; a message a
 * provider builds from command output, a command line or a file is printed as it is. So
 * every string that arrived as a secret is replaced by `[secret]` before it leaves.
 */
import { isObject, type PropertyMap, type PropertyValue, type PropPath } from "./values";

export const MASK = "[secret]";

/**
 * Lines of a multi-line secret (a config file holding a password) shorter than this are
 * not masked on their own: a `}` or `[main]` line would blank out every message.
 */
const MIN_LINE = 6;

/** A function returning its text with every secret value replaced by MASK. */
export type Masker = (text: string) => string;

function leaves(v: PropertyValue, out: string[]): void {
  if (typeof v === "string") out.push(v);
  else if (Array.isArray(v)) v.forEach((e) => leaves(e, out));
  else if (isObject(v)) Object.values(v).forEach((e) => leaves(e, out));
}

function at(v: PropertyValue, path: PropPath): PropertyValue {
  let cur = v;
  for (const key of path) {
    if (Array.isArray(cur) && typeof key === "number") cur = cur[key];
    else if (isObject(cur) && typeof key === "string") cur = cur[key];
    else return undefined;
  }
  return cur;
}

/** Every string held under the secret paths of a plain property map. */
export function secretStrings(props: PropertyMap, paths: PropPath[]): string[] {
  const out: string[] = [];
  for (const p of paths) leaves(at(props, p), out);
  return out;
}

/**
 * A masker for the given secret values: each whole value, and each line of a multi-line
 * value (a checker quoting one line of a secret file), longest first so that a value
 * containing another is masked whole.
 */
export function secretMasker(values: string[]): Masker {
  const needles = new Set<string>();
  for (const v of values) {
    if (v === "") continue;
    needles.add(v);
    if (v.includes("\n")) {
      for (const line of v.split("\n")) {
        const t = line.trim();
        if (t.length >= MIN_LINE) needles.add(t);
      }
    }
  }
  const sorted = [...needles].sort((a, b) => b.length - a.length);
  if (sorted.length === 0) return (text) => text;
  return (text) => {
    let out = text;
    for (const n of sorted) out = out.split(n).join(MASK);
    return out;
  };
}

/** The error with its message masked (a new Error, so its stack holds no secret either). */
export function maskError(e: unknown, mask: Masker): unknown {
  if (!(e instanceof Error)) return typeof e === "string" ? new Error(mask(e)) : e;
  const masked = mask(e.message);
  if (masked === e.message) return e;
  return new Error(masked);
}
