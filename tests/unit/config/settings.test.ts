/**
 * config/settings.ts is the one list of keys a user sets: validation reads it, so every key
 * it names is accepted with its example value and yields its default when unset, and a key
 * it does not name is refused with the nearest known key.
 */
import { describe, expect, it } from "vitest";
import {
  ConfigValidationError,
  parseAtlasConfig,
  serviceKeys,
  type ConfigProblem,
} from "../../../config";
import {
  credentialNames,
  defaultFor,
  scalarSettings,
  sectionSettings,
  serviceFields,
  snapshotFields,
  topLevelKeys,
  type Setting,
} from "../../../config/settings";
import { suggestKey } from "../../../config/suggest";

function encode(values: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(values).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
  );
}

function problems(values: Record<string, unknown>, secretKeys: string[] = []): ConfigProblem[] {
  try {
    parseAtlasConfig({ stack: "iapetus", values: encode(values), secretKeys });
    return [];
  } catch (e) {
    if (!(e instanceof ConfigValidationError)) throw e;
    return [...e.problems];
  }
}

const sections = Object.entries(sectionSettings) as [
  string,
  { fields: Record<string, Setting<unknown>> },
][];

describe("every key in the schema", () => {
  it.each(Object.entries(scalarSettings) as [string, Setting<unknown>][])(
    "%s is accepted with its example",
    (name, setting) => {
      // Ties apart (the OVN backend needs its uplink), the example itself is never the problem.
      const found = problems({ [`atlas:${name}`]: setting.example });
      expect(found.filter((p) => p.key === `atlas:${name}`)).toEqual([]);
    },
  );

  const fields = sections.flatMap(([name, section]) =>
    Object.entries(section.fields).map(([field, setting]) => [name, field, setting] as const),
  );
  it.each(fields)("%s.%s is accepted with its example", (name, field, setting) => {
    // A physical network needs its parent, a VIP needs the OVN backend: ties apart, the
    // example itself must never be the problem.
    const found = problems({ [`atlas:${name}`]: { [field]: setting.example } });
    expect(found.filter((p) => p.key === `atlas:${name}.${field}`)).toEqual([]);
  });

  it.each(fields)("%s.%s defaults to what the program reads when unset", (name, field, setting) => {
    const config = parseAtlasConfig({ stack: "iapetus", values: {}, secretKeys: [] });
    const context = { topology: "iapetus" as const, managementGateway: "10.20.0.1" };
    const read: Record<string, Record<string, unknown>> = {
      ...config,
      productionNetwork: { ...config.networks.production },
      managementNetwork: { ...config.networks.management },
      gitopsNetwork: { ...config.networks.gitops },
      ovn: {
        ...config.ovn,
        mosquittoLbAddress: config.ovn.loadBalancerAddresses.mosquitto,
        corednsLbAddress: config.ovn.loadBalancerAddresses.coredns,
      },
    } as unknown as Record<string, Record<string, unknown>>;
    expect(read[name][field]).toEqual(defaultFor(setting, context));
  });

  it.each(
    serviceKeys.flatMap((service) => [
      ...Object.entries(serviceFields)
        .filter(([field]) => field !== "releaseSha256")
        .map(([field, s]) => [service, field, s.example] as const),
      ...Object.entries(snapshotFields).map(
        ([field, s]) => [service, `snapshots.${field}`, s.example] as const,
      ),
    ]),
  )("services.%s.%s is accepted with its example", (service, field, example) => {
    const [first, second] = field.split(".");
    const value = second === undefined ? { [first]: example } : { [first]: { [second]: example } };
    const found = problems({ "atlas:services": { [service]: value } });
    expect(found.filter((p) => p.key.startsWith(`atlas:services.${service}.${first}`))).toEqual([]);
  });

  it("lists every top-level key the reader accepts, credentials included", () => {
    for (const name of topLevelKeys) {
      const found = problems({ [`atlas:${name}`]: "x" }, [`atlas:${name}`]);
      expect(found.filter((p) => /known key/.test(p.allowed))).toEqual([]);
    }
    expect(credentialNames).toContain("grafanaAdminPassword");
  });
});

describe("an unknown key is answered with the key to set", () => {
  const cases: [string, Record<string, unknown>, string, string][] = [
    ["a typo", { "atlas:storagePol": "local" }, "atlas:storagePol", "storagePool"],
    [
      "a flattened field",
      { "atlas:grafanaDomain": "x.org" },
      "atlas:grafanaDomain",
      "grafana.domain",
    ],
    [
      "the program's view of the networks",
      { "atlas:networks": { production: { type: "physical" } } },
      "atlas:networks",
      "productionNetwork, managementNetwork or gitopsNetwork",
    ],
    [
      "the program's view of the OVN VIPs",
      { "atlas:ovn": { loadBalancerAddresses: { mosquitto: "192.168.68.11" } } },
      "atlas:ovn.loadBalancerAddresses",
      "ovn.mosquittoLbAddress or ovn.corednsLbAddress",
    ],
    [
      "a field typo",
      { "atlas:prometheus": { retentionTme: "30d" } },
      "atlas:prometheus.retentionTme",
      "retentionTime",
    ],
    [
      "a service typo",
      { "atlas:services": { grafana: { memroy: "1GB" } } },
      "atlas:services.grafana.memroy",
      "memory",
    ],
  ];
  it.each(cases)("%s", (_what, values, key, suggestion) => {
    const problem = problems(values).find((p) => p.key === key);
    expect(problem?.allowed).toContain(`known key (did you mean ${suggestion}?)`);
  });

  it("suggests nothing for a key far from every known one", () => {
    expect(suggestKey("zzzzzzzzzz", topLevelKeys)).toBeUndefined();
    const problem = problems({ "atlas:zzzzzzzzzz": "1" })[0];
    expect(problem.allowed).not.toContain("did you mean");
  });

  it("never echoes a credential put under the program's view of it", () => {
    const found = problems({ "atlas:grafana": { adminPassword: "hunter2-plain" } });
    expect(found).toEqual([
      {
        key: "atlas:grafana.adminPassword",
        value: "[secret]",
        allowed: expect.stringContaining("did you mean grafanaAdminPassword (set with --secret)?"),
      },
    ]);
  });

  it("never echoes any field of an object stored as a secret", () => {
    const found = problems(
      { "atlas:alertmanager": { webhookUrl: "not a url hunter2", smtpPasswrd: "hunter2" } },
      ["atlas:alertmanager"],
    );
    expect(found.map((p) => p.key).sort()).toEqual([
      "atlas:alertmanager.smtpPasswrd",
      "atlas:alertmanager.webhookUrl",
    ]);
    expect(JSON.stringify(found)).not.toContain("hunter2");
  });
});
