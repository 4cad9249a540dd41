/**
 * Benchmark 4, day 2: one changed setting on a deployed stack, through the real engine and
 * daemon. How long from the start of `up` until the changed service has reloaded, and
 * which Incus requests the `up` made for it. The target: only the changed instance's file
 * pushes and one exec are written; nothing else on the host.
 */
import type { EngineEvent, Stack } from "@pulumi/pulumi/automation";
import { e2eStackConfig, type E2eStackSpec } from "../../automation/e2e/config";
import * as host from "../../automation/e2e/host";
import { changedOps } from "../../automation/e2e/summary";
import { RequestLog } from "./requestLog";

export interface DayTwoResult {
  /** The setting changed, e.g. `prometheus.scrapeInterval 15s -> 45s`. */
  change: string;
  /** The instance whose files change. */
  instance: string;
  /** From the `up` call until the engine reported the instance updated (its reload ran). */
  untilReloadedMs: number;
  /** The `pulumi up` command, to the engine's last event. */
  upMs: number;
  /** What the reload left in the instance: the fake `rc-service` calls of this `up`. */
  rcServiceCalls: string[];
  /** The call that shows the change was applied, e.g. `prometheus reload`. */
  expectedCall: string;
  /** Every request of the `up`, `METHOD /path` (query left out) → count. */
  requests: Record<string, number>;
  /** Writing requests whose path is not under the changed instance. */
  writesElsewhere: string[];
  /** `POST /1.0/instances/<instance>/files` requests (directories included). */
  filePushes: number;
  /** `POST /1.0/instances/<instance>/exec` requests. */
  execs: number;
  changes: Record<string, number>;
}

const rcCallsFile = "/var/log/atlas-rc-service.calls";

function rcCalls(project: string, instance: string): string[] {
  try {
    return host
      .incus(["file", "pull", "--project", project, `${instance}${rcCallsFile}`, "-"])
      .split("\n")
      .filter(Boolean);
  } catch {
    return []; // nothing called rc-service yet
  }
}

/**
 * Changes Prometheus' scrape interval (prometheus.yml and the rule group interval, applied
 * by SIGHUP) on a stack deployed from `spec` and measures the `up` that applies it.
 */
export async function measureDayTwo(
  stack: Stack,
  spec: E2eStackSpec,
  log: RequestLog,
): Promise<DayTwoResult> {
  const instance = "prometheus01";
  const before = spec.dayTwo?.prometheus?.scrapeInterval ?? "15s";
  const after = before === "45s" ? "50s" : "45s";
  const changed: E2eStackSpec = {
    ...spec,
    dayTwo: {
      ...spec.dayTwo,
      prometheus: { ...spec.dayTwo?.prometheus, scrapeInterval: after },
    },
  };
  await stack.setAllConfig(e2eStackConfig(changed));
  const callsBefore = rcCalls(spec.incusProject, instance).length;

  log.reset();
  const start = process.hrtime.bigint();
  let lastEvent = start;
  let reloaded: bigint | undefined;
  const onEvent = (event: EngineEvent): void => {
    lastEvent = process.hrtime.bigint();
    const urn = event.resOutputsEvent?.metadata.urn ?? "";
    if (urn.includes("incus:index:Instance::") && urn.endsWith(`::${instance}`)) {
      // The provider's update returns after the on_change exec (check + reload) finished.
      reloaded = lastEvent;
    }
  };
  const up = await stack.up({ onEvent });
  const ms = (t: bigint): number => Number(t - start) / 1e6;

  const requests = log.byRequest();
  const own = `/1.0/instances/${instance}`;
  const writesElsewhere = Object.keys(requests).filter((r) => {
    const [method, path] = r.split(" ");
    return !RequestLog.isRead(method) && !(path === own || path.startsWith(`${own}/`));
  });
  if (reloaded === undefined) {
    throw new Error(`day-2 bench: the up reported no update of ${instance}`);
  }
  return {
    change: `prometheus.scrapeInterval ${before} -> ${after}`,
    instance,
    untilReloadedMs: ms(reloaded),
    upMs: ms(lastEvent),
    rcServiceCalls: rcCalls(spec.incusProject, instance).slice(callsBefore),
    // SIGHUP: Prometheus re-reads prometheus.yml and its rule files without a restart.
    expectedCall: "prometheus reload",
    requests,
    writesElsewhere,
    filePushes: requests[`POST ${own}/files`] ?? 0,
    execs: requests[`POST ${own}/exec`] ?? 0,
    changes: changedOps(up.summary.resourceChanges),
  };
}
