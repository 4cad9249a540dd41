import * as pulumi from "@pulumi/pulumi";
import type { OvnSettings, ServiceSettings } from "../../config";
import type * as incus from "../../incus/sdk";
import { buildServiceAnatomy } from "../shared/serviceAnatomy";
import { serviceAnatomyBasics } from "../shared/serviceArgs";
import { ovnCentralInstall, ovnDataDir, ovnDatabasePorts } from "./install";

export { ovnDatabasePorts } from "./install";

export interface OvnCentralArgs {
  settings: ServiceSettings;
  ovn: OvnSettings;
  storagePool: string;
  /** container-base (the NIC comes from `network`). */
  baseProfiles: pulumi.Input<string>[];
  /**
   * Network of the container. The reference runs it on the cluster's default bridge
   * (`incusbr0`), outside the OVN networks it serves.
   */
  network?: string;
  /** Cluster member hosting the container (the proxy devices listen on its address). */
  targetNode?: string;
  instanceName?: string;
  profileName?: string;
}

/**
 * OVN central as a container (the reference's `ovn-central01`): northbound and southbound
 * databases, published on the host's LAN address through proxy devices so IncusOS nodes
 * can join as chassis (`tcp:<listen address>:6642`).
 */
export class OvnCentral extends pulumi.ComponentResource {
  /** `tcp:<listen address>:6641`, for `network.ovn.northbound_connection`. */
  public readonly northboundConnection: string;
  /** `tcp:<listen address>:6642`, for each chassis' `database`. */
  public readonly southboundConnection: string;
  public readonly ipv4Address: pulumi.Output<string>;

  constructor(name: string, args: OvnCentralArgs, opts?: pulumi.ComponentResourceOptions) {
    super("atlas:components:OvnCentral", name, {}, opts);
    const listen = args.ovn.centralListenAddress;
    const databaseProxy = (db: keyof typeof ovnDatabasePorts): incus.Device => ({
      name: `ovn-${db}-proxy`,
      type: "proxy",
      properties: {
        listen: `tcp:${listen}:${ovnDatabasePorts[db]}`,
        connect: `tcp:127.0.0.1:${ovnDatabasePorts[db]}`,
      },
    });

    const anatomy = buildServiceAnatomy(this, {
      ...serviceAnatomyBasics(args, "ovn-central01", "ovn-central"),
      dataPath: ovnDataDir,
      devices: [
        {
          name: "eth0",
          type: "nic",
          properties: { name: "eth0", network: args.network ?? "incusbr0" },
        },
        databaseProxy("northbound"),
        databaseProxy("southbound"),
      ],
      install: ovnCentralInstall(args.settings),
    });

    this.northboundConnection = `tcp:${listen}:${ovnDatabasePorts.northbound}`;
    this.southboundConnection = `tcp:${listen}:${ovnDatabasePorts.southbound}`;
    this.ipv4Address = anatomy.ipv4Address;
    this.registerOutputs({
      northboundConnection: this.northboundConnection,
      southboundConnection: this.southboundConnection,
      ipv4Address: this.ipv4Address,
    });
  }
}
