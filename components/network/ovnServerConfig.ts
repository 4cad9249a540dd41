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
    // Incus 6.0 does not check the address when the key is set: it connects at its first
    // OVN operation (the networks, which wait for this key) and keeps that connection for
    // the daemon's life, so OVN central must be serving by then.
    { parent, dependsOn: ovnCentral },
  );
}
