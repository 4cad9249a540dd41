/**
 * Both stacks on the lab (scripts/incus-lab.sh): iapetus on a standalone host and cluster01
 * on a real 3-member cluster, each through its HTTPS remote (trust-token enrolled, server
 * certificate verified). The suite starts the lab and takes it down again, also on failure.
 * See docs/e2e.md ("The lab").
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Stack } from "@pulumi/pulumi/automation";
import { e2eSpec, e2eStackConfig, type E2eStackSpec } from "../../automation/e2e/config";
import { changedOps } from "../../automation/e2e/summary";
import {
  assertProviderBuilt,
  endE2eRun,
  openE2eStack,
  startE2eRun,
  type E2eRun,
} from "../../automation/e2e/workspace";
import {
  labDown,
  labIncusConf,
  labMembers,
  labQuery,
  labRemotes,
  labUp,
  startMember,
  stopMember,
} from "../../automation/lab/lab";
import { pulumiCommand } from "../../automation/shared/pulumiCommand";

const slow = 900_000;
const pool = "default";

interface LabInstance {
  name: string;
  location: string;
  expanded_devices: Record<string, Record<string, string>>;
}
interface LabVolume {
  name: string;
  type: string;
  location: string;
}

const instancesOf = (remote: string, project: string): LabInstance[] =>
  labQuery<LabInstance[]>(remote, `/1.0/instances?recursion=1&project=${project}`);
const volumesOf = (remote: string, project: string): LabVolume[] =>
  labQuery<LabVolume[]>(
    remote,
    `/1.0/storage-pools/${pool}/volumes?recursion=1&project=${project}`,
  ).filter((v) => v.type === "custom");

/** The suite's stacks, for the wiring checks that run in the same suite. */
export interface LabStacks {
  run: E2eRun;
  iapetus: { spec: E2eStackSpec; stack: Stack };
  cluster01: { spec: E2eStackSpec; stack: Stack };
}

describe("lab e2e: iapetus and cluster01 through HTTPS remotes on a 3-member cluster", () => {
  let lab: LabStacks | undefined;
  const get = (): LabStacks => {
    if (!lab) throw new Error("the lab stacks were not opened (see beforeAll)");
    return lab;
  };

  beforeAll(async () => {
    await pulumiCommand();
    assertProviderBuilt();
    // A lab of its own: whatever an earlier run left (a kept lab, a crash) goes first.
    labDown();
    labUp();
    const run = startE2eRun({ INCUS_CONF: labIncusConf });
    const spec = (topology: "iapetus" | "cluster01", extra: Partial<E2eStackSpec>): E2eStackSpec =>
      e2eSpec(topology, "1ab", topology, {
        // Fresh daemons of the lab's own: the default project, subnets nobody else uses
        // (the run id is hex: ports and loopback addresses derive from it).
        incusProject: "default",
        ipv4Prefix: "10.78",
        remote: labRemotes[topology],
        ...extra,
      });
    const iapetusSpec = spec("iapetus", {});
    const clusterSpec = spec("cluster01", { peerStack: iapetusSpec.stackName });
    lab = {
      run,
      iapetus: {
        spec: iapetusSpec,
        stack: await openE2eStack(run, {
          stackName: iapetusSpec.stackName,
          config: e2eStackConfig(iapetusSpec),
        }),
      },
      cluster01: {
        spec: clusterSpec,
        stack: await openE2eStack(run, {
          stackName: clusterSpec.stackName,
          config: e2eStackConfig(clusterSpec),
        }),
      },
    };
  }, slow);

  afterAll(() => {
    if (lab) endE2eRun(lab.run);
    if (process.env.ATLAS_LAB_KEEP !== "1") labDown();
  }, 300_000);

  it(
    "up: iapetus, then cluster01, then iapetus again (federation)",
    async () => {
      const { iapetus, cluster01 } = get();
      await iapetus.stack.up();
      await cluster01.stack.up();
      const again = await iapetus.stack.up();
      expect(again.summary.result).toBe("succeeded");
    },
    slow,
  );

  it("each node exporter runs on its own member, read from the cluster", () => {
    const exporters = instancesOf(labRemotes.cluster01, "default").filter((i) =>
      i.name.startsWith("node-exporter"),
    );
    expect(exporters.map((i) => i.location).sort()).toEqual([...labMembers]);
  });

  it("every custom volume lives on the member of its instance", () => {
    const remote = labRemotes.cluster01;
    const volumes = volumesOf(remote, "default");
    const misplaced: string[] = [];
    let attached = 0;
    for (const i of instancesOf(remote, "default")) {
      for (const d of Object.values(i.expanded_devices)) {
        if (d.type !== "disk" || !d.source || d.pool !== pool) continue;
        attached++;
        const v = volumes.find((x) => x.name === d.source && x.location === i.location);
        if (!v) misplaced.push(`${d.source} (instance ${i.name} on ${i.location})`);
      }
    }
    expect(attached).toBeGreaterThan(0);
    expect(misplaced).toEqual([]);
  });

  it(
    "a second up of each stack is a no-op",
    async () => {
      const { iapetus, cluster01 } = get();
      for (const s of [iapetus, cluster01]) {
        const up = await s.stack.up();
        expect(changedOps(up.summary.resourceChanges), s.spec.topology).toEqual({});
      }
    },
    slow,
  );

  it(
    "a member fails during an up: the up names it; back online, a plain up converges",
    async () => {
      const { cluster01 } = get();
      const before = instancesOf(labRemotes.cluster01, "default")
        .map((i) => `${i.name}@${i.location}`)
        .sort();
      const volumesBefore = volumesOf(labRemotes.cluster01, "default")
        .map((v) => `${v.name}@${v.location}`)
        .sort();
      // A change that reaches node02's exporter, so the up must talk to that member.
      await cluster01.stack.setConfig("atlas:services", {
        value: JSON.stringify({
          ...JSON.parse(String((await cluster01.stack.getConfig("atlas:services")).value)),
          nodeExporter: {
            ...JSON.parse(String((await cluster01.stack.getConfig("atlas:services")).value))
              .nodeExporter,
            memory: "96MB",
          },
        }),
      });
      const up = cluster01.stack.up().then(
        () => "succeeded",
        (e: unknown) => String(e),
      );
      await new Promise((r) => setTimeout(r, 1500));
      stopMember("node02");
      const failed = await up;
      startMember("node02");
      expect(failed).not.toBe("succeeded");
      expect(failed).toMatch(/node02|10\.77\.0\.12/);
      await cluster01.stack.cancel().catch(() => undefined);
      const retried = await cluster01.stack.up();
      expect(retried.summary.result).toBe("succeeded");
      const after = instancesOf(labRemotes.cluster01, "default")
        .map((i) => `${i.name}@${i.location}`)
        .sort();
      expect(after).toEqual(before);
      expect(
        volumesOf(labRemotes.cluster01, "default")
          .map((v) => `${v.name}@${v.location}`)
          .sort(),
      ).toEqual(volumesBefore);
      const noop = await cluster01.stack.up();
      expect(changedOps(noop.summary.resourceChanges)).toEqual({});
    },
    slow,
  );
});
