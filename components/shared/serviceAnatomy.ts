import * as pulumi from "@pulumi/pulumi";
import type { ServiceSettings } from "../../config";
import * as incus from "../../incus/sdk";
import { instanceExecs, instanceFiles, type ServiceConfiguration } from "./serviceConfiguration";

const userDataKey = "cloud-init.user-data";

/**
 * The one anatomy every Atlas service shares (the reference modules' discipline):
 * a profile with hard limits and a sized root disk, an optional data volume with
 * optional snapshots, and an instance composed of container-base + a network profile +
 * the service profile, never `default`. The instance is installed once by cloud-init
 * (`install`) and configured at every `up` (`configuration`): files pushed through the
 * Incus file API, checked and applied by an exec, so a changed setting reaches the running
 * daemon and a reboot never re-provisions it.
 */
export interface ServiceAnatomyArgs {
  /** Instance name, e.g. `grafana01`. */
  instanceName: string;
  /** Service profile name, e.g. `grafana`. */
  profileName: string;
  settings: ServiceSettings;
  /** Storage pool for the root disk and the data volume. */
  storagePool: string;
  /** container-base, then the network profile (in that order). */
  baseProfiles: pulumi.Input<string>[];
  /** Mount point of the data volume; without it the service has no volume. */
  dataPath?: string;
  /**
   * What is installed once: cloud-init user-data (usually `releaseInstall()`). A change
   * (a version, a package) replaces the instance; its data volume is kept.
   */
  install?: pulumi.Input<string>;
  /**
   * What a user can change later (usually `daemonConfiguration()`): files pushed into the
   * running instance and applied by its daemon during the `up` that reports the change.
   */
  configuration?: ServiceConfiguration;
  /** Extra profile devices (proxy devices, host mounts). */
  devices?: pulumi.Input<incus.Device>[];
  /** Extra instance config (`environment.*`, `security.*`). */
  instanceConfig?: Record<string, pulumi.Input<string>>;
  /** container (default) or virtual-machine. */
  instanceType?: "container" | "virtual-machine";
  /** Cluster member to pin the instance (and its volume) to. */
  targetNode?: string;
  /** Main service port, for the endpoint URL. */
  port?: number;
  /** URL scheme of the endpoint (default http). */
  scheme?: string;
}

export interface ServiceAnatomy {
  profile: incus.Profile;
  volume?: incus.StorageVolume;
  instance: incus.Instance;
  instanceName: pulumi.Output<string>;
  ipv4Address: pulumi.Output<string>;
  /** `<scheme>://<instance>.incus:<port>`, or undefined without a port. */
  endpoint?: pulumi.Output<string>;
}

/** Incus snapshot settings for a volume, only when snapshots are enabled. */
export function snapshotConfig(settings: ServiceSettings): Record<string, string> {
  const { enabled, schedule, expiry, pattern } = settings.snapshots;
  return enabled
    ? { "snapshots.schedule": schedule, "snapshots.expiry": expiry, "snapshots.pattern": pattern }
    : {};
}

/** Creates a service's profile, volume and instance as children of `parent`. */
export function buildServiceAnatomy(
  parent: pulumi.ComponentResource,
  args: ServiceAnatomyArgs,
): ServiceAnatomy {
  const { settings, instanceName, profileName, storagePool } = args;
  const childOpts: pulumi.CustomResourceOptions = { parent };

  const volume =
    args.dataPath && settings.dataPersistence
      ? new incus.StorageVolume(
          `${instanceName}-data`,
          {
            name: `${instanceName}-data`,
            pool: storagePool,
            contentType: "filesystem",
            config: { size: settings.dataVolumeSize, ...snapshotConfig(settings) },
            target: args.targetNode,
          },
          childOpts,
        )
      : undefined;

  const devices: pulumi.Input<incus.Device>[] = [
    {
      name: "root",
      type: "disk",
      properties: { path: "/", pool: storagePool, size: settings.rootDiskSize },
    },
  ];
  if (volume && args.dataPath) {
    devices.push(
      volume.name.apply((source) => ({
        name: `${profileName}-data`,
        type: "disk",
        properties: { source, pool: storagePool, path: args.dataPath as string },
      })),
    );
  }
  devices.push(...(args.devices ?? []));

  const profile = new incus.Profile(
    profileName,
    {
      name: profileName,
      description: `Atlas ${profileName}: limits, root disk and service devices`,
      config: {
        "limits.cpu": String(settings.cpu),
        "limits.memory": settings.memory,
        "limits.memory.enforce": "hard",
      },
      devices,
    },
    childOpts,
  );

  const config: Record<string, pulumi.Input<string>> = { ...(args.instanceConfig ?? {}) };
  if (args.install !== undefined) config[userDataKey] = args.install;
  const { configuration } = args;

  const instance = new incus.Instance(
    instanceName,
    {
      name: instanceName,
      image: settings.image,
      type: args.instanceType ?? "container",
      profiles: [...args.baseProfiles, profile.name],
      config,
      targetNode: args.targetNode,
      files: configuration ? instanceFiles(configuration) : undefined,
      execs: configuration ? instanceExecs(configuration.apply) : undefined,
      running: true,
    },
    {
      ...childOpts,
      // User-data holds only the install: a change to it is a new install, and Incus
      // would otherwise keep the instance and re-run cloud-init at its next boot. Names
      // are fixed, so the old instance goes first; the data volume stays.
      replaceOnChanges: [`config["${userDataKey}"]`],
      deleteBeforeReplace: true,
    },
  );

  // The name, and the endpoint and targets built from it, come from the planned name, not
  // the instance's output: a consumer (Grafana's data sources, Promtail's push URL,
  // Prometheus' scrape targets and Alertmanager) resolves the name when it connects, so it
  // need not wait for this instance to be created, and the two start in parallel. Built
  // from the output, Prometheus waited for Alertmanager, which waited in the daemon's queue
  // behind every node exporter (30 s of a 44 s `up` at 100 of them, docs/benchmarks.md).
  return {
    profile,
    volume,
    instance,
    instanceName: pulumi.output(instanceName),
    ipv4Address: instance.ipv4Address,
    endpoint:
      args.port === undefined
        ? undefined
        : pulumi.output(`${args.scheme ?? "http"}://${instanceName}.incus:${args.port}`),
  };
}
