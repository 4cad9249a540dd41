/**
 * The SDK's per-resource debug messages (sdkDebugLog.ts), through the real engine: an
 * inline program's registrations reach the engine as debug diagnostics unless the program
 * drops them, and `ATLAS_SDK_DEBUG_LOG=1` keeps them. Needs only the Pulumi CLI.
 */
import * as pulumi from "@pulumi/pulumi";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { endE2eRun, openE2eStack, startE2eRun, type E2eRun } from "../../automation/e2e/workspace";
import { keepSdkDebugLogVariable, quietSdkDebugLog } from "../../sdkDebugLog";

/** Runs a preview of three components with the given environment; their SDK debug lines. */
async function registrationDebugLines(
  run: E2eRun,
  environment: Record<string, string>,
): Promise<string[]> {
  const stack = await openE2eStack(run, {
    stackName: `sdk-debug-${Object.keys(environment).length}`,
    config: {},
    program: async () => {
      quietSdkDebugLog(environment);
      for (const name of ["a", "b", "c"]) new pulumi.ComponentResource("test:index:Part", name);
    },
  });
  const lines: string[] = [];
  const onEvent = (e: EngineEvent): void => {
    const d = e.diagnosticEvent;
    // The SDK's types leave "debug" out of the severities; the engine sends it.
    const severity: string | undefined = d?.severity;
    // The stack's own registration comes before the program runs: only the program's count.
    if (severity === "debug" && d?.message.includes("test:index:Part")) lines.push(d.message);
  };
  await stack.preview({ onEvent });
  return lines;
}

describe("the SDK's debug messages", () => {
  let run: E2eRun;
  beforeAll(() => {
    run = startE2eRun();
  });
  afterAll(() => {
    quietSdkDebugLog({ [keepSdkDebugLogVariable]: "1" });
    if (run) endE2eRun(run);
  });

  it("are dropped by default: no registration of the program reaches the engine as one", async () => {
    expect(await registrationDebugLines(run, {})).toEqual([]);
  });

  it(`are kept with ${keepSdkDebugLogVariable}=1, one per registered resource and more`, async () => {
    const lines = await registrationDebugLines(run, { [keepSdkDebugLogVariable]: "1" });
    for (const name of ["a", "b", "c"]) {
      expect(lines.some((l) => l.includes(`t=test:index:Part, name=${name},`))).toBe(true);
    }
  });
});
