/**
 * Benchmarks 2 to 4, on the real daemon through the real engine: `up` of the e2e
 * iapetus stack against the CLI lower bound, a no-op `preview` and `up` with their
 * Incus API requests by method, then one day-2 change (scripts/bench/dayTwo.ts).
 */
import * as crypto from "node:crypto";
import * as path from "node:path";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { e2eSpec, e2eStackConfig } from "../../automation/e2e/config";
import * as host from "../../automation/e2e/host";
import { changedOps } from "../../automation/e2e/summary";
import { incusResources } from "../../automation/e2e/verify";
import {
  assertProviderBuilt,
  endE2eRun,
  openE2eStack,
  startE2eRun,
} from "../../automation/e2e/workspace";
import { cliLowerBound } from "./cliLowerBound";
import { measureDayTwo, type DayTwoResult } from "./dayTwo";
import { RequestLog } from "./requestLog";

export interface OperationResult {
  /**
   * The `pulumi` command itself: from the call to the engine's last event (the command
   * exits right after it). This is what `pulumi up` costs an operator at the terminal.
   */
  ms: number;
  /**
   * The whole Automation API call: the command plus the two commands the Automation API
   * runs afterwards to read the result back (`stack output`, `stack history`).
   */
  apiMs: number;
  requests: Record<string, number>;
  writes: number;
  changes: Record<string, number>;
}

export interface EngineResult {
  stack: string;
  incusResources: number;
  up: OperationResult;
  cliLowerBoundMs: number;
  cliObjects: number;
  upToCliRatio: number;
  noopPreview: OperationResult;
  /** `preview --refresh`: reads every resource first. */
  noopRefreshPreview: OperationResult;
  noopUp: OperationResult;
  /** One changed setting on the deployed stack: the `up` that applies it. */
  dayTwo: DayTwoResult;
}

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = process.hrtime.bigint();
  const value = await fn();
  return { value, ms: Number(process.hrtime.bigint() - start) / 1e6 };
}

export async function measureEngine(): Promise<EngineResult> {
  assertProviderBuilt();
  const runId = crypto.randomBytes(2).toString("hex");
  const spec = e2eSpec("iapetus", runId, host.serverName(), {
    stackName: "bench-iapetus",
    subnetBase: 31,
    ipv4Prefix: host.freeIpv4Prefix(),
    incusLoki: false,
    incusProject: `atlas-bench-${runId}`,
    networks: { production: `bench${runId}p`, management: `bench${runId}m` },
  });
  const serverBefore = host.serverConfig();
  const run = startE2eRun();
  const log = new RequestLog(path.join(run.root, "incus-requests.log"));
  run.env.ATLAS_INCUS_REQUEST_LOG = log.file;
  host.createProject(spec.incusProject);
  try {
    const stack = await openE2eStack(run, {
      stackName: spec.stackName,
      config: e2eStackConfig(spec),
    });
    const operation = async (
      fn: (onEvent: (e: EngineEvent) => void) => Promise<Record<string, number>>,
    ): Promise<OperationResult> => {
      log.reset();
      const start = process.hrtime.bigint();
      let lastEvent = start;
      const { value, ms: apiMs } = await timed(() =>
        fn(() => {
          lastEvent = process.hrtime.bigint();
        }),
      );
      const requests = log.byMethod();
      const ms = Number(lastEvent - start) / 1e6;
      return { ms, apiMs, requests, writes: RequestLog.writes(requests), changes: value };
    };

    const up = await operation(async (onEvent) =>
      changedOps((await stack.up({ onEvent })).summary.resourceChanges),
    );
    const resources = incusResources(await stack.exportStack());
    const noopPreview = await operation(async (onEvent) =>
      changedOps((await stack.preview({ onEvent })).changeSummary),
    );
    const noopRefreshPreview = await operation(async (onEvent) =>
      changedOps((await stack.preview({ refresh: true, onEvent })).changeSummary),
    );
    const noopUp = await operation(async (onEvent) =>
      changedOps((await stack.up({ onEvent })).summary.resourceChanges),
    );
    const dayTwo = await measureDayTwo(stack, spec, log);
    await stack.destroy();

    // Same objects, same names, same project, now by the CLI.
    const bound = await cliLowerBound(resources, spec.incusProject);
    return {
      stack: spec.stackName,
      incusResources: resources.length,
      up,
      cliLowerBoundMs: bound.ms,
      cliObjects: bound.objects,
      upToCliRatio: up.ms / bound.ms,
      noopPreview,
      noopRefreshPreview,
      noopUp,
      dayTwo,
    };
  } finally {
    host.forceDeleteProject(spec.incusProject, "default");
    host.forceDeleteNetworks(`bench${runId}`);
    for (const key of Object.keys(host.serverConfig())) {
      if (!(key in serverBefore)) host.incus(["config", "unset", key]);
    }
    endE2eRun(run);
  }
}
