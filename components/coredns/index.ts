import * as pulumi from "@pulumi/pulumi";
import type { CorednsSettings } from "../../config";
import type { ServiceComponentArgs } from "../shared/serviceArgs";
import { loadBalancerFor, type OvnLoadBalancer } from "../ovnLoadBalancer";
import { accessDevices, type ExternalAccess, type ExternalPort } from "../shared/externalAccess";
import { buildServiceAnatomy } from "../shared/serviceAnatomy";
import { serviceAnatomyBasics } from "../shared/serviceArgs";
import { corednsConfiguration, zoneFilePath } from "./configuration";
import { corednsPorts, renderCorefile } from "./corefile";
import { corednsInstall, corednsPaths } from "./install";
import { renderZoneFile, type DnsRecord } from "./zone";

export { corednsPorts } from "./corefile";

/** A zone record whose address may come from another component's output. */
export interface ServiceDnsRecord {
  name: string;
  address: pulumi.Input<string>;
}

export interface CorednsArgs extends ServiceComponentArgs {
  coredns: CorednsSettings;
  access: ExternalAccess;
  /** The internal zone's records, from the deployed services' outputs. */
  records: ServiceDnsRecord[];
  /** With the OVN backend, also serve the metrics port on the VIP (for Prometheus). */
  metricsOnLoadBalancer?: boolean;
}

/** Port 53 over both transports. */
const dnsPorts: ExternalPort[] = [
  { name: "dns-udp", protocol: "udp", port: corednsPorts.dns },
  { name: "dns-tcp", protocol: "tcp", port: corednsPorts.dns },
];

/** The metrics port, as Prometheus on another network reaches it. */
export const corednsMetricsPort: ExternalPort = {
  name: "metrics",
  protocol: "tcp",
  port: corednsPorts.metrics,
};

/**
 * CoreDNS, split-horizon (the reference's `coredns01`): authoritative for the internal
 * zone, `.incus` forwarded to Incus' resolver, the rest to the upstreams.
 */
export class Coredns extends pulumi.ComponentResource {
  /** `coredns01.incus:53`. */
  public readonly dnsEndpoint: pulumi.Output<string>;
  public readonly healthEndpoint: pulumi.Output<string>;
  public readonly metricsEndpoint: pulumi.Output<string>;
  public readonly ipv4Address: pulumi.Output<string>;
  /** The rendered zone file (also written into the container). */
  public readonly zoneFile: pulumi.Output<string>;
  public readonly loadBalancer?: OvnLoadBalancer;

  constructor(name: string, args: CorednsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("atlas:components:Coredns", name, {}, opts);
    const instanceName = args.instanceName ?? "coredns01";
    const { zone, upstreams, incusResolver } = args.coredns;
    const zonePath = zoneFilePath(corednsPaths.configDir, zone);

    this.zoneFile = pulumi
      .all(
        args.records.map((r) => pulumi.output(r.address).apply((address) => ({ ...r, address }))),
      )
      .apply((all: DnsRecord[]) => {
        // An instance has no address until its DHCP lease (none yet on first create, none
        // ever for an image without a DHCP client): its record joins the zone on a later
        // `up`, instead of the zone failing to render.
        const pending = all.filter((r) => !r.address).map((r) => r.name);
        if (pending.length > 0) {
          pulumi.log.warn(
            `${name}: no address yet for ${pending.join(", ")}; their records are added by the next \`pulumi up\` (after a refresh)`,
          );
        }
        const records = all.filter((r) => r.address);
        // Out-of-zone name server: resolvable in the `.incus` horizon, no glue needed.
        return renderZoneFile({ zone, records, nameserver: `${instanceName}.incus.` });
      });
    const corefile = renderCorefile({ zone, zoneFile: zonePath, incusResolver, upstreams });

    const anatomy = buildServiceAnatomy(this, {
      ...serviceAnatomyBasics(args, instanceName, "coredns"),
      install: corednsInstall(args.settings),
      configuration: corednsConfiguration({
        corefile,
        corefilePath: corednsPaths.corefile,
        zone,
        zonePath,
        zoneFile: this.zoneFile,
      }),
      devices: [...accessDevices(args.access, dnsPorts), ...(args.devices ?? [])],
    });
    this.loadBalancer = loadBalancerFor(
      this,
      args.access,
      instanceName,
      anatomy.ipv4Address,
      args.metricsOnLoadBalancer ? [...dnsPorts, corednsMetricsPort] : dnsPorts,
    );

    const host = pulumi.interpolate`${anatomy.instanceName}.incus`;
    this.dnsEndpoint = pulumi.interpolate`${host}:${corednsPorts.dns}`;
    this.healthEndpoint = pulumi.interpolate`http://${host}:${corednsPorts.health}/health`;
    this.metricsEndpoint = pulumi.interpolate`http://${host}:${corednsPorts.metrics}/metrics`;
    this.ipv4Address = anatomy.ipv4Address;

    this.registerOutputs({
      dnsEndpoint: this.dnsEndpoint,
      healthEndpoint: this.healthEndpoint,
      metricsEndpoint: this.metricsEndpoint,
      ipv4Address: this.ipv4Address,
    });
  }
}
