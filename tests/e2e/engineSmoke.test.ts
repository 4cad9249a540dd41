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

  let profileUrn = "";

  it("creates, refreshes without drift and destroys", async () => {
    const up = await stack.up();
    const state = (await stack.exportStack()).deployment as {
      resources: { urn: string; type: string }[];
    };
    profileUrn = state.resources.find((r) => r.type === "incus:index:Profile")?.urn ?? "";
    expect(profileUrn).toMatch(/incus:index:Profile::smoke$/);
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

  it("a profile its own cut-off create left is taken over with a warning; another's is refused", async () => {
    // What a create whose answer was lost leaves: the object, tagged, and no state.
    host.incus(["profile", "create", "smoke", "--project", project]);
    host.incus([
      "profile",
      "set",
      "smoke",
      "--project",
      project,
      "limits.memory=32MB",
      `user.pulumi.urn=${profileUrn}`,
    ]);
    const warnings: string[] = [];
    const up = await stack.up({
      onEvent: (e) => {
        const d = e.diagnosticEvent;
        if (d && d.severity === "warning") warnings.push(d.message);
      },
    });
    expect(up.summary.result).toBe("succeeded");
    expect(warnings.join("\n")).toContain('profile "smoke" on remote');
    expect(warnings.join("\n")).toContain("it was taken over");
    expect(host.profiles(project).find((p) => p.name === "smoke")?.config["limits.memory"]).toBe(
      "64MB",
    );
    const again = await stack.up();
    expect(again.summary.resourceChanges?.update ?? 0).toBe(0);
    await stack.destroy();

    host.incus(["profile", "create", "smoke", "--project", project]);
    const failure = await stack.up().then(
      () => undefined,
      (e: unknown) => String(e),
    );
    expect(failure).toContain("was not created by this resource");
    expect(host.profiles(project).find((p) => p.name === "smoke")?.config).toEqual({});
    host.incus(["profile", "delete", "smoke", "--project", project]);
  });
});
