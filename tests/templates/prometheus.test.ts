import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import * as YAML from "yaml";
import { parseAtlasConfig } from "../../config";
import { atlasAlertRules, renderAlertRules } from "../../components/prometheus/alertRules";
import {
  alertRulesFile,
  renderPrometheusConfig,
  type PrometheusConfigInput,
} from "../../components/prometheus/config";
import { incusMetricsFiles } from "../../components/prometheus/scrapeConfigs";
import {
  promtoolCheckConfig,
  promtoolCheckRules,
  promtoolTestRules,
  type FileTree,
} from "../helpers/validators";

const fixture = fs.readFileSync(path.join(__dirname, "fixtures", "alerts.test.yml"), "utf8");
const pem = (kind: string) => `-----BEGIN ${kind}-----\nMIIB\n-----END ${kind}-----\n`;

/** The files prometheus.yml references, laid out beside it as in /etc/prometheus. */
function referencedFiles(rules = renderAlertRules("15s")): FileTree {
  return {
    [alertRulesFile]: rules,
    [incusMetricsFiles.certificate]: pem("CERTIFICATE"),
    [incusMetricsFiles.privateKey]: pem("PRIVATE KEY"),
  };
}

/** Typical settings of each stack, as the topologies wire them. */
function typicalInput(stack: "iapetus" | "cluster01"): PrometheusConfigInput {
  const config = parseAtlasConfig({ stack, values: {}, secretKeys: [] });
  const common = {
    interval: config.prometheus.scrapeInterval,
    incusMetricsTarget: "10.20.0.1:8443",
    environment: stack,
  };
  return stack === "iapetus"
    ? {
        ...common,
        targets: [
          { job: "grafana", targets: ["grafana01.incus:3000"] },
          { job: "loki", targets: ["loki01.incus:3100"] },
          { job: "cloudflared", targets: ["cloudflared01.incus:2000"] },
          { job: "node", targets: ["node-exporter01.incus:9100"] },
        ],
        federationTargets: ["prometheus01.cluster01.example:9090"],
        alertmanagers: [],
      }
    : {
        ...common,
        targets: [
          {
            job: "node",
            targets: ["node-exporter01.incus:9100", "node-exporter02.incus:9100"],
          },
          { job: "coredns", targets: ["coredns01.incus:9153"] },
        ],
        federationTargets: [],
        alertmanagers: ["alertmanager01.incus:9093"],
      };
}

describe("prometheus.yml", () => {
  for (const stack of ["iapetus", "cluster01"] as const) {
    it(`passes promtool check config for ${stack}'s typical settings`, () => {
      const rendered = renderPrometheusConfig(typicalInput(stack));
      const result = promtoolCheckConfig(rendered, referencedFiles());
      expect(result.output).toContain("SUCCESS");
      expect(result.ok, result.output).toBe(true);
      // The rule file was found and checked, not skipped.
      expect(result.output).toMatch(/10 rules found/);
    });
  }

  it("scrapes every 15s and carries the control plane's federation and Incus mTLS jobs", () => {
    const document = YAML.parse(renderPrometheusConfig(typicalInput("iapetus")));
    expect(document.global).toMatchObject({ scrape_interval: "15s", evaluation_interval: "15s" });
    const jobs = Object.fromEntries(
      document.scrape_configs.map((c: { job_name: string }) => [c.job_name, c]),
    );
    expect(Object.keys(jobs)).toEqual([
      "prometheus",
      "grafana",
      "loki",
      "cloudflared",
      "node",
      "incus",
      "federate",
    ]);
    expect(jobs.incus).toMatchObject({
      scheme: "https",
      metrics_path: "/1.0/metrics",
      static_configs: [{ targets: ["10.20.0.1:8443"] }],
      tls_config: {
        cert_file: incusMetricsFiles.certificate,
        key_file: incusMetricsFiles.privateKey,
      },
    });
    expect(jobs.federate).toMatchObject({ metrics_path: "/federate", honor_labels: true });
    expect(document.alerting).toBeUndefined();
  });

  it("sends alerts to the Alertmanager only where one exists", () => {
    const document = YAML.parse(renderPrometheusConfig(typicalInput("cluster01")));
    expect(document.alerting.alertmanagers[0].static_configs[0].targets).toEqual([
      "alertmanager01.incus:9093",
    ]);
    expect(document.scrape_configs.map((c: { job_name: string }) => c.job_name)).not.toContain(
      "federate",
    );
  });

  it("fails promtool when a referenced file is missing", () => {
    const files = referencedFiles();
    delete files[incusMetricsFiles.privateKey];
    const result = promtoolCheckConfig(renderPrometheusConfig(typicalInput("iapetus")), files);
    expect(result.ok).toBe(false);
    expect(result.output).toContain("incus-metrics.key");
  });

  it("fails promtool on a malformed value", () => {
    const bad = renderPrometheusConfig({ ...typicalInput("cluster01"), interval: "fifteen" });
    const result = promtoolCheckConfig(bad, referencedFiles());
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/fifteen/);
  });
});

describe("alert rules", () => {
  it("pass promtool check rules", () => {
    const result = promtoolCheckRules(renderAlertRules("15s"));
    expect(result.ok, result.output).toBe(true);
    expect(result.output).toContain("SUCCESS: 10 rules found");
  });

  it("are the reference's ten alerts with severities and annotations", () => {
    const document = YAML.parse(renderAlertRules("15s"));
    expect(document.groups[0].interval).toBe("15s");
    const rules = document.groups[0].rules as { alert: string; labels: { severity: string } }[];
    expect(Object.fromEntries(rules.map((r) => [r.alert, r.labels.severity]))).toEqual({
      ServiceDown: "critical",
      ServiceFlapping: "warning",
      HighMemoryUsage: "warning",
      CriticalMemoryUsage: "critical",
      HostOutOfMemory: "warning",
      HostHighMemoryPressure: "warning",
      DiskSpaceWarning: "warning",
      DiskSpaceCritical: "critical",
      HighCPUUsage: "warning",
      HighLoadAverage: "warning",
    });
  });

  it("fire at their thresholds and durations and stay silent below (promtool test rules)", () => {
    const result = promtoolTestRules("alerts.test.yml", {
      "alerts.test.yml": fixture,
      "alerts.yml": renderAlertRules("15s"),
    });
    expect(result.ok, result.output).toBe(true);
    expect(result.output).toContain("SUCCESS");
  });

  it("have unit tests that cover every alert, firing and silent", () => {
    const tests = YAML.parse(fixture).tests as {
      alert_rule_test: { alertname: string; exp_alerts: unknown[] }[];
    }[];
    const cases = tests.flatMap((t) => t.alert_rule_test);
    for (const rule of atlasAlertRules) {
      const own = cases.filter((c) => c.alertname === rule.alert);
      expect(own.some((c) => c.exp_alerts.length > 0), `${rule.alert} fires`).toBe(true);
      expect(own.some((c) => c.exp_alerts.length === 0), `${rule.alert} silent`).toBe(true);
    }
  });

  it("unit tests catch a changed threshold", () => {
    const loosened = atlasAlertRules.map((rule) =>
      rule.alert === "HighMemoryUsage" ? { ...rule, expr: rule.expr.replace("> 80", "> 90") } : rule,
    );
    const result = promtoolTestRules("alerts.test.yml", {
      "alerts.test.yml": fixture,
      "alerts.yml": renderAlertRules("15s", loosened),
    });
    expect(result.ok).toBe(false);
    expect(result.output).toContain("HighMemoryUsage");
  });

  it("fail promtool check rules on a malformed expression", () => {
    const broken = [{ ...atlasAlertRules[0], expr: "up == (" }];
    const result = promtoolCheckRules(renderAlertRules("15s", broken));
    expect(result.ok).toBe(false);
  });
});
