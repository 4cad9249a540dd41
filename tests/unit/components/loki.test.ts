import { describe, expect, it } from "vitest";
import * as YAML from "yaml";
import { Loki } from "../../../components/loki";
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

async function deploy(values: Record<string, unknown> = {}) {
  const service = await serviceRun();
  const config = atlasConfig("iapetus", values);
  const loki = new Loki(
    "loki",
    { settings: config.services.loki, loki: config.loki, storagePool: "local", baseProfiles },
    service.opts,
  );
  await service.run.settle();
  const configuration = configurationOf(service, "loki01");
  return {
    service,
    loki,
    cloud: cloudConfigOf(service, "loki01"),
    configuration,
    yml: YAML.parse(configuration.file("/etc/loki/loki.yml").content),
  };
}

describe("Loki", () => {
  it("follows the anatomy: 2 CPUs, 2GB, 50GB volume at /loki", async () => {
    const { service, loki } = await deploy();
    expectAnatomy(service, {
      instance: "loki01",
      profile: "loki",
      cpu: "2",
      memory: "2GB",
      rootDiskSize: "2GB",
      pool: "local",
      volume: { size: "50GB", path: "/loki" },
    });
    expect(await valueOf(loki.endpoint)).toBe("http://loki01.incus:3100");
    expect(await valueOf(loki.pushUrl)).toBe("http://loki01.incus:3100/loki/api/v1/push");
    expect(await valueOf(loki.scrapeTarget)).toEqual({
      job: "loki",
      targets: ["loki01.incus:3100"],
    });
    expect(await userDataIsSecret(service, "loki01")).toBe(false);
    expect(configurationOf(service, "loki01").secret).toBe(false);
  });

  it("enforces the configured retention with the compactor, through a pushed loki.yml", async () => {
    const { yml, configuration } = await deploy({
      "atlas:loki": { retentionPeriod: "168h", retentionDeleteDelay: "4h" },
    });
    expect(yml.limits_config.retention_period).toBe("168h");
    expect(yml.compactor).toMatchObject({
      retention_enabled: true,
      retention_delete_delay: "4h",
      working_directory: "/loki/compactor",
    });
    expect(yml.common.path_prefix).toBe("/loki");
    // Root's file, readable by all (it holds no secret); the flags are in conf.d.
    expect(configuration.file("/etc/loki/loki.yml")).toMatchObject({
      mode: "0644",
      uid: 0,
      gid: 903,
    });
    expect(configuration.file("/etc/conf.d/loki").content).toContain(
      "-config.file=/etc/loki/loki.yml",
    );
  });

  it("installs only the pinned release: no configuration in the user-data, the same for any retention", async () => {
    const changed = await deploy({
      "atlas:loki": { retentionPeriod: "168h", retentionDeleteDelay: "4h" },
    });
    const defaults = await deploy();
    expect(changed.cloud.text).toBe(defaults.cloud.text);
    expect(defaults.cloud.text).not.toContain("retention");
    expect(defaults.cloud.config.write_files!.map((f) => f.path).sort()).toEqual([
      "/etc/init.d/loki",
      "/usr/local/sbin/atlas-install-loki.sh",
    ]);
    // The init script no longer holds the flags (conf.d does).
    expect(defaults.cloud.file("/etc/init.d/loki")).not.toContain("-config.file");
    expect(defaults.cloud.file("/etc/init.d/loki")).not.toContain(
      'extra_started_commands="reload"',
    );
    const install = defaults.cloud.file("/usr/local/sbin/atlas-install-loki.sh");
    expect(install).toContain("addgroup -S -g 903 loki");
    // The daemon owns its data, never its configuration.
    expect(install).toContain('chown -R loki:loki "$root"/loki');
    expect(install).not.toContain("/etc/loki");
    // No published hash of Loki 3.5.3 is pinned yet: its script refuses every architecture.
    expect(install).toContain(": no pinned SHA-256 for architecture");
    expect(install).toContain("atlas:services.loki.releaseSha256");
    expect(install).not.toContain("releases/download");
  });

  it("checks a change with loki -verify-config, then restarts (Loki reloads on no signal)", async () => {
    const { configuration } = await deploy();
    expect(configuration.paths.sort()).toEqual([
      "/etc/conf.d/loki",
      "/etc/loki/loki.yml",
      "/usr/local/sbin/atlas-apply-loki",
    ]);
    expect(configuration.execs).toEqual([
      {
        name: "apply-loki-configuration",
        command: ["/bin/sh", "/usr/local/sbin/atlas-apply-loki"],
        trigger: "on_change",
      },
    ]);
    const script = configuration.file("/usr/local/sbin/atlas-apply-loki").content;
    const check = script.indexOf(
      "/usr/local/bin/loki -config.file=/etc/loki/loki.yml -verify-config",
    );
    expect(check).toBeGreaterThan(0);
    expect(script.indexOf('rc-service loki "$action"')).toBeGreaterThan(check);
    expect(script).toContain("action=restart");
    expect(script).not.toContain("action=reload");
  });

  it("uses the reference defaults: 720h retention, 2h delete delay", async () => {
    const { yml } = await deploy();
    expect(yml.limits_config.retention_period).toBe("720h");
    expect(yml.compactor.retention_delete_delay).toBe("2h");
  });

  it("snapshots weekly for two weeks when snapshots are enabled", async () => {
    const { service } = await deploy({
      "atlas:services": { loki: { snapshots: { enabled: true } } },
    });
    expect(
      service.run.named("incus:index:StorageVolume", "loki01-data").inputs.config,
    ).toMatchObject({
      "snapshots.schedule": "@weekly",
      "snapshots.expiry": "2w",
    });
  });
});
