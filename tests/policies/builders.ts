/** Hand-built Incus resources in the shape components register, for policy tests. */
import type { TestResource } from "./harness";

type Config = Record<string, string>;
type Device = { name: string; type: string; properties: Record<string, string> };

export const rootDiskDevice = (size = "1GB"): Device => ({
  name: "root",
  type: "disk",
  properties: { path: "/", pool: "local", size },
});

export function profile(name: string, config: Config = {}, devices: Device[] = []): TestResource {
  return { type: "incus:index:Profile", name, props: { name, config, devices } };
}

/** A service profile as buildServiceAnatomy makes it: hard limits and a sized root disk. */
export function serviceProfile(
  name: string,
  overrides: { config?: Config; devices?: Device[] } = {},
): TestResource {
  return profile(
    name,
    {
      "limits.cpu": "2",
      "limits.memory": "1GB",
      "limits.memory.enforce": "hard",
      ...overrides.config,
    },
    overrides.devices ?? [rootDiskDevice("2GB")],
  );
}

export const containerBase = profile("container-base", { "boot.autorestart": "true" });
export const managementNetwork = profile("management-network", {}, [
  { name: "eth0", type: "nic", properties: { network: "management", name: "eth0" } },
]);

export function instance(
  name: string,
  props: { profiles?: string[]; config?: Config; devices?: Device[]; targetNode?: string } = {},
): TestResource {
  return {
    type: "incus:index:Instance",
    name,
    props: {
      name,
      image: "images:alpine/3.21/cloud",
      type: "container",
      ...("profiles" in props ? {} : { profiles: ["container-base", "management-network", name] }),
      config: {},
      ...props,
    },
  };
}

export function volume(name: string, config: Config, target?: string): TestResource {
  return {
    type: "incus:index:StorageVolume",
    name,
    props: { name, pool: "local", contentType: "filesystem", config, target },
  };
}

export const proxy = (name: string, listen: string): Device => ({
  name,
  type: "proxy",
  properties: { listen, connect: listen.replace(/:[^:]+:/, ":127.0.0.1:") },
});

/** A well-formed service: base profiles, its service profile, its instance. */
export function service(
  name: string,
  options: { cpu?: string; memory?: string; rootDisk?: string; targetNode?: string } = {},
): TestResource[] {
  return [
    serviceProfile(name, {
      config: {
        ...(options.cpu ? { "limits.cpu": options.cpu } : {}),
        ...(options.memory ? { "limits.memory": options.memory } : {}),
      },
      devices: [rootDiskDevice(options.rootDisk ?? "2GB")],
    }),
    instance(name, options.targetNode ? { targetNode: options.targetNode } : {}),
  ];
}

export const baseProfiles = [containerBase, managementNetwork];
