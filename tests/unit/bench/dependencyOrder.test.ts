/**
 * The order the `incus` CLI lower bounds run in (scripts/bench/dependencyOrder.ts): each
 * step as soon as its dependencies finished, never earlier; teardown the other way round.
 */
import { describe, expect, it } from "vitest";
import {
  runInDependencyOrder,
  runInReverseDependencyOrder,
  type DependencyNode,
} from "../../../scripts/bench/dependencyOrder";

/** A step that records its start and end on a shared list, finishing after `ticks` turns. */
function recorder(ticks: Record<string, number> = {}): {
  events: string[];
  step: (n: DependencyNode) => Promise<void>;
} {
  const events: string[] = [];
  const step = async (n: DependencyNode): Promise<void> => {
    events.push(`start ${n.key}`);
    for (let i = 0; i < (ticks[n.key] ?? 1); i++) await Promise.resolve();
    events.push(`end ${n.key}`);
  };
  return { events, step };
}

const graph: DependencyNode[] = [
  { key: "instance", dependsOn: ["profile", "network", "outside-the-graph"] },
  { key: "profile", dependsOn: ["network"] },
  { key: "network", dependsOn: [] },
  { key: "volume", dependsOn: [] },
];

describe("runInDependencyOrder", () => {
  it("starts a node only after every dependency ended, and independent nodes at once", async () => {
    const { events, step } = recorder();
    await runInDependencyOrder(graph, step);
    const at = (e: string): number => events.indexOf(e);
    expect(at("start profile")).toBeGreaterThan(at("end network"));
    expect(at("start instance")).toBeGreaterThan(at("end profile"));
    // Both roots start before either ends: they run in parallel.
    expect(at("start volume")).toBeLessThan(at("end network"));
    expect(events.filter((e) => e.startsWith("start"))).toHaveLength(graph.length);
  });

  it("runs a shared dependency once", async () => {
    const { events, step } = recorder();
    await runInDependencyOrder(
      [
        { key: "a", dependsOn: ["c"] },
        { key: "b", dependsOn: ["c"] },
        { key: "c", dependsOn: [] },
      ],
      step,
    );
    expect(events.filter((e) => e === "start c")).toHaveLength(1);
  });

  it("rejects a cycle instead of waiting forever", async () => {
    await expect(
      runInDependencyOrder(
        [
          { key: "a", dependsOn: ["b"] },
          { key: "b", dependsOn: ["a"] },
        ],
        recorder().step,
      ),
    ).rejects.toThrow(/cycle: .*a -> b -> a|cycle: .*b -> a -> b/);
  });

  it("rejects with a failed step after the others ran", async () => {
    const ran: string[] = [];
    await expect(
      runInDependencyOrder(graph, async (n) => {
        ran.push(n.key);
        if (n.key === "volume") throw new Error("volume failed");
      }),
    ).rejects.toThrow("volume failed");
    expect(ran).toContain("instance");
  });
});

describe("runInReverseDependencyOrder", () => {
  it("removes dependents first: the instance before its profile, the profile before the network", async () => {
    const { events, step } = recorder();
    await runInReverseDependencyOrder(graph, step);
    const at = (e: string): number => events.indexOf(e);
    expect(at("start profile")).toBeGreaterThan(at("end instance"));
    expect(at("start network")).toBeGreaterThan(at("end profile"));
    expect(at("start network")).toBeGreaterThan(at("end instance"));
    expect(at("start volume")).toBeLessThan(at("end instance"));
  });
});
