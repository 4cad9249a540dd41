import * as fs from "node:fs";
import * as path from "node:path";
import Mustache from "mustache";

// The templates folder sits at the repository root: two levels above this file in the
// sources (ts-node, vitest), three above it in dist/ (compiled scripts).
const templatesDirCandidates = [
  path.resolve(__dirname, "..", "..", "templates"),
  path.resolve(__dirname, "..", "..", "..", "templates"),
];

/** Folder holding every mustache template (service config files, init scripts, zones). */
export const templatesDir =
  templatesDirCandidates.find((dir) => fs.existsSync(dir)) ?? templatesDirCandidates[0];

const cache = new Map<string, string>();

/**
 * Renders `templates/<name>` with mustache. Templates only place values: no HTML
 * escaping, and a missing view key is an error rather than an empty string.
 */
export function renderTemplate(name: string, view: Record<string, unknown>): string {
  let template = cache.get(name);
  if (template === undefined) {
    template = fs.readFileSync(path.join(templatesDir, name), "utf8");
    cache.set(name, template);
  }
  const names = Mustache.parse(template)
    .filter(
      (token) => token[0] === "name" || token[0] === "&" || token[0] === "#" || token[0] === "^",
    )
    .map((token) => String(token[1]));
  for (const key of names) {
    if (key !== "." && !(key.split(".")[0] in view)) {
      throw new Error(`template ${name}: no value for '${key}'`);
    }
  }
  return Mustache.render(template, view, undefined, { escape: (text: string) => text });
}
