/**
 * One place for Pulumi mocks, so component and stack tests stay short:
 *
 *   const run = await mockStack({ stack: "iapetus", config: { "atlas:storagePool": "default" } });
 *   new Grafana("grafana01", args);
 *   await run.settle();
 *   run.byType("incus:index:Profile")
 */
import * as pulumi from "@pulumi/pulumi";
import {
  startMockedRun,
  type MockedRunOptions,
  type RecordedResource,
} from "../../automation/shape/mockedRun";

export type { RecordedResource } from "../../automation/shape/mockedRun";

export type MockStackOptions = Partial<MockedRunOptions>;

export interface MockStack {
  resources: RecordedResource[];
  /** Waits until every registration has reached the mocks. */
  settle(): Promise<void>;
  byType(type: string): RecordedResource[];
  named(type: string, name: string): RecordedResource;
}

export async function mockStack(options: MockStackOptions = {}): Promise<MockStack> {
  const { resources, settle } = await startMockedRun({
    ...options,
    stack: options.stack ?? "iapetus",
  });
  return {
    resources,
    settle,
    byType: (type) => resources.filter((r) => r.type === type),
    named: (type, name) => {
      const found = resources.find((r) => r.type === type && r.name === name);
      if (!found) {
        const names = resources.filter((r) => r.type === type).map((r) => r.name);
        throw new Error(`no ${type} named ${name}; registered: ${names.join(", ") || "none"}`);
      }
      return found;
    },
  };
}

/** The resolved value of an output (use in up mode: unknowns never resolve). */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((v) => resolve(v)));
}

/** Whether an output is marked secret. */
export function isSecret(output: pulumi.Output<unknown>): Promise<boolean> {
  return pulumi.isSecret(output);
}
