/**
 * The quick start's stack configuration: the repository's own iapetus stack
 * (Pulumi.iapetus.yaml, the embedded default) with what this machine needs on top: its
 * pool and project, one image when asked, the features whose plugin could not be
 * fetched switched off, and the user's `--set` values last.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { ConfigMap } from "@pulumi/pulumi/automation";
import { parse as parseYaml } from "yaml";
import { serviceKeys } from "../../config/schema";
import { repoRoot } from "../repoRoot";
import { stackConfigValues } from "../shared/stackConfig";

export interface StackSettingsInput {
  pool?: string;
  incusProject: string;
  image?: string;
  /** False when the tls plugin is missing: the Incus metrics certificate needs it. */
  incusMetricsPossible: boolean;
  /** The daemon's version, e.g. "6.0.4": 6.0 LTS knows only the `loki.*` server keys. */
  serverVersion: string;
  settings: Record<string, string>;
}

/** The embedded default: the iapetus stack's settings as the repository ships them. */
export function iapetusDefaults(root: string = repoRoot): Record<string, string> {
  const text = fs.readFileSync(path.join(root, "Pulumi.iapetus.yaml"), "utf8");
  return stackConfigValues(parseYaml(text));
}

function objectOf(json: string | undefined): Record<string, unknown> {
  if (json === undefined) return {};
  try {
    const v: unknown = JSON.parse(json);
    return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The plain (non-secret) settings of the quick start's stack, as strings. */
export function quickstartValues(input: StackSettingsInput): Record<string, string> {
  const values: Record<string, string> = { ...iapetusDefaults(), "atlas:topology": "iapetus" };
  if (input.pool) values["atlas:storagePool"] = input.pool;
  if (input.incusProject !== "default") values["incus:project"] = input.incusProject;
  if (input.image) {
    const services = objectOf(values["atlas:services"]);
    for (const key of serviceKeys) {
      services[key] = { ...objectOf(JSON.stringify(services[key] ?? {})), image: input.image };
    }
    values["atlas:services"] = JSON.stringify(services);
  }
  if (!input.incusMetricsPossible) {
    values["atlas:incusMetrics"] = JSON.stringify({
      ...objectOf(values["atlas:incusMetrics"]),
      enabled: false,
    });
  }
  if (/^6\.0\./.test(input.serverVersion)) {
    values["atlas:incusLoki"] = JSON.stringify({
      ...objectOf(values["atlas:incusLoki"]),
      serverKeys: "loki",
    });
  }
  return { ...values, ...input.settings };
}

/** The values as the workspace takes them. */
export function toConfigMap(values: Record<string, string>): ConfigMap {
  const config: ConfigMap = {};
  for (const [key, value] of Object.entries(values)) config[key] = { value };
  return config;
}

/** The pool the stack will use (what the quick start creates when absent). */
export function poolOf(values: Record<string, string>): string {
  return values["atlas:storagePool"] ?? "local";
}

/** Every image the services will be created from (Atlantis' only when it is enabled). */
export function imagesOf(values: Record<string, string>, defaultImage: string): string[] {
  const services = objectOf(values["atlas:services"]);
  const images = new Set<string>();
  const atlantis = objectOf(values["atlas:atlantis"]).enabled === true;
  for (const key of serviceKeys) {
    if (key === "atlantis" && !atlantis) continue;
    const image = objectOf(JSON.stringify(services[key] ?? {})).image;
    images.add(typeof image === "string" ? image : defaultImage);
  }
  return [...images];
}
