/**
 * docs/configuration.md, written from config/settings.ts: every key a user sets, its type,
 * default, what the reader allows (in the words of its own error) and an example command.
 */
import { serviceDefaults } from "../../config/defaults";
import type { Rule } from "../../config/rules";
import { serviceKeys } from "../../config/schema";
import {
  credentials,
  isComputed,
  scalarSettings,
  sectionSettings,
  serviceFields,
  snapshotFields,
  type ServiceField,
  type Setting,
} from "../../config/settings";

/**
 * What a rule allows, as its own refusal says it: asked about a value no rule accepts (a
 * symbol), every rule answers with its allowed-text.
 */
export function allowedText(rule: Rule<unknown>): string {
  const result = rule(Symbol("probe"));
  return result.ok ? "anything" : result.allowed;
}

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

function code(value: unknown): string {
  if (value === undefined) return "(unset)";
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text === "" ? '`""` (empty)' : `\`${text}\``;
}

/** A value as a shell word: quoted when the shell would read it otherwise. */
function shellWord(value: string): string {
  return /^[A-Za-z0-9@%+=:,./_-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The command that sets `key` to `example` (a list: its first element). */
function exampleCommand(key: string, example: unknown, nested: boolean): string {
  const path = nested ? " --path" : "";
  if (Array.isArray(example)) {
    return `pulumi config set --path ${shellWord(`${key}[0]`)} ${shellWord(String(example[0]))}`;
  }
  if (typeof example === "object" && example !== null) {
    const [field, value] = Object.entries(example)[0];
    return `pulumi config set --path ${key}.${field} ${shellWord(String(value))}`;
  }
  return `pulumi config set${path} ${key} ${shellWord(String(example))}`;
}

function defaultCell(setting: Setting<unknown>): string {
  return isComputed(setting.default) ? setting.default.text : code(setting.default);
}

function settingRow(key: string, setting: Setting<unknown>, nested: boolean): string {
  return `| \`${key}\` | ${cell(setting.description)} | ${setting.type} | ${cell(
    defaultCell(setting),
  )} | ${cell(allowedText(setting.rule))} | \`${cell(exampleCommand(key, setting.example, nested))}\` |`;
}

function serviceRow(key: string, field: ServiceField<unknown>): string {
  return `| \`${key}\` | ${cell(field.description)} | ${field.type} | ${cell(
    allowedText(field.rule),
  )} | \`${cell(exampleCommand(key, field.example, true))}\` |`;
}

const settingHeader = [
  "| Key | Meaning | Type | Default | Allowed | Example |",
  "|---|---|---|---|---|---|",
];

export function configurationMarkdown(): string {
  const lines: string[] = [
    "# Configuration",
    "",
    "<!-- Generated from config/settings.ts by `npm run docs -- --write`; a test fails when it differs. -->",
    "",
    "Every setting lives in the stack's `Pulumi.<stack>.yaml` under the `atlas:` namespace and is",
    "set with `pulumi config set` (`--path` for a field of an object-valued key, `--secret` for a",
    "credential). The program reads the whole configuration before it registers anything: every",
    "invalid value is reported in one error that names the key, the value and what is allowed, a",
    "credential is shown as `[secret]`, and an unknown key is answered with the nearest known one",
    "(`atlas:grafanaDomain`: did you mean `grafana.domain`?).",
    "",
    "The `config:` block of `Pulumi.yaml` declares the top-level keys whose default is the same on",
    "every stack, so `pulumi config` lists them and the CLI refuses a value of the wrong type.",
    "",
    "## Top-level settings",
    "",
    ...settingHeader,
  ];
  for (const [name, setting] of Object.entries(scalarSettings)) {
    lines.push(settingRow(name, setting as Setting<unknown>, false));
  }
  for (const [name, section] of Object.entries(sectionSettings)) {
    lines.push("", `## \`${name}\``, "", section.description, "", ...settingHeader);
    for (const [field, setting] of Object.entries(section.fields)) {
      lines.push(settingRow(`${name}.${field}`, setting as Setting<unknown>, true));
    }
  }

  lines.push(
    "",
    "## `services.<service>`",
    "",
    "Every service has the same settings: its profile's limits, its root disk, its data volume",
    "and that volume's snapshots. Services: " + serviceKeys.map((k) => `\`${k}\``).join(", ") + ".",
    "",
    "| Key | Meaning | Type | Allowed | Example |",
    "|---|---|---|---|---|",
  );
  for (const [field, setting] of Object.entries(serviceFields)) {
    lines.push(serviceRow(`services.loki.${field}`, setting as ServiceField<unknown>));
  }
  for (const [field, setting] of Object.entries(snapshotFields)) {
    lines.push(serviceRow(`services.loki.snapshots.${field}`, setting as ServiceField<unknown>));
  }
  lines.push(
    "",
    "Defaults per service (snapshots are off until `snapshots.enabled` is true; `releaseSha256`",
    "is unset):",
    "",
    "| Service | version | image | cpu | memory | rootDiskSize | dataPersistence | dataVolumeSize | snapshots.schedule | snapshots.expiry | snapshots.pattern |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
  );
  for (const key of serviceKeys) {
    const d = serviceDefaults[key];
    lines.push(
      `| ${key} | ${d.version} | ${d.image} | ${d.cpu} | ${d.memory} | ${d.rootDiskSize} | ${d.dataPersistence} | ${d.dataVolumeSize} | ${d.snapshots.schedule} | ${d.snapshots.expiry} | ${d.snapshots.pattern} |`,
    );
  }

  lines.push(
    "",
    "## Credentials",
    "",
    "Each is optional and must be set with `pulumi config set --secret`: a plain-text value is",
    "refused, and a malformed one is reported as `[secret]`, never echoed. They reach the",
    "services as Pulumi secrets and stay encrypted in the state.",
    "",
    "| Key | Meaning | Allowed | Example |",
    "|---|---|---|---|",
  );
  for (const [name, credential] of Object.entries(credentials)) {
    lines.push(
      `| \`${name}\` | ${cell(credential.description)} | ${cell(allowedText(credential.rule))} | \`${cell(
        `pulumi config set --secret ${name} ${shellWord(credential.example)}`,
      )}\` |`,
    );
  }

  lines.push(
    "",
    "## The `incus` namespace",
    "",
    "| Key | Meaning | Default |",
    "|---|---|---|",
    "| `incus:remote` | Incus remote (from the incus CLI's own configuration) the stack deploys to | `INCUS_REMOTE`, then the CLI's default remote |",
    "| `incus:project` | Incus project | `default` |",
    "",
  );
  return lines.join("\n");
}
