import * as pulumi from "@pulumi/pulumi";
import { defaultClusterNodes, serviceDefaults } from "./defaults";
import { ConfigProblem, ConfigValidationError } from "./errors";
import { releasePinProblems, releaseSha256Rule } from "./releasePins";
import * as rules from "./rules";
import type { Rule } from "./rules";
import {
  AtlasConfig,
  IncusLokiServerKeys,
  incusLokiServerKeys,
  networkBackends,
  ProductionNetworkType,
  productionNetworkTypes,
  ServiceKey,
  serviceKeys,
  ServiceSettings,
  SnapshotSettings,
  TopologyName,
  topologyNames,
} from "./schema";

/** Raw stack configuration, as Pulumi hands it to a program. */
export interface ConfigInput {
  stack: string;
  /** Full keys (`atlas:services`, `incus:remote`) to their stored string values. */
  values: Readonly<Record<string, string>>;
  /** Keys whose values were set with `pulumi config set --secret`. */
  secretKeys: readonly string[];
}

const ns = "atlas";

/** Keys that hold credentials: they must be set as secrets and stay secrets. */
const secretKeyNames = [
  "grafanaAdminPassword",
  "cloudflaredTunnelToken",
  "atlantisGithubToken",
  "atlantisWebhookSecret",
  "alertmanagerSlackWebhookUrl",
  "alertmanagerSmtpPassword",
  "mosquittoPasswords",
] as const;
type SecretKeyName = (typeof secretKeyNames)[number];

/** The form of each credential, except the Mosquitto password map (checked on its own). */
const secretRules: Record<Exclude<SecretKeyName, "mosquittoPasswords">, Rule<string>> = {
  grafanaAdminPassword: rules.grafanaPassword,
  cloudflaredTunnelToken: rules.tunnelToken,
  atlantisGithubToken: rules.credentialText,
  atlantisWebhookSecret: rules.credentialText,
  alertmanagerSlackWebhookUrl: rules.httpUrl,
  alertmanagerSmtpPassword: rules.credentialText,
};

type FieldRules<T> = { [K in keyof T]-?: Rule<T[K]> };

/** Collects every problem while reading, so they can be reported together. */
class Reader {
  readonly problems: ConfigProblem[] = [];
  private readonly secretKeys: Set<string>;

  constructor(private readonly input: ConfigInput) {
    this.secretKeys = new Set(input.secretKeys);
  }

  problem(key: string, value: unknown, allowed: string): void {
    this.problems.push({ key, value: render(value), allowed });
  }

  /**
   * The value of a top-level key: objects and lists decoded from their JSON, anything else
   * the text as stored. Numbers and booleans are not decoded here: each rule reads the
   * text as the type it expects (`storagePool 2024` is a name, `cpu 2` a number).
   */
  raw(name: string): unknown {
    const text = this.input.values[`${ns}:${name}`];
    if (text === undefined) return undefined;
    if (/^\s*[[{]/.test(text)) {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return text;
      }
    }
    return text;
  }

  value<T>(key: string, raw: unknown, rule: Rule<T>, fallback: T): T {
    if (raw === undefined) return fallback;
    const result = rule(raw);
    if (result.ok) return result.value;
    if (result.nested && result.nested.length > 0) {
      // A list with bad elements: each is named by its index, so the user sees which.
      for (const item of result.nested)
        this.problem(`${key}${item.suffix}`, item.value, item.allowed);
    } else {
      this.problem(key, raw, result.allowed);
    }
    return fallback;
  }

  scalar<T>(name: string, rule: Rule<T>, fallback: T): T {
    return this.value(`${ns}:${name}`, this.raw(name), rule, fallback);
  }

  /** An object-valued setting: known fields validated, unknown ones reported. */
  fields<T extends object>(key: string, raw: unknown, defaults: T, fieldRules: FieldRules<T>): T {
    if (raw === undefined) return { ...defaults };
    if (!isPlainObject(raw)) {
      this.problem(key, raw, `an object with keys ${Object.keys(fieldRules).join(", ")}`);
      return { ...defaults };
    }
    const out = { ...defaults };
    for (const [field, value] of Object.entries(raw)) {
      const rule = (fieldRules as Record<string, Rule<unknown> | undefined>)[field];
      if (!rule) {
        this.problem(
          `${key}.${field}`,
          value,
          `a known key: ${Object.keys(fieldRules).join(", ")}`,
        );
        continue;
      }
      const fallback = (defaults as Record<string, unknown>)[field];
      (out as Record<string, unknown>)[field] = this.value(
        `${key}.${field}`,
        value,
        rule,
        fallback,
      );
    }
    return out;
  }

  section<T extends object>(name: string, defaults: T, fieldRules: FieldRules<T>): T {
    return this.fields(`${ns}:${name}`, this.raw(name), defaults, fieldRules);
  }

  /**
   * A credential: must be stored encrypted, must have the form `rule` allows (checked
   * without ever echoing it), and is handed on as a Pulumi secret.
   */
  secret(name: SecretKeyName, rule: Rule<string>): pulumi.Output<string> | undefined {
    const key = `${ns}:${name}`;
    const text = this.input.values[key];
    if (text === undefined || text === "") return undefined;
    if (!this.secretKeys.has(key)) {
      this.problems.push({
        key,
        value: "[plain text]",
        allowed: `set as a secret: pulumi config set --secret ${name} <value>`,
      });
    }
    const result = rule(text);
    if (!result.ok) this.problems.push({ key, value: "[secret]", allowed: result.allowed });
    return pulumi.secret(text);
  }

  unknownTopLevelKeys(known: readonly string[]): void {
    for (const key of Object.keys(this.input.values)) {
      if (!key.startsWith(`${ns}:`)) continue;
      const name = key.slice(ns.length + 1);
      if (!known.includes(name)) {
        const value = this.secretKeys.has(key) ? "[secret]" : this.input.values[key];
        this.problems.push({
          key,
          value: render(value),
          allowed: `a known key: ${known.join(", ")}`,
        });
      }
    }
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function render(value: unknown): string {
  if (value === undefined) return "(unset)";
  return typeof value === "string" ? `'${value}'` : JSON.stringify(value);
}

const networkRules = {
  name: rules.incusName,
  ipv4Address: rules.ipv4GatewayCidr,
  ipv4Nat: rules.boolean,
  ipv6Address: rules.ipv6GatewayCidrOrEmpty,
  ipv6Nat: rules.boolean,
};

const snapshotRules: FieldRules<SnapshotSettings> = {
  enabled: rules.boolean,
  schedule: rules.snapshotSchedule,
  expiry: rules.snapshotExpiry,
  pattern: rules.snapshotPattern,
};

const serviceRules: Omit<FieldRules<ServiceSettings>, "snapshots"> = {
  image: rules.imageReference,
  version: rules.releaseVersion,
  cpu: rules.cpuCores,
  memory: rules.memorySize,
  rootDiskSize: rules.diskSize,
  dataPersistence: rules.boolean,
  dataVolumeSize: rules.diskSize,
  releaseSha256: releaseSha256Rule,
};

function readServices(reader: Reader): Record<ServiceKey, ServiceSettings> {
  const key = `${ns}:services`;
  const raw = reader.raw("services");
  const services = {} as Record<ServiceKey, ServiceSettings>;
  if (raw !== undefined && !isPlainObject(raw)) {
    reader.problem(key, raw, `an object keyed by service: ${serviceKeys.join(", ")}`);
  }
  const given = isPlainObject(raw) ? raw : {};
  for (const name of Object.keys(given)) {
    if (!(serviceKeys as readonly string[]).includes(name)) {
      reader.problem(`${key}.${name}`, given[name], `a known service: ${serviceKeys.join(", ")}`);
    }
  }
  for (const name of serviceKeys) {
    const defaults = serviceDefaults[name];
    const entry = given[name];
    const { snapshots: rawSnapshots, ...rest } = isPlainObject(entry) ? entry : {};
    const base = reader.fields(
      `${key}.${name}`,
      entry === undefined ? undefined : isPlainObject(entry) ? rest : entry,
      { ...defaults, snapshots: undefined },
      { ...serviceRules, snapshots: (v: unknown) => ({ ok: true, value: v as undefined }) },
    );
    const snapshots = reader.fields(
      `${key}.${name}.snapshots`,
      rawSnapshots,
      defaults.snapshots,
      snapshotRules,
    );
    services[name] = { ...base, snapshots };
  }
  return services;
}

/** Highest and lowest address of an IPv4 CIDR, for overlap checks. */
function ipv4Range(cidr: string): [number, number] | undefined {
  const [address, prefixText] = cidr.split("/");
  const octets = rules.parseIpv4(address ?? "");
  if (!octets) return undefined;
  const size = 2 ** (32 - Number(prefixText));
  const value = octets.reduce((acc, o) => acc * 256 + o, 0);
  const start = value - (value % size);
  return [start, start + size - 1];
}

function topologyFor(reader: Reader, stack: string): TopologyName {
  const explicit = reader.raw("topology");
  if (explicit !== undefined) {
    return reader.value(`${ns}:topology`, explicit, rules.oneOf(topologyNames), "iapetus");
  }
  if ((topologyNames as readonly string[]).includes(stack)) return stack as TopologyName;
  reader.problems.push({
    key: `${ns}:topology`,
    value: `(unset, and stack '${stack}' is not a topology name)`,
    allowed: `one of ${topologyNames.join(", ")}: name the stack after its topology or run \`pulumi config set topology <name>\``,
  });
  return "iapetus";
}

/**
 * Reads and validates the whole Atlas configuration. Throws one ConfigValidationError
 * listing every problem; nothing is registered before this returns.
 */
export function parseAtlasConfig(input: ConfigInput): AtlasConfig {
  const reader = new Reader(input);
  const topology = topologyFor(reader, input.stack);
  const isCluster = topology === "cluster01";

  const networkBackend = reader.scalar("networkBackend", rules.oneOf(networkBackends), "bridge");
  const production = reader.section(
    "productionNetwork",
    {
      name: "production",
      type: "bridge" as ProductionNetworkType,
      parent: undefined as string | undefined,
      ipv4Address: "10.10.0.1/24",
      ipv4Nat: true,
      ipv6Address: "",
      ipv6Nat: true,
      adoptExisting: false,
    },
    {
      ...networkRules,
      type: rules.oneOf(productionNetworkTypes),
      parent: rules.optional(rules.incusName),
      adoptExisting: rules.boolean,
    },
  );
  const management = reader.section(
    "managementNetwork",
    {
      name: "management",
      ipv4Address: "10.20.0.1/24",
      ipv4Nat: true,
      ipv6Address: "",
      ipv6Nat: true,
      existing: false,
    },
    { ...networkRules, existing: rules.boolean },
  );
  const gitops = reader.section(
    "gitopsNetwork",
    {
      name: "gitops",
      ipv4Address: "10.30.0.1/24",
      ipv4Nat: true,
      ipv6Address: "",
      ipv6Nat: true,
      enabled: false,
    },
    { ...networkRules, enabled: rules.boolean },
  );
  const ovnSection = reader.section(
    "ovn",
    {
      uplinkNetwork: undefined as string | undefined,
      skipOvnConfig: false,
      northboundConnection: "tcp:192.168.71.5:6641",
      centralListenAddress: "192.168.71.5",
      mtu: 1442,
      mosquittoLbAddress: undefined as string | undefined,
      corednsLbAddress: undefined as string | undefined,
    },
    {
      uplinkNetwork: rules.optional(rules.incusName),
      skipOvnConfig: rules.boolean,
      northboundConnection: rules.ovnConnection,
      centralListenAddress: rules.ipv4Address,
      mtu: rules.integer(1280, 9000),
      mosquittoLbAddress: rules.optional(rules.ipv4Address),
      corednsLbAddress: rules.optional(rules.ipv4Address),
    },
  );
  const { mosquittoLbAddress, corednsLbAddress, ...ovnRest } = ovnSection;
  const clusterNodes = reader.scalar(
    "clusterNodes",
    rules.listOf(rules.incusName, "cluster member names"),
    isCluster ? defaultClusterNodes : [],
  );
  const pinToClusterNodes = reader.scalar("pinToClusterNodes", rules.boolean, true);
  const storagePool = reader.scalar("storagePool", rules.incusName, "local");
  const proxyListenAddress = reader.scalar("proxyListenAddress", rules.ipv4Address, "0.0.0.0");
  const services = readServices(reader);

  const prometheus = reader.section(
    "prometheus",
    { retentionTime: "30d", retentionSize: "", scrapeInterval: "15s" },
    {
      retentionTime: rules.prometheusDuration,
      retentionSize: rules.prometheusRetentionSize,
      scrapeInterval: rules.prometheusDuration,
    },
  );
  const loki = reader.section(
    "loki",
    { retentionPeriod: "720h", retentionDeleteDelay: "2h" },
    { retentionPeriod: rules.lokiRetentionPeriod, retentionDeleteDelay: rules.lokiDeleteDelay },
  );
  const grafana = reader.section(
    "grafana",
    { domain: "grafana.accuser.dev", adminUser: "admin" },
    { domain: rules.dnsName, adminUser: rules.loginName },
  );
  const stepCa = reader.section(
    "stepCa",
    {
      caName: "Atlas Internal CA",
      dnsNames: ["step-ca01.incus", "step-ca01", "localhost"],
      certDuration: "24h",
      rootFingerprint: "",
    },
    {
      caName: rules.displayText(128),
      dnsNames: rules.listOf(rules.dnsName, "DNS names"),
      certDuration: rules.certificateDuration,
      rootFingerprint: rules.stepCaFingerprintOrEmpty,
    },
  );
  const alertmanager = reader.section(
    "alertmanager",
    {
      slackChannel: "#alerts",
      emailTo: "",
      emailFrom: "alertmanager@accuser.dev",
      smtpSmarthost: "",
      smtpUsername: "",
      webhookUrl: "",
    },
    {
      slackChannel: rules.slackChannel,
      emailTo: rules.emptyOr(rules.emailAddresses, "email"),
      emailFrom: rules.emailAddress,
      smtpSmarthost: rules.emptyOr(rules.hostPort, "email"),
      smtpUsername: rules.emptyOr(rules.loginName, "SMTP authentication"),
      webhookUrl: rules.emptyOr(rules.httpUrl, "webhook receiver"),
    },
  );
  const mosquitto = reader.section(
    "mosquitto",
    { enableTls: false, mqttPort: 1883, mqttsPort: 8883 },
    { enableTls: rules.boolean, mqttPort: rules.port, mqttsPort: rules.port },
  );
  const coredns = reader.section(
    "coredns",
    {
      zone: "accuser.dev",
      upstreams: ["1.1.1.1", "8.8.8.8"],
      incusResolver: management.ipv4Address.split("/")[0],
    },
    {
      zone: rules.dnsName,
      upstreams: rules.listOf(rules.ipv4Address, "IPv4 addresses"),
      incusResolver: rules.ipv4Address,
    },
  );
  const atlantis = reader.section(
    "atlantis",
    {
      enabled: false,
      domain: "atlantis.accuser.dev",
      githubUser: "",
      repoAllowlist: "github.com/accuser-dev/atlas",
    },
    {
      enabled: rules.boolean,
      domain: rules.dnsName,
      githubUser: rules.emptyOr(rules.githubUser, "Atlantis"),
      repoAllowlist: rules.repoAllowlist,
    },
  );
  const incusMetrics = reader.section(
    "incusMetrics",
    { enabled: true, certificateName: "prometheus-metrics", validityDays: 3650 },
    {
      enabled: rules.boolean,
      certificateName: rules.incusName,
      validityDays: rules.integer(1, 36500),
    },
  );
  const incusLoki = reader.section(
    "incusLoki",
    { enabled: true, loggingName: "loki01", serverKeys: "logging" as IncusLokiServerKeys },
    {
      enabled: rules.boolean,
      loggingName: rules.incusName,
      serverKeys: rules.oneOf(incusLokiServerKeys),
    },
  );
  const crossStack = reader.section(
    "crossStack",
    {
      organization: "",
      project: "atlas",
      // The control plane is deployed first (as in the reference), so by default only
      // cluster01 reads its peer; iapetus starts reading cluster01 once it is set.
      iapetusStack: isCluster ? "iapetus" : "",
      cluster01Stack: "",
      federationTargetsFallback: [] as string[],
      lokiPushUrlFallback: "http://loki01.iapetus:3100/loki/api/v1/push",
      stepCaUrlFallback: "https://step-ca01.incus:9000",
      stepCaFingerprintFallback: "",
    },
    {
      organization: rules.emptyOr(rules.pulumiName, "organisation prefix"),
      project: rules.pulumiName,
      iapetusStack: rules.emptyOr(rules.stackName, "reference"),
      cluster01Stack: rules.emptyOr(rules.stackName, "reference"),
      federationTargetsFallback: rules.listOf(rules.hostPort, "host:port targets"),
      lokiPushUrlFallback: rules.httpUrl,
      stepCaUrlFallback: rules.httpsBaseUrl,
      stepCaFingerprintFallback: rules.stepCaFingerprintOrEmpty,
    },
  );

  const secrets = {
    grafanaAdminPassword: reader.secret("grafanaAdminPassword", secretRules.grafanaAdminPassword),
    cloudflaredTunnelToken: reader.secret(
      "cloudflaredTunnelToken",
      secretRules.cloudflaredTunnelToken,
    ),
    atlantisGithubToken: reader.secret("atlantisGithubToken", secretRules.atlantisGithubToken),
    atlantisWebhookSecret: reader.secret(
      "atlantisWebhookSecret",
      secretRules.atlantisWebhookSecret,
    ),
    alertmanagerSlackWebhookUrl: reader.secret(
      "alertmanagerSlackWebhookUrl",
      secretRules.alertmanagerSlackWebhookUrl,
    ),
    alertmanagerSmtpPassword: reader.secret(
      "alertmanagerSmtpPassword",
      secretRules.alertmanagerSmtpPassword,
    ),
    // Its form (a JSON map of users to passwords) is checked below.
    mosquittoPasswords: reader.secret("mosquittoPasswords", rules.anyString),
  };
  const mosquittoPasswordsText = input.values[`${ns}:mosquittoPasswords`];
  if (mosquittoPasswordsText !== undefined && !isPasswordMap(mosquittoPasswordsText)) {
    reader.problems.push({
      key: `${ns}:mosquittoPasswords`,
      value: "[secret]",
      allowed:
        "a JSON object of user names (letters, digits and . _ @ -) to non-empty passwords " +
        'without control characters, e.g. {"sensor": "…"}',
    });
  }

  reader.unknownTopLevelKeys([
    "topology",
    "networkBackend",
    "productionNetwork",
    "managementNetwork",
    "gitopsNetwork",
    "ovn",
    "clusterNodes",
    "pinToClusterNodes",
    "storagePool",
    "proxyListenAddress",
    "services",
    "prometheus",
    "loki",
    "grafana",
    "stepCa",
    "alertmanager",
    "mosquitto",
    "coredns",
    "atlantis",
    "incusMetrics",
    "incusLoki",
    "crossStack",
    ...secretKeyNames,
  ]);

  // Rules that tie settings together.
  if (production.type === "physical" && !production.parent) {
    reader.problem(
      `${ns}:productionNetwork.parent`,
      production.parent,
      "the host interface to attach to (e.g. eno1) when productionNetwork.type is physical",
    );
  }
  if (networkBackend === "ovn") {
    if (!ovnRest.uplinkNetwork) {
      reader.problem(
        `${ns}:ovn.uplinkNetwork`,
        undefined,
        "the uplink network with ipv4.ovn.ranges (e.g. eno1) when networkBackend is ovn",
      );
    }
    if (production.type === "physical") {
      reader.problem(
        `${ns}:productionNetwork.type`,
        production.type,
        "bridge when networkBackend is ovn (OVN builds its own production network)",
      );
    }
    if (!corednsLbAddress) {
      reader.problem(
        `${ns}:ovn.corednsLbAddress`,
        undefined,
        "an IPv4 VIP in the uplink's ipv4.ovn.ranges when networkBackend is ovn",
      );
    }
    if (isCluster && !mosquittoLbAddress) {
      reader.problem(
        `${ns}:ovn.mosquittoLbAddress`,
        undefined,
        "an IPv4 VIP in the uplink's ipv4.ovn.ranges when networkBackend is ovn",
      );
    }
  }
  if (isCluster && clusterNodes.length === 0) {
    reader.problem(`${ns}:clusterNodes`, clusterNodes, "at least one cluster member name");
  }
  if (new Set(clusterNodes).size !== clusterNodes.length) {
    reader.problem(`${ns}:clusterNodes`, clusterNodes, "distinct cluster member names");
  }
  if (atlantis.enabled) {
    if (!gitops.enabled) {
      reader.problem(
        `${ns}:gitopsNetwork.enabled`,
        gitops.enabled,
        "true when atlantis.enabled is true",
      );
    }
    for (const name of ["atlantisGithubToken", "atlantisWebhookSecret"] as const) {
      if (!secrets[name]) {
        reader.problem(
          `${ns}:${name}`,
          undefined,
          "set (as a secret) when atlantis.enabled is true",
        );
      }
    }
  }
  const networks = [
    ["productionNetwork", production, production.type === "bridge"],
    ["managementNetwork", management, !management.existing],
    ["gitopsNetwork", gitops, gitops.enabled],
  ] as const;
  const names = new Map<string, string>();
  const ranges: [string, [number, number]][] = [];
  for (const [key, network, createdHere] of networks) {
    if (key === "gitopsNetwork" && !gitops.enabled) continue;
    const clash = names.get(network.name);
    if (clash) {
      reader.problem(
        `${ns}:${key}.name`,
        network.name,
        `a name different from ${ns}:${clash}.name`,
      );
    }
    names.set(network.name, key);
    const range = createdHere ? ipv4Range(network.ipv4Address) : undefined;
    if (!range) continue;
    const overlap = ranges.find(([, r]) => range[0] <= r[1] && r[0] <= range[1]);
    if (overlap) {
      reader.problem(
        `${ns}:${key}.ipv4Address`,
        network.ipv4Address,
        `a subnet that does not overlap ${ns}:${overlap[0]}.ipv4Address`,
      );
    }
    ranges.push([key, range]);
  }

  // Every release download must have a SHA-256 to check (config/releasePins.ts).
  reader.problems.push(...releasePinProblems(services));

  if (reader.problems.length > 0) throw new ConfigValidationError(input.stack, reader.problems);

  return {
    stack: input.stack,
    topology,
    incus: {
      remote: input.values["incus:remote"] ?? "",
      project: input.values["incus:project"] ?? "default",
      storagePool,
    },
    networkBackend,
    proxyListenAddress,
    networks: { production, management, gitops },
    ovn: {
      ...ovnRest,
      loadBalancerAddresses: { mosquitto: mosquittoLbAddress, coredns: corednsLbAddress },
    },
    clusterNodes,
    pinToClusterNodes,
    services,
    prometheus,
    loki,
    grafana: { ...grafana, adminPassword: secrets.grafanaAdminPassword },
    stepCa,
    alertmanager: {
      ...alertmanager,
      slackWebhookUrl: secrets.alertmanagerSlackWebhookUrl,
      smtpPassword: secrets.alertmanagerSmtpPassword,
    },
    mosquitto: {
      ...mosquitto,
      passwords: secrets.mosquittoPasswords?.apply(
        (text) => JSON.parse(text) as Record<string, string>,
      ),
    },
    coredns,
    cloudflared: { tunnelToken: secrets.cloudflaredTunnelToken },
    atlantis: {
      ...atlantis,
      githubToken: secrets.atlantisGithubToken,
      webhookSecret: secrets.atlantisWebhookSecret,
    },
    incusMetrics,
    incusLoki,
    crossStack,
  };
}

function isPasswordMap(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return (
      isPlainObject(value) &&
      Object.keys(value).length > 0 &&
      // A password-file line is `user:hash`: a ':' or a line break in a name would split it.
      Object.keys(value).every((user) => /^[A-Za-z0-9._@-]{1,64}$/.test(user)) &&
      Object.values(value).every((p) => typeof p === "string" && p !== "" && rules.isPrintable(p))
    );
  } catch {
    return false;
  }
}
