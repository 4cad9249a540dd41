/**
 * Where the time of a large `up` goes (`npm run bench -- --scale --breakdown`, issue 17):
 * the same cluster01 stack with N node exporters deployed, previewed with `--refresh` and
 * destroyed under the engine's switches one at a time (`--parallel`, checkpoint writes,
 * parallel diffs), each with CPU by process from /proc, plus the start-up of the pieces
 * every command pays for (Node, the plugin, the `pulumi` CLI).
 */
import { execFile, spawn } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import * as host from "../../automation/e2e/host";
import { repoRoot } from "../../automation/repoRoot";
import { pulumiCommand } from "../../automation/shared/pulumiCommand";
import {
  assertProviderBuilt,
  endE2eRun,
  startE2eRun,
  type E2eRun,
} from "../../automation/e2e/workspace";
import { RequestLog } from "./requestLog";
import {
  measureOperation,
  openScaleStack,
  operations,
  removeScaleStack,
  type Measured,
} from "./scaleStack";

const run = promisify(execFile);

/** One setting of the engine's switches. */
export interface BreakdownVariant {
  /** Short name for `--variants`. */
  key: string;
  name: string;
  /** `--parallel`; undefined leaves the CLI's default (4 per core: 8 here). */
  parallel?: number;
  /** Extra environment of the `pulumi` commands. */
  env: Record<string, string>;
}

/** The switches compared by default. */
export function defaultVariants(high: number): BreakdownVariant[] {
  return [
    { key: "default", name: "CLI default --parallel", env: {} },
    { key: "p32", name: "--parallel 32", parallel: 32, env: {} },
    { key: "high", name: `--parallel ${high}`, parallel: high, env: {} },
    {
      // The client's connection limit before issue 17: every operation wait holds one.
      key: "high-conn8",
      name: `--parallel ${high}, ATLAS_INCUS_MAX_CONNECTIONS=8 (the client's old limit)`,
      parallel: high,
      env: { ATLAS_INCUS_MAX_CONNECTIONS: "8" },
    },
    {
      key: "high-skip-checkpoints",
      name: `--parallel ${high}, PULUMI_SKIP_CHECKPOINTS`,
      parallel: high,
      // The switch is experimental: the engine ignores it without PULUMI_EXPERIMENTAL.
      env: { PULUMI_EXPERIMENTAL: "true", PULUMI_SKIP_CHECKPOINTS: "true" },
    },
    {
      key: "high-no-backups",
      name: `--parallel ${high}, PULUMI_DISABLE_CHECKPOINT_BACKUPS`,
      parallel: high,
      env: { PULUMI_DISABLE_CHECKPOINT_BACKUPS: "true" },
    },
    {
      key: "high-parallel-diff",
      name: `--parallel ${high}, PULUMI_PARALLEL_DIFF`,
      parallel: high,
      env: { PULUMI_EXPERIMENTAL: "true", PULUMI_PARALLEL_DIFF: "true" },
    },
  ];
}

/** A variant that could not be measured: its commands' first error. */
export interface BreakdownFailure {
  variant: BreakdownVariant;
  failed: string;
}

export interface BreakdownRow {
  variant: BreakdownVariant;
  resources: number;
  up: Measured;
  noopUp: Measured;
  refreshPreview: Measured;
  destroy: Measured;
  /** Files the file backend wrote under .pulumi/ (state, backups, history) for the stack. */
  backendFiles: number;
}

/** Start-up of what every engine command starts, median of five, in ms. */
export interface Startup {
  /** `node -e 0`. */
  node: number;
  /** bin/pulumi-resource-incus until it printed its gRPC port (ready for the engine). */
  plugin: number;
  /** `pulumi version`. */
  pulumiCli: number;
}

export interface Breakdown {
  nodes: number;
  startup: Startup;
  rows: (BreakdownRow | BreakdownFailure)[];
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function timeMs(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Starts the plugin as the engine does and waits for the port line on its stdout. */
function pluginReady(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(repoRoot, "bin", "pulumi-resource-incus"), ["127.0.0.1:1"], {
      stdio: ["ignore", "pipe", "ignore"],
    });
    child.once("error", reject);
    child.stdout.once("data", () => {
      child.kill();
      resolve();
    });
    child.once("exit", (code) => reject(new Error(`plugin exited (${code}) before it was ready`)));
  });
}

async function measureStartup(): Promise<Startup> {
  const pulumi = (await pulumiCommand()).command;
  const five = async (fn: () => Promise<unknown>): Promise<number> => {
    const times: number[] = [];
    for (let i = 0; i < 5; i++) times.push(await timeMs(fn));
    return median(times);
  };
  return {
    node: await five(() => run(process.execPath, ["-e", "0"])),
    plugin: await five(pluginReady),
    pulumiCli: await five(() => run(pulumi, ["version"])),
  };
}

function countFiles(dir: string): number {
  if (!fs.existsSync(dir)) return 0;
  let n = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) n++;
  }
  return n;
}

async function measureVariant(
  e2e: E2eRun,
  log: RequestLog,
  nodes: number,
  variant: BreakdownVariant,
  progress: (line: string) => void,
): Promise<BreakdownRow | BreakdownFailure> {
  const s = await openScaleStack(
    e2e,
    crypto.randomBytes(2).toString("hex"),
    nodes,
    host.freeIpv4Prefix(),
  );
  Object.assign(s.stack.workspace.envVars, variant.env);
  const backend = path.join(new URL(e2e.backendUrl).pathname, ".pulumi");
  const filesBefore = countFiles(backend);
  let deployed = false;
  try {
    progress(`  ${variant.name}: up`);
    deployed = true;
    const up = await measureOperation(log, operations.up(s.stack, variant.parallel));
    const backendFiles = countFiles(backend) - filesBefore;
    const resources = (
      ((await s.stack.exportStack()).deployment as { resources?: unknown[] }).resources ?? []
    ).length;
    progress(`  ${variant.name}: no-op up, preview --refresh`);
    const noopUp = await measureOperation(log, operations.up(s.stack, variant.parallel));
    const refreshPreview = await measureOperation(
      log,
      operations.refreshPreview(s.stack, variant.parallel),
    );
    progress(`  ${variant.name}: destroy`);
    const destroy = await measureOperation(log, operations.destroy(s.stack, variant.parallel));
    deployed = false;
    return { variant, resources, up, noopUp, refreshPreview, destroy, backendFiles };
  } catch (e) {
    // One variant's failure (e.g. the daemon refusing under its load) is a result too;
    // the others are still measured.
    const text = (e as Error).message;
    const first = /error: (.*)/.exec(text)?.[1] ?? text.split("\n")[0];
    progress(`  ${variant.name}: FAILED: ${first}`);
    return { variant, failed: first };
  } finally {
    for (const key of Object.keys(variant.env)) delete s.stack.workspace.envVars[key];
    await removeScaleStack(s, deployed);
  }
}

export async function measureBreakdown(
  nodes: number,
  variants: BreakdownVariant[],
  progress: (line: string) => void,
): Promise<Breakdown> {
  assertProviderBuilt();
  progress("start-up of node, the plugin, the pulumi CLI");
  const startup = await measureStartup();
  const e2e = startE2eRun();
  const log = new RequestLog(path.join(e2e.root, "incus-requests.log"));
  e2e.env.ATLAS_INCUS_REQUEST_LOG = log.file;
  try {
    const rows: Breakdown["rows"] = [];
    for (const v of variants) rows.push(await measureVariant(e2e, log, nodes, v, progress));
    return { nodes, startup, rows };
  } finally {
    endE2eRun(e2e);
  }
}
