import { defaultClusterNodes } from "./defaults";
import { releaseSha256Rule } from "./releasePins";
import * as rules from "./rules";
import type { Rule } from "./rules";
import {
  incusLokiServerKeys,
  networkBackends,
  productionNetworkTypes,
  topologyNames,
  type AlertmanagerSettings,
  type AtlantisSettings,
  type CorednsSettings,
  type CrossStackSettings,
  type GitopsNetworkSettings,
  type GrafanaSettings,
  type IncusLokiSettings,
  type IncusMetricsSettings,
  type LokiSettings,
  type ManagementNetworkSettings,
  type MosquittoSettings,
  type NetworkBackend,
  type ProductionNetworkSettings,
  type PrometheusSettings,
  type ServiceSettings,
  type SnapshotSettings,
  type StepCaSettings,
  type TopologyName,
} from "./schema";

/**
 * The keys a user sets under `atlas:` in `Pulumi.<stack>.yaml`: one entry per key with its
 * type, default, rule and meaning. Validation (config/parse.ts), the `config:` block of
 * Pulumi.yaml and docs/configuration.md are all drawn from this file (`npm run docs`), and a
 * test fails when the generated files differ, so a key cannot be documented one way and read
 * another. config/schema.ts is the typed object the program gets after reading these keys.
 */

/** The type a key has as Pulumi stores it (`object`: a map set with `--path`). */
export type SettingType = "string" | "integer" | "boolean" | "array" | "object";

/** What a default may depend on: the stack's topology and the management gateway. */
export interface DefaultContext {
  topology: TopologyName;
  /** The management network's gateway address without its prefix (`10.20.0.1`). */
  managementGateway: string;
}

/** A default that differs between stacks, with the words the docs show for it. */
export interface ComputedDefault<T> {
  compute: (context: DefaultContext) => T;
  text: string;
}

/** One setting: a top-level key or a field of an object-valued key. */
export interface Setting<T> {
  type: SettingType;
  rule: Rule<T>;
  default: T | ComputedDefault<T>;
  /** What it does, in the platform's words (one line in docs/configuration.md). */
  description: string;
  /** A value the rule accepts, shown in the docs (and tested to be accepted). */
  example: T;
}

/** The fields of an object-valued key, every field of its type present. */
export type Fields<T> = { [K in keyof T]-?: Setting<T[K]> };

/** An object-valued key: its description and its fields. */
export interface Section<T> {
  description: string;
  fields: Fields<T>;
}

/** A credential: set with `pulumi config set --secret`, handed on as a Pulumi secret. */
export interface Credential {
  rule: Rule<string>;
  description: string;
  /** The value as a user types it, for the docs' example command. */
  example: string;
}

export function isComputed<T>(value: T | ComputedDefault<T>): value is ComputedDefault<T> {
  return typeof value === "object" && value !== null && "compute" in value && "text" in value;
}

/** The default of a setting for one stack. */
export function defaultFor<T>(setting: Setting<T>, context: DefaultContext): T {
  return isComputed(setting.default) ? setting.default.compute(context) : setting.default;
}

function setting<T>(
  type: Setting<T>["type"],
  rule: Rule<T>,
  defaultValue: T | ComputedDefault<T>,
  description: string,
  example: T,
): Setting<T> {
  return { type, rule, default: defaultValue, description, example };
}

const text = (
  rule: Rule<string>,
  defaultValue: string | ComputedDefault<string>,
  description: string,
  example: string,
): Setting<string> => setting("string", rule, defaultValue, description, example);

const flag = (defaultValue: boolean, description: string): Setting<boolean> =>
  setting("boolean", rules.boolean, defaultValue, description, !defaultValue);

/** Top-level keys that hold one value. */
export interface ScalarSettings {
  topology: TopologyName;
  networkBackend: NetworkBackend;
  clusterNodes: string[];
  pinToClusterNodes: boolean;
  storagePool: string;
  proxyListenAddress: string;
}

export const scalarSettings: Fields<ScalarSettings> = {
  topology: setting(
    "string",
    rules.oneOf(topologyNames),
    { compute: ({ topology }) => topology, text: "the stack's name (iapetus or cluster01)" },
    "Which platform the stack builds: the control plane (iapetus) or the cluster workloads (cluster01). Set it for stacks named otherwise (dev, e2e).",
    "iapetus",
  ),
  networkBackend: setting(
    "string",
    rules.oneOf(networkBackends),
    "bridge",
    "How networks are built: Linux bridges, or OVN overlays on `ovn.uplinkNetwork` with load-balancer VIPs instead of proxy devices.",
    "ovn",
  ),
  clusterNodes: setting(
    "array",
    rules.listOf(rules.incusName, "cluster member names"),
    {
      compute: ({ topology }) => (topology === "cluster01" ? [...defaultClusterNodes] : []),
      text: `cluster01: the members its cluster reports (${defaultClusterNodes.join(", ")} when not pinned); none elsewhere`,
    },
    "Cluster members to use, each checked to exist and be online. One node-exporter is pinned to each; every other service and its data volume live on the first.",
    ["node01", "node02", "node03"],
  ),
  pinToClusterNodes: flag(
    true,
    "Pin instances and volumes to their member of `clusterNodes`. A standalone Incus server refuses any target, so stacks on one test daemon set false.",
  ),
  storagePool: text(
    rules.incusName,
    "local",
    "Incus storage pool for root disks and data volumes.",
    "default",
  ),
  proxyListenAddress: text(
    rules.ipv4Address,
    "0.0.0.0",
    "Host address the bridge-mode proxy devices listen on (the services reached from the LAN). Where Incus' own DNS runs on the host's bridges, set the host's LAN address: a wildcard bind of port 53 clashes with it.",
    "192.168.68.10",
  ),
};

const networkFields = (
  name: string,
  cidr: string,
  example: string,
): Fields<Omit<ProductionNetworkSettings, "type" | "parent" | "adoptExisting">> => ({
  name: text(rules.incusName, name, "Incus network name.", `${name}-b`),
  ipv4Address: text(
    rules.ipv4GatewayCidr,
    cidr,
    "Gateway address in CIDR notation (the host's address on the network).",
    example,
  ),
  ipv4Nat: flag(true, "NAT traffic leaving the network over IPv4."),
  ipv6Address: text(
    rules.ipv6GatewayCidrOrEmpty,
    "",
    "ULA gateway in CIDR notation; empty for IPv4 only.",
    "fd00:10:20::1/64",
  ),
  ipv6Nat: flag(true, "NAT traffic leaving the network over IPv6."),
});

/** `ovn` as the user sets it: the load-balancer VIPs are fields of their own. */
export interface OvnInput {
  uplinkNetwork: string | undefined;
  skipOvnConfig: boolean;
  northboundConnection: string;
  centralListenAddress: string;
  mtu: number;
  mosquittoLbAddress: string | undefined;
  corednsLbAddress: string | undefined;
}

/** Object-valued keys: one `pulumi config set --path <key>.<field>` per field. */
export interface SectionSettings {
  productionNetwork: ProductionNetworkSettings;
  managementNetwork: ManagementNetworkSettings;
  gitopsNetwork: GitopsNetworkSettings;
  ovn: OvnInput;
  prometheus: PrometheusSettings;
  loki: LokiSettings;
  grafana: Omit<GrafanaSettings, "adminPassword">;
  stepCa: StepCaSettings;
  alertmanager: Omit<AlertmanagerSettings, "slackWebhookUrl" | "smtpPassword">;
  mosquitto: Omit<MosquittoSettings, "passwords">;
  coredns: CorednsSettings;
  atlantis: Omit<AtlantisSettings, "githubToken" | "webhookSecret">;
  incusMetrics: IncusMetricsSettings;
  incusLoki: IncusLokiSettings;
  crossStack: CrossStackSettings;
}

const vip = "an IPv4 VIP in the uplink's ipv4.ovn.ranges";

export const sectionSettings: { [K in keyof SectionSettings]: Section<SectionSettings[K]> } = {
  productionNetwork: {
    description: "The network the services are reached on.",
    fields: {
      ...networkFields("production", "10.10.0.1/24", "10.11.0.1/24"),
      type: setting(
        "string",
        rules.oneOf(productionNetworkTypes),
        "bridge",
        "bridge: NAT'd, services reached through Incus proxy devices; physical: attached to a LAN interface (`parent`), services on LAN addresses.",
        "physical",
      ),
      parent: setting(
        "string",
        rules.optional(rules.incusName),
        undefined,
        "Host interface for physical mode; required when `type` is physical.",
        "eno1",
      ),
      adoptExisting: flag(
        false,
        "Take over a network of this name that already exists on the host.",
      ),
    },
  },
  managementNetwork: {
    description: "The network for monitoring and internal traffic.",
    fields: {
      ...networkFields("management", "10.20.0.1/24", "10.21.0.1/24"),
      existing: flag(
        false,
        "Use a network of this name that exists already (as on clusters) instead of creating it.",
      ),
    },
  },
  gitopsNetwork: {
    description: "The network Atlantis runs on.",
    fields: {
      ...networkFields("gitops", "10.30.0.1/24", "10.31.0.1/24"),
      enabled: flag(false, "Create the gitops network (needed by `atlantis.enabled`)."),
    },
  },
  ovn: {
    description: "OVN overlay networking, used when `networkBackend` is ovn.",
    fields: {
      uplinkNetwork: setting(
        "string",
        rules.optional(rules.incusName),
        undefined,
        "Uplink network with `ipv4.ovn.ranges`; required when `networkBackend` is ovn.",
        "eno1",
      ),
      skipOvnConfig: flag(
        false,
        "Leave the server's `network.ovn.northbound_connection` to the operator.",
      ),
      northboundConnection: text(
        rules.ovnConnection,
        "tcp:192.168.71.5:6641",
        "OVN northbound database address Incus connects to.",
        "ssl:192.168.71.5:6641",
      ),
      centralListenAddress: text(
        rules.ipv4Address,
        "192.168.71.5",
        "Host address where OVN central's proxy devices listen.",
        "192.168.68.5",
      ),
      mtu: setting(
        "integer",
        rules.integer(1280, 9000),
        1442,
        "MTU of OVN networks (Geneve overhead).",
        1500,
      ),
      mosquittoLbAddress: setting(
        "string",
        rules.optional(rules.ipv4Address),
        undefined,
        `Mosquitto's load-balancer VIP: ${vip}; required on cluster01 with OVN.`,
        "192.168.68.11",
      ),
      corednsLbAddress: setting(
        "string",
        rules.optional(rules.ipv4Address),
        undefined,
        `CoreDNS' load-balancer VIP: ${vip}; required with OVN.`,
        "192.168.68.12",
      ),
    },
  },
  prometheus: {
    description: "Prometheus retention and scraping.",
    fields: {
      retentionTime: text(rules.prometheusDuration, "30d", "How long samples are kept.", "90d"),
      retentionSize: text(
        rules.prometheusRetentionSize,
        "",
        "Largest size of the samples kept; empty for no size limit.",
        "90GB",
      ),
      scrapeInterval: text(
        rules.prometheusDuration,
        "15s",
        "How often targets are scraped.",
        "30s",
      ),
    },
  },
  loki: {
    description: "Loki log retention.",
    fields: {
      retentionPeriod: text(rules.lokiRetentionPeriod, "720h", "How long logs are kept.", "30d"),
      retentionDeleteDelay: text(
        rules.lokiDeleteDelay,
        "2h",
        "Delay before the compactor deletes expired logs (at least 2h).",
        "24h",
      ),
    },
  },
  grafana: {
    description: "Grafana (its admin password is the credential `grafanaAdminPassword`).",
    fields: {
      domain: text(
        rules.dnsName,
        "grafana.accuser.dev",
        "Grafana's public domain.",
        "grafana.example.org",
      ),
      adminUser: text(rules.loginName, "admin", "Grafana's admin account.", "ops@example.org"),
    },
  },
  stepCa: {
    description: "step-ca, the internal certificate authority.",
    fields: {
      caName: text(
        rules.displayText(128),
        "Atlas Internal CA",
        "The CA's name, written into its root certificate when the CA is initialised; a later change is refused.",
        "Home Lab CA",
      ),
      dnsNames: setting(
        "array",
        rules.listOf(rules.dnsName, "DNS names"),
        ["step-ca01.incus", "step-ca01", "localhost"],
        "Names on the CA's own TLS certificate; can change at any up.",
        ["step-ca01.incus", "ca.example.org"],
      ),
      certDuration: text(
        rules.certificateDuration,
        "24h",
        "Default lifetime of the certificates it issues; can change at any up.",
        "72h",
      ),
      rootFingerprint: text(
        rules.stepCaFingerprintOrEmpty,
        "",
        "Fingerprint of the CA's root certificate, read once from the initialised CA (output `step_ca_fingerprint_command`) and published for cluster01.",
        "a".repeat(64),
      ),
    },
  },
  alertmanager: {
    description:
      "Alertmanager receivers (the Slack webhook URL and SMTP password are credentials).",
    fields: {
      slackChannel: text(
        rules.slackChannel,
        "#alerts",
        "Slack channel of the Slack receiver.",
        "#ops",
      ),
      emailTo: text(
        rules.emptyOr(rules.emailAddresses, "email"),
        "",
        "Recipients of the email receiver; with `smtpSmarthost`, enables it.",
        "ops@example.org",
      ),
      emailFrom: text(
        rules.emailAddress,
        "alertmanager@accuser.dev",
        "Sender of alert emails.",
        "alerts@example.org",
      ),
      smtpSmarthost: text(
        rules.emptyOr(rules.hostPort, "email"),
        "",
        "SMTP server as host:port.",
        "smtp.example.org:587",
      ),
      smtpUsername: text(
        rules.emptyOr(rules.loginName, "SMTP authentication"),
        "",
        "SMTP login; empty for none.",
        "alerts",
      ),
      webhookUrl: text(
        rules.emptyOr(rules.httpUrl, "webhook receiver"),
        "",
        "URL of a generic webhook receiver; empty for none.",
        "https://hooks.example.org/alerts",
      ),
    },
  },
  mosquitto: {
    description: "Mosquitto, the MQTT broker (its users are the credential `mosquittoPasswords`).",
    fields: {
      enableTls: flag(
        false,
        "Serve MQTTS with a certificate from iapetus' step-ca (needs `stepCa.rootFingerprint` on iapetus).",
      ),
      mqttPort: setting("integer", rules.port, 1883, "MQTT port.", 1884),
      mqttsPort: setting("integer", rules.port, 8883, "MQTTS port.", 8884),
    },
  },
  coredns: {
    description: "CoreDNS, the split-horizon DNS server.",
    fields: {
      zone: text(
        rules.dnsName,
        "accuser.dev",
        "The internal zone it answers for.",
        "home.example.org",
      ),
      upstreams: setting(
        "array",
        rules.listOf(rules.ipv4Address, "IPv4 addresses"),
        ["1.1.1.1", "8.8.8.8"],
        "Resolvers it forwards other names to.",
        ["9.9.9.9"],
      ),
      incusResolver: text(
        rules.ipv4Address,
        {
          compute: ({ managementGateway }) => managementGateway,
          text: "the management network's gateway address",
        },
        "Incus' resolver for `.incus` names.",
        "10.20.0.1",
      ),
    },
  },
  atlantis: {
    description:
      "Atlantis, GitOps for pull requests (its GitHub token and webhook secret are credentials).",
    fields: {
      enabled: flag(
        false,
        "Deploy Atlantis (needs `gitopsNetwork.enabled` and both Atlantis credentials).",
      ),
      domain: text(
        rules.dnsName,
        "atlantis.accuser.dev",
        "Atlantis' public domain.",
        "atlantis.example.org",
      ),
      githubUser: text(
        rules.emptyOr(rules.githubUser, "Atlantis"),
        "",
        "GitHub account Atlantis acts as.",
        "atlas-bot",
      ),
      repoAllowlist: text(
        rules.repoAllowlist,
        "github.com/accuser-dev/atlas",
        "Repositories Atlantis serves.",
        "github.com/example/*",
      ),
    },
  },
  incusMetrics: {
    description: "The certificate Prometheus scrapes Incus' metrics with.",
    fields: {
      enabled: flag(true, "Create the metrics certificate and the scrape job."),
      certificateName: text(
        rules.incusName,
        "prometheus-metrics",
        "Name of the certificate in Incus.",
        "metrics",
      ),
      validityDays: setting(
        "integer",
        rules.integer(1, 36500),
        3650,
        "Days the certificate is valid.",
        365,
      ),
    },
  },
  incusLoki: {
    description: "Incus' own logs and events sent to Loki.",
    fields: {
      enabled: flag(true, "Configure the Incus server to send its logs to Loki."),
      loggingName: text(rules.incusName, "loki01", "Name of the logging target.", "loki"),
      serverKeys: setting(
        "string",
        rules.oneOf(incusLokiServerKeys),
        "logging",
        "Which server keys carry it: `logging.<name>.*` (current Incus) or `loki.*` (Incus 6.0 LTS).",
        "loki",
      ),
    },
  },
  crossStack: {
    description: "How the two stacks read each other's outputs.",
    fields: {
      organization: text(
        rules.emptyOr(rules.pulumiName, "organisation prefix"),
        "",
        "Organisation of the stacks' references (`org/atlas/<stack>`); empty for the backend's default.",
        "acme",
      ),
      project: text(rules.pulumiName, "atlas", "Project of the stacks' references.", "atlas"),
      iapetusStack: text(
        rules.emptyOr(rules.stackName, "reference"),
        {
          compute: ({ topology }) => (topology === "cluster01" ? "iapetus" : ""),
          text: "iapetus on cluster01; empty elsewhere",
        },
        "Stack cluster01 reads Loki's push URL and step-ca from; empty: the fallbacks.",
        "iapetus",
      ),
      cluster01Stack: text(
        rules.emptyOr(rules.stackName, "reference"),
        "",
        "Stack iapetus federates Prometheus from; empty: `federationTargetsFallback`.",
        "cluster01",
      ),
      federationTargetsFallback: setting(
        "array",
        rules.listOf(rules.hostPort, "host:port targets"),
        [],
        "Prometheus targets iapetus federates while it reads no cluster01 stack.",
        ["prometheus01.cluster01:9090"],
      ),
      lokiPushUrlFallback: text(
        rules.httpUrl,
        "http://loki01.iapetus:3100/loki/api/v1/push",
        "Loki push URL cluster01 uses while it reads no iapetus stack.",
        "http://192.168.68.20:3100/loki/api/v1/push",
      ),
      stepCaUrlFallback: text(
        rules.httpsBaseUrl,
        "https://step-ca01.incus:9000",
        "step-ca's URL while iapetus exports none; its host must be one of iapetus' `stepCa.dnsNames`.",
        "https://ca.example.org:9000",
      ),
      stepCaFingerprintFallback: text(
        rules.stepCaFingerprintOrEmpty,
        "",
        "step-ca's root fingerprint while iapetus exports none; empty: none.",
        "b".repeat(64),
      ),
    },
  },
};

/** A field whose default differs per service (config/defaults.ts holds them). */
export type ServiceField<T> = Omit<Setting<T>, "default">;
type ServiceFields<T> = { [K in keyof T]-?: ServiceField<T[K]> };

const perService = <T>(
  type: SettingType,
  rule: Rule<T>,
  description: string,
  example: T,
): ServiceField<T> => ({ type, rule, description, example });

/** `services.<service>`: the shared service anatomy; defaults per service in config/defaults.ts. */
export const serviceFields: ServiceFields<Omit<ServiceSettings, "snapshots">> = {
  image: perService(
    "string",
    rules.imageReference,
    "Instance image, `[remote:]alias`.",
    "images:alpine/3.21/cloud",
  ),
  version: perService("string", rules.releaseVersion, "Upstream version installed.", "3.5.3"),
  cpu: perService("integer", rules.cpuCores, "`limits.cpu`: whole cores.", 2),
  memory: perService("string", rules.memorySize, "`limits.memory`.", "2GB"),
  rootDiskSize: perService("string", rules.diskSize, "Size of the root disk.", "2GB"),
  dataPersistence: perService(
    "boolean",
    rules.boolean,
    "Keep a persistent data volume (mounted at the service's data path).",
    true,
  ),
  dataVolumeSize: perService("string", rules.diskSize, "Size of the data volume.", "10GB"),
  releaseSha256: perService(
    "object",
    releaseSha256Rule,
    "SHA-256 of the release download per architecture (`amd64`, `arm64`), for a version Atlas pins no hash for.",
    { amd64: "c".repeat(64) },
  ),
};

/** `services.<service>.snapshots`: Incus' snapshot schedule of the data volume. */
export const snapshotFields: ServiceFields<SnapshotSettings> = {
  enabled: perService(
    "boolean",
    rules.boolean,
    "Take scheduled snapshots of the data volume.",
    true,
  ),
  schedule: perService(
    "string",
    rules.snapshotSchedule,
    "When: `@hourly`, `@daily`, `@weekly`, `@monthly` or a 5-field cron expression.",
    "0 2 * * *",
  ),
  expiry: perService("string", rules.snapshotExpiry, "How long a snapshot is kept.", "2w"),
  pattern: perService(
    "string",
    rules.snapshotPattern,
    "Snapshot name pattern.",
    "snap-{{creation_date}}",
  ),
};

/** Credentials: must be set with `pulumi config set --secret`; each is optional. */
export const credentials = {
  grafanaAdminPassword: {
    rule: rules.grafanaPassword,
    description: "Grafana's admin password; unset: a random one is generated (output as a secret).",
    example: "<password>",
  },
  cloudflaredTunnelToken: {
    rule: rules.tunnelToken,
    description: "Cloudflare tunnel token; Cloudflared is deployed only when it is set.",
    example: "<token from the Cloudflare dashboard>",
  },
  atlantisGithubToken: {
    rule: rules.credentialText,
    description: "GitHub token Atlantis uses; required with `atlantis.enabled`.",
    example: "<token>",
  },
  atlantisWebhookSecret: {
    rule: rules.credentialText,
    description:
      "Secret of the GitHub webhook Atlantis receives; required with `atlantis.enabled`.",
    example: "<secret>",
  },
  alertmanagerSlackWebhookUrl: {
    rule: rules.httpUrl,
    description: "Slack incoming-webhook URL; enables the Slack receiver.",
    example: "https://hooks.slack.com/services/<...>",
  },
  alertmanagerSmtpPassword: {
    rule: rules.credentialText,
    description: "Password of `alertmanager.smtpUsername`.",
    example: "<password>",
  },
  mosquittoPasswords: {
    // Its form (a JSON map of users to passwords) is checked on its own (config/parse.ts).
    rule: rules.anyString,
    description: "MQTT users and their passwords, a JSON object; unset: anonymous access.",
    example: '{"sensor": "<password>"}',
  },
} as const satisfies Record<string, Credential>;

export type CredentialName = keyof typeof credentials;
export const credentialNames = Object.keys(credentials) as CredentialName[];

/** Every top-level key a user may set under `atlas:`. */
export const topLevelKeys: readonly string[] = [
  ...Object.keys(scalarSettings),
  ...Object.keys(sectionSettings),
  "services",
  ...credentialNames,
];

/**
 * Names a user may reach for because the program's typed view (config/schema.ts) or an
 * older layout uses them, with the key to set instead. Keyed by the unknown key's path
 * under `atlas:` (`networks`, `ovn.loadBalancerAddresses`).
 */
export const movedKeys: Readonly<Record<string, string>> = {
  networks: "productionNetwork, managementNetwork or gitopsNetwork",
  incus: "storagePool (and incus:remote, incus:project in the incus namespace)",
  cloudflared: "cloudflaredTunnelToken (set with --secret)",
  "ovn.loadBalancerAddresses": "ovn.mosquittoLbAddress or ovn.corednsLbAddress",
  "grafana.adminPassword": "grafanaAdminPassword (set with --secret)",
  "alertmanager.slackWebhookUrl": "alertmanagerSlackWebhookUrl (set with --secret)",
  "alertmanager.smtpPassword": "alertmanagerSmtpPassword (set with --secret)",
  "mosquitto.passwords": "mosquittoPasswords (set with --secret)",
  "atlantis.githubToken": "atlantisGithubToken (set with --secret)",
  "atlantis.webhookSecret": "atlantisWebhookSecret (set with --secret)",
};
