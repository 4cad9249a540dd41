/**
 * The mocked runs fail where the engine would on a duplicate URN (the mocks alone accept
 * it), so a program that registers one twice cannot pass the unit tests.
 */
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { startMockedRun } from "../../../automation/shape/mockedRun";

class Group extends pulumi.ComponentResource {
  constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
    super("atlas:test:Group", name, {}, opts);
    new pulumi.StackReference("peer-ref", { name: "iapetus" }, { parent: this });
  }
}

class Outer extends pulumi.ComponentResource {
  constructor(name: string) {
    super("atlas:test:Outer", name, {});
    new Group(`${name}-group`, { parent: this });
  }
}

describe("mocked runs and URNs", () => {
  it("fail on two stack references with one name, with the engine's message", async () => {
    const run = await startMockedRun({ stack: "cluster01" });
    new pulumi.StackReference("iapetusStack-ref", { name: "iapetus" });
    new pulumi.StackReference("iapetusStack-ref", { name: "iapetus" });
    await expect(run.settle()).rejects.toThrow(
      "Duplicate resource URN 'urn:pulumi:cluster01::atlas::pulumi:pulumi:StackReference::iapetusStack-ref'",
    );
  });

  it("fail on two custom resources with one type and name under one parent", async () => {
    const run = await startMockedRun({ stack: "iapetus" });
    const parent = new Group("group");
    new pulumi.StackReference("peer-ref", { name: "other" }, { parent });
    await expect(run.settle()).rejects.toThrow(
      "Duplicate resource URN 'urn:pulumi:iapetus::atlas::atlas:test:Group$pulumi:pulumi:StackReference::peer-ref'",
    );
  });

  it("accept one name under different parent types: the engine qualifies it with the whole chain", async () => {
    const run = await startMockedRun({ stack: "iapetus" });
    // Outer$Group$StackReference and Group$StackReference: distinct for the engine,
    // though the mock monitor's own URNs (last parent type only) coincide.
    new Outer("outer");
    new Group("group");
    new pulumi.StackReference("peer-ref", { name: "iapetus" });
    await run.settle();
    expect(run.resources.filter((r) => r.name === "peer-ref")).toHaveLength(3);
  });
});
