import * as pulumi from "@pulumi/pulumi";
import type { Device } from "../../incus/sdk";
import type { ScrapeTarget } from "../prometheus/scrapeConfigs";
import {
  serviceOutputs,
  type ServiceComponentArgs,
  type ServiceOutputs,
} from "../shared/serviceArgs";
import { buildServiceAnatomy } from "../shared/serviceAnatomy";
import { serviceAnatomyBasics } from "../shared/serviceArgs";
import { nodeExporterConfiguration } from "./configuration";
import { hostMounts, nodeExporterInstall, nodeExporterPort } from "./install";

export { hostMounts, nodeExporterPort } from "./install";

/** `targetNode`: one node exporter per physical host, pinned to it. */
export type NodeExporterArgs = ServiceComponentArgs;

const hostDevices: Device[] = hostMounts.map((mount) => ({
  name: mount.name,
  type: "disk",
  properties: { source: mount.source, path: mount.path, readonly: "true" },
}));

/** node_exporter (the reference's `node-exporter01`): the host's metrics, not the container's. */
export class NodeExporter extends pulumi.ComponentResource implements ServiceOutputs {
  public readonly instanceName: pulumi.Output<string>;
  public readonly ipv4Address: pulumi.Output<string>;
  public readonly endpoint: pulumi.Output<string>;
  /** `<instance>.incus:9100`. */
  public readonly target: pulumi.Output<string>;

  constructor(name: string, args: NodeExporterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("atlas:components:NodeExporter", name, {}, opts);

    const anatomy = buildServiceAnatomy(this, {
      ...serviceAnatomyBasics(args, "node-exporter01", "node-exporter"),
      // The host's filesystems, plus whatever exposes it to consumers on other members.
      devices: [...hostDevices, ...(args.devices ?? [])],
      install: nodeExporterInstall(args.settings),
      configuration: nodeExporterConfiguration(),
      port: nodeExporterPort,
    });
    ({
      instanceName: this.instanceName,
      ipv4Address: this.ipv4Address,
      endpoint: this.endpoint,
    } = serviceOutputs(anatomy));
    this.target = pulumi.interpolate`${this.instanceName}.incus:${nodeExporterPort}`;
    this.registerOutputs({
      instanceName: this.instanceName,
      ipv4Address: this.ipv4Address,
      endpoint: this.endpoint,
    });
  }
}

/**
 * One node exporter per cluster member (`node-exporter01` on the first node, ...), each
 * with its own profile so instances stay independent (and each can carry a proxy device
 * on its own member's address).
 */
export function nodeExportersPerNode(
  nodes: string[],
  args: Omit<NodeExporterArgs, "targetNode" | "instanceName" | "profileName" | "devices">,
  opts?: pulumi.ComponentResourceOptions,
  /** false leaves placement to Incus (standalone test servers reject `?target=`). */
  pin = true,
  /** Devices of the exporter on the `index`-th node (its proxy device for Prometheus). */
  devicesFor: (index: number) => Device[] = () => [],
): NodeExporter[] {
  return nodes.map((node, index) => {
    const instanceName = `node-exporter${String(index + 1).padStart(2, "0")}`;
    return new NodeExporter(
      instanceName,
      {
        ...args,
        instanceName,
        profileName: instanceName,
        targetNode: pin ? node : undefined,
        devices: devicesFor(index),
      },
      opts,
    );
  });
}

/** The `node` scrape job over every node exporter. */
export function nodeScrapeTarget(exporters: NodeExporter[]): pulumi.Output<ScrapeTarget> {
  return pulumi.all(exporters.map((e) => e.target)).apply((targets) => ({ job: "node", targets }));
}
