/**
 * Engine end to end: the real iapetus and cluster01 topologies through the Pulumi CLI,
 * the repository's Incus plugin and a real incusd, checked with the `incus` CLI.
 *
 * Each stack lives in an Incus project of its own (profiles and volumes keep their real
 * names there); its bridges carry a per-run prefix in the default project. See
 * docs/e2e.md.
 */
import * as crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Stack } from "@pulumi/pulumi/automation";
import { e2eSpec, e2eStackConfig, type E2eStackSpec } from "../../automation/e2e/config";
import * as host from "../../automation/e2e/host";
import { changedOps, StepRecorder } from "../../automation/e2e/summary";
import { anatomyProblems, hostDifferences, incusResources } from "../../automation/e2e/verify";
import {
  assertProviderBuilt,
  endE2eRun,
  openE2eStack,
  startE2eRun,
  type E2eRun,
} from "../../automation/e2e/workspace";
import { e2ePreflight } from "./preflight";

const pool = "default";
const slow = 600_000;

/** Instances the reference names for each stack; the topology may add more. */
const coreInstances = {
  iapetus: ["grafana01", "loki01", "prometheus01", "step-ca01"],
  cluster01: ["prometheus01", "alertmanager01", "mosquitto01", "coredns01"],
};

interface E2eStack {
  spec: E2eStackSpec;
  stack: Stack;
}

const scopeOf = (spec: E2eStackSpec): { project: string; pool: string; networkPrefix: string } => ({
  project: spec.incusProject,
  pool,
  networkPrefix: spec.networks.production.slice(0, -1),
});

async function verifyAgainstHost(s: E2eStack): Promise<string[]> {
  const resources = incusResources(await s.stack.exportStack());
  return [
    ...hostDifferences(resources, scopeOf(s.spec)),
    ...anatomyProblems(scopeOf(s.spec), true),
  ];
}

describe("engine e2e: iapetus then cluster01 on a real Incus daemon", () => {
  const runId = crypto.randomBytes(2).toString("hex");
  let run: E2eRun;
  let iapetus: E2eStack;
  let cluster01: E2eStack;
  let serverConfigBefore: Record<string, string> = {};

  beforeAll(async () => {
    await e2ePreflight();
    assertProviderBuilt();
    serverConfigBefore = host.serverConfig();
    const server = host.serverName();
    run = startE2eRun();
    const ipv4Prefix = host.freeIpv4Prefix();
    const iapetusSpec = e2eSpec("iapetus", runId, server, { ipv4Prefix });
    const clusterSpec = e2eSpec("cluster01", runId, server, {
      peerStack: iapetusSpec.stackName,
      ipv4Prefix,
    });
    for (const spec of [iapetusSpec, clusterSpec]) host.createProject(spec.incusProject);
    iapetus = {
      spec: iapetusSpec,
      stack: await openE2eStack(run, {
        stackName: iapetusSpec.stackName,
        config: e2eStackConfig(iapetusSpec),
      }),
    };
    cluster01 = {
      spec: clusterSpec,
      stack: await openE2eStack(run, {
        stackName: clusterSpec.stackName,
        config: e2eStackConfig(clusterSpec),
      }),
    };
  }, slow);

  afterAll(async () => {
    // Best effort: a failed test must not leave anything on the shared daemon.
    for (const s of [cluster01, iapetus]) {
      if (!s) continue;
      await s.stack.destroy().catch(() => undefined);
      host.forceDeleteProject(s.spec.incusProject, pool);
      host.forceDeleteNetworks(scopeOf(s.spec).networkPrefix);
    }
    for (const key of Object.keys(host.serverConfig())) {
      if (!(key in serverConfigBefore)) host.incus(["config", "unset", key]);
    }
    if (run) endE2eRun(run);
  }, slow);

  for (const which of ["iapetus", "cluster01"] as const) {
    const get = (): E2eStack => (which === "iapetus" ? iapetus : cluster01);

    it(
      `${which}: up creates every network, profile, volume and instance as the state says`,
      async () => {
        const up = await get().stack.up();
        expect(up.summary.result).toBe("succeeded");
        expect(await verifyAgainstHost(get())).toEqual([]);

        const names = host.instances(get().spec.incusProject).map((i) => i.name);
        expect(names).toEqual(expect.arrayContaining(coreInstances[which]));
        expect(
          host
            .networks(scopeOf(get().spec).networkPrefix)
            .map((n) => n.name)
            .sort(),
        ).toEqual([get().spec.networks.management, get().spec.networks.production].sort());
        const profiles = host.profiles(get().spec.incusProject).map((p) => p.name);
        expect(profiles).toEqual(expect.arrayContaining(["container-base"]));
        if (which === "cluster01") {
          // One node exporter per clusterNodes entry, unpinned on the standalone daemon.
          expect(names.filter((n) => n.startsWith("node-exporter"))).toHaveLength(1);
        }
      },
      slow,
    );

    it(
      `${which}: a second up reports zero changes`,
      async () => {
        const up = await get().stack.up();
        expect(changedOps(up.summary.resourceChanges)).toEqual({});
      },
      slow,
    );

    it(
      `${which}: refresh reports no drift`,
      async () => {
        const refresh = await get().stack.refresh();
        expect(changedOps(refresh.summary.resourceChanges)).toEqual({});
      },
      slow,
    );
  }

  it(
    "a change to one service's memory updates only that profile",
    async () => {
      const { spec, stack } = iapetus;
      const changed: E2eStackSpec = { ...spec, memory: { grafana: "768MB" } };
      await stack.setAllConfig(e2eStackConfig(changed));
      const previewSteps = new StepRecorder();
      const preview = await stack.preview({ onEvent: previewSteps.onEvent });
      expect(changedOps(preview.changeSummary)).toEqual({ update: 1 });
      expect(previewSteps.steps).toEqual(["update incus:index:Profile::grafana"]);

      const upSteps = new StepRecorder();
      const up = await stack.up({ onEvent: upSteps.onEvent });
      expect(changedOps(up.summary.resourceChanges)).toEqual({ update: 1 });
      expect(upSteps.steps).toEqual(["update incus:index:Profile::grafana"]);
      const grafana = host.profiles(spec.incusProject).find((p) => p.name === "grafana");
      expect(grafana?.config["limits.memory"]).toBe("768MB");
      iapetus = { spec: changed, stack };
      expect(await verifyAgainstHost(iapetus)).toEqual([]);
    },
    slow,
  );

  it(
    "an object changed behind Pulumi's back is detected by refresh and repaired by up",
    async () => {
      const { spec, stack } = cluster01;
      const profile = host.profiles(spec.incusProject).find((p) => p.name === "alertmanager");
      expect(profile).toBeDefined();
      const intended = profile?.config["limits.memory"];
      host.incus([
        "profile",
        "set",
        "alertmanager",
        "limits.memory=99MB",
        "--project",
        spec.incusProject,
      ]);
      host.incus(["network", "set", spec.networks.management, "ipv4.nat=true"]);

      const refresh = await stack.refresh();
      expect(changedOps(refresh.summary.resourceChanges)).toEqual({ update: 2 });

      const steps = new StepRecorder();
      const up = await stack.up({ onEvent: steps.onEvent });
      expect(changedOps(up.summary.resourceChanges)).toEqual({ update: 2 });
      expect(steps.steps.sort()).toEqual(
        [
          // Pulumi names networks by role; the Incus name is the run's own.
          "update incus:index:Network::management-network",
          "update incus:index:Profile::alertmanager",
        ].sort(),
      );
      expect(
        host.profiles(spec.incusProject).find((p) => p.name === "alertmanager")?.config[
          "limits.memory"
        ],
      ).toBe(intended);
      expect(host.networks(spec.networks.management)[0]?.config["ipv4.nat"]).toBe("false");
      expect(await verifyAgainstHost(cluster01)).toEqual([]);
    },
    slow,
  );

  it(
    "destroy leaves no Atlas object on the daemon",
    async () => {
      const serverKeys = incusResources(await iapetus.stack.exportStack())
        .filter((r) => r.type === "incus:index:Server")
        .flatMap((r) => Object.keys((r.inputs.config as Record<string, string> | undefined) ?? {}));

      for (const s of [cluster01, iapetus]) {
        const destroy = await s.stack.destroy();
        expect(destroy.summary.result).toBe("succeeded");
        expect(host.projectLeftovers(s.spec.incusProject, pool)).toEqual([]);
        expect(host.networks(scopeOf(s.spec).networkPrefix)).toEqual([]);
      }
      const config = host.serverConfig();
      expect(serverKeys.filter((k) => k in config)).toEqual([]);
    },
    slow,
  );
});
