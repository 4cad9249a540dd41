/**
 * The lower bounds for `up` and `destroy`: the same Incus objects created with the `incus`
 * CLI, each started as soon as the objects it depends on exist (optimal parallel
 * dependency order), with the bodies the provider sent, then removed the same way in
 * reverse. The CLI skips everything Pulumi adds (engine, plugin protocol, state writes,
 * reads after create), so `up` / this is the engine's overhead.
 *
 * By default an instance is created and started in one request, without its files and
 * execs: the bound for the objects alone, lower than any tool doing the same work. With
 * `instanceWork`, the CLI does what the provider does for each instance: create it
 * stopped, push its files (`incus file push`, all at once), start it and run its `once`
 * and `on_start` execs in order: the bound for the same work.
 */
import { execFile, spawn } from "node:child_process";
import * as fs from "node:fs";
import { promisify } from "node:util";
import type { StateResource } from "../../automation/e2e/verify";
import { runInDependencyOrder, runInReverseDependencyOrder } from "./dependencyOrder";

const run = promisify(execFile);

interface CliObject {
  urn: string;
  dependsOn: string[];
  /** Calls that must come first, in order (a cluster network's pending definitions). */
  before?: string[][];
  create: string[];
  /** An instance's work after its create: file pushes (at once), then calls in order. */
  pushes?: { args: string[]; content: string }[];
  after?: string[][];
  remove: string[];
}

interface InstanceFile {
  targetPath: string;
  content?: string;
  mode?: string;
  uid?: number;
  gid?: number;
}

interface InstanceExec {
  command: string[];
  trigger?: string;
  environment?: Record<string, string>;
  cwd?: string;
  uid?: number;
  gid?: number;
}

/** Where the objects go: the default remote, or a remote of a CLI configuration. */
export interface CliTarget {
  /** An Incus remote (`lab-cluster01`); unset, the CLI's default. */
  remote?: string;
  /** Environment of the `incus` calls (e.g. INCUS_CONF holding that remote). */
  env?: NodeJS.ProcessEnv;
  /**
   * A cluster's members: each network is first defined pending on every one of them, as
   * the provider does (and as Incus requires on a cluster).
   */
  members?: string[];
}

interface Device {
  name: string;
  type: string;
  properties?: Record<string, string>;
}

const secretSignature = "4dabf18193072939515e22adb298388d";

/** State values with secrets replaced by a placeholder (the bodies' shape is what counts). */
function plain(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (secretSignature in value) return "[secret placeholder]";
  if (Array.isArray(value)) return value.map(plain);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
}

function devicesBody(devices: unknown): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const d of (Array.isArray(devices) ? devices : []) as Device[]) {
    out[d.name] = { type: d.type, ...(d.properties ?? {}) };
  }
  return out;
}

/** The CLI calls that create and remove one state resource; undefined for other types. */
function cliObject(
  r: StateResource,
  project: string,
  prefix: string,
  where: CliTarget,
  instanceWork: boolean,
): CliObject | undefined {
  const i = plain(r.inputs) as Record<string, unknown>;
  const name = `${prefix}${String(i.name)}`;
  const q = `project=${encodeURIComponent(project)}`;
  const base = { urn: r.urn, dependsOn: (r as { dependencies?: string[] }).dependencies ?? [] };
  // A remote-qualified argument (`remote:name`), as the CLI takes them.
  const at = (arg: string): string => (where.remote ? `${where.remote}:${arg}` : arg);
  const query = (method: string, path: string, body: unknown): string[] => [
    "query",
    "--wait",
    "-X",
    method,
    at(path),
    "--data",
    JSON.stringify(body),
  ];
  // The member an instance or volume is pinned to, as the provider sends it.
  const target = (member: unknown): string =>
    typeof member === "string" && member !== "" ? `&target=${encodeURIComponent(member)}` : "";
  switch (r.type) {
    case "incus:index:Network": {
      const network = name.slice(0, 15);
      return {
        ...base,
        before: (where.members ?? []).map((member) =>
          query("POST", `/1.0/networks?target=${encodeURIComponent(member)}`, {
            name: network,
            type: i.type ?? "bridge",
            description: i.description ?? "",
            config: {},
          }),
        ),
        create: query("POST", `/1.0/networks`, {
          name: network,
          type: i.type ?? "bridge",
          description: i.description ?? "",
          config: i.config ?? {},
        }),
        remove: ["network", "delete", at(network)],
      };
    }
    case "incus:index:Profile":
      return {
        ...base,
        create: query("POST", `/1.0/profiles?${q}`, {
          name,
          description: i.description ?? "",
          config: i.config ?? {},
          devices: devicesBody(i.devices),
        }),
        remove: ["profile", "delete", at(name), "--project", project],
      };
    case "incus:index:StorageVolume":
      return {
        ...base,
        create: query(
          "POST",
          `/1.0/storage-pools/${String(i.pool)}/volumes/custom?${q}${target(i.target)}`,
          { name, content_type: i.contentType ?? "filesystem", config: i.config ?? {} },
        ),
        remove: [
          "storage",
          "volume",
          "delete",
          at(String(i.pool)),
          name,
          "--project",
          project,
          ...(typeof i.target === "string" ? ["--target", i.target] : []),
        ],
      };
    case "incus:index:Instance": {
      const running = i.running !== false;
      const files = (Array.isArray(i.files) ? i.files : []) as InstanceFile[];
      const execs = ((Array.isArray(i.execs) ? i.execs : []) as InstanceExec[]).filter(
        (e) => e.trigger === "once" || e.trigger === "on_start",
      );
      const work = instanceWork && running && (files.length > 0 || execs.length > 0);
      return {
        ...base,
        create: query("POST", `/1.0/instances?${q}${target(i.targetNode)}`, {
          name,
          type: i.type ?? "container",
          profiles: i.profiles,
          config: i.config ?? {},
          devices: devicesBody(i.devices),
          source: { type: "image", alias: i.image },
          start: running && !work,
        }),
        ...(work
          ? {
              pushes: files.map((f) => ({
                args: [
                  "file",
                  "push",
                  "--create-dirs",
                  "--project",
                  project,
                  `--mode=${f.mode ?? "0644"}`,
                  `--uid=${f.uid ?? 0}`,
                  `--gid=${f.gid ?? 0}`,
                  "-",
                  at(`${name}${f.targetPath}`),
                ],
                content: f.content ?? "",
              })),
              after: [
                ["start", at(name), "--project", project],
                ...execs.map((e) => [
                  "exec",
                  at(name),
                  "--project",
                  project,
                  ...Object.entries(e.environment ?? {}).flatMap(([k, v]) => [
                    "--env",
                    `${k}=${v}`,
                  ]),
                  ...(e.cwd ? ["--cwd", e.cwd] : []),
                  ...(e.uid !== undefined ? ["--user", String(e.uid)] : []),
                  ...(e.gid !== undefined ? ["--group", String(e.gid)] : []),
                  "--",
                  ...e.command,
                ]),
              ],
            }
          : {}),
        remove: ["delete", "--force", at(name), "--project", project],
      };
    }
    default:
      return undefined;
  }
}

/** `incus <args>` with `input` on its standard input (a file push from `-`). */
function runWithInput(args: string[], input: string, env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("incus", args, { env, stdio: ["pipe", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve() : reject(new Error(`incus ${args.join(" ")}: ${stderr.trim()}`)),
    );
    child.stdin.end(input);
  });
}

/**
 * Runs `fn` again while it fails on one of incusd's races that the provider also sends
 * its requests again for (the CLI meets them too): at most `attempts` times in all, waiting
 * `delayMs(attempt)` between them.
 */
async function againOnRace(
  fn: () => Promise<void>,
  race: RegExp,
  attempts: number,
  delayMs: (attempt: number) => number,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (!race.test(String(e)) || attempt >= attempts) throw e;
      await new Promise((r) => setTimeout(r, delayMs(attempt)));
    }
  }
}

/** Two bridges deleted at once (incus/provider/resources/network.ts retries it the same way). */
const removeWithRetry = (args: string[], env: NodeJS.ProcessEnv): Promise<void> =>
  againOnRace(
    async () => void (await run("incus", args, { env })),
    /Failed to delete bridge children interfaces/,
    5,
    (attempt) => 200 * attempt,
  );

/** Incus' file helper race (incus/provider/resources/instanceFiles.ts, retryForkfile). */
const pushWithRetry = (args: string[], input: string, env: NodeJS.ProcessEnv): Promise<void> =>
  againOnRace(
    () => runWithInput(args, input, env),
    /forkfile/,
    15,
    (attempt) => Math.min(5000, 250 * 2 ** (attempt - 1)),
  );

/**
 * Waits (untimed) until the local bridges of the stack's networks have left the kernel.
 * Right after `destroy`, a bridge of the same name can still be there, and Incus then
 * fails the CLI's create ("Failed to delete bridge children interfaces ... does not
 * exist", seen right after a 100-instance destroy).
 */
async function bridgesGone(resources: StateResource[], prefix: string): Promise<void> {
  const names = resources
    .filter((r) => r.type === "incus:index:Network")
    .map((r) => `${prefix}${String((r.inputs as { name?: unknown }).name)}`.slice(0, 15));
  const deadline = Date.now() + 30_000;
  while (names.some((n) => fs.existsSync(`/sys/class/net/${n}`)) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
  }
}

export interface LowerBoundResult {
  objects: number;
  /** Creating every object, each started the moment the objects it depends on exist. */
  ms: number;
  /**
   * Removing them again, each started the moment every object depending on it is gone
   * (`incus delete --force` stops and deletes an instance, as the provider's delete does):
   * the lower bound for `destroy`.
   */
  destroyMs: number;
  /** Removals that failed (`incus` error text); a non-empty list makes destroyMs no bound. */
  removeFailures: string[];
}

/**
 * Creates the objects (names prefixed, so they never meet the stack's), timing the
 * creation; then removes them in reverse dependency order, timing that too.
 *
 * The state's profiles and instances name other objects (profiles, networks, volumes) by
 * their stack names: callers run this after the stack is destroyed and with an empty
 * prefix, so the bodies are exactly the provider's.
 */
export async function cliLowerBound(
  resources: StateResource[],
  project: string,
  prefix = "",
  where: CliTarget = {},
  { instanceWork = false }: { instanceWork?: boolean } = {},
): Promise<LowerBoundResult> {
  const objects = resources
    .map((r) => cliObject(r, project, prefix, where, instanceWork))
    .filter((o): o is CliObject => o !== undefined)
    .map((o) => ({ ...o, key: o.urn }));
  const env = where.env ?? process.env;
  if (!where.remote) await bridgesGone(resources, prefix);
  const start = process.hrtime.bigint();
  await runInDependencyOrder(objects, async (o) => {
    for (const call of o.before ?? []) await run("incus", call, { env });
    await run("incus", o.create, { maxBuffer: 16 * 1024 * 1024, env });
    await Promise.all((o.pushes ?? []).map((p) => pushWithRetry(p.args, p.content, env)));
    for (const call of o.after ?? []) await run("incus", call, { env });
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;

  // Teardown: dependents first. A failure does not stop the others (nothing may be left
  // on the daemon), but is reported: a removal that failed fast would flatter the bound.
  const removeFailures: string[] = [];
  const removeStart = process.hrtime.bigint();
  await runInReverseDependencyOrder(objects, async (o) => {
    await removeWithRetry(o.remove, env).catch((e: unknown) => {
      removeFailures.push(`incus ${o.remove.join(" ")}: ${(e as Error).message.trim()}`);
    });
  });
  const destroyMs = Number(process.hrtime.bigint() - removeStart) / 1e6;
  return { objects: objects.length, ms, destroyMs, removeFailures };
}
