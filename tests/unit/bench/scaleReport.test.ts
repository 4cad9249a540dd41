/**
 * The scale benchmark's report (scripts/bench/scaleReport.ts): the growth table, the
 * plot, the marginal cost per resource and the targets' verdicts, from made-up numbers.
 */
import { describe, expect, it } from "vitest";
import {
  checkTargets,
  marginalCosts,
  perResource,
  scalePlot,
  scaleTable,
  type ScaleOperation,
  type ScalePoint,
} from "../../../scripts/bench/scaleReport";

const op = (ms: number, requests: Record<string, number> = {}): ScaleOperation => ({
  ms,
  requests,
  writes: 0,
  changes: {},
});

/** A point with every time proportional to the size, so slopes are easy to check. */
function point(nodes: number, scale = 1): ScalePoint {
  const resources = 30 + 3 * nodes;
  return {
    nodes,
    resources,
    incusResources: 20 + 2 * nodes,
    up: op(5000 + 200 * nodes * scale),
    noopUp: op(1500 + 5 * resources),
    refreshPreview: op(2000 + 8 * resources, { GET: 20 + 2 * nodes }),
    change: op(3000),
    destroy: op(3000 + 100 * nodes * scale),
    bound: {
      objects: 20 + 2 * nodes,
      upMs: 4000 + 180 * nodes,
      workUpMs: 5000 + 250 * nodes,
      destroyMs: 2500 + 90 * nodes,
      removeFailures: [],
    },
  };
}

const fixed = { noopUpMs: 1500, refreshPreviewMs: 2000 };

describe("scale report", () => {
  it("tabulates each size with its ratios and per-resource costs", () => {
    const table = scaleTable([point(10), point(100)], fixed).split("\n");
    expect(table).toHaveLength(4);
    expect(table[0]).toContain("CLI bound");
    // N=100: 330 resources (220 Incus), up 25 s vs 22 s, no-op 5 ms/resource.
    // Against the bound doing the same instance work: 25 s vs 30 s.
    expect(table[3]).toMatch(
      /^\| 100 \| 330 \(220\) \| 25\.00 s \| 22\.00 s \| 1\.14 \| 30\.00 s \| 0\.83 \|/,
    );
    expect(table[3]).toContain("| 5.0 |");
    expect(table[3]).toContain("(220)");
  });

  it("computes the cost per extra resource between the smallest and the largest size", () => {
    const m = marginalCosts([point(100), point(10)]);
    // up grows 200 ms per node, 3 resources per node.
    expect(m.up).toBeCloseTo(200 / 3);
    expect(m["no-op up"]).toBeCloseTo(5);
    expect(marginalCosts([point(10)])).toEqual({});
  });

  it("checks the targets at the largest size and says MISSED honestly", () => {
    const met = checkTargets([point(10), point(100)], fixed);
    expect(met.map((v) => v.met)).toEqual([true, true, true, true]);
    expect(met[0].name).toContain("N=100");
    expect(met[0].value).toContain("against the same-work bound 0.83 (30.00 s)");

    const slow = checkTargets([point(100, 2)], fixed);
    expect(slow[0].met).toBe(false); // up 45 s vs bound 22 s
    expect(slow[3].met).toBe(false); // destroy 23 s vs bound 11.5 s

    const failedBound = point(100);
    failedBound.bound.removeFailures = ["incus network delete x: in use"];
    const v = checkTargets([failedBound], fixed)[3];
    expect(v.met).toBe(false);
    expect(v.value).toContain("no bound");
  });

  it("measures per-resource cost beyond the fixed start-up", () => {
    expect(perResource(4800, 1500, 330)).toBeCloseTo(10);
    expect(perResource(100, 0, 0)).toBe(0);
  });

  it("plots every series at each size, with the sizes on the x axis", () => {
    const plot = scalePlot([point(10), point(50), point(100)]);
    const lines = plot.split("\n");
    expect(lines.some((l) => l.includes("U"))).toBe(true);
    expect(lines.some((l) => l.includes("d"))).toBe(true);
    const ticks = lines.find((l) => l.includes("N (node exporters)")) ?? "";
    expect(ticks).toMatch(/10 .*50 .*100/);
    // The largest value (up at N=100, 25 s) is on the top row, at the right edge.
    expect(lines[0]).toMatch(/^\s+25 s \|.*U$/);
    expect(scalePlot([])).toBe("(no points)");
  });
});
