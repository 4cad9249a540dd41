import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import * as YAML from "yaml";
import { Prometheus, type PrometheusArgs } from "../../../components/prometheus";
import { valueOf } from "../../helpers/pulumiMocks";
import {
  atlasConfig,
  baseProfiles,
  cloudConfigOf,
  configurationOf,
  expectAnatomy,
  serviceRun,
  userDataIsSecret,
} from "./serviceHarness";

async function deploy(
  stack: string,
  extra: Partial<PrometheusArgs> = {},
  values: Record<string, unknown> = {},
) {
  const service = await serviceRun(stack);
  const config = atlasConfig(stack, values);
  const prometheus = new Prometheus(
    "prometheus",
    {
      settings: config.services.prometheus,
      prometheus: config.prometheus,
      storagePool: config.incus.storagePool,
      baseProfiles,
      environment: stack,
      scrapeTargets: [
        pulumi.output({ job: "grafana", targets: ["grafana01.incus:3000"] }),
        { job: "node", targets: ["node-exporter01.incus:9100", "node-exporter02.incus:9100"] },
      ],
      ...extra,
    },
    service.opts,
  );
  await service.run.settle();
  const cloud = cloudConfigOf(service, "prometheus01");
  const configuration = configurationOf(service, "prometheus01");
  return {
    service,
    prometheus,
    cloud,
    configuration,
    yml: YAML.parse(configuration.file("/etc/prometheus/prometheus.yml").content),
  };
}

const jobNames = (yml: { scrape_configs: { job_name: string }[] }) =>
  yml.scrape_configs.map((c) => c.job_name);

describe("Prometheus", () => {
  it("follows the anatomy: 2 CPUs, 2GB, 100GB volume at /prometheus", async () => {
    const { service, prometheus } = await deploy("cluster01");
    expectAnatomy(service, {
      instance: "prometheus01",
      profile: "prometheus",
      cpu: "2",
      memory: "2GB",
      rootDiskSize: "2GB",
      pool: "local",
      volume: { size: "100GB", path: "/prometheus" },
    });
    expect(await valueOf(prometheus.endpoint)).toBe("http://prometheus01.incus:9090");
    expect(await valueOf(prometheus.federationTarget)).toBe("prometheus01.incus:9090");
  });

  it("scrapes the given services every 15s, itself included, without extras by default", async () => {
    const { yml, configuration } = await deploy("cluster01");
    expect(yml.global.scrape_interval).toBe("15s");
    expect(jobNames(yml)).toEqual(["prometheus", "grafana", "node"]);
    expect(yml.scrape_configs[2].static_configs[0].targets).toHaveLength(2);
    expect(yml.alerting).toBeUndefined();
    expect(yml.rule_files).toEqual(["rules/alerts.yml"]);
    expect(configuration.file("/etc/prometheus/rules/alerts.yml").content).toContain(
      "alert: ServiceDown",
    );
  });

  it("passes retention time and size to the daemon through its conf.d, not the install", async () => {
    const { cloud, configuration } = await deploy(
      "iapetus",
      {},
      {
        "atlas:prometheus": { retentionTime: "14d", retentionSize: "90GB" },
      },
    );
    const conf = configuration.file("/etc/conf.d/prometheus");
    expect(conf.content).toContain("--storage.tsdb.retention.time=14d");
    expect(conf.content).toContain("--storage.tsdb.retention.size=90GB");
    expect(conf.content).toContain("--storage.tsdb.path=/prometheus");
    expect(conf).toMatchObject({ mode: "0644", uid: 0, gid: 901 });
    const defaults = await deploy("iapetus");
    expect(defaults.configuration.file("/etc/conf.d/prometheus").content).not.toContain(
      "retention.size",
    );
    // The install never carries a setting: the same user-data for both retentions.
    expect(cloud.text).toBe(defaults.cloud.text);
    expect(cloud.text).not.toContain("retention");
    expect(cloud.config.write_files!.map((f) => f.path).sort()).toEqual([
      "/etc/init.d/prometheus",
      "/usr/local/sbin/atlas-install-prometheus.sh",
    ]);
    expect(cloud.file("/etc/init.d/prometheus")).toContain('extra_started_commands="reload"');
    expect(cloud.file("/usr/local/sbin/atlas-install-prometheus.sh")).toContain(
      // The pinned download and SHA-256 per architecture (config/releases.ts).
      "releases/download/v3.5.0/prometheus-3.5.0.linux-arm64.tar.gz",
    );
    expect(cloud.file("/usr/local/sbin/atlas-install-prometheus.sh")).toContain(
      "173389cc42bf09c4e6e54cb53fa07a5a835d7c261e14775d2183181d6e385d1c",
    );
    expect(cloud.file("/usr/local/sbin/atlas-install-prometheus.sh")).toContain(
      "addgroup -S -g 901 prometheus",
    );
  });

  it("applies a change with promtool first, then SIGHUP; a changed conf.d restarts", async () => {
    const { configuration } = await deploy("iapetus");
    expect(configuration.paths.sort()).toEqual([
      "/etc/conf.d/prometheus",
      "/etc/prometheus/prometheus.yml",
      "/etc/prometheus/rules/alerts.yml",
      "/usr/local/sbin/atlas-apply-prometheus",
    ]);
    expect(configuration.execs).toEqual([
      {
        name: "apply-prometheus-configuration",
        command: ["/bin/sh", "/usr/local/sbin/atlas-apply-prometheus"],
        trigger: "on_change",
      },
    ]);
    const script = configuration.file("/usr/local/sbin/atlas-apply-prometheus").content;
    const check = script.indexOf(
      "/usr/local/bin/promtool check config /etc/prometheus/prometheus.yml",
    );
    expect(check).toBeGreaterThan(0);
    expect(script.indexOf('rc-service prometheus "$action"')).toBeGreaterThan(check);
    expect(script).toContain("action=reload");
    expect(script).toContain("for f in /etc/conf.d/prometheus ; do");
  });

  it("scrapes Incus over mTLS with the certificate written as files, kept secret", async () => {
    const { yml, cloud, configuration, service } = await deploy("iapetus", {
      incusMetrics: {
        target: pulumi.output("10.20.0.1:8443"),
        certificatePem: pulumi.secret("CERT-PEM"),
        privateKeyPem: pulumi.secret("KEY-PEM"),
      },
    });
    const incus = yml.scrape_configs.find((c: { job_name: string }) => c.job_name === "incus");
    expect(incus.static_configs[0].targets).toEqual(["10.20.0.1:8443"]);
    expect(incus.tls_config.cert_file).toBe("certs/incus-metrics.crt");
    expect(configuration.file("/etc/prometheus/certs/incus-metrics.crt").content).toBe("CERT-PEM");
    const key = configuration.file("/etc/prometheus/certs/incus-metrics.key");
    // Root's, readable by the prometheus group only.
    expect(key).toMatchObject({ content: "KEY-PEM", mode: "0640", uid: 0, gid: 901 });
    expect(configuration.secret).toBe(true);
    expect(cloud.text).not.toContain("KEY-PEM");
    expect(await userDataIsSecret(service, "prometheus01")).toBe(false);
  });

  it("federates given targets and sends alerts to Alertmanager when one exists", async () => {
    const { yml, service } = await deploy("iapetus", {
      federationTargets: pulumi.output(["prometheus01.cluster01:9090"]),
      alertmanagers: [pulumi.output("alertmanager01.incus:9093")],
    });
    const federate = yml.scrape_configs.find(
      (c: { job_name: string }) => c.job_name === "federate",
    );
    expect(federate).toMatchObject({
      metrics_path: "/federate",
      honor_labels: true,
      static_configs: [{ targets: ["prometheus01.cluster01:9090"] }],
    });
    expect(yml.alerting.alertmanagers[0].static_configs[0].targets).toEqual([
      "alertmanager01.incus:9093",
    ]);
    expect(yml.global.external_labels).toEqual({ environment: "iapetus" });
    // Nothing secret went in, so nothing is hidden.
    expect(await userDataIsSecret(service, "prometheus01")).toBe(false);
    expect(configurationOf(service, "prometheus01").secret).toBe(false);
  });
});
