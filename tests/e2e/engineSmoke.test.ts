/**
 * The smallest engine round trip: one profile through the real Pulumi CLI, the
 * repository's Incus plugin and the real daemon. When this fails, the topology suites
 * cannot pass either, and this failure is the easier one to read.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Stack } from "@pulumi/pulumi/automation";
import * as incusSdk from "../../incus/sdk";
import * as host from "../../automation/e2e/host";
import {
  assertProviderBuilt,
  endE2eRun,
  openE2eStack,
  startE2eRun,
  type E2eRun,
} from "../../automation/e2e/workspace";
import { e2ePreflight } from "./preflight";

const project = `atlas-e2e-smoke-${process.pid}`;

describe("engine smoke: one profile through the CLI, the plugin and incusd", () => {
  let run: E2eRun;
  let stack: Stack;

  beforeAll(async () => {
    await e2ePreflight();
    assertProviderBuilt();
    host.createProject(project);
    run = startE2eRun();
    stack = await openE2eStack(run, {
      stackName: "e2e-smoke",
      config: { "incus:project": { value: project } },
      program: async () => {
        const profile = new incusSdk.Profile("smoke", {
          name: "smoke",
          config: { "limits.memory": "64MB" },
          devices: [],
        });
        return { name: profile.name };
      },
    });
  });

  afterAll(async () => {
    try {
      await stack?.destroy();
    } finally {
      host.forceDeleteProject(project, "default");
      if (run) endE2eRun(run);
    }
  });

  it("creates, refreshes without drift and destroys", async () => {
    const up = await stack.up();
    expect(up.summary.result).toBe("succeeded");
    expect(up.outputs.name.value).toBe("smoke");
    expect(host.profiles(project).find((p) => p.name === "smoke")?.config["limits.memory"]).toBe(
      "64MB",
    );

    const refresh = await stack.refresh();
    expect(refresh.summary.resourceChanges?.update ?? 0).toBe(0);

    await stack.destroy();
    expect(host.projectLeftovers(project, "default")).toEqual([]);
  });
});
