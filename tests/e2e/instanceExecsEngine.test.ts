/**
 * The Instance's files and execs through the real engine: what `pulumi preview --diff`
 * prints for a configuration change (an update naming the changed file's path) and for an
 * install change (`replaceOnChanges: ['config["cloud-init.user-data"]']` replaces the
 * instance), and how `up` reports a configuration the service's checker rejects (the
 * instance and the checker's message; the previous file stays in place).
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Deployment, Stack } from "@pulumi/pulumi/automation";
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

const project = `atlas-e2e-execs-${process.pid}`;
const CONF = "/etc/app/app.conf";

/** What the program deploys; each step of the test changes it and runs the engine. */
const wanted = { conf: "level=1\n", userData: "#cloud-config\n# install v1\n" };

describe("engine: instance files and execs", () => {
  let run: E2eRun;
  let stack: Stack;

  beforeAll(async () => {
    await e2ePreflight();
    assertProviderBuilt();
    host.createProject(project);
    run = startE2eRun();
    stack = await openE2eStack(run, {
      stackName: "e2e-execs",
      config: { "incus:project": { value: project } },
      program: async () => {
        const base = new incusSdk.Profile("base", {
          name: "base",
          devices: [{ name: "root", type: "disk", properties: { path: "/", pool: "default" } }],
        });
        new incusSdk.Instance(
          "app",
          {
            name: "app01",
            image: "atlas-test",
            profiles: [base.name],
            config: { "cloud-init.user-data": wanted.userData },
            files: [
              { targetPath: CONF, content: wanted.conf },
              { targetPath: "/etc/app/static.conf", content: "static\n" },
            ],
            execs: [
              {
                name: "reload",
                command: ["sh", "-c", `promtool check config ${CONF} && rc-service app reload`],
                trigger: "on_change",
              },
            ],
          },
          { replaceOnChanges: ['config["cloud-init.user-data"]'], deleteBeforeReplace: true },
        );
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

  const exec = (...cmd: string[]): string =>
    host.incus(["exec", "app01", "--project", project, "--", ...cmd]);
  const uuid = (): string =>
    host.incus(["config", "get", "app01", "volatile.uuid", "--project", project]).trim();

  it("a changed file previews as an update naming its path, and up reloads the service", async () => {
    await stack.up();
    const first = uuid();
    wanted.conf = "level=2\n";
    const preview = await stack.preview({ diff: true });
    expect(preview.changeSummary).toMatchObject({ update: 1 });
    // The changed file is shown with its path; the unchanged one is not listed.
    expect(preview.stdout).toMatch(/~ \[0\]: \{[\s\S]*targetPath: "\/etc\/app\/app\.conf"/);
    expect(preview.stdout).not.toContain("/etc/app/static.conf");

    const up = await stack.up();
    expect(up.summary.resourceChanges).toMatchObject({ update: 1 });
    expect(exec("cat", CONF)).toBe("level=2\n");
    expect(exec("cat", "/var/log/atlas-rc-service.calls")).toBe("app reload\n");
    expect(uuid()).toBe(first);
  });

  it("a configuration the checker rejects fails the up with the instance and the checker's words; the old file stays", async () => {
    wanted.conf = "level=3\nATLAS_TEST_REJECT\n";
    const failure = await stack.up().then(
      () => "",
      (e: unknown) => String(e),
    );
    expect(failure).toContain('Instance "app01": exec "reload"');
    expect(failure).toContain(`rejected: ${CONF}`);
    expect(exec("cat", CONF)).toBe("level=2\n");
    expect(exec("cat", "/var/log/atlas-rc-service.calls")).toBe("app reload\n");
    wanted.conf = "level=2\n";
    const again = await stack.preview();
    expect(again.changeSummary.update ?? 0).toBe(0);
  });

  it("a changed user-data previews as a replacement through replaceOnChanges: ['config[\"cloud-init.user-data\"]']", async () => {
    const before = uuid();
    wanted.userData = "#cloud-config\n# install v2\n";
    const preview = await stack.preview({ diff: true });
    expect(preview.changeSummary).toMatchObject({ replace: 1 });
    expect(preview.stdout).toContain("cloud-init.user-data");
    const up = await stack.up();
    expect(up.summary.resourceChanges).toMatchObject({ replace: 1 });
    expect(uuid()).not.toBe(before);
  });

  it("state records the user-data and the files by digest; state that has the text in its outputs (written before) diffs the same and takes the digests at the next refresh", async () => {
    const digest = (text: string): string => createHash("sha256").update(text).digest("hex");
    const app = (d: Deployment): StateResource => {
      const r = (d.deployment as { resources: StateResource[] }).resources.find((x) =>
        x.urn.endsWith("Instance::app"),
      );
      if (!r) throw new Error("no Instance::app in the state");
      return r;
    };
    const recorded = await stack.exportStack();
    const { inputs, outputs } = app(recorded);
    expect((inputs.config as Record<string, string>)["cloud-init.user-data"]).toBe(wanted.userData);
    expect((outputs.config as Record<string, string>)["cloud-init.user-data"]).toBe(
      `sha256:${digest(wanted.userData)}`,
    );
    expect(outputs.files).toEqual([
      expect.objectContaining({ targetPath: CONF, contentSha256: digest(wanted.conf) }),
      expect.objectContaining({ targetPath: "/etc/app/static.conf" }),
    ]);
    expect(JSON.stringify(outputs)).not.toContain("level=2");

    // The outputs as an earlier provider wrote them: the text twice.
    const legacy = structuredClone(recorded);
    const old = app(legacy);
    old.outputs = { ...old.outputs, config: inputs.config, files: inputs.files };
    await stack.importStack(legacy);
    const onlySame = (summary: object): string[] => Object.keys(summary);
    expect(onlySame((await stack.preview()).changeSummary)).toEqual(["same"]);
    await stack.refresh();
    const refreshed = app(await stack.exportStack());
    expect(refreshed.outputs.config).toEqual(outputs.config);
    expect(refreshed.outputs.files).toEqual(outputs.files);
    // A refresh keeps the program's inputs, text and all.
    expect(refreshed.inputs.files).toEqual(inputs.files);
    expect(onlySame((await stack.up()).summary.resourceChanges ?? {})).toEqual(["same"]);
  });
});

interface StateResource {
  urn: string;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
}
