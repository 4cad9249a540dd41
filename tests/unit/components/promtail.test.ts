import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import * as YAML from "yaml";
import { Promtail } from "../../../components/promtail";
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

async function deploy(lokiPushUrl = "http://loki01.iapetus:3100/loki/api/v1/push") {
  const service = await serviceRun("cluster01");
  const config = atlasConfig("cluster01");
  const promtail = new Promtail(
    "promtail",
    {
      settings: config.services.promtail,
      storagePool: "local",
      baseProfiles,
      environment: "cluster01",
      lokiPushUrl: pulumi.output(lokiPushUrl),
    },
    service.opts,
  );
  await service.run.settle();
  const configuration = configurationOf(service, "promtail01");
  return {
    service,
    promtail,
    cloud: cloudConfigOf(service, "promtail01"),
    configuration,
    yml: YAML.parse(configuration.file("/etc/promtail/promtail.yml").content),
  };
}

describe("Promtail", () => {
  it("ships logs to the given Loki push URL, with no volume", async () => {
    const { service, promtail, yml, configuration } = await deploy();
    expectAnatomy(service, {
      instance: "promtail01",
      profile: "promtail",
      cpu: "1",
      memory: "256MB",
      rootDiskSize: "1GB",
      pool: "local",
    });
    expect(yml.clients).toEqual([{ url: "http://loki01.iapetus:3100/loki/api/v1/push" }]);
    expect(yml.scrape_configs[0].static_configs[0].labels).toMatchObject({
      host: "promtail01",
      environment: "cluster01",
    });
    expect(yml.positions.filename).toBe("/var/lib/promtail/positions.yaml");
    expect(configuration.file("/etc/promtail/promtail.yml")).toMatchObject({
      mode: "0644",
      uid: 0,
      gid: 904,
    });
    expect(configuration.file("/etc/conf.d/promtail").content).toContain(
      "-config.file=/etc/promtail/promtail.yml",
    );
    expect(configuration.secret).toBe(false);
    expect(await userDataIsSecret(service, "promtail01")).toBe(false);
    expect(await valueOf(promtail.endpoint)).toBe("http://promtail01.incus:9080");
    expect(await valueOf(promtail.lokiTarget)).toBe("http://loki01.iapetus:3100/loki/api/v1/push");
  });

  it("installs only the pinned release: another Loki changes promtail.yml, not the user-data", async () => {
    const first = await deploy();
    const moved = await deploy("http://10.99.0.20:3100/loki/api/v1/push");
    expect(moved.yml.clients).toEqual([{ url: "http://10.99.0.20:3100/loki/api/v1/push" }]);
    expect(moved.cloud.text).toBe(first.cloud.text);
    expect(first.cloud.text).not.toContain("loki/api/v1/push");
    expect(first.cloud.config.write_files!.map((f) => f.path).sort()).toEqual([
      "/etc/init.d/promtail",
      "/usr/local/sbin/atlas-install-promtail.sh",
    ]);
    const init = first.cloud.file("/etc/init.d/promtail");
    // Reads /var/log through the adm group; its flags live in conf.d.
    expect(init).toContain("command_user=promtail:adm");
    expect(init).not.toContain("-config.file");
    const install = first.cloud.file("/usr/local/sbin/atlas-install-promtail.sh");
    expect(install).toContain("adduser -S -D -H -u 904");
    expect(install).not.toContain("/etc/promtail");
  });

  it("checks a change with promtail -check-syntax, then restarts", async () => {
    const { configuration } = await deploy();
    expect(configuration.paths.sort()).toEqual([
      "/etc/conf.d/promtail",
      "/etc/promtail/promtail.yml",
      "/usr/local/sbin/atlas-apply-promtail",
    ]);
    expect(configuration.execs.map((e) => [e.name, e.trigger])).toEqual([
      ["apply-promtail-configuration", "on_change"],
    ]);
    const script = configuration.file("/usr/local/sbin/atlas-apply-promtail").content;
    const check = script.indexOf(
      "/usr/local/bin/promtail -config.file=/etc/promtail/promtail.yml -check-syntax",
    );
    expect(check).toBeGreaterThan(0);
    expect(script.indexOf('rc-service promtail "$action"')).toBeGreaterThan(check);
    expect(script).toContain("action=restart");
  });
});
