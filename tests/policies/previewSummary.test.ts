import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parseEventStream, summarizePreview, type EngineEvent } from "../../scripts/preview-pr";

/** Engine events of a real `pulumi preview --json --policy-pack policies` (streaming mode) on
 * the fixture stack in fixtures/violating-stack, debug diagnostics left out. */
const blockedEvents = parseEventStream(
  fs.readFileSync(path.join(__dirname, "fixtures", "preview-blocked.events.jsonl"), "utf8"),
);

const urn = (type: string, name: string) => `urn:pulumi:iapetus::atlas::${type}::${name}`;
const step = (op: string, type: string, name: string): EngineEvent => ({
  resourcePreEvent: { metadata: { op, type, urn: urn(type, name) }, planning: true },
});

describe("parseEventStream", () => {
  it("reads one JSON event per line and skips anything else", () => {
    const events = parseEventStream(
      '{"preludeEvent":{"config":{}}}\nwarning: something\n\n{"summaryEvent":{"result":"succeeded"}}\n{broken',
    );
    expect(events).toEqual([
      { preludeEvent: { config: {} } },
      { summaryEvent: { result: "succeeded" } },
    ]);
  });
});

describe("summarizePreview", () => {
  it("reports a preview blocked by mandatory policies, with changes and violations", () => {
    const summary = summarizePreview(blockedEvents, { stack: "iapetus", exitCode: 255 });
    expect(summary.blocked).toBe(true);
    expect(summary.failed).toBe(false);
    const md = summary.markdown;
    expect(md).toContain(
      "### Preview of stack `iapetus`: 🚫 blocked by 4 mandatory policy violations",
    );
    expect(md).toContain("| Resource type | create |");
    expect(md).toContain("| `incus:index:Instance` | 1 |");
    expect(md).toContain("| `incus:index:StorageVolume` | 1 |");
    expect(md).not.toContain("pulumi:pulumi:Stack` |"); // the stack itself is no change
    expect(md).toContain("**Policy violations** (atlas 0.1.0)");
    expect(md).toMatch(
      /\| 🚫 mandatory \| `memory-limits-hard` \| `incus:index:Profile::soft` \| Profile 'policy-test-soft' .* sets limits.memory.enforce=soft: set it to 'hard'/,
    );
    expect(md).toContain("| 🚫 mandatory | `host-capacity` | `pulumi:pulumi:Stack::");
    // the policy description (first line of the event message) is left out of the table
    expect(md).not.toContain("Storage volumes set config.size within");
    // the engine's closing "preview failed" is not an error of its own
    expect(md).not.toContain("**Errors**");
  });

  it("counts changes by type and operation, a replacement once, and passes advisories", () => {
    const events: EngineEvent[] = [
      step("create", "pulumi:pulumi:Stack", "atlas-iapetus"),
      step("create", "pulumi:providers:incus", "default"),
      step("create", "incus:index:Profile", "grafana"),
      step("create", "incus:index:Profile", "loki"),
      step("update", "incus:index:Profile", "prometheus"),
      step("same", "incus:index:Network", "management"),
      step("create-replacement", "incus:index:Instance", "grafana01"),
      step("replace", "incus:index:Instance", "grafana01"),
      step("delete-replaced", "incus:index:Instance", "grafana01"),
      step("delete", "incus:index:StorageVolume", "old-data"),
      {
        policyEvent: {
          resourceUrn: urn("incus:index:StorageVolume", "loki01-data"),
          message: "Storage volumes set config.size within [minSize, maxSize].\nsize a|b\n",
          policyName: "storage-volume-size",
          policyPackName: "atlas",
          policyPackVersion: "0.1.0",
          enforcementLevel: "advisory",
        },
      },
      {
        diagnosticEvent: {
          severity: "warning",
          message: "atlas: not reading 'lokiPushUrl' from the peer stack\n",
          urn: urn("pulumi:pulumi:Stack", "atlas-iapetus"),
        },
      },
      {
        summaryEvent: {
          resourceChanges: { create: 2, update: 1, replace: 1 },
          result: "succeeded",
        },
      },
    ];
    const summary = summarizePreview(events, { stack: "iapetus", exitCode: 0 });
    expect(summary).toMatchObject({ blocked: false, failed: false });
    const lines = summary.markdown.split("\n");
    expect(lines[0]).toBe(
      "### Preview of stack `iapetus`: ⚠️ passed with advisory policy violations",
    );
    expect(lines).toContain("| Resource type | create | update | replace | delete |");
    expect(lines).toContain("| `incus:index:Instance` |  |  | 1 |  |");
    expect(lines).toContain("| `incus:index:Profile` | 2 | 1 |  |  |");
    expect(lines).toContain("| `incus:index:StorageVolume` |  |  |  | 1 |");
    expect(summary.markdown).not.toContain("incus:index:Network");
    expect(summary.markdown).not.toContain("pulumi:providers");
    expect(lines).toContain(
      "| ⚠️ advisory | `storage-volume-size` | `incus:index:StorageVolume::loki01-data` | size a\\|b |",
    );
    expect(summary.markdown).toContain("<details><summary>Warnings</summary>");
  });

  it("passes a clean preview with no changes", () => {
    const summary = summarizePreview(
      [{ summaryEvent: { resourceChanges: { same: 12 }, result: "succeeded" } }],
      {
        stack: "cluster01",
        exitCode: 0,
      },
    );
    expect(summary).toEqual({
      markdown: "### Preview of stack `cluster01`: ✅ passed\n\nNo resource changes.\n",
      blocked: false,
      failed: false,
    });
  });

  it("fails on an error diagnostic (a provider rejecting inputs)", () => {
    const summary = summarizePreview(
      [
        step("create", "incus:index:Instance", "grafana01"),
        {
          diagnosticEvent: {
            severity: "error",
            message:
              "incus:index:Instance resource 'grafana01': profiles: must be a list of non-empty strings\n",
            urn: urn("incus:index:Instance", "grafana01"),
          },
        },
        { diagnosticEvent: { severity: "error", message: "preview failed\n" } },
        { summaryEvent: { resourceChanges: { create: 1 }, result: "failed" } },
      ],
      { stack: "iapetus", exitCode: 255 },
    );
    expect(summary).toMatchObject({ blocked: false, failed: true });
    expect(summary.markdown).toContain("### Preview of stack `iapetus`: ❌ preview failed");
    expect(summary.markdown).toContain(
      "- `incus:index:Instance::grafana01`: incus:index:Instance resource 'grafana01': profiles: must be a list",
    );
  });

  it("fails when the CLI dies before the engine reports a summary", () => {
    const summary = summarizePreview([], { stack: "iapetus", exitCode: 127 });
    expect(summary.failed).toBe(true);
    expect(summary.markdown).toContain("exited with code 127 before finishing the preview");
  });
});
