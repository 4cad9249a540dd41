import * as pulumi from "@pulumi/pulumi";
import type { ServiceSettings } from "../config";
import { cloudInitUserData, type CloudConfig } from "./shared/cloudInit";
import { buildServiceAnatomy } from "./shared/serviceAnatomy";
import { serviceAnatomyBasics } from "./shared/serviceArgs";

export interface IncusVmArgs {
  /** Image (a VM-capable one, e.g. `images:alpine/3.21/cloud`), CPU, memory, disk, data volume. */
  settings: ServiceSettings;
  storagePool: string;
  /** container-base, then the network profile. */
  baseProfiles: pulumi.Input<string>[];
  /**
   * What cloud-init installs once: cloud-config, serialised here, or a ready user-data
   * document. A change replaces the VM (its data volume is kept).
   */
  cloudInit?: CloudConfig | pulumi.Input<string>;
  /** Mount point of the data volume (only with `settings.dataPersistence`). */
  dataPath?: string;
  /** Extra instance config, e.g. `security.secureboot=false` for unsigned images. */
  instanceConfig?: Record<string, pulumi.Input<string>>;
  targetNode?: string;
  /** Main service port, for the endpoint URL. */
  port?: number;
  instanceName?: string;
  profileName?: string;
}

function isCloudConfig(value: IncusVmArgs["cloudInit"]): value is CloudConfig {
  return typeof value === "object" && value !== null && !pulumi.Output.isInstance(value);
}

/**
 * A virtual machine with the same anatomy as every service container (the reference's
 * incus-vm module), for workloads that need their own kernel.
 */
export class IncusVm extends pulumi.ComponentResource {
  public readonly instanceName: pulumi.Output<string>;
  public readonly ipv4Address: pulumi.Output<string>;
  public readonly endpoint?: pulumi.Output<string>;

  constructor(name: string, args: IncusVmArgs, opts?: pulumi.ComponentResourceOptions) {
    super("atlas:components:IncusVm", name, {}, opts);
    const install = isCloudConfig(args.cloudInit)
      ? cloudInitUserData(args.cloudInit)
      : args.cloudInit;
    const anatomy = buildServiceAnatomy(this, {
      ...serviceAnatomyBasics(args, name, name),
      dataPath: args.dataPath,
      install,
      instanceConfig: args.instanceConfig,
      instanceType: "virtual-machine",
      port: args.port,
    });
    this.instanceName = anatomy.instanceName;
    this.ipv4Address = anatomy.ipv4Address;
    this.endpoint = anatomy.endpoint;
    this.registerOutputs({
      instanceName: this.instanceName,
      ipv4Address: this.ipv4Address,
      endpoint: this.endpoint,
    });
  }
}
