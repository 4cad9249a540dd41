/**
 * The e2e driver's engine side: a LocalWorkspace with an inline program around
 * `atlasProgram()`, a file backend in a temporary directory, a passphrase secrets
 * provider and the repository's own Incus plugin (`bin/pulumi-resource-incus`).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  LocalWorkspace,
  type ConfigMap,
  type ProjectSettings,
  type PulumiFn,
  type Stack,
} from "@pulumi/pulumi/automation";
import { atlasDeployment } from "../../program";
import { repoRoot } from "../repoRoot";
import { pulumiCommand } from "../shared/pulumiCommand";

export const e2ePassphrase = "atlas-e2e-passphrase";

/** One e2e run: its temporary state backend and Pulumi home, shared by its stacks. */
export interface E2eRun {
  root: string;
  backendUrl: string;
  pulumiHome: string;
  /** Extra environment for the CLI and the plugins it starts (e.g. the request log). */
  env: Record<string, string>;
}

export function startE2eRun(env: Record<string, string> = {}): E2eRun {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "atlas-e2e-"));
  const state = path.join(root, "state");
  const home = path.join(root, "home");
  fs.mkdirSync(state);
  fs.mkdirSync(home);
  return { root, backendUrl: `file://${state}`, pulumiHome: home, env };
}

export function endE2eRun(run: E2eRun): void {
  fs.rmSync(run.root, { recursive: true, force: true });
}

/**
 * The compiled plugin must match the sources: a stale dist/ would test yesterday's
 * provider. CI runs `npm run build` before the tests.
 */
export function assertProviderBuilt(): void {
  const main = path.join(repoRoot, "dist", "incus", "provider", "main.js");
  if (!fs.existsSync(main)) {
    throw new Error(`the Incus plugin is not compiled (${main} missing): run \`npm run build\``);
  }
  const built = fs.statSync(main).mtimeMs;
  const newer: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith(".ts") && fs.statSync(full).mtimeMs > built + 1000) {
        newer.push(path.relative(repoRoot, full));
      }
    }
  };
  walk(path.join(repoRoot, "incus"));
  if (newer.length > 0) {
    throw new Error(
      `the compiled Incus plugin is older than ${newer.slice(0, 3).join(", ")}: run \`npm run build\``,
    );
  }
}

interface PluginSettings {
  plugins: { providers: { name: string; path: string }[] };
}

export interface OpenStackOptions {
  stackName: string;
  config: ConfigMap;
  /** The Atlas program by default; tests may wrap it. */
  program?: PulumiFn;
}

/** Creates (or selects) a stack of project `atlas` in the run's backend, with its config. */
export async function openE2eStack(run: E2eRun, options: OpenStackOptions): Promise<Stack> {
  const pulumiCmd = await pulumiCommand();
  const program: PulumiFn = options.program ?? (() => atlasDeployment());
  // `plugins` is a Pulumi.yaml key the SDK's ProjectSettings type does not declare; the
  // workspace writes the object as given, so the engine finds the repository's plugin.
  const projectSettings: ProjectSettings & PluginSettings = {
    name: "atlas",
    runtime: "nodejs",
    backend: { url: run.backendUrl },
    plugins: { providers: [{ name: "incus", path: path.join(repoRoot, "bin") }] },
  };
  const stack = await LocalWorkspace.createOrSelectStack(
    { stackName: options.stackName, projectName: "atlas", program },
    {
      pulumiCommand: pulumiCmd,
      pulumiHome: run.pulumiHome,
      projectSettings,
      envVars: {
        PULUMI_CONFIG_PASSPHRASE: e2ePassphrase,
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: "true",
        ...run.env,
      },
    },
  );
  await stack.setAllConfig(options.config);
  return stack;
}
