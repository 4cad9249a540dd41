/**
 * The `config:` block of Pulumi.yaml, written from config/settings.ts. Pulumi declares a
 * key with a type, a description and a default; the CLI then lists it in `pulumi config`
 * and refuses a stack value of another type before the program runs. What the CLI does with
 * a declaration decides which keys get one (as the CLI, 3.274, does it; the first point is
 * tested in tests/unit/docs/projectConfig.cli.test.ts):
 * - a declared key without a default is required on every stack, so keys whose default
 *   differs per stack (`topology`, `clusterNodes`) and the optional credentials are not
 *   declared;
 * - `secret: true` makes the CLI refuse a plain-text value, but also any stack without the
 *   key (a default is plain text too), so it cannot be used for optional credentials: the
 *   program refuses plain-text credentials itself;
 * - object-valued keys have no declared type (a project `value:` would be overwritten whole
 *   by a stack's `--path` setting), so they are documented, not declared.
 */
import * as YAML from "yaml";
import { isComputed, scalarSettings, type Setting } from "../../config/settings";

const ns = "atlas";
const header = [
  "# Generated from config/settings.ts by `npm run docs -- --write` (every key, credentials",
  "# included: docs/configuration.md). Declared here: the top-level keys with one default for",
  "# every stack, so `pulumi config` shows them and the CLI checks their type.",
];

/** The declarations, as Pulumi reads them. */
export function projectConfigDeclarations(): Record<string, Record<string, unknown>> {
  const declarations: Record<string, Record<string, unknown>> = {};
  for (const [name, raw] of Object.entries(scalarSettings)) {
    const setting = raw as Setting<unknown>;
    if (isComputed(setting.default) || setting.type === "object") continue;
    declarations[`${ns}:${name}`] = {
      type: setting.type,
      description: setting.description,
      ...(setting.type === "array" ? { items: { type: "string" } } : {}),
      default: setting.default,
    };
  }
  return declarations;
}

/** The block as text, from `config:` to the end of the file. */
export function projectConfigBlock(): string {
  const body = YAML.stringify({ config: projectConfigDeclarations() }, { lineWidth: 0 });
  return `${header.join("\n")}\n${body}`;
}

const blockPattern =
  /(^# Generated from config\/settings\.ts[^\n]*\n(#[^\n]*\n)*)?^config:\n(( [^\n]*)?\n)*/m;

/** Pulumi.yaml with its `config:` block replaced (or added at the end). */
export function withProjectConfig(pulumiYaml: string): string {
  const block = projectConfigBlock();
  if (blockPattern.test(pulumiYaml)) return pulumiYaml.replace(blockPattern, block);
  return `${pulumiYaml.trimEnd()}\n${block}`;
}

/** The `config:` block Pulumi.yaml holds now, or undefined. */
export function currentProjectConfig(pulumiYaml: string): string | undefined {
  return blockPattern.exec(pulumiYaml)?.[0];
}
