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
import { promisify } from "node:util";
import type { StateResource } from "../../automation/e2e/verify";
import { runInDependencyOrder, runInReverseDependencyOrder } from "./dependencyOrder";

const run = promisify(execFile);

interface CliObject {
  urn: string;
  dependsOn: string[];
  create: string[];
  remove: string[];
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

function query(method: string, path: string, body: unknown): string[] {
  return ["query", "--wait", "-X", method, path, "--data", JSON.stringify(body)];
}

/** The CLI calls that create and remove one state resource; undefined for other types. */
function cliObject(r: StateResource, project: string, prefix: string): CliObject | undefined {
  const i = plain(r.inputs) as Record<string, unknown>;
  const name = `${prefix}${String(i.name)}`;
  const q = `project=${encodeURIComponent(project)}`;
  const base = { urn: r.urn, dependsOn: (r as { dependencies?: string[] }).dependencies ?? [] };
  switch (r.type) {
    case "incus:index:Network":
      return {
        ...base,
        create: query("POST", `/1.0/networks`, {
          name: name.slice(0, 15),
          type: i.type ?? "bridge",
          description: i.description ?? "",
          config: i.config ?? {},
        }),
        remove: ["network", "delete", name.slice(0, 15)],
      };
    case "incus:index:Profile":
      return {
        ...base,
        create: query("POST", `/1.0/profiles?${q}`, {
          name,
          description: i.description ?? "",
          config: i.config ?? {},
          devices: devicesBody(i.devices),
        }),
        remove: ["profile", "delete", name, "--project", project],
      };
    case "incus:index:StorageVolume":
      return {
        ...base,
        create: query("POST", `/1.0/storage-pools/${String(i.pool)}/volumes/custom?${q}`, {
          name,
          content_type: i.contentType ?? "filesystem",
          config: i.config ?? {},
        }),
        remove: ["storage", "volume", "delete", String(i.pool), name, "--project", project],
      };
    case "incus:index:Instance":
      return {
        ...base,
        create: query("POST", `/1.0/instances?${q}`, {
          name,
          type: i.type ?? "container",
          profiles: i.profiles,
          config: i.config ?? {},
          devices: devicesBody(i.devices),
          source: { type: "image", alias: i.image },
          start: i.running !== false,
        }),
        remove: ["delete", "--force", name, "--project", project],
      };
    default:
      return undefined;
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
): Promise<LowerBoundResult> {
  const objects = resources
    .map((r) => cliObject(r, project, prefix))
    .filter((o): o is CliObject => o !== undefined)
    .map((o) => ({ ...o, key: o.urn }));
  const start = process.hrtime.bigint();
  await runInDependencyOrder(objects, async (o) => {
    await run("incus", o.create, { maxBuffer: 16 * 1024 * 1024 });
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;

  // Teardown: dependents first. A failure does not stop the others (nothing may be left
  // on the daemon), but is reported: a removal that failed fast would flatter the bound.
  const removeFailures: string[] = [];
  const removeStart = process.hrtime.bigint();
  await runInReverseDependencyOrder(objects, async (o) => {
    await run("incus", o.remove).catch((e: unknown) => {
      removeFailures.push(`incus ${o.remove.join(" ")}: ${(e as Error).message.trim()}`);
    });
  });
  const destroyMs = Number(process.hrtime.bigint() - removeStart) / 1e6;
  return { objects: objects.length, ms, destroyMs, removeFailures };
}
