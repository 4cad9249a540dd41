/**
 * What the bootstrap creates and where it keeps things, per stack. The names translate the
 * reference's bootstrap (pool `terraform-state`, bucket `atlas-terraform-state`) to Pulumi.
 */
import * as os from "node:os";
import * as path from "node:path";
import type { TopologyName } from "../../config/schema";
import { repoRoot } from "../repoRoot";
import { readIncusTarget } from "../shared/stackConfig";

export interface BootstrapSettings {
  stack: TopologyName;
  /** Incus remote from the stack config (`incus:remote`); empty: `$INCUS_REMOTE`, then the default. */
  remote: string;
  /** `core.storage_buckets_address` the S3 listener binds to. */
  bucketsAddress: string;
  statePool: string;
  statePoolDriver: string;
  bucket: string;
  /** Name of the bucket's admin key that Pulumi uses. */
  keyName: string;
  /** S3 region for the backend URL (MinIO's default). */
  region: string;
  /** The bootstrap program's own local state (gitignored). */
  bootstrapStateDir: string;
  /** Where backend settings and credentials go: outside the repository. */
  configDir: string;
  repoRoot: string;
}

export type BootstrapOverrides = Partial<
  Pick<
    BootstrapSettings,
    "remote" | "bucketsAddress" | "statePool" | "statePoolDriver" | "bucket" | "region"
  >
>;

/** `$ATLAS_CONFIG_DIR`, else `$XDG_CONFIG_HOME/atlas`, else `~/.config/atlas`. */
export function atlasConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ATLAS_CONFIG_DIR) return env.ATLAS_CONFIG_DIR;
  const base = env.XDG_CONFIG_HOME || path.join(env.HOME || os.homedir(), ".config");
  return path.join(base, "atlas");
}

export function bootstrapSettings(
  stack: TopologyName,
  overrides: BootstrapOverrides = {},
  env: NodeJS.ProcessEnv = process.env,
  root: string = repoRoot,
): BootstrapSettings {
  const defined = Object.fromEntries(
    Object.entries(overrides).filter(([, v]) => v !== undefined && v !== ""),
  ) as BootstrapOverrides;
  const bucket = defined.bucket ?? "atlas-pulumi-state";
  return {
    stack,
    remote: readIncusTarget(stack, root).remote,
    bucketsAddress: ":8555",
    statePool: "pulumi-state",
    statePoolDriver: "dir",
    region: "us-east-1",
    ...defined,
    bucket,
    keyName: `${bucket}-admin`,
    bootstrapStateDir: path.join(root, ".atlas", "bootstrap", stack),
    configDir: atlasConfigDir(env),
    repoRoot: root,
  };
}
