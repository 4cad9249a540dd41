/**
 * Which operations run without the engine's per-step snapshots
 * (automation/shared/previewCheckpoints.ts): previews only, never over the operator's own
 * setting. An `up`, `refresh` or `destroy` with the switch would keep no record of what an
 * interrupted run created.
 */
import { describe, expect, it } from "vitest";
import { engineEnvironmentFor } from "../../../automation/shared/previewCheckpoints";

describe("engine environment per operation", () => {
  it("skips the snapshots a preview throws away", () => {
    expect(engineEnvironmentFor("preview", {})).toEqual({ PULUMI_SKIP_CHECKPOINTS: "true" });
  });

  it.each(["up", "refresh", "destroy", "import"])("keeps every checkpoint of %s", (op) => {
    expect(engineEnvironmentFor(op, {})).toEqual({});
  });

  it("leaves an operator's own setting alone, either way", () => {
    expect(engineEnvironmentFor("preview", { PULUMI_SKIP_CHECKPOINTS: "false" })).toEqual({});
    expect(engineEnvironmentFor("preview", { PULUMI_SKIP_CHECKPOINTS: "true" })).toEqual({});
  });
});
