import { describe, expect, it } from "vitest";
import * as YAML from "yaml";
import { Loki } from "../../../components/loki";
import { valueOf } from "../../helpers/pulumiMocks";
import {
  atlasConfig,
  baseProfiles,
  cloudConfigOf,
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
  return { service, loki, cloud: cloudConfigOf(service, "loki01") };
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
  });

  it("enforces the configured retention with the compactor", async () => {
    const { cloud } = await deploy({
      "atlas:loki": { retentionPeriod: "168h", retentionDeleteDelay: "4h" },
    });
    const config = YAML.parse(cloud.file("/etc/loki/loki.yml"));
    expect(config.limits_config.retention_period).toBe("168h");
    expect(config.compactor).toMatchObject({
      retention_enabled: true,
      retention_delete_delay: "4h",
      working_directory: "/loki/compactor",
    });
    expect(config.common.path_prefix).toBe("/loki");
    expect(cloud.file("/etc/init.d/loki")).toContain("-config.file=/etc/loki/loki.yml");
    // No published hash of Loki 3.5.3 is pinned yet: its script refuses every architecture.
    const install = cloud.file("/usr/local/sbin/atlas-install-loki.sh");
    expect(install).toContain(": no pinned SHA-256 for architecture");
    expect(install).toContain("atlas:services.loki.releaseSha256");
    expect(install).not.toContain("releases/download");
  });

  it("uses the reference defaults: 720h retention, 2h delete delay", async () => {
    const { cloud } = await deploy();
    const config = YAML.parse(cloud.file("/etc/loki/loki.yml"));
    expect(config.limits_config.retention_period).toBe("720h");
    expect(config.compactor.retention_delete_delay).toBe("2h");
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
