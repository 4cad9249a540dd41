/**
 * The quick start's command line: every option has a default that deploys the iapetus
 * topology onto the local Incus daemon; the options exist for a machine where that
 * default would collide with something (a shared daemon, an offline machine).
 */
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { UsageError } from "../shared/args";

export interface QuickstartOptions {
  /** Pulumi stack name (the iapetus topology whatever the name). */
  stack: string;
  /** Incus project for the platform's profiles, volumes and instances. */
  incusProject: string;
  /** Storage pool for root disks and data volumes; created (dir driver) when absent. */
  pool?: string;
  /** One image for every service instead of the platform's own (e.g. a local alias). */
  image?: string;
  /** Where the project, its stack config and the file state backend live (outside the repo). */
  stateDir: string;
  /** Where the generated passphrase is kept, 0600 (outside the repo). */
  passphraseFile: string;
  /** Extra stack settings, `atlas:<key>` → value (JSON, or a plain string). */
  settings: Record<string, string>;
  /** Tear down what the quick start deployed instead of deploying. */
  destroy: boolean;
}

export const quickstartUsage = `usage: scripts/quickstart.sh [options]
  --image IMAGE        every service from this image (a local alias such as atlas-test)
  --project NAME       Incus project for the platform (default: default; created when absent)
  --pool NAME          storage pool (default: the iapetus stack's, local; created as dir)
  --state-dir DIR      project, stack config and state (default: ~/.local/share/atlas/quickstart)
  --stack NAME         stack name (default: iapetus)
  --set KEY=VALUE      a stack setting, e.g. --set 'atlas:productionNetwork={"name":"qs0p"}'
  --destroy            remove what the quick start deployed`;

/** `$ATLAS_QUICKSTART_DIR`, else `$XDG_DATA_HOME/atlas/quickstart`, else ~/.local/share/... */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ATLAS_QUICKSTART_DIR) return env.ATLAS_QUICKSTART_DIR;
  const data = env.XDG_DATA_HOME || path.join(os.homedir(), ".local", "share");
  return path.join(data, "atlas", "quickstart");
}

const STACK_NAME = /^[A-Za-z0-9_.-]{1,100}$/;
const INCUS_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

export function parseQuickstartOptions(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): QuickstartOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        image: { type: "string" },
        project: { type: "string" },
        pool: { type: "string" },
        "state-dir": { type: "string" },
        stack: { type: "string" },
        set: { type: "string", multiple: true },
        destroy: { type: "boolean" },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const v = parsed.values;
  const stack = v.stack ?? "iapetus";
  if (!STACK_NAME.test(stack)) {
    throw new UsageError(`--stack "${stack}": a stack name is letters, digits, '_', '.' and '-'`);
  }
  for (const [flag, value] of [
    ["--project", v.project],
    ["--pool", v.pool],
  ] as const) {
    if (value !== undefined && !INCUS_NAME.test(value)) {
      throw new UsageError(
        `${flag} "${value}": an Incus name is 1-63 letters, digits, '_', '.' or '-', starting with a letter or digit`,
      );
    }
  }
  if (v.image !== undefined && (v.image === "" || /\s/.test(v.image))) {
    throw new UsageError(`--image "${v.image}": an image alias or remote:alias, without spaces`);
  }
  const settings: Record<string, string> = {};
  for (const s of v.set ?? []) {
    const eq = s.indexOf("=");
    const key = eq > 0 ? s.slice(0, eq) : "";
    if (!/^(atlas|incus):[A-Za-z][A-Za-z0-9]*$/.test(key)) {
      throw new UsageError(
        `--set "${s}": expected atlas:<key>=<value> (a setting of config/schema.ts; JSON for objects)`,
      );
    }
    settings[key] = s.slice(eq + 1);
  }
  const stateDir = path.resolve(v["state-dir"] ?? defaultStateDir(env));
  return {
    stack,
    incusProject: v.project ?? "default",
    pool: v.pool,
    image: v.image,
    stateDir,
    passphraseFile: path.join(stateDir, "passphrase"),
    settings,
    destroy: v.destroy === true,
  };
}
