import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import * as YAML from "yaml";
import { Prometheus, type PrometheusArgs } from "../../../components/prometheus";
import { valueOf } from "../../helpers/pulumiMocks";
import {
  atlasConfig,
  baseProfiles,
  cloudConfigOf,
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
  return {
    service,
    prometheus,
    cloud,
    yml: YAML.parse(cloud.file("/etc/prometheus/prometheus.yml")),
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
    const { yml, cloud } = await deploy("cluster01");
    expect(yml.global.scrape_interval).toBe("15s");
    expect(jobNames(yml)).toEqual(["prometheus", "grafana", "node"]);
    expect(yml.scrape_configs[2].static_configs[0].targets).toHaveLength(2);
    expect(yml.alerting).toBeUndefined();
    expect(yml.rule_files).toEqual(["rules/alerts.yml"]);
    expect(cloud.file("/etc/prometheus/rules/alerts.yml")).toContain("alert: ServiceDown");
  });

  it("passes retention time and size to the daemon", async () => {
    const { cloud } = await deploy(
      "iapetus",
      {},
      {
        "atlas:prometheus": { retentionTime: "14d", retentionSize: "90GB" },
      },
    );
    const init = cloud.file("/etc/init.d/prometheus");
    expect(init).toContain("--storage.tsdb.retention.time=14d");
    expect(init).toContain("--storage.tsdb.retention.size=90GB");
    expect(init).toContain("--storage.tsdb.path=/prometheus");
    const defaults = await deploy("iapetus");
    expect(defaults.cloud.file("/etc/init.d/prometheus")).not.toContain("retention.size");
    expect(cloud.file("/usr/local/sbin/atlas-install-prometheus.sh")).toContain(
      // The pinned download and SHA-256 per architecture (config/releases.ts).
      "releases/download/v3.5.0/prometheus-3.5.0.linux-arm64.tar.gz",
    );
    expect(cloud.file("/usr/local/sbin/atlas-install-prometheus.sh")).toContain(
      "173389cc42bf09c4e6e54cb53fa07a5a835d7c261e14775d2183181d6e385d1c",
    );
  });

  it("scrapes Incus over mTLS with the certificate written as files, kept secret", async () => {
    const { yml, cloud, service } = await deploy("iapetus", {
      incusMetrics: {
        target: pulumi.output("10.20.0.1:8443"),
        certificatePem: pulumi.secret("CERT-PEM"),
        privateKeyPem: pulumi.secret("KEY-PEM"),
      },
    });
    const incus = yml.scrape_configs.find((c: { job_name: string }) => c.job_name === "incus");
    expect(incus.static_configs[0].targets).toEqual(["10.20.0.1:8443"]);
    expect(incus.tls_config.cert_file).toBe("certs/incus-metrics.crt");
    expect(cloud.file("/etc/prometheus/certs/incus-metrics.crt")).toBe("CERT-PEM");
    expect(cloud.file("/etc/prometheus/certs/incus-metrics.key")).toBe("KEY-PEM");
    const key = cloud.config.write_files!.find((f) => f.path.endsWith(".key"));
    expect(key?.permissions).toBe("0600");
    expect(await userDataIsSecret(service, "prometheus01")).toBe(true);
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
  });
});
