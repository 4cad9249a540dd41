import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import * as YAML from "yaml";
import { Grafana } from "../../../components/grafana";
import { iniQuote } from "../../../components/shared/render";
import { isSecret, valueOf } from "../../helpers/pulumiMocks";
import {
  atlasConfig,
  baseProfiles,
  cloudConfigOf,
  expectAnatomy,
  serviceRun,
  userDataIsSecret,
} from "./serviceHarness";

async function deploy(values: Record<string, unknown> = {}, secretKeys: string[] = []) {
  const service = await serviceRun();
  const config = atlasConfig("iapetus", values, secretKeys);
  const grafana = new Grafana(
    "grafana",
    {
      settings: config.services.grafana,
      grafana: config.grafana,
      storagePool: config.incus.storagePool,
      baseProfiles,
      datasources: {
        prometheus: pulumi.output("http://prometheus01.incus:9090"),
        loki: pulumi.output("http://loki01.incus:3100"),
      },
    },
    service.opts,
  );
  await service.run.settle();
  return { service, grafana };
}

describe("Grafana", () => {
  it("follows the anatomy: 2 CPUs, 1GB, 2GB root disk, 10GB data volume at /var/lib/grafana", async () => {
    const { service, grafana } = await deploy();
    expectAnatomy(service, {
      instance: "grafana01",
      profile: "grafana",
      cpu: "2",
      memory: "1GB",
      rootDiskSize: "2GB",
      pool: "local",
      volume: { size: "10GB", path: "/var/lib/grafana" },
    });
    expect(await valueOf(grafana.endpoint)).toBe("http://grafana01.incus:3000");
    expect(await valueOf(grafana.url)).toBe("https://grafana.accuser.dev/");
    expect(await valueOf(grafana.scrapeTarget)).toEqual({
      job: "grafana",
      targets: ["grafana01.incus:3000"],
    });
  });

  it("provisions the Prometheus (default) and Loki endpoints as datasources", async () => {
    const { service } = await deploy();
    const cloud = cloudConfigOf(service, "grafana01");
    const datasources = YAML.parse(cloud.file("/etc/grafana/provisioning/datasources/atlas.yml"));
    expect(datasources.datasources).toEqual([
      expect.objectContaining({
        name: "Prometheus",
        type: "prometheus",
        url: "http://prometheus01.incus:9090",
        isDefault: true,
      }),
      expect.objectContaining({
        name: "Loki",
        type: "loki",
        url: "http://loki01.incus:3100",
        isDefault: false,
      }),
    ]);
    const dashboard = JSON.parse(cloud.file("/etc/grafana/dashboards/atlas-health.json"));
    expect(dashboard.uid).toBe("atlas-health");
    const provider = YAML.parse(cloud.file("/etc/grafana/provisioning/dashboards/atlas.yml"));
    expect(provider.providers[0].options.path).toBe("/etc/grafana/dashboards");
    // Pinned version from the upstream release, run under OpenRC.
    expect(cloud.file("/usr/local/sbin/atlas-install-grafana.sh")).toContain(
      "https://dl.grafana.com/oss/release/grafana-12.2.0.linux-amd64.tar.gz",
    );
    expect(cloud.file("/usr/local/sbin/atlas-install-grafana.sh")).toContain(
      "c4f53551ed4887c792caeb9d02fa0c1a36e3db9ee8bdda32b1ced810cb135a93",
    );
    expect(cloud.file("/etc/init.d/grafana")).toContain("command=/opt/grafana/bin/grafana");
  });

  it("writes domain and admin credentials into grafana.ini, keeping the password secret", async () => {
    const { service, grafana } = await deploy(
      {
        "atlas:grafana": { domain: "dash.example.org", adminUser: "root" },
        "atlas:grafanaAdminPassword": "s3cret#pw",
      },
      ["atlas:grafanaAdminPassword"],
    );
    const ini = cloudConfigOf(service, "grafana01").file("/etc/grafana/grafana.ini");
    expect(ini).toContain("domain = dash.example.org");
    expect(ini).toContain("admin_user = root");
    expect(ini).toContain('admin_password = """s3cret#pw"""');
    expect(await userDataIsSecret(service, "grafana01")).toBe(true);
    expect(await isSecret(grafana.adminPassword)).toBe(true);
    expect(await valueOf(grafana.adminPassword)).toBe("s3cret#pw");
    expect(service.run.byType("random:index/randomPassword:RandomPassword")).toHaveLength(0);
  });

  it("generates a secret admin password when none is configured", async () => {
    const { service, grafana } = await deploy();
    const generated = service.run.byType("random:index/randomPassword:RandomPassword");
    expect(generated).toHaveLength(1);
    expect(generated[0].inputs).toMatchObject({ length: 24 });
    const password = await valueOf(grafana.adminPassword);
    expect(password).toBe(`generated-${generated[0].name}`);
    expect(await isSecret(grafana.adminPassword)).toBe(true);
    expect(await userDataIsSecret(service, "grafana01")).toBe(true);
    expect(cloudConfigOf(service, "grafana01").file("/etc/grafana/grafana.ini")).toContain(
      `admin_password = ${iniQuote(password)}`,
    );
  });

  it("drops the volume when persistence is off and sets snapshots when enabled", async () => {
    const off = await deploy({ "atlas:services": { grafana: { dataPersistence: false } } });
    expect(off.service.run.byType("incus:index:StorageVolume")).toHaveLength(0);

    const snap = await deploy({
      "atlas:services": { grafana: { snapshots: { enabled: true } } },
    });
    expect(
      snap.service.run.named("incus:index:StorageVolume", "grafana01-data").inputs.config,
    ).toEqual({
      size: "10GB",
      "snapshots.schedule": "@daily",
      "snapshots.expiry": "7d",
      "snapshots.pattern": "auto-{{creation_date}}",
    });
  });
});
