import { describe, expect, it } from "vitest";
import {
  IncusLoki,
  incusLokiIfEnabled,
  incusLokiServerConfig,
} from "../../../components/incusLoki";
import { mockStack, valueOf } from "../../helpers/pulumiMocks";
import { atlasConfig } from "./edgeFixtures";

const url = "http://loki01.incus:3100";

describe("incusLokiServerConfig", () => {
  it("named logging targets: type and address; default types left to Incus", () => {
    expect(incusLokiServerConfig("logging", "loki01", url)).toEqual({
      "logging.loki01.target.type": "loki",
      "logging.loki01.target.address": url,
    });
  });

  it("Incus 6.0 keys: loki.api.url only, since lifecycle,logging is loki.types' default", () => {
    expect(incusLokiServerConfig("loki", "loki01", url)).toEqual({ "loki.api.url": url });
  });

  it("sets types only when they differ from the default", () => {
    expect(incusLokiServerConfig("logging", "loki01", url, ["lifecycle"])).toMatchObject({
      "logging.loki01.types": "lifecycle",
    });
    expect(incusLokiServerConfig("loki", "loki01", url, ["lifecycle", "network-acl"])).toEqual({
      "loki.api.url": url,
      "loki.types": "lifecycle,network-acl",
    });
  });
});

describe("IncusLoki", () => {
  it("is not created when disabled", async () => {
    const run = await mockStack({ stack: "iapetus" });
    const c = atlasConfig("iapetus", { incusLoki: { enabled: false } });
    expect(incusLokiIfEnabled("incus-loki", c.incusLoki, url)).toBeUndefined();
    await run.settle();
    expect(run.resources).toEqual([]);
  });

  it("manages the logging keys through a Server resource, named loki01 by default", async () => {
    const run = await mockStack({ stack: "iapetus" });
    const c = atlasConfig("iapetus");
    const loki = incusLokiIfEnabled("incus-loki", c.incusLoki, url) as IncusLoki;
    await run.settle();
    expect(loki.loggingName).toBe("loki01");
    expect(run.named("incus:index:Server", "incus-loki-logging").inputs.config).toEqual({
      "logging.loki01.target.type": "loki",
      "logging.loki01.target.address": url,
    });
    expect(await valueOf(loki.serverConfig)).toMatchObject({
      "logging.loki01.target.type": "loki",
    });
  });

  it("uses the loki.* keys when the stack says its Incus is 6.0", async () => {
    const run = await mockStack({ stack: "iapetus" });
    const c = atlasConfig("iapetus", { incusLoki: { serverKeys: "loki" } });
    incusLokiIfEnabled("incus-loki", c.incusLoki, url);
    await run.settle();
    expect(run.named("incus:index:Server", "incus-loki-logging").inputs.config).toEqual({
      "loki.api.url": url,
    });
  });

  it("rejects an unknown key family in config", () => {
    expect(() => atlasConfig("iapetus", { incusLoki: { serverKeys: "syslog" } })).toThrow(
      /incusLoki.*one of logging, loki/s,
    );
  });
});
