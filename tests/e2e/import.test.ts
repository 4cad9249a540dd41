/**
 * Adopting an object that exists already, through the real CLI, plugin and daemon: the
 * provider's error names `npm run import -- <urn> <id>`, and following it (the same
 * function the script runs) imports the object under the resource's parent component and
 * explicit provider, so the next `up` updates it in place instead of creating it again.
 */
import * as pulumi from "@pulumi/pulumi";
import type { Stack } from "@pulumi/pulumi/automation";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as incusSdk from "../../incus/sdk";
import * as host from "../../automation/e2e/host";
import { adoptResource, parseResourceUrn } from "../../automation/adopt/importResource";
import {
  assertProviderBuilt,
  endE2eRun,
  openE2eStack,
  startE2eRun,
  type E2eRun,
} from "../../automation/e2e/workspace";
import { e2ePreflight } from "./preflight";

const project = `atlas-e2e-import-${process.pid}`;

interface StateResource {
  urn: string;
  type: string;
  parent?: string;
  provider?: string;
  protect?: boolean;
}

describe("import: the hint's command adopts the object as the program's own resource", () => {
  let run: E2eRun;
  let stack: Stack;

  beforeAll(async () => {
    await e2ePreflight();
    assertProviderBuilt();
    host.createProject(project);
    run = startE2eRun();
    stack = await openE2eStack(run, {
      stackName: "e2e-import",
      config: {},
      program: async () => {
        // As in the topologies: an explicit provider, a component, the Incus object its child.
        const provider = new incusSdk.Provider("local", { project });
        const service = new pulumi.ComponentResource("atlas:components:Service", "svc", {}, {});
        const profile = new incusSdk.Profile(
          "svc-profile",
          { name: "svc-profile", config: { "limits.memory": "64MB" }, devices: [] },
          { parent: service, provider },
        );
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

  it("refuses the stranger with the command, which then imports it under parent and provider", async () => {
    // Made by hand (or by another tool): no owner tag.
    host.incus(["profile", "create", "svc-profile", "--project", project]);
    host.incus(["profile", "set", "svc-profile", "limits.memory=32MB", "--project", project]);

    const failure = await stack.up().then(
      () => "",
      (e: unknown) => String(e),
    );
    expect(failure).toContain("was not created by this resource");
    const hint = /npm run import -- '([^']+)' (\S+?)`/.exec(failure);
    expect(hint, failure).not.toBeNull();
    const [, urn, id] = hint!;
    expect(parseResourceUrn(urn)).toEqual({
      stack: "e2e-import",
      project: "atlas",
      type: "incus:index:Profile",
      name: "svc-profile",
    });
    expect(id).toBe("svc-profile");

    const adopted = await adoptResource(stack, urn, id);
    expect(adopted.placement.parent).toMatch(/atlas:components:Service::svc$/);
    expect(adopted.placement.provider).toMatch(/::pulumi:providers:incus::local$/);

    const state = (await stack.exportStack()).deployment as { resources: StateResource[] };
    const imported = state.resources.find((r) => r.urn === urn);
    expect(imported, "the imported resource is in state under the program's URN").toBeDefined();
    expect(imported!.parent).toBe(adopted.placement.parent);
    expect(imported!.provider?.startsWith(`${adopted.placement.provider}::`)).toBe(true);
    expect(imported!.protect ?? false).toBe(false);

    // The program's next up finds its resource: an in-place update of the config, no create.
    const up = await stack.up();
    expect(up.summary.result).toBe("succeeded");
    expect(up.summary.resourceChanges?.create ?? 0).toBe(0);
    expect(up.summary.resourceChanges?.delete ?? 0).toBe(0);
    expect(up.summary.resourceChanges?.update ?? 0).toBe(1);
    const live = host.profiles(project).find((p) => p.name === "svc-profile");
    expect(live?.config["limits.memory"]).toBe("64MB");
    const again = await stack.up();
    expect(again.summary.resourceChanges?.update ?? 0).toBe(0);
    expect(again.summary.resourceChanges?.create ?? 0).toBe(0);
  });
});
