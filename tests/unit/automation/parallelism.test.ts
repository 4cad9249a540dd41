/**
 * The operator scripts' `--parallel` (automation/shared/parallelism.ts): added by default,
 * never over an operator's own choice in any of the CLI's spellings.
 */
import { describe, expect, it } from "vitest";
import {
  choosesParallel,
  defaultParallel,
  parallelFor,
  withParallel,
} from "../../../automation/shared/parallelism";

describe("operator --parallel", () => {
  it("adds the default when the arguments choose none", () => {
    expect(withParallel(["up", "--stack", "iapetus"], 32)).toEqual([
      "up",
      "--stack",
      "iapetus",
      "--parallel",
      "32",
    ]);
  });

  it.each([[["--parallel", "4"]], [["--parallel=4"]], [["-p", "4"]], [["-p4"]], [["-p=4"]]])(
    "keeps the operator's own choice: %j",
    (given) => {
      expect(choosesParallel(given)).toBe(true);
      expect(withParallel(["up", ...given], 32)).toEqual(["up", ...given]);
    },
  );

  it("does not take other flags for a choice", () => {
    expect(choosesParallel(["--policy-pack", "policies", "--preview-only", "-s", "x"])).toBe(false);
  });

  it("leaves the arguments alone without a default", () => {
    expect(withParallel(["up"], undefined)).toEqual(["up"]);
  });

  it("has defaults the engine accepts (positive whole numbers), for up only", () => {
    for (const value of Object.values(defaultParallel)) {
      expect(Number.isInteger(value) && (value ?? 0) > 0).toBe(true);
    }
    expect(parallelFor("up")).toBeGreaterThan(8);
    // Measured slower with more steps at once: left to the CLI's default.
    expect(parallelFor("destroy")).toBeUndefined();
    expect(parallelFor("refresh")).toBeUndefined();
  });
});
