/**
 * The Incus target of a stack as the program itself would see it: read from
 * `Pulumi.<stack>.yaml` through the same parser (config/parse.ts), so the scripts and the
 * program never disagree about the remote, project or storage pool.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { parseAtlasConfig, type AtlasConfig } from "../../config";
import { repoRoot } from "../repoRoot";

export type IncusTarget = AtlasConfig["incus"];

/**
 * Stack config values as strings, the way Pulumi hands them to a program (objects and lists
 * as JSON). Secret values (`secure:`) are left out: the scripts never need them, and they
 * cannot be decrypted here.
 */
export function stackConfigValues(document: unknown): Record<string, string> {
  const config =
    document && typeof document === "object" && "config" in document
      ? (document as { config: unknown }).config
      : undefined;
  const values: Record<string, string> = {};
  if (!config || typeof config !== "object") return values;
  for (const [key, value] of Object.entries(config as Record<string, unknown>)) {
    if (value && typeof value === "object" && "secure" in value) continue;
    values[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return values;
}

/** The stack's Incus remote, project and storage pool, with the program's defaults. */
export function readIncusTarget(stack: string, root: string = repoRoot): IncusTarget {
  const file = path.join(root, `Pulumi.${stack}.yaml`);
  const document: unknown = fs.existsSync(file) ? parseYaml(fs.readFileSync(file, "utf8")) : {};
  return parseAtlasConfig({ stack, values: stackConfigValues(document), secretKeys: [] }).incus;
}
