/**
 * The resource budget of a stack, computed from what the program registers (the
 * reference's "Resource Requirements" tables), so the README can never drift from
 * the code.
 */
import type { RecordedResource } from "./mockedRun";

export interface InstanceBudget {
  instance: string;
  targetNode?: string;
  cpu: number;
  memoryMB: number;
  rootDiskMB: number;
  volumes: { name: string; sizeMB: number }[];
  optional: boolean;
}

export interface NetworkBudget {
  name: string;
  type: string;
  cidr: string;
  optional: boolean;
}

export interface StackBudget {
  stack: string;
  instances: InstanceBudget[];
  networks: NetworkBudget[];
}

const unitMB: Record<string, number> = { MB: 1, GB: 1024, TB: 1024 * 1024 };

/** `512MB`, `2GB`, `1TB` in MB (0 when absent or malformed). */
export function sizeInMB(size: unknown): number {
  const m = typeof size === "string" ? /^(\d+)(MB|GB|TB)$/.exec(size) : null;
  return m ? Number(m[1]) * unitMB[m[2]] : 0;
}

export function formatMB(mb: number): string {
  if (mb >= 1024 && mb % 1024 === 0) return `${mb / 1024}GB`;
  if (mb >= 1024) return `${(mb / 1024).toFixed(1)}GB`;
  return `${mb}MB`;
}

interface DeviceInput {
  name?: string;
  type?: string;
  properties?: Record<string, string>;
}

function record(r: RecordedResource, key: string): Record<string, string> {
  return (r.inputs[key] as Record<string, string> | undefined) ?? {};
}

/**
 * Sums each instance's limits through its profiles (in order, later profiles win, as
 * Incus applies them) and the data volumes its disk devices mount.
 */
export function computeBudget(
  stack: string,
  resources: readonly RecordedResource[],
  optionalInstances: ReadonlySet<string> = new Set(),
  optionalNetworks: ReadonlySet<string> = new Set(),
): StackBudget {
  const profiles = new Map<string, RecordedResource>();
  const volumes = new Map<string, RecordedResource>();
  for (const r of resources) {
    if (r.type === "incus:index:Profile") profiles.set(String(r.inputs.name), r);
    if (r.type === "incus:index:StorageVolume") volumes.set(String(r.inputs.name), r);
  }
  const instances: InstanceBudget[] = resources
    .filter((r) => r.type === "incus:index:Instance")
    .map((instance) => {
      const config: Record<string, string> = {};
      const devices = new Map<string, DeviceInput>();
      const names = (instance.inputs.profiles as string[] | undefined) ?? [];
      for (const profile of names.map((n) => profiles.get(n)).filter((p) => p !== undefined)) {
        Object.assign(config, record(profile, "config"));
        for (const d of (profile.inputs.devices as DeviceInput[] | undefined) ?? []) {
          devices.set(String(d.name), d);
        }
      }
      Object.assign(config, record(instance, "config"));
      for (const d of (instance.inputs.devices as DeviceInput[] | undefined) ?? []) {
        devices.set(String(d.name), d);
      }
      const disks = [...devices.values()].filter((d) => d.type === "disk");
      const root = disks.find((d) => d.properties?.path === "/");
      const attached = disks
        .map((d) => d.properties?.source)
        .filter((source): source is string => source !== undefined && volumes.has(source))
        .map((source) => ({
          name: source,
          sizeMB: sizeInMB(record(volumes.get(source)!, "config").size),
        }));
      const name = String(instance.inputs.name);
      return {
        instance: name,
        targetNode: instance.inputs.targetNode as string | undefined,
        cpu: Number(config["limits.cpu"] ?? 0),
        memoryMB: sizeInMB(config["limits.memory"]),
        rootDiskMB: sizeInMB(root?.properties?.size),
        volumes: attached,
        optional: optionalInstances.has(name),
      };
    })
    // By name, not registration order: that follows when each input resolves, which
    // changes with how a component builds its install, not with what the stack holds.
    .sort((a, b) => a.instance.localeCompare(b.instance));
  const networks: NetworkBudget[] = resources
    .filter((r) => r.type === "incus:index:Network")
    .map((n) => {
      const config = record(n, "config");
      const name = String(n.inputs.name);
      return {
        name,
        type: String(n.inputs.type ?? "bridge"),
        cidr: config["ipv4.address"] ?? "(host)",
        optional: optionalNetworks.has(name),
      };
    });
  return { stack, instances, networks };
}

function total(instances: InstanceBudget[]): { cpu: number; memoryMB: number; storageMB: number } {
  return instances.reduce(
    (sum, i) => ({
      cpu: sum.cpu + i.cpu,
      memoryMB: sum.memoryMB + i.memoryMB,
      storageMB: sum.storageMB + i.volumes.reduce((s, v) => s + v.sizeMB, 0),
    }),
    { cpu: 0, memoryMB: 0, storageMB: 0 },
  );
}

function range(base: number, full: number, format: (n: number) => string): string {
  return base === full ? format(base) : `${format(base)}-${format(full)}`;
}

/** Markdown tables for one stack, in the reference's layout. */
export function renderBudget(budget: StackBudget): string {
  const lines = [
    `### ${budget.stack}`,
    "",
    "| Instance | CPU (cores) | Memory | Root disk | Data volume | Pinned to |",
    "|---|---|---|---|---|---|",
  ];
  for (const i of budget.instances) {
    const volume = i.volumes.map((v) => `${v.name} (${formatMB(v.sizeMB)})`).join(", ") || "-";
    const name = i.optional ? `${i.instance} (optional)` : i.instance;
    lines.push(
      `| ${name} | ${i.cpu} | ${formatMB(i.memoryMB)} | ${formatMB(i.rootDiskMB)} | ${volume} | ${i.targetNode ?? "-"} |`,
    );
  }
  const base = total(budget.instances.filter((i) => !i.optional));
  const full = total(budget.instances);
  lines.push(
    `| **Total** | **${range(base.cpu, full.cpu, String)}** | **${range(base.memoryMB, full.memoryMB, formatMB)}** | | **${range(base.storageMB, full.storageMB, formatMB)}** | |`,
    "",
    "| Network | CIDR | Type |",
    "|---|---|---|",
  );
  for (const n of budget.networks) {
    lines.push(`| ${n.name}${n.optional ? " (optional)" : ""} | ${n.cidr} | ${n.type} |`);
  }
  return lines.join("\n");
}
