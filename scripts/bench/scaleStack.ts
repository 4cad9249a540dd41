/**
 * The stack the scale benchmark grows: the real cluster01 program on the test daemon (the
 * e2e configuration, automation/e2e/config.ts) with N entries in `atlas:clusterNodes` and
 * `atlas:pinToClusterNodes` false, which gives N node exporters (a profile, an instance
 * and a component each) on the one standalone daemon. Each stack lives in an Incus
 * project and on bridges of its own, and `removeScaleStack` leaves nothing behind.
 */
import type { EngineEvent, Stack } from "@pulumi/pulumi/automation";
import { e2eSpec, e2eStackConfig, type E2eStackSpec } from "../../automation/e2e/config";
import * as host from "../../automation/e2e/host";
import { changedOps } from "../../automation/e2e/summary";
import { openE2eStack, type E2eRun } from "../../automation/e2e/workspace";
import { engineEnvironmentFor } from "../../automation/shared/previewCheckpoints";
import { ProcCpuSampler, type CpuByRole } from "./procCpu";
import { RequestLog } from "./requestLog";
import type { ScaleOperation } from "./scaleReport";

export interface ScaleStack {
  stack: Stack;
  spec: E2eStackSpec;
  /** Network name prefix of this stack's bridges (for cleanup). */
  networkPrefix: string;
}

/** `node001`, `node002`, ...: member names a standalone daemon never checks (unpinned). */
export function clusterNodeNames(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `node${String(i + 1).padStart(3, "0")}`);
}

/**
 * Opens cluster01 with `nodes` node exporters in a new Incus project. `tag` keeps
 * concurrent or consecutive stacks apart (project, bridges, stack name): 4 hex digits.
 */
export async function openScaleStack(
  run: E2eRun,
  tag: string,
  nodes: number,
  ipv4Prefix: string,
): Promise<ScaleStack> {
  // Bridge names become Linux interface names: at most 15 characters.
  const networkPrefix = `bsc${tag}`;
  const spec = e2eSpec("cluster01", tag, host.serverName(), {
    stackName: `bench-scale-${tag}-${nodes}`,
    incusProject: `atlas-bench-scale-${tag}`,
    networks: { production: `${networkPrefix}p`, management: `${networkPrefix}m` },
    ipv4Prefix,
    subnetBase: 41,
    clusterNodes: clusterNodeNames(nodes),
  });
  host.createProject(spec.incusProject);
  const stack = await openE2eStack(run, {
    stackName: spec.stackName,
    config: e2eStackConfig(spec),
  });
  return { stack, spec, networkPrefix };
}

/**
 * Also after a failed run: the project, its objects and the bridges go. Each step runs
 * whatever the one before did; what is still left is reported on stderr.
 */
export async function removeScaleStack(s: ScaleStack, destroyFirst: boolean): Promise<void> {
  const problems: string[] = [];
  const step = async (what: string, fn: () => unknown): Promise<void> => {
    try {
      await fn();
    } catch (e) {
      problems.push(`${what}: ${(e as Error).message.split("\n")[0]}`);
    }
  };
  if (destroyFirst) await step("destroy", () => s.stack.destroy());
  await step("project", () => host.forceDeleteProject(s.spec.incusProject, "default"));
  await step("networks", () => host.forceDeleteNetworks(s.networkPrefix));
  await step("stack", () => s.stack.workspace.removeStack(s.spec.stackName, { force: true }));
  const left = host.projectExists(s.spec.incusProject) ? [`project ${s.spec.incusProject}`] : [];
  left.push(...host.networks(s.networkPrefix).map((n) => `network ${n.name}`));
  if (left.length > 0) {
    console.error(
      `[bench --scale] LEFT ON THE DAEMON: ${left.join(", ")} (${problems.join("; ")}); ` +
        `remove with incus delete/project delete/network delete`,
    );
  }
}

/** An engine command, measured. */
export interface Measured {
  op: ScaleOperation;
  /** CPU of the processes involved while it ran (scripts/bench/procCpu.ts). */
  cpu: CpuByRole;
}

/**
 * Runs one engine command and measures it: wall time to the engine's last event (the
 * command exits right after it; the Automation API's read-back commands are not timed),
 * the plugin's Incus requests by method, and CPU by process.
 */
export async function measureOperation(
  log: RequestLog,
  fn: (onEvent: (e: EngineEvent) => void) => Promise<Record<string, number>>,
): Promise<Measured> {
  log.reset();
  const cpu = new ProcCpuSampler();
  const start = process.hrtime.bigint();
  let lastEvent = start;
  let used: CpuByRole | undefined;
  let changes: Record<string, number>;
  try {
    changes = await fn(() => {
      lastEvent = process.hrtime.bigint();
    });
  } finally {
    // Stops the sampler's timer also when the command failed.
    used = cpu.stop();
  }
  const requests = log.byMethod();
  return {
    op: {
      ms: Number(lastEvent - start) / 1e6,
      requests,
      writes: RequestLog.writes(requests),
      changes,
    },
    cpu: used,
  };
}

/**
 * Runs an operation with the environment the operator scripts give it
 * (automation/shared/previewCheckpoints.ts), as `npm run preview` would.
 */
async function withEngineEnvironment<T>(
  stack: Stack,
  operation: string,
  fn: () => Promise<T>,
): Promise<T> {
  const env = stack.workspace.envVars;
  const added = engineEnvironmentFor(operation, { ...process.env, ...env });
  Object.assign(env, added);
  try {
    return await fn();
  } finally {
    for (const key of Object.keys(added)) delete env[key];
  }
}

/** The operations of the benchmark as `measureOperation` takes them. */
export const operations = {
  up:
    (stack: Stack, parallel?: number) =>
    async (onEvent: (e: EngineEvent) => void): Promise<Record<string, number>> =>
      changedOps((await stack.up({ onEvent, parallel })).summary.resourceChanges),
  refreshPreview:
    (stack: Stack, parallel?: number) =>
    async (onEvent: (e: EngineEvent) => void): Promise<Record<string, number>> =>
      withEngineEnvironment(stack, "preview", async () =>
        changedOps((await stack.preview({ refresh: true, onEvent, parallel })).changeSummary),
      ),
  destroy:
    (stack: Stack, parallel?: number) =>
    async (onEvent: (e: EngineEvent) => void): Promise<Record<string, number>> =>
      changedOps((await stack.destroy({ onEvent, parallel })).summary.resourceChanges),
};
