/**
 * The lab benchmark (`npm run bench -- --lab`): both stacks on the lab (scripts/incus-lab.sh:
 * iapetus standalone, cluster01 on a 3-member cluster, both through HTTPS remotes), `up` of
 * each against the `incus` CLI lower bound for the same objects on the same daemons, and the
 * Incus requests of a no-op `preview --refresh` of each. Starts the lab and takes it down.
 */
import * as path from "node:path";
import type { EngineEvent, Stack } from "@pulumi/pulumi/automation";
import { changedOps } from "../../automation/e2e/summary";
import { incusResources } from "../../automation/e2e/verify";
import {
  assertProviderBuilt,
  endE2eRun,
  openE2eStack,
  startE2eRun,
} from "../../automation/e2e/workspace";
import { labDown, labIncusConf, labMembers, labRemotes, labUp } from "../../automation/lab/lab";
import { labStackConfig, labStackSpecs } from "../../automation/lab/labStacks";
import { cliLowerBound } from "./cliLowerBound";
import { RequestLog } from "./requestLog";

export interface LabStackResult {
  stack: "iapetus" | "cluster01";
  incusResources: number;
  /** `pulumi up` from nothing: the call to the engine's last event. */
  upMs: number;
  upRequests: Record<string, number>;
  /**
   * What the `up` did beyond creating objects, which the CLI bound leaves out: file pushes
   * (`POST .../files`) and execs (`POST .../exec`, the install-once and reload commands).
   */
  upFilePushes: number;
  upExecs: number;
  cliLowerBoundMs: number;
  cliObjects: number;
  /** A no-op `preview --refresh`: its requests by method, and what it would change. */
  refreshRequests: Record<string, number>;
  refreshChanges: Record<string, number>;
}

export interface LabBenchResult {
  stacks: LabStackResult[];
  /** Both ups against both bounds. */
  upToCliRatio: number;
  /** The lab's own start (`incus-lab.sh up` from nothing). */
  labUpMs: number;
}

const since = (start: bigint, end = process.hrtime.bigint()): number => Number(end - start) / 1e6;

export async function measureLab(): Promise<LabBenchResult> {
  assertProviderBuilt();
  labDown();
  const labStart = process.hrtime.bigint();
  labUp();
  const labUpMs = since(labStart);
  const run = startE2eRun({ INCUS_CONF: labIncusConf });
  const log = new RequestLog(path.join(run.root, "incus-requests.log"));
  run.env.ATLAS_INCUS_REQUEST_LOG = log.file;
  try {
    const specs = labStackSpecs();
    const open = (topology: "iapetus" | "cluster01"): Promise<Stack> =>
      openE2eStack(run, {
        stackName: specs[topology].stackName,
        config: labStackConfig(specs[topology], specs),
      });
    const stacks = { iapetus: await open("iapetus"), cluster01: await open("cluster01") };

    const ups: Record<
      string,
      { ms: number; requests: Record<string, number>; files: number; execs: number }
    > = {};
    for (const topology of ["iapetus", "cluster01"] as const) {
      log.reset();
      const start = process.hrtime.bigint();
      let last = start;
      await stacks[topology].up({
        onEvent: (_: EngineEvent) => {
          last = process.hrtime.bigint();
        },
      });
      const byRequest = Object.entries(log.byRequest());
      const count = (pattern: RegExp): number =>
        byRequest.filter(([r]) => pattern.test(r)).reduce((n, [, c]) => n + c, 0);
      ups[topology] = {
        ms: since(start, last),
        requests: log.byMethod(),
        files: count(/^POST \/1\.0\/instances\/[^/]+\/files/),
        execs: count(/^POST \/1\.0\/instances\/[^/]+\/exec/),
      };
    }
    // iapetus again, to federate cluster01 (a change, not part of the comparison).
    await stacks.iapetus.up();

    const results: LabStackResult[] = [];
    for (const topology of ["iapetus", "cluster01"] as const) {
      log.reset();
      const preview = await stacks[topology].preview({ refresh: true });
      const refreshRequests = log.byMethod();
      const resources = incusResources(await stacks[topology].exportStack());
      results.push({
        stack: topology,
        incusResources: resources.length,
        upMs: ups[topology].ms,
        upRequests: ups[topology].requests,
        upFilePushes: ups[topology].files,
        upExecs: ups[topology].execs,
        cliLowerBoundMs: 0,
        cliObjects: 0,
        refreshRequests,
        refreshChanges: changedOps(preview.changeSummary),
      });
    }

    // The same objects by the CLI, on the same daemons, once the stacks are gone.
    const deployed = {
      iapetus: incusResources(await stacks.iapetus.exportStack()),
      cluster01: incusResources(await stacks.cluster01.exportStack()),
    };
    await stacks.cluster01.destroy();
    await stacks.iapetus.destroy();
    for (const r of results) {
      const bound = await cliLowerBound(deployed[r.stack], "default", "", {
        remote: labRemotes[r.stack],
        env: { ...process.env, INCUS_CONF: labIncusConf },
        members: r.stack === "cluster01" ? [...labMembers] : undefined,
      });
      // Only the creation is compared here; a removal that failed (incusd races deleting
      // two bridges at once, which the provider retries and the CLI does not) leaves
      // nothing behind, because the lab is taken down after the run.
      r.cliLowerBoundMs = bound.ms;
      r.cliObjects = bound.objects;
    }
    const up = results.reduce((n, r) => n + r.upMs, 0);
    const cli = results.reduce((n, r) => n + r.cliLowerBoundMs, 0);
    return { stacks: results, upToCliRatio: up / cli, labUpMs };
  } finally {
    endE2eRun(run);
    labDown();
  }
}
