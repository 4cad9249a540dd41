import { describe, expect, it } from "vitest";
import {
  NodeExporter,
  nodeExportersPerNode,
  nodeScrapeTarget,
} from "../../../components/nodeExporter";
import { valueOf } from "../../helpers/pulumiMocks";
import {
  atlasConfig,
  baseProfiles,
  cloudConfigOf,
  configurationOf,
  expectAnatomy,
  serviceRun,
} from "./serviceHarness";

describe("NodeExporter", () => {
  it("mounts /, /proc and /sys read-only and reads them as the host's", async () => {
    const service = await serviceRun();
    const config = atlasConfig("iapetus");
    const exporter = new NodeExporter(
      "node-exporter",
      { settings: config.services.nodeExporter, storagePool: "local", baseProfiles },
      service.opts,
    );
    await service.run.settle();
    expectAnatomy(service, {
      instance: "node-exporter01",
      profile: "node-exporter",
      cpu: "1",
      memory: "128MB",
      rootDiskSize: "1GB",
      pool: "local",
    });
    const devices = service.run.named("incus:index:Profile", "node-exporter").inputs.devices as {
      name: string;
      type: string;
      properties: Record<string, string>;
    }[];
    for (const [source, path] of [
      ["/", "/host/root"],
      ["/proc", "/host/proc"],
      ["/sys", "/host/sys"],
    ]) {
      expect(devices).toContainEqual(
        expect.objectContaining({ type: "disk", properties: { source, path, readonly: "true" } }),
      );
    }
    const conf = configurationOf(service, "node-exporter01").file("/etc/conf.d/node-exporter");
    expect(conf.content).toContain("--path.procfs=/host/proc --path.sysfs=/host/sys");
    expect(await valueOf(exporter.endpoint)).toBe("http://node-exporter01.incus:9100");
  });

  it("pins one exporter to each cluster node, each with its own profile", async () => {
    const service = await serviceRun("cluster01");
    const config = atlasConfig("cluster01");
    const exporters = nodeExportersPerNode(
      config.clusterNodes,
      { settings: config.services.nodeExporter, storagePool: "local", baseProfiles },
      service.opts,
    );
    await service.run.settle();
    const instances = service.run.byType("incus:index:Instance");
    expect(instances.map((i) => [i.name, i.inputs.targetNode])).toEqual([
      ["node-exporter01", "node01"],
      ["node-exporter02", "node02"],
      ["node-exporter03", "node03"],
    ]);
    expect(instances[1].inputs.profiles).toEqual([...baseProfiles, "node-exporter02"]);
    expect(await valueOf(nodeScrapeTarget(exporters))).toEqual({
      job: "node",
      targets: [
        "node-exporter01.incus:9100",
        "node-exporter02.incus:9100",
        "node-exporter03.incus:9100",
      ],
    });
  });

  it("installs once (no flags in the user-data) and applies its flags from conf.d by a restart, without a checker", async () => {
    const service = await serviceRun();
    const config = atlasConfig("iapetus");
    new NodeExporter(
      "node-exporter",
      { settings: config.services.nodeExporter, storagePool: "local", baseProfiles },
      service.opts,
    );
    await service.run.settle();
    const cloud = cloudConfigOf(service, "node-exporter01");
    expect(cloud.config.write_files!.map((f) => f.path).sort()).toEqual([
      "/etc/init.d/node-exporter",
      "/usr/local/sbin/atlas-install-node-exporter.sh",
    ]);
    expect(cloud.text).not.toContain("--path.rootfs");
    expect(cloud.file("/etc/init.d/node-exporter")).not.toContain("reload");
    expect(cloud.file("/usr/local/sbin/atlas-install-node-exporter.sh")).toContain(
      "adduser -S -D -H -u 906",
    );

    const configuration = configurationOf(service, "node-exporter01");
    expect(configuration.paths.sort()).toEqual([
      "/etc/conf.d/node-exporter",
      "/usr/local/sbin/atlas-apply-node-exporter",
    ]);
    expect(configuration.file("/etc/conf.d/node-exporter")).toMatchObject({
      mode: "0644",
      uid: 0,
      gid: 906,
    });
    expect(configuration.secret).toBe(false);
    const script = configuration.file("/usr/local/sbin/atlas-apply-node-exporter").content;
    expect(script).toContain("action=restart");
    expect(script).not.toContain("/usr/local/bin/");
    expect(configuration.execs.map((e) => [e.name, e.trigger])).toEqual([
      ["apply-node-exporter-configuration", "on_change"],
    ]);
  });
});
