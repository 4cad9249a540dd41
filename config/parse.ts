import * as pulumi from "@pulumi/pulumi";
import { serviceDefaults } from "./defaults";
import { ConfigProblem, ConfigValidationError } from "./errors";
import { releasePinProblems } from "./releasePins";
import * as rules from "./rules";
import type { Rule } from "./rules";
import {
  AtlasConfig,
  ServiceKey,
  serviceKeys,
  ServiceSettings,
  SnapshotSettings,
  TopologyName,
  topologyNames,
} from "./schema";
import {
  credentialNames,
  credentials,
  defaultFor,
  movedKeys,
  scalarSettings,
  sectionSettings,
  serviceFields,
  snapshotFields,
  topLevelKeys,
  type CredentialName,
  type DefaultContext,
  type Setting,
  type ScalarSettings,
  type SectionSettings,
} from "./settings";
import { knownKeyText } from "./suggest";

/** Raw stack configuration, as Pulumi hands it to a program. */
export interface ConfigInput {
  stack: string;
  /** Full keys (`atlas:services`, `incus:remote`) to their stored string values. */
  values: Readonly<Record<string, string>>;
  /** Keys whose values were set with `pulumi config set --secret`. */
  secretKeys: readonly string[];
}

const ns = "atlas";

type FieldRules<T> = { [K in keyof T]-?: Rule<T[K]> };

/** Every `section.field` a user can set, so `grafanaDomain` is answered with `grafana.domain`. */
const fieldPaths: readonly string[] = Object.entries(sectionSettings).flatMap(([name, section]) =>
  Object.keys(section.fields).map((field) => `${name}.${field}`),
);

/** Collects every problem while reading, so they can be reported together. */
class Reader {
  readonly problems: ConfigProblem[] = [];
  private readonly secretKeys: Set<string>;

  constructor(private readonly input: ConfigInput) {
    this.secretKeys = new Set(input.secretKeys);
  }

  /**
   * A problem with a value. A value under a key stored as a secret (a whole object set with
   * `--secret --path`) is never echoed, whichever field of it is wrong.
   */
  problem(key: string, value: unknown, allowed: string): void {
    const topLevel = /^[^.[]+/.exec(key)?.[0] ?? key;
    const shown = this.secretKeys.has(topLevel) ? "[secret]" : render(value);
    this.problems.push({ key, value: shown, allowed });
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
        const moved = movedKeys[`${key.slice(ns.length + 1)}.${field}`];
        const allowed = knownKeyText(
          field,
          Object.keys(fieldRules),
          moved === undefined ? {} : { [field]: moved },
        );
        // A credential put in the wrong place is still a credential: never echoed.
        if (moved?.includes("--secret")) {
          this.problems.push({ key: `${key}.${field}`, value: "[secret]", allowed });
        } else {
          this.problem(`${key}.${field}`, value, allowed);
        }
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

  /** An object-valued key, read with the fields, rules and defaults config/settings.ts gives it. */
  section<K extends keyof SectionSettings>(name: K, context: DefaultContext): SectionSettings[K] {
    const fields = sectionSettings[name].fields as unknown as Record<string, Setting<unknown>>;
    const defaults: Record<string, unknown> = {};
    const fieldRules: Record<string, Rule<unknown>> = {};
    for (const [field, setting] of Object.entries(fields)) {
      defaults[field] = defaultFor(setting, context);
      fieldRules[field] = setting.rule;
    }
    return this.fields(
      `${ns}:${name}`,
      this.raw(name),
      defaults as SectionSettings[K],
      fieldRules as FieldRules<SectionSettings[K]>,
    );
  }

  /** A top-level key holding one value, with its rule and default from config/settings.ts. */
  setting<K extends keyof ScalarSettings>(name: K, context: DefaultContext): ScalarSettings[K] {
    const setting = scalarSettings[name] as Setting<ScalarSettings[K]>;
    return this.scalar(name, setting.rule, defaultFor(setting, context));
  }

  /**
   * A credential: must be stored encrypted, must have the form `rule` allows (checked
   * without ever echoing it), and is handed on as a Pulumi secret.
   */
  secret(name: CredentialName): pulumi.Output<string> | undefined {
    const rule: Rule<string> = credentials[name].rule;
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
        const moved = movedKeys[name];
        const hidden = this.secretKeys.has(key) || moved?.includes("--secret") === true;
        this.problems.push({
          key,
          value: hidden ? "[secret]" : render(this.input.values[key]),
          allowed: knownKeyText(name, [...known, ...fieldPaths], movedKeys, known),
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

const serviceRules = Object.fromEntries(
  Object.entries(serviceFields).map(([field, setting]) => [field, setting.rule]),
) as FieldRules<Omit<ServiceSettings, "snapshots">>;

const snapshotRules = Object.fromEntries(
  Object.entries(snapshotFields).map(([field, setting]) => [field, setting.rule]),
) as FieldRules<SnapshotSettings>;

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
    return reader.value(`${ns}:topology`, explicit, scalarSettings.topology.rule, "iapetus");
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

  // Defaults that depend on the stack: the topology, and the management gateway (CoreDNS'
  // resolver for `.incus` names), so the management network is read first.
  const context: DefaultContext = { topology, managementGateway: "" };
  const management = reader.section("managementNetwork", context);
  context.managementGateway = management.ipv4Address.split("/")[0];

  const networkBackend = reader.setting("networkBackend", context);
  const production = reader.section("productionNetwork", context);
  const gitops = reader.section("gitopsNetwork", context);
  const { mosquittoLbAddress, corednsLbAddress, ...ovnRest } = reader.section("ovn", context);
  const clusterNodes = reader.setting("clusterNodes", context);
  const pinToClusterNodes = reader.setting("pinToClusterNodes", context);
  const storagePool = reader.setting("storagePool", context);
  const proxyListenAddress = reader.setting("proxyListenAddress", context);
  const services = readServices(reader);

  const prometheus = reader.section("prometheus", context);
  const loki = reader.section("loki", context);
  const grafana = reader.section("grafana", context);
  const stepCa = reader.section("stepCa", context);
  const alertmanager = reader.section("alertmanager", context);
  const mosquitto = reader.section("mosquitto", context);
  const coredns = reader.section("coredns", context);
  const atlantis = reader.section("atlantis", context);
  const incusMetrics = reader.section("incusMetrics", context);
  const incusLoki = reader.section("incusLoki", context);
  const crossStack = reader.section("crossStack", context);

  const secrets = Object.fromEntries(
    credentialNames.map((name) => [name, reader.secret(name)]),
  ) as Record<CredentialName, pulumi.Output<string> | undefined>;
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

  reader.unknownTopLevelKeys(topLevelKeys);

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
