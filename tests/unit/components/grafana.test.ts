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
  configurationOf,
  expectAnatomy,
  serviceRun,
  userDataIsSecret,
} from "./serviceHarness";

async function deploy(
  values: Record<string, unknown> = {},
  secretKeys: string[] = [],
  prometheus = "http://prometheus01.incus:9090",
) {
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
        prometheus: pulumi.output(prometheus),
        loki: pulumi.output("http://loki01.incus:3100"),
      },
    },
    service.opts,
  );
  await service.run.settle();
  return {
    service,
    grafana,
    cloud: cloudConfigOf(service, "grafana01"),
    configuration: configurationOf(service, "grafana01"),
  };
}

const passwordSettings = {
  "atlas:grafana": { domain: "dash.example.org", adminUser: "root" },
  "atlas:grafanaAdminPassword": "s3cret#pw",
};

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
    const { configuration } = await deploy();
    const datasources = YAML.parse(
      configuration.file("/etc/grafana/provisioning/datasources/atlas.yml").content,
    );
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
    const dashboard = JSON.parse(
      configuration.file("/etc/grafana/dashboards/atlas-health.json").content,
    );
    expect(dashboard.uid).toBe("atlas-health");
    const provider = YAML.parse(
      configuration.file("/etc/grafana/provisioning/dashboards/atlas.yml").content,
    );
    expect(provider.providers[0].options.path).toBe("/etc/grafana/dashboards");
    const secretFiles = ["/etc/grafana/grafana.ini", "/etc/grafana/admin-password"];
    for (const path of configuration.paths.filter((p) => !secretFiles.includes(p))) {
      const file = configuration.file(path);
      expect(file.mode, path).toBe(path.startsWith("/usr/local/sbin/") ? "0755" : "0644");
    }
  });

  it("installs once the pinned release under OpenRC, and nothing a user sets", async () => {
    const { cloud } = await deploy(passwordSettings, ["atlas:grafanaAdminPassword"]);
    expect(cloud.config.write_files!.map((f) => f.path).sort()).toEqual([
      "/etc/init.d/grafana",
      "/usr/local/sbin/atlas-grafana-server",
      "/usr/local/sbin/atlas-install-grafana.sh",
    ]);
    const install = cloud.file("/usr/local/sbin/atlas-install-grafana.sh");
    expect(install).toContain(
      "https://dl.grafana.com/oss/release/grafana-12.2.0.linux-amd64.tar.gz",
    );
    expect(install).toContain("c4f53551ed4887c792caeb9d02fa0c1a36e3db9ee8bdda32b1ced810cb135a93");
    expect(install).toContain("addgroup -S -g 905 grafana");
    // The daemon owns its data, never /etc/grafana (root's, read through the group).
    expect(install).toContain('chown -R grafana:grafana "$root"/var/lib/grafana');
    expect(install).not.toContain("/etc/grafana");
    // Started through the script that applies the admin password (grafanaServer.test.ts).
    expect(cloud.file("/etc/init.d/grafana")).toContain(
      "command=/usr/local/sbin/atlas-grafana-server",
    );
    expect(cloud.file("/usr/local/sbin/atlas-grafana-server")).toContain(
      'exec "$home/bin/grafana" "$@"',
    );
    // No configuration and no secret in the user-data.
    expect(cloud.text).not.toContain("s3cret#pw");
    expect(cloud.text).not.toContain("dash.example.org");
    expect(cloud.text).not.toContain("prometheus01");
  });

  it("a changed domain, password or datasource changes the files, not the user-data", async () => {
    const defaults = await deploy();
    const changed = await deploy(
      passwordSettings,
      ["atlas:grafanaAdminPassword"],
      "http://prometheus02.incus:9090",
    );
    expect(changed.cloud.text).toBe(defaults.cloud.text);
    const ini = (run: typeof defaults) =>
      run.configuration.file("/etc/grafana/grafana.ini").content;
    expect(ini(changed)).not.toBe(ini(defaults));
    expect(changed.configuration.file("/etc/grafana/admin-password").content).toBe("s3cret#pw");
    expect(
      changed.configuration.file("/etc/grafana/provisioning/datasources/atlas.yml").content,
    ).toContain("url: http://prometheus02.incus:9090");
  });

  it("writes domain and admin credentials into grafana.ini, 0640 and secret", async () => {
    const { service, grafana, configuration } = await deploy(passwordSettings, [
      "atlas:grafanaAdminPassword",
    ]);
    const ini = configuration.file("/etc/grafana/grafana.ini");
    expect(ini.content).toContain("domain = dash.example.org");
    expect(ini.content).toContain("admin_user = root");
    expect(ini.content).toContain('admin_password = """s3cret#pw"""');
    // Root's, readable by the grafana group only.
    expect(ini).toMatchObject({ mode: "0640", uid: 0, gid: 905 });
    // The password alone too, which the start script gives the admin account at each start
    // (Grafana reads admin_password only when it creates its database).
    expect(configuration.file("/etc/grafana/admin-password")).toMatchObject({
      content: "s3cret#pw",
      mode: "0640",
      uid: 0,
      gid: 905,
    });
    expect(configuration.secret).toBe(true);
    expect(await userDataIsSecret(service, "grafana01")).toBe(false);
    expect(await isSecret(grafana.adminPassword)).toBe(true);
    expect(await valueOf(grafana.adminPassword)).toBe("s3cret#pw");
    expect(service.run.byType("random:index/randomPassword:RandomPassword")).toHaveLength(0);
  });

  it("generates a secret admin password when none is configured", async () => {
    const { service, grafana, configuration, cloud } = await deploy();
    const generated = service.run.byType("random:index/randomPassword:RandomPassword");
    expect(generated).toHaveLength(1);
    expect(generated[0].inputs).toMatchObject({ length: 24 });
    const password = await valueOf(grafana.adminPassword);
    expect(password).toBe(`generated-${generated[0].name}`);
    expect(await isSecret(grafana.adminPassword)).toBe(true);
    expect(configuration.secret).toBe(true);
    expect(configuration.file("/etc/grafana/grafana.ini").content).toContain(
      `admin_password = ${iniQuote(password)}`,
    );
    expect(configuration.file("/etc/grafana/admin-password").content).toBe(password);
    expect(cloud.text).not.toContain(password);
    expect(await userDataIsSecret(service, "grafana01")).toBe(false);
  });

  it("has no checker: a change restarts Grafana, which reads its files only at start", async () => {
    const { configuration } = await deploy();
    expect(configuration.paths.sort()).toEqual([
      "/etc/conf.d/grafana",
      "/etc/grafana/admin-password",
      "/etc/grafana/dashboards/atlas-health.json",
      "/etc/grafana/grafana.ini",
      "/etc/grafana/provisioning/dashboards/atlas.yml",
      "/etc/grafana/provisioning/datasources/atlas.yml",
      "/usr/local/sbin/atlas-apply-grafana",
    ]);
    expect(configuration.execs.map((e) => [e.name, e.trigger])).toEqual([
      ["apply-grafana-configuration", "on_change"],
    ]);
    expect(configuration.file("/etc/conf.d/grafana").content).toContain(
      "--config=/etc/grafana/grafana.ini",
    );
    const script = configuration.file("/usr/local/sbin/atlas-apply-grafana").content;
    expect(script).toContain("action=restart");
    expect(script).not.toContain("/usr/local/bin/");
    expect(script).not.toContain("/opt/grafana/bin/grafana");
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
