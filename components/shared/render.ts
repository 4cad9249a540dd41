import * as fs from "node:fs";
import * as path from "node:path";
import Mustache from "mustache";
import { isPrintable } from "../../config/rules";

// The templates folder sits at the repository root: two levels above this file in the
// sources (ts-node, vitest), three above it in dist/ (compiled scripts).
const templatesDirCandidates = [
  path.resolve(__dirname, "..", "..", "templates"),
  path.resolve(__dirname, "..", "..", "..", "templates"),
];

/** Folder holding every mustache template (service config files, init scripts, zones). */
export const templatesDir =
  templatesDirCandidates.find((dir) => fs.existsSync(dir)) ?? templatesDirCandidates[0];

/**
 * What a template renders, which decides how every value placed in it is escaped:
 * - `shell`: a POSIX shell script; each value becomes exactly one shell word (single-quoted
 *   when it holds anything beyond `A-Za-z0-9_@%+=:,./-`), so it is data, never code.
 * - `ini`: grafana.ini; each value is one INI value, triple-quoted when it holds characters
 *   INI or Grafana would read (`#`, `;`, quotes, spaces at either end).
 * - `config`: whitespace-separated directive files (mosquitto.conf, Corefile, zone files);
 *   each value must be one plain token (`configToken`), as these formats share no quoting.
 * In every format a value with a line break or another control character is refused.
 */
export type TemplateFormat = "shell" | "ini" | "config";

/**
 * Every template and its format. A new template must be listed here, so nothing renders
 * without an escaping rule.
 */
export const templateFormats: Readonly<Record<string, TemplateFormat>> = {
  "install-release.sh.mustache": "shell",
  "step-ca-init.sh.mustache": "shell",
  "step-ca-settings.sh.mustache": "shell",
  "step-ca-certificate.sh.mustache": "shell",
  "openrc-service.mustache": "shell",
  "openrc-conf.mustache": "shell",
  "apply-config.sh.mustache": "shell",
  "grafana-server.sh.mustache": "shell",
  "ovn-central.start.mustache": "shell",
  "grafana.ini.mustache": "ini",
  "mosquitto.conf.mustache": "config",
  "Corefile.mustache": "config",
  "coredns-zone.db.mustache": "config",
};

/**
 * Text the program itself wrote in a template's format (a shell command such as a reload),
 * placed as is. It is the only way to put unescaped text into a template: plain strings are
 * always escaped, and `{{{triple}}}`/`{{&amp}}` tags are refused.
 */
export class TemplateFragment {
  constructor(
    readonly format: TemplateFormat,
    readonly text: string,
  ) {}
}

/** A shell command written by the program (never from configuration), placed verbatim. */
export function shellCode(text: string): TemplateFragment {
  return new TemplateFragment("shell", text);
}

/** Characters a shell word may hold unquoted. */
const plainShellWord = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** A value as one POSIX shell word: plain words as they are, anything else single-quoted. */
export function shellQuote(value: string): string {
  return plainShellWord.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

const plainIniValue = /^[A-Za-z0-9_@%+=:,./-]*$/;

/** A value as one grafana.ini value: plain as it is, anything else between triple quotes. */
export function iniQuote(value: string): string {
  return plainIniValue.test(value) ? value : `"""${value}"""`;
}

/**
 * What a token of a Corefile, zone file or mosquitto.conf may hold: names, addresses, paths
 * and numbers. Whitespace, quotes, braces, parentheses, '#', ';' and '$' all mean something
 * in one of them.
 */
const configToken = /^[A-Za-z0-9_.:/@%+=,-]*$/;

/** Why `text` cannot be placed in a `format` template, or undefined when it can. */
export function unplaceable(format: TemplateFormat, text: string): string | undefined {
  // Each control character is a way out of the line, word or value the text is placed in.
  if (!isPrintable(text)) return "holds a line break or another control character";
  if (format === "ini") {
    if (text.includes('"""') || text.endsWith('"'))
      return "holds '\"\"\"' or ends with '\"', which INI triple quotes cannot carry";
    // Grafana expands these in every setting, and offers no escape for them.
    if (/\$(__\w+)?\{/.test(text)) return "holds Grafana's variable syntax ('${' or '$__…{')";
  }
  if (format === "config" && !configToken.test(text))
    return "holds characters other than letters, digits and . _ : / @ % + = , -";
  return undefined;
}

function escapeFor(format: TemplateFormat, template: string): (value: unknown) => string {
  return (value: unknown): string => {
    if (value instanceof TemplateFragment) {
      if (value.format !== format) {
        throw new Error(`template ${template}: a ${value.format} fragment in a ${format} file`);
      }
      return value.text;
    }
    const text = String(value);
    // The view was checked before rendering; this catches values mustache computed itself.
    const problem = unplaceable(format, text);
    if (problem !== undefined) throw new Error(`template ${template}: a value ${problem}`);
    if (format === "shell") return shellQuote(text);
    if (format === "ini") return iniQuote(text);
    return text;
  };
}

/** Every value of a view that will be placed (strings and numbers), with its path. */
function* placedValues(value: unknown, at: string): Generator<[string, string]> {
  if (value instanceof TemplateFragment || typeof value === "boolean" || value == null) return;
  if (typeof value === "string" || typeof value === "number") {
    yield [at, String(value)];
  } else if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) yield* placedValues(item, `${at}[${i}]`);
  } else if (typeof value === "object") {
    for (const [key, item] of Object.entries(value)) yield* placedValues(item, `${at}.${key}`);
  }
}

type Token = ReturnType<typeof Mustache.parse>[number];

/** Tokens of a template, those inside sections included. */
function* allTokens(tokens: readonly Token[]): Generator<Token> {
  for (const token of tokens) {
    yield token;
    const nested: unknown = token[4];
    if (Array.isArray(nested)) yield* allTokens(nested as Token[]);
  }
}

const cache = new Map<string, string>();

/**
 * Renders `templates/<name>` with mustache, escaping every value for the template's format
 * (`templateFormats`). A missing view key is an error rather than an empty string, and a
 * value the format cannot carry is an error naming the key (never the value, which may be a
 * secret) rather than a broken or injectable file.
 */
export function renderTemplate(name: string, view: Record<string, unknown>): string {
  const format = templateFormats[name];
  if (format === undefined) {
    throw new Error(`template ${name}: no format declared in templateFormats (render.ts)`);
  }
  let template = cache.get(name);
  if (template === undefined) {
    template = fs.readFileSync(path.join(templatesDir, name), "utf8");
    cache.set(name, template);
  }
  const tokens = Mustache.parse(template);
  const unescaped = [...allTokens(tokens)].filter((token) => token[0] === "&");
  if (unescaped.length > 0) {
    throw new Error(
      `template ${name}: '${String(unescaped[0][1])}' is placed unescaped; ` +
        "use {{name}} and pass program-written text as a TemplateFragment",
    );
  }
  const names = tokens
    .filter((token) => token[0] === "name" || token[0] === "#" || token[0] === "^")
    .map((token) => String(token[1]));
  for (const key of names) {
    if (key !== "." && !(key.split(".")[0] in view)) {
      throw new Error(`template ${name}: no value for '${key}'`);
    }
  }
  for (const [key, text] of placedValues(view, "")) {
    const problem = unplaceable(format, text);
    if (problem !== undefined) {
      throw new Error(`template ${name}: the value of '${key.slice(1)}' ${problem}`);
    }
  }
  return Mustache.render(template, view, undefined, { escape: escapeFor(format, name) });
}
