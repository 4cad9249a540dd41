/**
 * Every cloud-init document the monitoring components render, for both stacks' typical
 * settings, checked by `cloud-init schema -c`; the shell scripts they carry (OpenRC
 * services, install and init scripts) are parsed by `sh -n`.
 */
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { Alertmanager } from "../../components/alertmanager";
import { Grafana } from "../../components/grafana";
import { Loki } from "../../components/loki";
import { nodeExportersPerNode, NodeExporter } from "../../components/nodeExporter";
import { Prometheus } from "../../components/prometheus";
import { Promtail } from "../../components/promtail";
import { cloudInitUserData, type CloudConfig } from "../../components/shared/cloudInit";
import { StepCa } from "../../components/stepCa";
import { cloudInitSchema, shellSyntax } from "../helpers/validators";
import {
  atlasConfig,
  baseProfiles,
  cloudConfigOf,
  configurationOf,
  serviceRun,
} from "../unit/components/serviceHarness";

const secrets = {
  "atlas:grafanaAdminPassword": "pw-#;\"'`$(x)",
  "atlas:alertmanagerSlackWebhookUrl": "https://hooks.slack.com/services/T/B/X",
  "atlas:alertmanagerSmtpPassword": "smtp-pw",
};

/** Builds the stack's monitoring components; returns the instances' names. */
async function renderStack(stack: "iapetus" | "cluster01") {
  const service = await serviceRun(stack);
  const c = atlasConfig(
    stack,
    {
      ...secrets,
      "atlas:alertmanager": { emailTo: "ops@example.org", smtpSmarthost: "smtp.example.org:587" },
      "atlas:prometheus": { retentionSize: "90GB" },
    },
    Object.keys(secrets),
  );
  const common = { storagePool: c.incus.storagePool, baseProfiles };
  if (stack === "iapetus") {
    const loki = new Loki("loki", { ...common, settings: c.services.loki, loki: c.loki }, service.opts);
    const prometheus = new Prometheus(
      "prometheus",
      {
        ...common,
        settings: c.services.prometheus,
        prometheus: c.prometheus,
        environment: stack,
        scrapeTargets: [loki.scrapeTarget],
        incusMetrics: {
          target: "10.20.0.1:8443",
          certificatePem: pulumi.secret("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"),
          privateKeyPem: pulumi.secret("-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n"),
        },
        federationTargets: ["prometheus01.cluster01:9090"],
      },
      service.opts,
    );
    new Grafana(
      "grafana",
      {
        ...common,
        settings: c.services.grafana,
        grafana: c.grafana,
        datasources: { prometheus: prometheus.endpoint, loki: loki.endpoint },
      },
      service.opts,
    );
    new StepCa("step-ca", { ...common, settings: c.services.stepCa, stepCa: c.stepCa }, service.opts);
    new NodeExporter("node-exporter", { ...common, settings: c.services.nodeExporter }, service.opts);
  } else {
    const alertmanager = new Alertmanager(
      "alertmanager",
      { ...common, settings: c.services.alertmanager, alertmanager: c.alertmanager },
      service.opts,
    );
    new Prometheus(
      "prometheus",
      {
        ...common,
        settings: c.services.prometheus,
        prometheus: c.prometheus,
        environment: stack,
        scrapeTargets: [alertmanager.scrapeTarget],
        alertmanagers: [alertmanager.target],
      },
      service.opts,
    );
    nodeExportersPerNode(c.clusterNodes, { ...common, settings: c.services.nodeExporter }, service.opts);
    new Promtail(
      "promtail",
      {
        ...common,
        settings: c.services.promtail,
        environment: stack,
        lokiPushUrl: c.crossStack.lokiPushUrlFallback,
      },
      service.opts,
    );
  }
  await service.run.settle();
  return { service, instances: service.run.byType("incus:index:Instance").map((i) => i.name) };
}

describe.each(["iapetus", "cluster01"] as const)("monitoring cloud-init for %s", (stack) => {
  it("every user-data document passes cloud-init schema", async () => {
    const { service, instances } = await renderStack(stack);
    expect(instances.length).toBeGreaterThanOrEqual(4);
    for (const instance of instances) {
      const { text } = cloudConfigOf(service, instance);
      const result = cloudInitSchema(text);
      expect(result.ok, `${instance}:\n${result.output}`).toBe(true);
      expect(result.output).toContain("Valid");
    }
  });

  it("every shell script it carries parses, and installs the pinned release under OpenRC", async () => {
    const { service, instances } = await renderStack(stack);
    for (const instance of instances) {
      const { config } = cloudConfigOf(service, instance);
      const scripts = (config.write_files ?? []).filter((f) => f.content.startsWith("#!"));
      expect(scripts.length, instance).toBeGreaterThanOrEqual(2);
      for (const script of scripts) {
        const result = shellSyntax(script.content);
        expect(result.ok, `${instance} ${script.path}:\n${result.output}`).toBe(true);
      }
      expect(scripts.some((s) => s.content.startsWith("#!/sbin/openrc-run")), instance).toBe(true);
      expect(config.runcmd?.[0]?.[1], instance).toMatch(/^\/usr\/local\/sbin\/atlas-install-/);
    }
  });

  it("the user-data holds no secret; the shell files pushed at every up (conf.d, apply script) parse", async () => {
    const { service, instances } = await renderStack(stack);
    for (const instance of instances) {
      const { text, config } = cloudConfigOf(service, instance);
      for (const secret of Object.values(secrets)) {
        expect(text, instance).not.toContain(secret);
        // As parsed (YAML may have escaped it in the text), JSON-escaped alike on both sides.
        expect(JSON.stringify(config), instance).not.toContain(JSON.stringify(secret).slice(1, -1));
      }
      const configuration = configurationOf(service, instance);
      const shellFiles = configuration.paths.filter(
        (p) => p.startsWith("/etc/conf.d/") || p.startsWith("/usr/local/sbin/atlas-apply-"),
      );
      expect(shellFiles.length, `${instance}: ${configuration.paths.join(", ")}`).toBe(2);
      for (const path of shellFiles) {
        const result = shellSyntax(configuration.file(path).content);
        expect(result.ok, `${instance} ${path}:\n${result.output}`).toBe(true);
      }
    }
  });
});

describe("cloud-init schema catches mistakes", () => {
  it("rejects a malformed document", () => {
    // A list where cloud-init wants a boolean, and a file without its path.
    const malformed = {
      package_update: ["yes"],
      write_files: [{ content: "x" }],
    } as unknown as CloudConfig;
    const result = cloudInitSchema(cloudInitUserData(malformed));
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/package_update|write_files/);
  });
});
