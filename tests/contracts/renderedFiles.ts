/**
 * The files the Atlas program renders for each instance of a stack, taken from the
 * program itself run under mocks (never written by hand), so the contract tests start
 * the real daemons on exactly what a deployment would write.
 *
 * Files reach an instance in two ways, and both are collected: cloud-init user-data's
 * `write_files` (`config["cloud-init.user-data"]`, what is installed once) and the
 * Instance's `files` input (`{targetPath, content, mode}`, pushed at every `up`). When a
 * path appears in both, the `files` input wins: it is what Incus writes last.
 */
import * as pulumi from "@pulumi/pulumi";
import { startMockedRun, type RecordedResource } from "../../automation/shape/mockedRun";
import { stackFileConfig } from "../../automation/shape/stackShape";
import { loadAtlasConfig } from "../../config";
import { atlasProgram } from "../../program";
import { instanceFiles, unwrapSecrets, type InstanceFiles } from "./instanceFiles";

export type { InstanceFiles, RenderedFile } from "./instanceFiles";

/** What one mocked run of a stack renders. */
export interface RenderedStack {
  stack: string;
  /** Instance name (`prometheus01`) → its files. */
  instances: Map<string, InstanceFiles>;
  /** The stack's outputs, resolved (for a peer stack's StackReference). */
  outputs: Record<string, unknown>;
  /** Every registered resource, for checks beyond files. */
  resources: RecordedResource[];
}

export interface RenderOptions {
  /** Settings laid over `Pulumi.<stack>.yaml` (full keys, e.g. `atlas:alertmanager`). */
  config?: Record<string, unknown>;
  /** Keys of `config` that are secrets. */
  secretKeys?: string[];
  /** Outputs of peer stacks, keyed by the referenced stack's name. */
  stackOutputs?: Record<string, Record<string, unknown>>;
  /**
   * cluster01's member addresses, as a deployment reads them from the cluster
   * (topologies/clusterMembers.ts); a mocked run has no cluster to ask.
   */
  clusterMemberAddresses?: Record<string, string>;
}

/**
 * Runs the Atlas program for `stack` under mocks with its `Pulumi.<stack>.yaml` settings
 * (plus `options.config`) and returns every instance's rendered files and the outputs.
 */
export async function renderStack(
  stack: string,
  options: RenderOptions = {},
): Promise<RenderedStack> {
  const run = await startMockedRun({
    stack,
    config: { ...stackFileConfig(stack), ...(options.config ?? {}) },
    secretKeys: options.secretKeys ?? [],
    stackOutputs: options.stackOutputs,
  });
  const config = loadAtlasConfig();
  if (options.clusterMemberAddresses)
    config.clusterMemberAddresses = options.clusterMemberAddresses;
  const outputs = atlasProgram(config);
  await run.settle();
  const instances = new Map<string, InstanceFiles>();
  for (const resource of run.resources.filter((r) => r.type === "incus:index:Instance")) {
    instances.set(String(resource.inputs.name), instanceFiles(resource));
  }
  const resolved: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(outputs)) {
    resolved[key] = unwrapSecrets(await resolveOutput(value));
  }
  return { stack, instances, outputs: resolved, resources: run.resources };
}

/** A stack output's plain value, nested outputs included (they resolve in a mocked `up`). */
function resolveOutput(value: unknown): Promise<unknown> {
  const output: pulumi.Output<unknown> = pulumi.output(value as pulumi.Input<string>);
  return new Promise((resolve) => output.apply((v: unknown) => resolve(v)));
}

/** One file of one instance; fails naming what the instance does have. */
export function renderedFile(rendered: RenderedStack, instance: string, path: string): string {
  const files = rendered.instances.get(instance);
  if (!files) {
    throw new Error(
      `${rendered.stack} renders no instance ${instance}; instances: ${[...rendered.instances.keys()].join(", ")}`,
    );
  }
  const file = files.get(path);
  if (!file) {
    throw new Error(
      `${rendered.stack}/${instance} renders no ${path}; files: ${[...files.keys()].join(", ")}`,
    );
  }
  return file.content;
}
