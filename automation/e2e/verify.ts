/**
 * Checks the daemon against the stack: every Incus object in Pulumi's state exists on the
 * host with the settings it was created with, service instances follow the Atlas anatomy,
 * and nothing of the stack exists on the host that the state does not know.
 */
import type { Deployment } from "@pulumi/pulumi/automation";
import * as host from "./host";

export interface StateResource {
  type: string;
  urn: string;
  id: string;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
}

interface StateDevice {
  name: string;
  type: string;
  properties?: Record<string, string>;
}

const secretSignature = "4dabf18193072939515e22adb298388d";

/** A state value that is a Pulumi secret (encrypted in the deployment). */
export function isSecretValue(v: unknown): boolean {
  return typeof v === "object" && v !== null && secretSignature in v;
}

/** Incus resources of a deployment (the provider resource and components left out). */
export function incusResources(deployment: Deployment): StateResource[] {
  const resources = (deployment.deployment as { resources?: StateResource[] }).resources ?? [];
  return resources.filter((r) => r.type.startsWith("incus:index:"));
}

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

function plainRecord(v: unknown): Record<string, unknown> {
  return typeof v === "object" && v !== null && !isSecretValue(v)
    ? (v as Record<string, unknown>)
    : {};
}

/** `expected` ⊆ `actual` for every non-secret key; returns the mismatches. */
function subsetProblems(
  what: string,
  expected: Record<string, unknown>,
  actual: Record<string, string>,
): string[] {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(expected)) {
    if (isSecretValue(value)) continue;
    if (actual[key] !== value) {
      problems.push(
        `${what}: ${key} is ${JSON.stringify(actual[key])}, state says ${JSON.stringify(value)}`,
      );
    }
  }
  return problems;
}

export interface HostScope {
  project: string;
  pool: string;
  /** Prefix of the stack's network names. */
  networkPrefix: string;
}

/** Every way the host differs from the stack's state; empty when they agree. */
export function hostDifferences(resources: StateResource[], scope: HostScope): string[] {
  const problems: string[] = [];
  const profiles = new Map(host.profiles(scope.project).map((p) => [p.name, p]));
  const instances = new Map(host.instances(scope.project).map((i) => [i.name, i]));
  const volumes = new Map(host.customVolumes(scope.pool, scope.project).map((v) => [v.name, v]));
  const networks = new Map(host.networks(scope.networkPrefix).map((n) => [n.name, n]));
  const server = host.serverConfig();
  const known = {
    profiles: new Set<string>(),
    instances: new Set<string>(),
    volumes: new Set<string>(),
    networks: new Set<string>(),
  };

  for (const r of resources) {
    const name = str(r.outputs.name) ?? str(r.inputs.name) ?? r.id;
    switch (r.type) {
      case "incus:index:Network": {
        known.networks.add(name);
        const n = networks.get(name);
        if (!n) problems.push(`network ${name}: missing on the host`);
        else
          problems.push(
            ...subsetProblems(`network ${name}`, plainRecord(r.inputs.config), n.config),
          );
        break;
      }
      case "incus:index:Profile": {
        known.profiles.add(name);
        const p = profiles.get(name);
        if (!p) {
          problems.push(`profile ${name}: missing on the host`);
          break;
        }
        problems.push(...subsetProblems(`profile ${name}`, plainRecord(r.inputs.config), p.config));
        const devices = (Array.isArray(r.inputs.devices) ? r.inputs.devices : []) as StateDevice[];
        const expectedNames = devices.map((d) => d.name).sort();
        const actualNames = Object.keys(p.devices).sort();
        if (JSON.stringify(expectedNames) !== JSON.stringify(actualNames)) {
          problems.push(
            `profile ${name}: devices ${actualNames.join(",")}, state says ${expectedNames.join(",")}`,
          );
        }
        for (const d of devices) {
          const actual = p.devices[d.name];
          if (!actual) continue;
          problems.push(
            ...subsetProblems(
              `profile ${name} device ${d.name}`,
              { type: d.type, ...(d.properties ?? {}) },
              actual,
            ),
          );
        }
        break;
      }
      case "incus:index:StorageVolume": {
        known.volumes.add(name);
        const v = volumes.get(name);
        if (!v) problems.push(`volume ${name}: missing on the host`);
        else
          problems.push(
            ...subsetProblems(`volume ${name}`, plainRecord(r.inputs.config), v.config),
          );
        break;
      }
      case "incus:index:Instance": {
        known.instances.add(name);
        const i = instances.get(name);
        if (!i) {
          problems.push(`instance ${name}: missing on the host`);
          break;
        }
        const expected = (Array.isArray(r.inputs.profiles) ? r.inputs.profiles : []) as string[];
        if (JSON.stringify(i.profiles) !== JSON.stringify(expected)) {
          problems.push(
            `instance ${name}: profiles [${i.profiles.join(", ")}], state says [${expected.join(", ")}]`,
          );
        }
        problems.push(
          ...subsetProblems(`instance ${name}`, plainRecord(r.inputs.config), i.config),
        );
        if (r.inputs.running !== false && i.status !== "Running") {
          problems.push(`instance ${name}: ${i.status}, expected Running`);
        }
        const target = str(r.inputs.targetNode);
        if (target && i.location !== target && i.location !== "none") {
          problems.push(`instance ${name}: on ${i.location}, expected ${target}`);
        }
        break;
      }
      case "incus:index:Server":
        problems.push(...subsetProblems("server config", plainRecord(r.inputs.config), server));
        break;
      default:
        break;
    }
  }

  // Nothing of the stack on the host that the state does not know (no orphans, no duplicates).
  const orphans = (kind: string, onHost: Iterable<string>, inState: Set<string>): void => {
    for (const n of onHost)
      if (!inState.has(n)) problems.push(`${kind} ${n}: on the host but not in the state`);
  };
  orphans(
    "profile",
    [...profiles.keys()].filter((n) => n !== "default"),
    known.profiles,
  );
  orphans("instance", instances.keys(), known.instances);
  orphans("volume", volumes.keys(), known.volumes);
  orphans("network", networks.keys(), known.networks);
  return problems;
}

/**
 * The Atlas anatomy as the host shows it: no instance uses `default`; each instance's own
 * (last) profile carries hard CPU/memory limits and a sized root disk; every custom volume
 * has a size and, with snapshots on, a schedule, expiry and pattern.
 */
export function anatomyProblems(scope: HostScope, expectSnapshots: boolean): string[] {
  const problems: string[] = [];
  const profiles = new Map(host.profiles(scope.project).map((p) => [p.name, p]));
  for (const i of host.instances(scope.project)) {
    if (i.profiles.includes("default"))
      problems.push(`instance ${i.name}: uses the default profile`);
    const own = profiles.get(i.profiles[i.profiles.length - 1] ?? "");
    if (!own) {
      problems.push(`instance ${i.name}: no service profile`);
      continue;
    }
    for (const key of ["limits.cpu", "limits.memory"]) {
      if (!own.config[key]) problems.push(`profile ${own.name}: no ${key}`);
    }
    if (own.config["limits.memory.enforce"] !== "hard")
      problems.push(`profile ${own.name}: memory limit not hard`);
    const root = Object.values(own.devices).find((d) => d.type === "disk" && d.path === "/");
    if (!root?.size || root.pool !== scope.pool)
      problems.push(`profile ${own.name}: no sized root disk on ${scope.pool}`);
    const nic = i.profiles.some((p) =>
      Object.values(profiles.get(p)?.devices ?? {}).some((d) => d.type === "nic"),
    );
    if (!nic) problems.push(`instance ${i.name}: no network profile`);
  }
  for (const v of host.customVolumes(scope.pool, scope.project)) {
    if (!v.config.size) problems.push(`volume ${v.name}: no size`);
    if (expectSnapshots) {
      for (const key of ["snapshots.schedule", "snapshots.expiry", "snapshots.pattern"]) {
        if (!v.config[key]) problems.push(`volume ${v.name}: no ${key}`);
      }
    }
  }
  return problems;
}
