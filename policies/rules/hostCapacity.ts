import {
  configOf,
  effectiveInstance,
  incusName,
  incusTypes,
  profilesByName,
  rootDisk,
  targetNodeOf,
  type IncusResource,
} from "../incusResources";
import { stackPolicy } from "../policy";
import { formatSize, parseSize } from "../sizes";

/** What one instance or volume asks of the host it lands on. */
interface Demand {
  what: string;
  /** Cluster member it is pinned to; undefined when Incus places it. */
  target?: string;
  cpu: number;
  memoryBytes: number;
  storageBytes: number;
}

interface Capacity {
  cpuCores: number;
  memory: string;
  storage: string;
}

interface HostCapacityConfig extends Capacity {
  /**
   * How many limit cores may share one host core. CPU limits are ceilings, not
   * reservations (the reference: "CPU values are soft limits, can burst"); its own
   * iapetus asks for 9-11 cores on the recommended 8-core host.
   */
  cpuOvercommitRatio: number;
  /** Per-member capacities (cluster member name → capacity) overriding the defaults. */
  targets: Record<string, Partial<Capacity>>;
}

/** `limits.cpu` as a core count: `2`, or a CPU set like `0-3,6` (its size). */
function cpuCount(value: string | undefined): number {
  if (value === undefined) return 0;
  if (/^\d+$/.test(value)) return Number(value);
  return value.split(",").reduce((sum, part) => {
    const m = /^(\d+)-(\d+)$/.exec(part.trim());
    return sum + (m ? Number(m[2]) - Number(m[1]) + 1 : 1);
  }, 0);
}

function demands(resources: readonly IncusResource[]): Demand[] {
  const profiles = profilesByName(resources);
  const instances = resources
    .filter((r) => r.type === incusTypes.instance)
    .map((instance) => effectiveInstance(instance, profiles));
  const out: Demand[] = instances.map(({ instance, config, devices }) => ({
    what: `instance ${incusName(instance)}`,
    target: targetNodeOf(instance),
    cpu: cpuCount(config["limits.cpu"]),
    memoryBytes: parseSize(config["limits.memory"]) ?? 0,
    storageBytes: parseSize(rootDisk(devices)?.properties.size) ?? 0,
  }));
  // A volume without its own target lives where the instance mounting it lives.
  const mountedOn = new Map<string, string | undefined>();
  for (const { instance, devices } of instances) {
    for (const d of devices) {
      if (d.type === "disk" && d.properties.source) {
        mountedOn.set(d.properties.source, targetNodeOf(instance));
      }
    }
  }
  for (const volume of resources.filter((r) => r.type === incusTypes.storageVolume)) {
    const name = incusName(volume);
    out.push({
      what: `volume ${name}`,
      target: targetNodeOf(volume) ?? mountedOn.get(name),
      cpu: 0,
      memoryBytes: 0,
      storageBytes: parseSize(configOf(volume).size) ?? 0,
    });
  }
  return out;
}

function largest(items: Demand[], key: "cpu" | "memoryBytes" | "storageBytes"): string {
  return [...items]
    .filter((d) => d[key] > 0)
    .sort((a, b) => b[key] - a[key])
    .slice(0, 3)
    .map((d) => `${d.what} ${key === "cpu" ? `${d.cpu}` : formatSize(d[key])}`)
    .join(", ");
}

/**
 * Sums what lands on each target against its capacity. Targets are the cluster members
 * instances and volumes are pinned to (`targetNode`/`target`); with none, the stack has
 * one host. Unpinned instances may land on any member, so each member is checked with
 * all of them (the placement Incus is free to choose).
 */
export const hostCapacity = stackPolicy<HostCapacityConfig>({
  name: "host-capacity",
  description:
    "Per target (cluster member or single host), summed CPU limits, memory limits and disk/volume sizes fit its capacity.",
  enforcementLevel: "mandatory",
  defaults: {
    cpuCores: 8,
    memory: "16GB",
    storage: "500GB",
    cpuOvercommitRatio: 2,
    targets: {},
  },
  schema: {
    cpuCores: { type: "integer", minimum: 1, description: "Host CPU cores." },
    memory: { type: "string", description: "Host memory, e.g. 16GB." },
    storage: {
      type: "string",
      description: "Host storage for root disks and volumes, e.g. 500GB.",
    },
    cpuOvercommitRatio: {
      type: "number",
      minimum: 1,
      description: "Limit cores allowed per host core (CPU limits are soft ceilings); 1 for none.",
    },
    targets: {
      type: "object",
      description: "Per cluster member overrides: { node01: { cpuCores, memory, storage } }.",
    },
  },
  validate(resources, config, report) {
    const all = demands(resources);
    const members = [...new Set(all.map((d) => d.target).filter((t) => t !== undefined))].sort();
    const unpinned = all.filter((d) => d.target === undefined);
    const targets =
      members.length === 0
        ? [{ name: "the host", items: all, capacity: config as Capacity }]
        : members.map((member) => ({
            name: `cluster member ${member}`,
            items: [...all.filter((d) => d.target === member), ...unpinned],
            capacity: { ...config, ...(config.targets[member] ?? {}) } as Capacity,
          }));
    for (const { name, items, capacity } of targets) {
      const cpu = items.reduce((s, d) => s + d.cpu, 0);
      const memory = items.reduce((s, d) => s + d.memoryBytes, 0);
      const storage = items.reduce((s, d) => s + d.storageBytes, 0);
      const cpuBudget = capacity.cpuCores * config.cpuOvercommitRatio;
      const memoryBudget = parseSize(capacity.memory) ?? Infinity;
      const storageBudget = parseSize(capacity.storage) ?? Infinity;
      const problems: string[] = [];
      if (cpu > cpuBudget) {
        problems.push(
          `CPU limits sum to ${cpu} cores, over ${capacity.cpuCores} cores x ${config.cpuOvercommitRatio} overcommit = ${cpuBudget} (largest: ${largest(items, "cpu")})`,
        );
      }
      if (memory > memoryBudget) {
        problems.push(
          `memory limits sum to ${formatSize(memory)}, over ${capacity.memory} (largest: ${largest(items, "memoryBytes")})`,
        );
      }
      if (storage > storageBudget) {
        problems.push(
          `root disks and volumes sum to ${formatSize(storage)}, over ${capacity.storage} (largest: ${largest(items, "storageBytes")})`,
        );
      }
      if (problems.length > 0) {
        report(
          `${name}: ${problems.join("; ")}. Lower the services' cpu/memory/volume sizes in stack config, ` +
            `pin instances to other members (targetNode), or raise host-capacity in the policy config if the host is larger.`,
        );
      }
    }
  },
});
