/**
 * The bootstrap program's own Pulumi stack: local file state under
 * `.atlas/bootstrap/<stack>` (gitignored), a passphrase of its own kept outside the
 * repository, and the Incus provider plugin from this repository's `bin/`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { LocalWorkspace, type ProjectSettings, type Stack } from "@pulumi/pulumi/automation";
import { pulumiCommand } from "../shared/pulumiCommand";
import { ensurePassphraseFile } from "../shared/secretFiles";
import { stateBackendProgram } from "./program";
import type { BootstrapSettings } from "./settings";

export const bootstrapProjectName = "atlas-bootstrap";

/** Project settings plus `plugins`, which the Automation API passes through unchanged. */
type ProjectWithPlugins = ProjectSettings & {
  plugins: { providers: { name: string; path: string }[] };
};

export function bootstrapProjectSettings(settings: BootstrapSettings): ProjectWithPlugins {
  return {
    name: bootstrapProjectName,
    runtime: "nodejs",
    description: `Atlas bootstrap of stack ${settings.stack}: the Pulumi state bucket`,
    backend: { url: `file://${settings.bootstrapStateDir}` },
    plugins: { providers: [{ name: "incus", path: path.join(settings.repoRoot, "bin") }] },
  };
}

/**
 * Environment of every bootstrap Pulumi command: the backend and passphrase are pinned
 * here so that a PULUMI_BACKEND_URL or PULUMI_CONFIG_PASSPHRASE in the user's shell can
 * never send the bootstrap state elsewhere or lock it with another passphrase.
 */
export function bootstrapEnv(settings: BootstrapSettings): Record<string, string> {
  const passphraseFile = ensurePassphraseFile(
    path.join(settings.configDir, `${settings.stack}.bootstrap.passphrase`),
    settings.repoRoot,
  );
  return {
    PULUMI_BACKEND_URL: `file://${settings.bootstrapStateDir}`,
    PULUMI_CONFIG_PASSPHRASE: fs.readFileSync(passphraseFile, "utf8").trim(),
    PULUMI_SKIP_UPDATE_CHECK: "1",
  };
}

export async function bootstrapStack(settings: BootstrapSettings): Promise<Stack> {
  fs.mkdirSync(settings.bootstrapStateDir, { recursive: true });
  return LocalWorkspace.createOrSelectStack(
    {
      stackName: settings.stack,
      projectName: bootstrapProjectName,
      program: stateBackendProgram(settings),
    },
    {
      projectSettings: bootstrapProjectSettings(settings),
      envVars: bootstrapEnv(settings),
      pulumiCommand: await pulumiCommand(),
    },
  );
}

/** Ids of the resources the bootstrap state holds, by type token (none before the first run). */
export async function managedIds(stack: Stack): Promise<Map<string, string[]>> {
  const exported = await stack.exportStack();
  const resources = (exported.deployment as { resources?: { type: string; id?: string }[] })
    .resources;
  const ids = new Map<string, string[]>();
  for (const r of resources ?? []) {
    if (!r.id) continue;
    ids.set(r.type, [...(ids.get(r.type) ?? []), r.id]);
  }
  return ids;
}
