/**
 * The Incus daemon as the `incus` CLI sees it: the e2e suites check Pulumi's work with a
 * client that shares no code with the provider.
 */
import { execFileSync } from "node:child_process";

export interface HostProfile {
  name: string;
  config: Record<string, string>;
  devices: Record<string, Record<string, string>>;
}

export interface HostInstance {
  name: string;
  status: string;
  profiles: string[];
  config: Record<string, string>;
  location: string;
}

export interface HostVolume {
  name: string;
  type: string;
  config: Record<string, string>;
}

export interface HostNetwork {
  name: string;
  managed: boolean;
  config: Record<string, string>;
}

export function incus(args: string[], input?: string): string {
  return execFileSync("incus", args, {
    encoding: "utf8",
    input,
    stdio: ["pipe", "pipe", "pipe"],
    timeout: 120_000,
    // A project's instances with recursion (user-data included) pass the default 1 MiB
    // at about 100 instances (the scale benchmark's).
    maxBuffer: 256 * 1024 * 1024,
  });
}

/** `incus query` of an API path, decoded. */
export function incusQuery<T>(path: string): T {
  return JSON.parse(incus(["query", path])) as T;
}

/** Whether the daemon answers (used by the suites' preflight and the fault tests). */
export function daemonAnswers(): boolean {
  try {
    incus(["query", "/1.0"]);
    return true;
  } catch {
    return false;
  }
}

export function serverName(): string {
  return incusQuery<{ environment: { server_name: string } }>("/1.0").environment.server_name;
}

export function serverConfig(): Record<string, string> {
  return incusQuery<{ config: Record<string, string> }>("/1.0").config;
}

const inProject = (path: string, project: string): string =>
  `${path}${path.includes("?") ? "&" : "?"}project=${encodeURIComponent(project)}`;

export function profiles(project: string): HostProfile[] {
  return incusQuery<HostProfile[]>(inProject("/1.0/profiles?recursion=1", project));
}

export function instances(project: string): HostInstance[] {
  return incusQuery<HostInstance[]>(inProject("/1.0/instances?recursion=1", project));
}

/** Custom volumes of a pool in a project (instance root volumes excluded). */
export function customVolumes(pool: string, project: string): HostVolume[] {
  return incusQuery<HostVolume[]>(
    inProject(`/1.0/storage-pools/${pool}/volumes?recursion=1`, project),
  ).filter((v) => v.type === "custom");
}

/** Managed networks whose name starts with `prefix`. */
export function networks(prefix: string): HostNetwork[] {
  return incusQuery<HostNetwork[]>("/1.0/networks?recursion=1").filter(
    (n) => n.managed && n.name.startsWith(prefix),
  );
}

/**
 * `10.<n>` for the first n in 200–250 that no network on the daemon uses, so concurrent
 * e2e runs (two engineers, or CI beside a local run) never share a subnet.
 */
export function freeIpv4Prefix(): string {
  const used = new Set(
    incusQuery<HostNetwork[]>("/1.0/networks?recursion=1")
      .map((n) => /^10\.(\d+)\./.exec(n.config?.["ipv4.address"] ?? "")?.[1])
      .filter((x): x is string => x !== undefined),
  );
  for (let n = 200; n <= 250; n++) if (!used.has(String(n))) return `10.${n}`;
  throw new Error("no free 10.200-250 prefix for the e2e networks");
}

export function projectExists(project: string): boolean {
  return incusQuery<string[]>("/1.0/projects").includes(`/1.0/projects/${project}`);
}

/**
 * A project of its own for one e2e stack: profiles and volumes are project-scoped, so the
 * stack can use the real names (grafana, loki01-data, ...) without touching anything
 * else on the daemon. Networks stay shared with `default` (bridges can only live there),
 * and images too, so the local test image is visible.
 */
export function createProject(project: string): void {
  if (projectExists(project)) return;
  incus([
    "project",
    "create",
    project,
    "-c",
    "features.images=false",
    "-c",
    "features.networks=false",
    "-c",
    "features.profiles=true",
    "-c",
    "features.storage.volumes=true",
    "-c",
    "features.storage.buckets=true",
  ]);
}

/** Everything the stack could have left in its project, besides the built-in default profile. */
export function projectLeftovers(project: string, pool: string): string[] {
  if (!projectExists(project)) return [];
  return [
    ...instances(project).map((i) => `instance ${i.name}`),
    ...profiles(project)
      .filter((p) => p.name !== "default")
      .map((p) => `profile ${p.name}`),
    ...customVolumes(pool, project).map((v) => `volume ${v.name}`),
  ];
}

/**
 * Removes an e2e project and anything left in it (cleanup after failed runs only). Best
 * effort, two passes: objects left by a crash may refuse deletion until others are gone.
 */
export function forceDeleteProject(project: string, pool: string): void {
  const attempt = (args: string[]): void => {
    try {
      incus(args);
    } catch {
      // retried in the next pass; whatever still fails is reported by projectLeftovers
    }
  };
  for (let pass = 0; pass < 2 && projectExists(project); pass++) {
    for (const i of instances(project))
      attempt(["delete", "--force", "--project", project, i.name]);
    for (const v of customVolumes(pool, project)) {
      attempt(["storage", "volume", "delete", pool, v.name, "--project", project]);
    }
    for (const p of profiles(project).filter((p) => p.name !== "default")) {
      attempt(["profile", "delete", p.name, "--project", project]);
    }
    attempt(["project", "delete", project]);
  }
}

export function forceDeleteNetworks(prefix: string): void {
  for (const n of networks(prefix)) {
    try {
      incus(["network", "delete", n.name]);
    } catch {
      // best effort, as above
    }
  }
}
