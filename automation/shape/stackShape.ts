/**
 * Runs the real Atlas program for a stack under mocks, with the stack's own
 * `Pulumi.<stack>.yaml` settings, and returns what it registers.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { atlasProgram } from "../../program";
import { repoRoot } from "../repoRoot";
import { startMockedRun, type RecordedResource } from "./mockedRun";

/** Non-secret settings of `Pulumi.<stack>.yaml` as full config keys. */
export function stackFileConfig(stack: string): Record<string, unknown> {
  const file = path.join(repoRoot, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(file)) return {};
  const document = YAML.parse(fs.readFileSync(file, "utf8")) as {
    config?: Record<string, unknown>;
  } | null;
  const config: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(document?.config ?? {})) {
    const isEncrypted = typeof value === "object" && value !== null && "secure" in value;
    if (!isEncrypted) config[key] = value;
  }
  return config;
}

export interface ConfigOverlay {
  config: Record<string, unknown>;
  secretKeys: string[];
}

/**
 * Settings that switch on every optional service of a topology (iapetus: Cloudflared,
 * Atlantis with its gitops network), with placeholder credentials, to show the full
 * budget. cluster01 has no optional services.
 */
export function optionalFeatures(stack: string): ConfigOverlay {
  const topology = stackFileConfig(stack)["atlas:topology"] ?? stack;
  if (topology !== "iapetus") return { config: {}, secretKeys: [] };
  return {
    config: {
      "atlas:cloudflaredTunnelToken": "placeholder",
      "atlas:atlantisGithubToken": "placeholder",
      "atlas:atlantisWebhookSecret": "placeholder",
      "atlas:atlantis": { enabled: true },
      "atlas:gitopsNetwork": { enabled: true },
    },
    secretKeys: [
      "atlas:cloudflaredTunnelToken",
      "atlas:atlantisGithubToken",
      "atlas:atlantisWebhookSecret",
    ],
  };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export async function recordStack(
  stack: string,
  overlay: { config: Record<string, unknown>; secretKeys: string[] } = {
    config: {},
    secretKeys: [],
  },
): Promise<RecordedResource[]> {
  const base = stackFileConfig(stack);
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overlay.config)) {
    const existing = merged[key];
    merged[key] =
      isPlainObject(existing) && isPlainObject(value) ? { ...existing, ...value } : value;
  }
  const run = await startMockedRun({ stack, config: merged, secretKeys: overlay.secretKeys });
  atlasProgram();
  await run.settle();
  return run.resources;
}
