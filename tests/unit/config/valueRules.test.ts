/**
 * Values that used to pass validation and then failed on the host, or reached a root
 * script: each is refused up front, naming the key (and the list element), the value
 * (never a secret's) and what is allowed.
 */
import { describe, expect, it } from "vitest";
import { ConfigValidationError, parseAtlasConfig, type AtlasConfig } from "../../../config";

type Values = Record<string, unknown>;

function encode(values: Values): Record<string, string> {
  const encoded: Record<string, string> = {};
  for (const [k, v] of Object.entries(values))
    encoded[k] = typeof v === "string" ? v : JSON.stringify(v);
  return encoded;
}

function parse(values: Values, stack = "iapetus", secretKeys: string[] = []): AtlasConfig {
  return parseAtlasConfig({ stack, values: encode(values), secretKeys });
}

function problemsOf(values: Values, stack = "iapetus", secretKeys: string[] = []) {
  try {
    parse(values, stack, secretKeys);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigValidationError);
    return (e as ConfigValidationError).problems;
  }
  throw new Error(`configuration was accepted: ${JSON.stringify(values)}`);
}

function problemKeys(values: Values, stack = "iapetus", secretKeys: string[] = []): string[] {
  return problemsOf(values, stack, secretKeys).map((p) => p.key);
}

describe("addresses are parsed by Node's net module", () => {
  it.each([
    ["fffff::1/64"],
    ["1:2:3:4:5:6:7:8:9:10/64"],
    ["1::2::3/64"],
    ["fe80::1%eth0/64"],
    ["fd00::1/064"],
  ])("refuses the IPv6 gateway %s", (address) => {
    expect(problemKeys({ "atlas:productionNetwork": { ipv6Address: address } })).toEqual([
      "atlas:productionNetwork.ipv6Address",
    ]);
  });

  it("accepts real IPv6 gateways", () => {
    for (const address of ["fd00:10:10::1/64", "fd00:0:0:0:0:0:0:1/64", "::ffff:10.0.0.1/96"]) {
      expect(
        parse({ "atlas:productionNetwork": { ipv6Address: address } }).networks.production
          .ipv6Address,
      ).toBe(address);
    }
  });

  it.each([["01.2.3.4"], ["1.2.3.4.5"], ["256.1.1.1"], ["1.2.3"], [" 1.2.3.4"]])(
    "refuses the IPv4 address %s",
    (address) => {
      expect(problemKeys({ "atlas:proxyListenAddress": address })).toEqual([
        "atlas:proxyListenAddress",
      ]);
      expect(problemKeys({ "atlas:managementNetwork": { ipv4Address: `${address}/24` } })).toEqual([
        "atlas:managementNetwork.ipv4Address",
      ]);
    },
  );
});

describe("snapshot schedules are what Incus accepts", () => {
  const schedule = (value: string) => ({
    "atlas:services": { grafana: { snapshots: { enabled: true, schedule: value } } },
  });

  it.each([
    ["a b c d e"],
    ["99 99 99 99 99"],
    ["0 24 * * *"],
    ["60 2 * * *"],
    ["0 2 0 * *"],
    ["0 2 * 13 *"],
    ["0 2 * * 7"],
    ["0 2 * * mon-sun-tue"],
    ["5-1 * * * *"],
    ["*/0 * * * *"],
    ["0  2 * * *"],
    ["0 2 * * * *"],
    ["1,,2 * * * *"],
    ["@reboot"],
  ])("refuses %j", (value) => {
    const problems = problemsOf(schedule(value));
    expect(problems.map((p) => p.key)).toEqual(["atlas:services.grafana.snapshots.schedule"]);
    expect(problems[0].allowed).toMatch(/5-field cron/);
  });

  it.each([
    ["0 2 * * *"],
    ["*/15 0-6 1,15 jan-mar mon-fri"],
    ["0 2 * * SUN"],
    ["30 1 1-31/2 * ?"],
    ["@midnight"],
    ["@never"],
    ["0 2 * * *, 0 14 * * *"],
  ])("accepts %j", (value) => {
    expect(parse(schedule(value)).services.grafana.snapshots.schedule).toBe(value);
  });
});

describe("values are read by the type their rule expects", () => {
  it("reads a numeric storage pool name as a name", () => {
    // `pulumi config set storagePool 2024` stores the text 2024.
    expect(parse({ "atlas:storagePool": "2024" }).incus.storagePool).toBe("2024");
  });

  it("reads numbers set with --path as text where a name is expected", () => {
    const config = parse({ "atlas:productionNetwork": { name: 2024 } });
    expect(config.networks.production.name).toBe("2024");
  });

  it("still reads numbers and switches where the rule expects them", () => {
    const config = parse({
      "atlas:pinToClusterNodes": "false",
      "atlas:mosquitto": { mqttPort: "1884" },
    });
    expect(config.pinToClusterNodes).toBe(false);
    expect(config.mosquitto.mqttPort).toBe(1884);
  });
});

describe("a list with bad elements names each of them", () => {
  it("names the bad cluster member by its index", () => {
    const problems = problemsOf(
      { "atlas:clusterNodes": ["node01", "node 02", "node03", "-x"] },
      "cluster01",
    );
    expect(problems.map((p) => [p.key, p.value])).toEqual([
      ["atlas:clusterNodes[1]", "'node 02'"],
      ["atlas:clusterNodes[3]", "'-x'"],
    ]);
  });

  it("names the bad upstream resolver", () => {
    const problems = problemsOf({ "atlas:coredns": { upstreams: ["1.1.1.1", "01.2.3.4"] } });
    expect(problems).toEqual([
      {
        key: "atlas:coredns.upstreams[1]",
        value: "'01.2.3.4'",
        allowed: "an IPv4 address like 192.168.68.10",
      },
    ]);
  });

  it("still names the list itself when it is not a list", () => {
    expect(problemKeys({ "atlas:stepCa": { dnsNames: "step-ca01" } })).toEqual([
      "atlas:stepCa.dnsNames",
    ]);
  });
});

describe("values bound for scripts and config files are validated by what they are", () => {
  const hostileVersions = ["3.5.3\ntouch /x #", "$(id)", "`id`", "3.5.3; id", "3.5.3 id", "'"];

  it.each(hostileVersions)("refuses the version %j for every service", (version) => {
    const problems = problemsOf({
      "atlas:services": { loki: { version }, mosquitto: { version } },
    });
    expect(problems.map((p) => p.key)).toEqual([
      "atlas:services.loki.version",
      "atlas:services.mosquitto.version",
    ]);
    expect(problems[0].allowed).toMatch(/a version like 3.5.3/);
  });

  it.each([
    ["atlas:grafana", { adminUser: "admin\n[security]" }, "atlas:grafana.adminUser"],
    ["atlas:grafana", { adminUser: 'admin"""' }, "atlas:grafana.adminUser"],
    ["atlas:stepCa", { caName: "Lab CA\n--password-file=/etc/shadow" }, "atlas:stepCa.caName"],
    ["atlas:services", { grafana: { image: "images:alpine 3" } }, "atlas:services.grafana.image"],
    [
      "atlas:services",
      { grafana: { snapshots: { pattern: "../x/{{creation_date}}" } } },
      "atlas:services.grafana.snapshots.pattern",
    ],
    ["atlas:ovn", { northboundConnection: "tcp:1.2.3.4" }, "atlas:ovn.northboundConnection"],
    ["atlas:alertmanager", { emailFrom: "me" }, "atlas:alertmanager.emailFrom"],
    ["atlas:alertmanager", { smtpSmarthost: "smtp" }, "atlas:alertmanager.smtpSmarthost"],
    ["atlas:alertmanager", { webhookUrl: "ftp://x/" }, "atlas:alertmanager.webhookUrl"],
    ["atlas:alertmanager", { slackChannel: "#a b" }, "atlas:alertmanager.slackChannel"],
    ["atlas:atlantis", { githubUser: "a b" }, "atlas:atlantis.githubUser"],
    ["atlas:atlantis", { repoAllowlist: "github.com/a b" }, "atlas:atlantis.repoAllowlist"],
    [
      "atlas:crossStack",
      { federationTargetsFallback: ["prometheus01:9090", "x"] },
      "atlas:crossStack.federationTargetsFallback[1]",
    ],
    ["atlas:crossStack", { lokiPushUrlFallback: "loki01" }, "atlas:crossStack.lokiPushUrlFallback"],
    ["atlas:crossStack", { cluster01Stack: "a b" }, "atlas:crossStack.cluster01Stack"],
  ])("refuses a bad %s setting, naming %s", (key, value, problemKey) => {
    expect(problemKeys({ [key]: value })).toEqual([problemKey]);
  });

  it("accepts the reference's values for the same settings", () => {
    const config = parse({
      "atlas:alertmanager": {
        emailTo: "ops@example.org, oncall@example.org",
        smtpSmarthost: "smtp.example.org:587",
        smtpUsername: "alerts@example.org",
        webhookUrl: "https://hooks.example.org/alert",
      },
      "atlas:atlantis": { githubUser: "accuser-bot", repoAllowlist: "github.com/accuser-dev/*" },
      "atlas:crossStack": { federationTargetsFallback: ["prometheus01.cluster01:9090"] },
      "atlas:stepCa": { caName: "Bob's Lab CA" },
      "atlas:services": { atlantis: { version: "latest" }, ovnCentral: { version: "24.03" } },
    });
    expect(config.stepCa.caName).toBe("Bob's Lab CA");
    expect(config.alertmanager.smtpSmarthost).toBe("smtp.example.org:587");
  });
});

describe("credentials are checked without being echoed", () => {
  it.each([
    ["grafanaAdminPassword", 'pa"""ss\n[security]\nadmin_user = evil'],
    ["grafanaAdminPassword", "pa${HOME}ss"],
    ["grafanaAdminPassword", "pa$__file{/etc/shadow}"],
    ["cloudflaredTunnelToken", "tok'en"],
    ["alertmanagerSlackWebhookUrl", "not a url"],
    ["alertmanagerSmtpPassword", "line\nbreak"],
    ["mosquittoPasswords", JSON.stringify({ "sensor:admin": "pw" })],
    ["mosquittoPasswords", JSON.stringify({ sensor: "pw\nadmin:x" })],
  ])("refuses a malformed %s", (name, value) => {
    const key = `atlas:${name}`;
    const problems = problemsOf({ [key]: value }, "iapetus", [key]);
    expect(problems.map((p) => [p.key, p.value])).toEqual([[key, "[secret]"]]);
    expect(JSON.stringify(problems)).not.toContain(value);
  });

  it("accepts a password INI triple quotes carry", () => {
    const key = "atlas:grafanaAdminPassword";
    expect(() => parse({ [key]: "p#ss;word $x {y}" }, "iapetus", [key])).not.toThrow();
  });
});
