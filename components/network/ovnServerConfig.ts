import type * as pulumi from "@pulumi/pulumi";
import type { OvnSettings } from "../../config";
import * as incus from "../../incus/sdk";

/**
 * Points the Incus server at OVN central's northbound database
 * (`network.ovn.northbound_connection`), unless the operator manages it
 * (`ovn.skipOvnConfig`: behind HAProxy the server resource's ETag-guarded writes land on
 * different cluster members and fail, so the reference sets it with the CLI instead).
 */
export function ovnServerConfig(
  parent: pulumi.ComponentResource,
  ovn: OvnSettings,
  ovnCentral: pulumi.Input<pulumi.Resource[]> = [],
): incus.Server | undefined {
  if (ovn.skipOvnConfig) return undefined;
  return new incus.Server(
    "ovn-server-config",
    { config: { "network.ovn.northbound_connection": ovn.northboundConnection } },
    // Incus checks the connection when the key is set: OVN central must be up first.
    { parent, dependsOn: ovnCentral },
  );
}
