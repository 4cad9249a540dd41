/**
 * A small structural checker for config formats whose own binary cannot run in the
 * tests: each format's documented keys and value types are written down as a `Shape`
 * (formats/*.ts, with the upstream documentation each follows), and `check` lists every
 * place a rendered document strays from it. Unknown keys are errors, as they are for
 * the daemons that parse strictly (Loki, Promtail: `yaml.UnmarshalStrict`).
 */

export type Shape =
  | { kind: "string"; pattern?: RegExp; oneOf?: string[]; describe?: string }
  | { kind: "integer"; min?: number; max?: number }
  | { kind: "boolean" }
  | { kind: "list"; of: Shape; minItems?: number }
  | {
      kind: "object";
      fields: Record<string, Shape>;
      required?: string[];
      /** Keys not listed: allowed with this shape (maps such as labels). */
      rest?: Shape;
    }
  | { kind: "any" };

export const str = (pattern?: RegExp, describe?: string): Shape => ({
  kind: "string",
  pattern,
  describe,
});
export const oneOf = (...values: string[]): Shape => ({ kind: "string", oneOf: values });
export const int = (min?: number, max?: number): Shape => ({ kind: "integer", min, max });
export const bool: Shape = { kind: "boolean" };
export const list = (of: Shape, minItems?: number): Shape => ({ kind: "list", of, minItems });
export const obj = (
  fields: Record<string, Shape>,
  required: string[] = [],
  rest?: Shape,
): Shape => ({ kind: "object", fields, required, rest });
export const anything: Shape = { kind: "any" };

/** Prometheus/Loki durations (`15s`, `720h`, `1h30m`). */
export const duration = str(/^(\d+(ms|s|m|h|d|w|y))+$/, "a duration such as 15s or 720h");
export const port = int(0, 65535);
export const absolutePath = str(/^\/[^\0]*$/, "an absolute path");
export const httpUrl = str(/^https?:\/\/[^\s/]+(\/\S*)?$/, "an http(s) URL");

/** Every deviation of `value` from `shape`, as `path: problem`. */
export function check(value: unknown, shape: Shape, at = "$"): string[] {
  switch (shape.kind) {
    case "any":
      return [];
    case "string": {
      if (typeof value !== "string")
        return [`${at}: expected a string, got ${JSON.stringify(value)}`];
      if (shape.oneOf && !shape.oneOf.includes(value)) {
        return [`${at}: ${JSON.stringify(value)} is not one of ${shape.oneOf.join(", ")}`];
      }
      if (shape.pattern && !shape.pattern.test(value)) {
        return [
          `${at}: ${JSON.stringify(value)} is not ${shape.describe ?? String(shape.pattern)}`,
        ];
      }
      return [];
    }
    case "integer": {
      if (typeof value !== "number" || !Number.isInteger(value)) {
        return [`${at}: expected an integer, got ${JSON.stringify(value)}`];
      }
      if (
        (shape.min !== undefined && value < shape.min) ||
        (shape.max !== undefined && value > shape.max)
      ) {
        return [`${at}: ${value} is outside ${shape.min ?? "-∞"}..${shape.max ?? "∞"}`];
      }
      return [];
    }
    case "boolean":
      return typeof value === "boolean"
        ? []
        : [`${at}: expected true or false, got ${JSON.stringify(value)}`];
    case "list": {
      if (!Array.isArray(value)) return [`${at}: expected a list, got ${JSON.stringify(value)}`];
      const problems = value.flatMap((item, i) => check(item, shape.of, `${at}[${i}]`));
      if (shape.minItems !== undefined && value.length < shape.minItems) {
        problems.push(`${at}: needs at least ${shape.minItems} item(s)`);
      }
      return problems;
    }
    case "object": {
      if (typeof value !== "object" || value === null || Array.isArray(value)) {
        return [`${at}: expected a mapping, got ${JSON.stringify(value)}`];
      }
      const record = value as Record<string, unknown>;
      const problems: string[] = [];
      for (const key of shape.required ?? []) {
        if (!(key in record)) problems.push(`${at}: missing required key ${key}`);
      }
      for (const [key, item] of Object.entries(record)) {
        const field = shape.fields[key] ?? shape.rest;
        if (!field) {
          problems.push(
            `${at}: unknown key ${key} (allowed: ${Object.keys(shape.fields).join(", ")})`,
          );
          continue;
        }
        problems.push(...check(item, field, `${at}.${key}`));
      }
      return problems;
    }
  }
}
