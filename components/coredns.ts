import * as pulumi from "@pulumi/pulumi";
import { pinnedRelease, type CorednsSettings, type ServiceSettings } from "../config";
import { corednsPorts, renderCorefile } from "./coredns/corefile";
import { renderZoneFile, type DnsRecord } from "./coredns/zone";
import { loadBalancerFor, type OvnLoadBalancer } from "./ovnLoadBalancer";
import { cloudInitUserData } from "./shared/cloudInit";
import { accessDevices, type ExternalAccess, type ExternalPort } from "./shared/externalAccess";
import { buildServiceAnatomy } from "./shared/serviceAnatomy";
import { serviceCloudConfig } from "./shared/serviceCloudConfig";

/** A zone record whose address may come from another component's output. */
export interface ServiceDnsRecord {
  name: string;
  address: pulumi.Input<string>;
}

export interface CorednsArgs {
  settings: ServiceSettings;
  coredns: CorednsSettings;
  storagePool: string;
  /** container-base, then the production network profile. */
  baseProfiles: pulumi.Input<string>[];
  access: ExternalAccess;
  /** The internal zone's records, from the deployed services' outputs. */
  records: ServiceDnsRecord[];
  instanceName?: string;
  profileName?: string;
}

const paths = {
  configDir: "/etc/coredns",
  corefile: "/etc/coredns/Corefile",
} as const;

/** Port 53 over both transports. */
const dnsPorts: ExternalPort[] = [
  { name: "dns-udp", protocol: "udp", port: corednsPorts.dns },
  { name: "dns-tcp", protocol: "tcp", port: corednsPorts.dns },
];

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
    const zonePath = `${paths.configDir}/${zone}.db`;

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

    const userData = this.zoneFile.apply((zoneText) =>
      cloudInitUserData(
        serviceCloudConfig({
          service: {
            name: "coredns",
            description: "CoreDNS split-horizon DNS",
            command: "/usr/local/bin/coredns",
            args: ["-conf", paths.corefile],
            user: "coredns",
            workingDirectory: paths.configDir,
          },
          release: {
            ...pinnedRelease("coredns", args.settings),
            binaries: [{ source: "coredns", target: "coredns" }],
          },
          home: paths.configDir,
          files: [
            { path: paths.corefile, content: corefile, permissions: "0644" },
            { path: zonePath, content: zoneText, permissions: "0644" },
          ],
          ownedPaths: [paths.configDir],
          // Port 53 without root: the binary gets just the bind capability.
          packages: ["libcap-utils"],
          postInstall: "setcap cap_net_bind_service=+ep /usr/local/bin/coredns",
        }),
      ),
    );

    const anatomy = buildServiceAnatomy(this, {
      instanceName,
      profileName: args.profileName ?? "coredns",
      settings: args.settings,
      storagePool: args.storagePool,
      baseProfiles: args.baseProfiles,
      userData,
      devices: accessDevices(args.access, dnsPorts),
    });
    this.loadBalancer = loadBalancerFor(
      this,
      args.access,
      instanceName,
      anatomy.ipv4Address,
      dnsPorts,
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
