/**
 * `npm run bootstrap -- --stack NAME`: the steps, in order. Each step is one of the named
 * functions beside this file; this file only wires their results together and says what
 * each did.
 */
import type { Stack } from "@pulumi/pulumi/automation";
import { configDir as incusConfigDir } from "../../incus/client";
import { runSteps, type Print, type Step, type StepsOutcome } from "../shared/progress";
import { backendFiles, writeBackendSettings, type BackendSettings } from "./backendSettings";
import { bootstrapStack, managedIds } from "./bootstrapStack";
import { loginToBackend, selectOrCreateStack } from "./mainStack";
import { ensureOciRemotes } from "./ociRemotes";
import {
  checkIncusRemote,
  checkOwnership,
  type OwnershipReport,
  type RemoteInfo,
} from "./preflight";
import { checkLocalMinio, MinioMissingError } from "./minio";
import type { StateBackendOutputs } from "./program";
import type { BootstrapSettings } from "./settings";
import { applyBucketsAddressAndPool, applyStateBucket, describeChanges } from "./stateResources";

export interface BootstrapContext {
  settings: BootstrapSettings;
  env: NodeJS.ProcessEnv;
  print: Print;
  remote?: RemoteInfo;
  ownership?: OwnershipReport;
  stack?: Stack;
  outputs?: StateBackendOutputs;
  backend?: BackendSettings;
}

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`internal: ${what} is not available to this step`);
  return value;
}

export const bootstrapSteps: readonly Step<BootstrapContext>[] = [
  {
    name: "Incus remote",
    checkOnly: true,
    describe: "connect to the stack's Incus remote, check its certificate and that it trusts us",
    run: async (ctx) => {
      ctx.remote = await checkIncusRemote(ctx.settings, ctx.env);
      const r = ctx.remote;
      return {
        changed: false,
        summary: `remote "${r.remote}" (${r.serverName || r.host}, Incus ${r.serverVersion})`,
      };
    },
  },
  {
    name: "ownership",
    checkOnly: true,
    describe:
      "refresh the bootstrap state; check the buckets address, state pool and bucket are free or already ours",
    run: async (ctx) => {
      ctx.stack = await bootstrapStack(ctx.settings);
      // Refresh first, so that a bucket or pool lost since the last run is recreated
      // rather than trusted (the "lost state bucket" playbook is just a rerun).
      if ((await managedIds(ctx.stack)).size > 0) await ctx.stack.refresh({ color: "never" });
      const o = await checkOwnership(
        need(ctx.remote, "the remote"),
        ctx.settings,
        await managedIds(ctx.stack),
      );
      ctx.ownership = o;
      const s = ctx.settings;
      return {
        changed: false,
        summary: `buckets address ${s.bucketsAddress}: ${o.bucketsAddress}; pool "${s.statePool}": ${o.pool}; bucket "${s.bucket}": ${o.bucket}`,
      };
    },
  },
  {
    name: "buckets address and state pool",
    describe:
      "set core.storage_buckets_address and create the state storage pool (pulumi up, targeted)",
    run: async (ctx) => {
      const { changes } = await applyBucketsAddressAndPool(
        need(ctx.stack, "the bootstrap stack"),
        ctx.settings,
        ctx.print,
        need(ctx.remote, "the remote").remote,
      );
      return {
        changed: changes.length > 0,
        summary: describeChanges(
          changes,
          `already in place (buckets address ${ctx.settings.bucketsAddress}, pool "${ctx.settings.statePool}")`,
        ),
      };
    },
  },
  {
    name: "state bucket and key",
    describe: "create the state bucket and its admin key (pulumi up; the key stays a secret)",
    run: async (ctx) => {
      const remote = need(ctx.remote, "the remote");
      // On the local host, check for MinIO before Incus tries (a failed try leaves debris).
      if (remote.client.endpoint.kind === "unix" && ctx.ownership?.bucket !== "ours") {
        const minio = checkLocalMinio(ctx.env);
        if (minio.missing.length > 0) {
          throw new MinioMissingError(
            remote.remote,
            `${minio.missing.join(" and ")} not found in ${minio.searched.join(":")}`,
          );
        }
      }
      const result = await applyStateBucket(
        need(ctx.stack, "the bootstrap stack"),
        ctx.print,
        need(ctx.remote, "the remote").remote,
      );
      ctx.outputs = result.outputs;
      return {
        changed: result.changes.length > 0,
        summary: describeChanges(
          result.changes,
          `already in place (bucket "${result.outputs.bucket}")`,
        ),
      };
    },
  },
  {
    name: "OCI remotes",
    describe: "add the ghcr and docker OCI image remotes to the incus CLI config when missing",
    run: async (ctx) => {
      const r = ensureOciRemotes(incusConfigDir(ctx.env));
      return {
        changed: r.added.length > 0,
        summary: `${r.added.length ? `added ${r.added.join(", ")}` : "already present"} (${r.file})`,
      };
    },
  },
  {
    name: "backend settings",
    describe: "write the S3 backend settings and the 0600 credentials file outside the repository",
    run: async (ctx) => {
      const remote = need(ctx.remote, "the remote");
      const r = writeBackendSettings(
        ctx.settings,
        need(ctx.outputs, "the bucket outputs"),
        remote.host,
        remote.certificate,
      );
      ctx.backend = r.backend;
      return {
        changed: r.changed,
        summary: `${r.changed ? "wrote" : "unchanged"} ${r.files.settingsFile} and ${r.files.envFile}`,
      };
    },
  },
  {
    name: "backend login",
    checkOnly: true,
    describe: "log in to the S3 backend with the written settings",
    run: async (ctx) => {
      const r = await loginToBackend(ctx.settings, ctx.settings.repoRoot);
      return { changed: false, summary: `logged in to ${r.url} as ${r.user}` };
    },
  },
  {
    name: "stack",
    describe: "create the stack on the backend, or select it when it exists",
    run: async (ctx) => {
      const r = await selectOrCreateStack(ctx.settings, ctx.settings.repoRoot);
      return {
        changed: r.created,
        summary: `${r.created ? "created" : "selected existing"} stack ${r.stack}`,
      };
    },
  },
];

export async function runBootstrap(
  settings: BootstrapSettings,
  print: Print,
  env: NodeJS.ProcessEnv = process.env,
): Promise<StepsOutcome> {
  const ctx: BootstrapContext = { settings, env, print };
  try {
    const outcome = await runSteps(
      bootstrapSteps,
      ctx,
      print,
      `npm run bootstrap -- --stack ${settings.stack}`,
    );
    print(
      `Use the backend: set -a; . ${backendFiles(settings).envFile}; set +a  (then npm run up -- --stack ${settings.stack})`,
    );
    return outcome;
  } finally {
    ctx.remote?.client.close();
  }
}
