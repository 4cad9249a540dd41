import type * as pulumi from "@pulumi/pulumi";
import type { ReleaseSha256 } from "./releases";

/**
 * The typed Atlas configuration as the program uses it, read once from stack config
 * (`atlas:*`) by `loadAtlasConfig()`. The keys a user sets (their names, defaults and rules)
 * are in ./settings.ts and docs/configuration.md; some differ from this shape (the user's
 * `productionNetwork` is `networks.production` here, `ovn.mosquittoLbAddress` is
 * `ovn.loadBalancerAddresses.mosquitto`).
 */

export const topologyNames = ["iapetus", "cluster01"] as const;
export type TopologyName = (typeof topologyNames)[number];

export const networkBackends = ["bridge", "ovn"] as const;
/** How Atlas builds its networks: Linux bridges (default) or OVN overlays on an uplink. */
export type NetworkBackend = (typeof networkBackends)[number];

export const productionNetworkTypes = ["bridge", "physical"] as const;
/** bridge: NAT'd, reached through proxy devices; physical: attached to a LAN interface. */
export type ProductionNetworkType = (typeof productionNetworkTypes)[number];

/** Every service Atlas can deploy, keyed as in `atlas:services.<key>`. */
export const serviceKeys = [
  "grafana",
  "loki",
  "prometheus",
  "stepCa",
  "nodeExporter",
  "cloudflared",
  "atlantis",
  "alertmanager",
  "mosquitto",
  "coredns",
  "promtail",
  "ovnCentral",
] as const;
export type ServiceKey = (typeof serviceKeys)[number];

export interface SnapshotSettings {
  /** Snapshots are off unless enabled (the reference's `enable_snapshots`). */
  enabled: boolean;
  /** `@hourly|@daily|@weekly|@monthly` or a 5-field cron expression. */
  schedule: string;
  /** Incus expiry, e.g. `7d`, `2w`. */
  expiry: string;
  /** Snapshot name pattern, e.g. `auto-{{creation_date}}`. */
  pattern: string;
}

/** The shared service anatomy's knobs: profile limits, root disk, data volume, image. */
export interface ServiceSettings {
  /** Instance image, `remote:alias` or a local alias. */
  image: string;
  /** Upstream version installed by cloud-init (pinned). */
  version: string;
  /** `limits.cpu`: whole cores, 1–64. */
  cpu: number;
  /** `limits.memory`, e.g. `512MB`, `2GB`. */
  memory: string;
  /** Size of the profile's root disk, e.g. `1GB`. */
  rootDiskSize: string;
  /** Whether the service keeps a persistent data volume (`enable_data_persistence`). */
  dataPersistence: boolean;
  /** Data volume size, e.g. `10GB` (ignored for services without data). */
  dataVolumeSize: string;
  snapshots: SnapshotSettings;
  /**
   * SHA-256 of the release download per architecture, for a version Atlas has no pinned
   * hash for (config/releases.ts). Only for services installed from a release.
   */
  releaseSha256?: ReleaseSha256;
}

export interface NetworkSettings {
  /** Incus network name. */
  name: string;
  /** Gateway address in CIDR notation, e.g. `10.20.0.1/24`. */
  ipv4Address: string;
  ipv4Nat: boolean;
  /** ULA gateway in CIDR notation (`fd00:10:20::1/64`), or empty for IPv4 only. */
  ipv6Address: string;
  ipv6Nat: boolean;
}

export interface ProductionNetworkSettings extends NetworkSettings {
  type: ProductionNetworkType;
  /** Host interface for physical mode (e.g. `eno1`). */
  parent?: string;
  /** Take over a network that already exists on the host instead of creating it. */
  adoptExisting: boolean;
}

export interface ManagementNetworkSettings extends NetworkSettings {
  /** Reference an existing network by name (as on clusters) instead of creating it. */
  existing: boolean;
}

export interface GitopsNetworkSettings extends NetworkSettings {
  /** `enable_gitops`: create the gitops network (and Atlantis, when configured). */
  enabled: boolean;
}

export interface OvnSettings {
  /** Uplink network with `ipv4.ovn.ranges` (e.g. `eno1`); required for the OVN backend. */
  uplinkNetwork?: string;
  /** Leave `network.ovn.northbound_connection` to the operator (HAProxy ETag issue). */
  skipOvnConfig: boolean;
  /** Northbound DB address Incus connects to, e.g. `tcp:192.168.71.5:6641`. */
  northboundConnection: string;
  /** Address on the host where OVN central's proxy devices listen. */
  centralListenAddress: string;
  /** MTU of OVN networks (Geneve overhead). */
  mtu: number;
  /** LAN VIPs of OVN load balancers, per service (must be in the uplink's ovn ranges). */
  loadBalancerAddresses: { mosquitto?: string; coredns?: string };
}

export interface PrometheusSettings {
  /** `--storage.tsdb.retention.time`, e.g. `30d`. */
  retentionTime: string;
  /** `--storage.tsdb.retention.size`, e.g. `90GB`; empty for no size limit. */
  retentionSize: string;
  scrapeInterval: string;
}

export interface LokiSettings {
  /** e.g. `720h` (30 days). */
  retentionPeriod: string;
  /** At least `2h`. */
  retentionDeleteDelay: string;
}

export interface GrafanaSettings {
  domain: string;
  adminUser: string;
  /** Secret; when unset, a random password is generated. */
  adminPassword?: pulumi.Output<string>;
}

export interface StepCaSettings {
  caName: string;
  dnsNames: string[];
  /** Default leaf certificate duration, e.g. `24h`. */
  certDuration: string;
  /**
   * The root CA fingerprint (64 hex digits) the operator read from the initialised CA
   * (`step_ca_fingerprint_command`); published as `step_ca_root_fingerprint` for the
   * stacks that trust the CA. Empty until then.
   */
  rootFingerprint: string;
}

export interface AlertmanagerSettings {
  /** Secret Slack incoming-webhook URL; enables the Slack receiver. */
  slackWebhookUrl?: pulumi.Output<string>;
  slackChannel: string;
  /** Email receiver; enabled when `emailTo` and `smtpSmarthost` are set. */
  emailTo: string;
  emailFrom: string;
  smtpSmarthost: string;
  smtpUsername: string;
  smtpPassword?: pulumi.Output<string>;
  /** Generic webhook receiver URL. */
  webhookUrl: string;
}

export interface MosquittoSettings {
  /** MQTT users and their passwords (secret JSON object). Empty: anonymous access. */
  passwords?: pulumi.Output<Record<string, string>>;
  /** Serve 8883 with a certificate from step-ca. */
  enableTls: boolean;
  mqttPort: number;
  mqttsPort: number;
}

export interface CorednsSettings {
  /** Authoritative internal zone, e.g. `accuser.dev`. */
  zone: string;
  upstreams: string[];
  /** Incus DNS resolver for `.incus` (the management gateway by default). */
  incusResolver: string;
}

export interface CloudflaredSettings {
  /** Secret tunnel token; Cloudflared is created only when it is set. */
  tunnelToken?: pulumi.Output<string>;
}

export interface AtlantisSettings {
  enabled: boolean;
  domain: string;
  githubUser: string;
  repoAllowlist: string;
  githubToken?: pulumi.Output<string>;
  webhookSecret?: pulumi.Output<string>;
}

export interface IncusMetricsSettings {
  enabled: boolean;
  certificateName: string;
  validityDays: number;
}

export const incusLokiServerKeys = ["logging", "loki"] as const;
/**
 * Which server keys carry Incus' Loki logging: `logging.<name>.*` (named logging targets,
 * current Incus and IncusOS) or the single `loki.*` target of Incus 6.0 LTS.
 */
export type IncusLokiServerKeys = (typeof incusLokiServerKeys)[number];

export interface IncusLokiSettings {
  enabled: boolean;
  loggingName: string;
  serverKeys: IncusLokiServerKeys;
}

export interface CrossStackSettings {
  /** Organisation prefix for stack references (`org/atlas/<stack>`); empty for the backend default. */
  organization: string;
  project: string;
  /** Stack cluster01 reads Loki's push URL from; empty: use `lokiPushUrlFallback`. */
  iapetusStack: string;
  /** Stack iapetus federates Prometheus from; empty: use `federationTargetsFallback`. */
  cluster01Stack: string;
  /** Used when the cluster01 stack has no outputs yet. */
  federationTargetsFallback: string[];
  /** Used when the iapetus stack has no outputs yet. */
  lokiPushUrlFallback: string;
  /**
   * step-ca's base URL when iapetus does not export `step_ca_url`; its host must be one
   * of iapetus' `stepCa.dnsNames`.
   */
  stepCaUrlFallback: string;
  /** step-ca's root fingerprint when iapetus does not export `step_ca_root_fingerprint`; empty: none. */
  stepCaFingerprintFallback: string;
}

export interface AtlasConfig {
  stack: string;
  topology: TopologyName;
  incus: {
    /** Remote from the incus CLI config; empty: `INCUS_REMOTE`, then the default remote. */
    remote: string;
    project: string;
    storagePool: string;
  };
  networkBackend: NetworkBackend;
  networks: {
    production: ProductionNetworkSettings;
    management: ManagementNetworkSettings;
    gitops: GitopsNetworkSettings;
  };
  ovn: OvnSettings;
  /**
   * Host address bridge-mode proxy devices listen on (`0.0.0.0` as in the reference). Hosts
   * whose managed bridges run Incus' DNS on port 53 need a specific address for CoreDNS:
   * a wildcard bind clashes with dnsmasq's.
   */
  proxyListenAddress: string;
  /** Cluster member names; node exporters are pinned one per node. */
  clusterNodes: string[];
  /**
   * Each member's LAN address (the host of the API URL the cluster reports for it), read
   * from the cluster before cluster01 is built (topologies/clusterMembers.ts); not a
   * setting. Absent when the cluster was not asked (pinning off, mocked runs).
   */
  clusterMemberAddresses?: Record<string, string>;
  /**
   * Pin instances and volumes to their `clusterNodes` member (`?target=`). A standalone
   * Incus server rejects any target ("Target only allowed when clustered"), so the e2e
   * stacks on a single test daemon set it to false; instances still follow the node list.
   */
  pinToClusterNodes: boolean;
  services: Record<ServiceKey, ServiceSettings>;
  prometheus: PrometheusSettings;
  loki: LokiSettings;
  grafana: GrafanaSettings;
  stepCa: StepCaSettings;
  alertmanager: AlertmanagerSettings;
  mosquitto: MosquittoSettings;
  coredns: CorednsSettings;
  cloudflared: CloudflaredSettings;
  atlantis: AtlantisSettings;
  incusMetrics: IncusMetricsSettings;
  incusLoki: IncusLokiSettings;
  crossStack: CrossStackSettings;
}
