/**
 * The pack against what the real program registers: both stacks (with their
 * Pulumi.<stack>.yaml settings, and with every optional service on) must pass every
 * mandatory policy; a deliberately bad component built on the shared anatomy must not.
 */
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { stackFileConfig, optionalFeatures } from "../../automation/shape/stackShape";
import { buildServiceAnatomy } from "../../components/shared/serviceAnatomy";
import { parseAtlasConfig } from "../../config";
import { atlasProgram } from "../../program";
import { mockStack } from "../helpers/pulumiMocks";
import { fromRecorded, mandatory, runPack, type TestResource } from "./harness";

async function programResources(
  stack: string,
  overlay: { config: Record<string, unknown>; secretKeys: string[] } = {
    config: {},
    secretKeys: [],
  },
): Promise<TestResource[]> {
  const run = await mockStack({
    stack,
    config: { ...stackFileConfig(stack), ...overlay.config },
    secretKeys: overlay.secretKeys,
  });
  atlasProgram();
  await run.settle();
  return fromRecorded(run.resources);
}

const ovnBackend = {
  config: {
    "atlas:networkBackend": "ovn",
    "atlas:ovn": {
      uplinkNetwork: "eno1",
      centralListenAddress: "192.168.71.5",
      mosquittoLbAddress: "192.168.68.10",
      corednsLbAddress: "192.168.68.11",
    },
  },
  secretKeys: [],
};

describe.each(["iapetus", "cluster01"])("stack %s under mocks", (stack) => {
  it("passes every mandatory policy with its stack settings", async () => {
    const resources = await programResources(stack);
    expect(mandatory(await runPack(resources))).toEqual([]);
  });

  it("passes every mandatory policy with every optional service on", async () => {
    const resources = await programResources(stack, optionalFeatures(stack));
    expect(mandatory(await runPack(resources))).toEqual([]);
  });
});

describe("cluster01 with the OVN backend", () => {
  it("passes once the operator lists OVN central's listeners on the configured address", async () => {
    const resources = await programResources("cluster01", ovnBackend);
    const violations = await runPack(resources, {
      config: {
        "proxy-listen-allow-list": {
          allowedListeners: ["192.168.71.5:6641", "192.168.71.5:6642"],
        },
      },
    });
    expect(mandatory(violations)).toEqual([]);
  });
});

/** A service component that gets it wrong in three ways the pack must catch. */
class CarelessService extends pulumi.ComponentResource {
  constructor(name: string) {
    super("atlas:components:CarelessService", name, {}, {});
    const config = parseAtlasConfig({ stack: "iapetus", values: {}, secretKeys: [] });
    buildServiceAnatomy(this, {
      instanceName: name,
      profileName: name,
      settings: { ...config.services.grafana, dataVolumeSize: "5TB" },
      storagePool: config.incus.storagePool,
      baseProfiles: ["default"],
      dataPath: "/data",
      instanceConfig: { "limits.memory": "4GB", "limits.memory.enforce": "soft" },
    });
    this.registerOutputs({});
  }
}

describe("a deliberately bad stack", () => {
  it("is blocked: default profile, soft memory limit, huge volume", async () => {
    const run = await mockStack({ stack: "iapetus", config: stackFileConfig("iapetus") });
    atlasProgram();
    new CarelessService("careless01");
    await run.settle();
    const blocked = mandatory(await runPack(fromRecorded(run.resources)));
    const byPolicy = (policy: string) => blocked.filter((v) => v.policy === policy);

    expect(byPolicy("instance-no-default-profile").map((v) => v.message)).toEqual([
      expect.stringContaining("Instance 'careless01' uses the 'default' profile"),
    ]);
    expect(byPolicy("memory-limits-hard").map((v) => v.message)).toEqual([
      "Instance 'careless01' sets limits.memory.enforce=soft: set it to 'hard' so the memory limit is enforced.",
    ]);
    expect(byPolicy("storage-volume-size").map((v) => v.message)).toEqual([
      expect.stringContaining(
        "StorageVolume 'careless01-data' has size 5TB, outside the allowed range",
      ),
    ]);
    expect(byPolicy("host-capacity").map((v) => v.message)).toEqual([
      expect.stringMatching(
        /root disks and volumes sum to .*TB, over 500GB \(largest: volume careless01-data 5TB/,
      ),
    ]);
    expect(new Set(blocked.map((v) => v.policy))).toEqual(
      new Set([
        "instance-no-default-profile",
        "memory-limits-hard",
        "storage-volume-size",
        "host-capacity",
      ]),
    );
  });
});
