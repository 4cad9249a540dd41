import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import * as YAML from "yaml";
import { Promtail } from "../../../components/promtail";
import { valueOf } from "../../helpers/pulumiMocks";
import {
  atlasConfig,
  baseProfiles,
  cloudConfigOf,
  expectAnatomy,
  serviceRun,
} from "./serviceHarness";

describe("Promtail", () => {
  it("ships logs to the given Loki push URL, with no volume", async () => {
    const service = await serviceRun("cluster01");
    const config = atlasConfig("cluster01");
    const promtail = new Promtail(
      "promtail",
      {
        settings: config.services.promtail,
        storagePool: "local",
        baseProfiles,
        environment: "cluster01",
        lokiPushUrl: pulumi.output("http://loki01.iapetus:3100/loki/api/v1/push"),
      },
      service.opts,
    );
    await service.run.settle();
    expectAnatomy(service, {
      instance: "promtail01",
      profile: "promtail",
      cpu: "1",
      memory: "256MB",
      rootDiskSize: "1GB",
      pool: "local",
    });
    const cloud = cloudConfigOf(service, "promtail01");
    const yml = YAML.parse(cloud.file("/etc/promtail/promtail.yml"));
    expect(yml.clients).toEqual([{ url: "http://loki01.iapetus:3100/loki/api/v1/push" }]);
    expect(yml.scrape_configs[0].static_configs[0].labels).toMatchObject({
      host: "promtail01",
      environment: "cluster01",
    });
    expect(await valueOf(promtail.endpoint)).toBe("http://promtail01.incus:9080");
    expect(await valueOf(promtail.lokiTarget)).toBe("http://loki01.iapetus:3100/loki/api/v1/push");
  });
});
