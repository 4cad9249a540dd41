/**
 * The scale benchmark (`npm run bench -- --scale`, issue 17): cluster01 with N node
 * exporters on the test daemon for each N, through the real engine and plugin. Per N: a
 * fresh `up`, a no-op `up`, a no-op `preview --refresh`, one changed service (Prometheus'
 * scrape interval, scripts/bench/dayTwo.ts) and `destroy`, each with its Incus requests
 * and CPU by process; then the same objects created and removed by the `incus` CLI in
 * optimal parallel order (the lower bounds). Before the sizes, the engine's fixed
 * start-up, on a stack holding only an Incus provider.
 */
import * as crypto from "node:crypto";
import * as os from "node:os";
import * as path from "node:path";
import type { Deployment } from "@pulumi/pulumi/automation";
import * as host from "../../automation/e2e/host";
import { parallelFor } from "../../automation/shared/parallelism";
import { incusResources } from "../../automation/e2e/verify";
import {
  assertProviderBuilt,
  endE2eRun,
  openE2eStack,
  startE2eRun,
  type E2eRun,
} from "../../automation/e2e/workspace";
import { Provider } from "../../incus/sdk";
import { cliLowerBound } from "./cliLowerBound";
import { measureDayTwo, type DayTwoResult } from "./dayTwo";
import { ProcCpuSampler, type CpuByRole } from "./procCpu";
import { RequestLog } from "./requestLog";
import type { FixedCost, ScalePoint } from "./scaleReport";
import {
  measureOperation,
  openScaleStack,
  operations,
  removeScaleStack,
  type Measured,
} from "./scaleStack";

export interface ScaleOptions {
  /** Node exporter counts, e.g. [10, 50, 100]. */
  sizes: number[];
  /**
   * `--parallel` of every engine command; undefined: what the operator scripts pass
   * (automation/shared/parallelism.ts), else the CLI's default.
   */
  parallel?: number;
  /** Progress lines (the run takes minutes). */
  progress: (line: string) => void;
  /** Called with what is measured so far after each size, so a later failure loses less. */
  saved?: (sofar: ScaleRun) => void;
}

/** What one size measured beyond the report's numbers. */
export interface ScaleDetail {
  nodes: number;
  /** CPU by process for each operation. */
  cpu: Record<"up" | "noopUp" | "refreshPreview" | "change" | "destroy", CpuByRole>;
  /** Size of the state the file backend rewrites at every checkpoint. */
  stateBytes: number;
  /** The change wrote only into Prometheus' instance (its files and one exec). */
  changeConfined: boolean;
}

export interface ScaleRun {
  date: string;
  parallel?: number;
  /** Load average (1 min) before and after: the machine is shared. */
  load: { before: number; after: number };
  fixed: FixedCost;
  /** CPU by process of the fixed stack's no-op `up` and `preview --refresh` (last run). */
  fixedCpu: { noopUp: CpuByRole; refreshPreview: CpuByRole };
  points: ScalePoint[];
  details: ScaleDetail[];
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * The engine's fixed start-up: no-op `up` and `preview --refresh` of a stack whose only
 * resource is an Incus provider (so the plugin starts, as in every real stack), three
 * times each, the median.
 */
async function measureFixedCost(
  run: E2eRun,
  log: RequestLog,
  parallel?: number,
): Promise<{ fixed: FixedCost; cpu: ScaleRun["fixedCpu"] }> {
  const stack = await openE2eStack(run, {
    stackName: `bench-scale-fixed-${crypto.randomBytes(2).toString("hex")}`,
    config: {},
    program: async () => {
      new Provider("incus", { project: "default" });
    },
  });
  try {
    await stack.up();
    const up: Measured[] = [];
    const refresh: Measured[] = [];
    for (let i = 0; i < 3; i++) {
      up.push(await measureOperation(log, operations.up(stack, parallel)));
      refresh.push(await measureOperation(log, operations.refreshPreview(stack, parallel)));
    }
    return {
      fixed: {
        noopUpMs: median(up.map((m) => m.op.ms)),
        refreshPreviewMs: median(refresh.map((m) => m.op.ms)),
      },
      cpu: { noopUp: up[2].cpu, refreshPreview: refresh[2].cpu },
    };
  } finally {
    await stack.destroy().catch(() => undefined);
    await stack.workspace.removeStack(stack.name, { force: true }).catch(() => undefined);
  }
}

function countResources(d: Deployment): number {
  return ((d.deployment as { resources?: unknown[] }).resources ?? []).length;
}

async function measureSize(
  run: E2eRun,
  log: RequestLog,
  nodes: number,
  options: ScaleOptions,
): Promise<{ point: ScalePoint; detail: ScaleDetail }> {
  const tag = crypto.randomBytes(2).toString("hex");
  const s = await openScaleStack(run, tag, nodes, host.freeIpv4Prefix());
  const { stack } = s;
  const say = (what: string): void => options.progress(`  N=${nodes}: ${what}`);
  let deployed = false;
  try {
    say("up");
    deployed = true;
    const up = await measureOperation(
      log,
      operations.up(stack, options.parallel ?? parallelFor("up")),
    );
    const deployment = await stack.exportStack();
    const resources = incusResources(deployment);
    say(`no-op up (${countResources(deployment)} resources)`);
    const noopUp = await measureOperation(
      log,
      operations.up(stack, options.parallel ?? parallelFor("up")),
    );
    say("preview --refresh");
    const refreshPreview = await measureOperation(
      log,
      operations.refreshPreview(stack, options.parallel ?? parallelFor("preview")),
    );
    say("one changed service");
    const changeCpu = new ProcCpuSampler();
    let changeUsed: CpuByRole;
    let day2: DayTwoResult;
    try {
      day2 = await measureDayTwo(stack, s.spec, log);
    } finally {
      changeUsed = changeCpu.stop();
    }
    const changeRequests = log.byMethod();
    say("destroy");
    const destroy = await measureOperation(
      log,
      operations.destroy(stack, options.parallel ?? parallelFor("destroy")),
    );
    deployed = false;
    say(`incus CLI bounds (${resources.length} objects)`);
    // Same objects, same names, same project, now by the CLI.
    const bound = await cliLowerBound(resources, s.spec.incusProject);
    // The same objects once more, doing the provider's instance work. A failure here (for
    // one, an object the first bound could not remove) costs this column, not the run.
    say(`incus CLI bound with the provider's instance work (files, start, execs)`);
    const workBound = await cliLowerBound(
      resources,
      s.spec.incusProject,
      "",
      {},
      {
        instanceWork: true,
      },
    ).catch((e: unknown) => {
      console.error(`[bench --scale] same-work bound not measured: ${(e as Error).message}`);
      return undefined;
    });
    return {
      point: {
        nodes,
        resources: countResources(deployment),
        incusResources: resources.length,
        up: up.op,
        noopUp: noopUp.op,
        refreshPreview: refreshPreview.op,
        change: {
          ms: day2.upMs,
          requests: changeRequests,
          writes: RequestLog.writes(changeRequests),
          changes: day2.changes,
        },
        destroy: destroy.op,
        bound: {
          objects: bound.objects,
          upMs: bound.ms,
          workUpMs: workBound?.ms,
          destroyMs: bound.destroyMs,
          removeFailures: [...bound.removeFailures, ...(workBound?.removeFailures ?? [])],
        },
      },
      detail: {
        nodes,
        cpu: {
          up: up.cpu,
          noopUp: noopUp.cpu,
          refreshPreview: refreshPreview.cpu,
          change: changeUsed,
          destroy: destroy.cpu,
        },
        stateBytes: JSON.stringify(deployment).length,
        changeConfined: day2.writesElsewhere.length === 0 && day2.execs === 1,
      },
    };
  } finally {
    await removeScaleStack(s, deployed);
  }
}

export async function measureScale(options: ScaleOptions): Promise<ScaleRun> {
  assertProviderBuilt();
  const serverBefore = host.serverConfig();
  const run = startE2eRun();
  const log = new RequestLog(path.join(run.root, "incus-requests.log"));
  run.env.ATLAS_INCUS_REQUEST_LOG = log.file;
  const loadBefore = os.loadavg()[0];
  try {
    options.progress("fixed start-up (a stack holding only the Incus provider)");
    const { fixed, cpu: fixedCpu } = await measureFixedCost(run, log, options.parallel);
    const partial = (): ScaleRun => ({
      date: new Date().toISOString(),
      parallel: options.parallel,
      load: { before: loadBefore, after: os.loadavg()[0] },
      fixed,
      fixedCpu,
      points: [],
      details: [],
    });
    const points: ScalePoint[] = [];
    const details: ScaleDetail[] = [];
    for (const nodes of options.sizes) {
      options.progress(`N=${nodes}`);
      const { point, detail } = await measureSize(run, log, nodes, options);
      points.push(point);
      details.push(detail);
      options.saved?.({ ...partial(), points, details });
    }
    return {
      date: new Date().toISOString(),
      parallel: options.parallel,
      load: { before: loadBefore, after: os.loadavg()[0] },
      fixed,
      fixedCpu,
      points,
      details,
    };
  } finally {
    for (const key of Object.keys(host.serverConfig())) {
      if (!(key in serverBefore)) host.incus(["config", "unset", key]);
    }
    endE2eRun(run);
  }
}
