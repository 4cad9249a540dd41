/**
 * The lower bounds for `up` and `destroy`: the same Incus objects created with the `incus`
 * CLI, each started as soon as the objects it depends on exist (optimal parallel
 * dependency order), with the bodies the provider sent, then removed the same way in
 * reverse. The CLI skips everything Pulumi adds (engine, plugin protocol, state writes,
 * reads after create), so `up` / this is the engine's overhead.
 *
 * Instance files (pushed by the provider before first boot) are left out: the bound only
 * gets lower for it.
 */
import { execFile } from "node:child_process";
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
  remove: string[];
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
    case "incus:index:Instance":
      return {
        ...base,
        create: query("POST", `/1.0/instances?${q}${target(i.targetNode)}`, {
          name,
          type: i.type ?? "container",
          profiles: i.profiles,
          config: i.config ?? {},
          devices: devicesBody(i.devices),
          source: { type: "image", alias: i.image },
          start: i.running !== false,
        }),
        remove: ["delete", "--force", at(name), "--project", project],
      };
    default:
      return undefined;
  }
}

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
): Promise<LowerBoundResult> {
  const objects = resources
    .map((r) => cliObject(r, project, prefix, where))
    .filter((o): o is CliObject => o !== undefined)
    .map((o) => ({ ...o, key: o.urn }));
  const env = where.env ?? process.env;
  if (!where.remote) await bridgesGone(resources, prefix);
  const start = process.hrtime.bigint();
  await runInDependencyOrder(objects, async (o) => {
    for (const call of o.before ?? []) await run("incus", call, { env });
    await run("incus", o.create, { maxBuffer: 16 * 1024 * 1024, env });
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;

  // Teardown: dependents first. A failure does not stop the others (nothing may be left
  // on the daemon), but is reported: a removal that failed fast would flatter the bound.
  const removeFailures: string[] = [];
  const removeStart = process.hrtime.bigint();
  await runInReverseDependencyOrder(objects, async (o) => {
    await run("incus", o.remove, { env }).catch((e: unknown) => {
      removeFailures.push(`incus ${o.remove.join(" ")}: ${(e as Error).message.trim()}`);
    });
  });
  const destroyMs = Number(process.hrtime.bigint() - removeStart) / 1e6;
  return { objects: objects.length, ms, destroyMs, removeFailures };
}
