/**
 * What state records of an instance (incus/provider/resources/instanceRecord.ts): user-data
 * and file contents by digest in the outputs, diffs that compare either form of state the
 * same, and secret contents whose digests stay secret. No daemon: the create and update
 * paths on a real one are in instance.test.ts and instanceExecs.test.ts.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { IncusProvider } from "../../incus/provider/provider";
import {
  recordedInstance,
  recordedSecretPath,
  recordedUserData,
} from "../../incus/provider/resources/instanceRecord";
import { SECRET_SIG, SIG_KEY, UNKNOWN, type PropertyMap } from "../../incus/provider/values";

const p = new IncusProvider({}, { INCUS_CONF: "/nonexistent" });
const U = "urn:pulumi:s::atlas::incus:index:Instance::x";
const sha = (s: string): string => createHash("sha256").update(s, "utf8").digest("hex");
const userData = "#cloud-config\npackages:\n  - curl\n";

const inputs: PropertyMap = {
  name: "x",
  image: "atlas-test",
  config: { "cloud-init.user-data": userData, "limits.cpu": "1" },
  files: [
    { targetPath: "/etc/app.conf", content: "level=1\n", mode: "0640" },
    { targetPath: "/etc/other.conf", sourcePath: "/tmp/other.conf" },
  ],
};

async function diff(olds: PropertyMap, news: PropertyMap) {
  const c = await p.check(U, {}, news);
  expect(c.failures ?? []).toEqual([]);
  return p.diff("x", U, olds, c.inputs);
}

describe("instance record", () => {
  it("records user-data as sha256:<hex> and each content as contentSha256, keeping the rest", () => {
    const recorded = recordedInstance(inputs);
    expect(recorded.config).toEqual({
      "cloud-init.user-data": `sha256:${sha(userData)}`,
      "limits.cpu": "1",
    });
    expect(recorded.files).toEqual([
      { targetPath: "/etc/app.conf", contentSha256: sha("level=1\n"), mode: "0640" },
      { targetPath: "/etc/other.conf", sourcePath: "/tmp/other.conf" },
    ]);
    expect(JSON.stringify(recorded)).not.toContain("level=1");
    expect(JSON.stringify(recorded)).not.toContain("packages");
  });

  it("is idempotent, and leaves unknowns for the diff to see", () => {
    const once = recordedInstance(inputs);
    expect(recordedInstance(once)).toEqual(once);
    expect(recordedUserData(UNKNOWN)).toBe(UNKNOWN);
    const unknownFile = recordedInstance({ files: [{ targetPath: "/a", content: UNKNOWN }] });
    expect(unknownFile.files).toEqual([{ targetPath: "/a", content: UNKNOWN }]);
  });

  it("diffs new state (digests) and state written before it (text) the same way", async () => {
    const checked = (await p.check(U, {}, inputs)).inputs;
    const newState = recordedInstance(checked);
    const oldState = checked;
    for (const olds of [newState, oldState]) {
      expect((await diff(olds, inputs)).changes).toBe(false);
      const changedFile = {
        ...inputs,
        files: [{ targetPath: "/etc/app.conf", content: "level=2\n", mode: "0640" }],
      };
      const d = await diff(olds, changedFile);
      expect(d).toMatchObject({ changes: true, replaces: [] });
      expect(d.detailedDiff).toMatchObject({ "files[0]": "update", "files[1]": "delete" });
      const changedUserData = {
        ...inputs,
        config: { ...(inputs.config as PropertyMap), "cloud-init.user-data": `${userData}#\n` },
      };
      expect((await diff(olds, changedUserData)).detailedDiff).toEqual({
        'config["cloud-init.user-data"]': "update",
      });
    }
  });

  it("a file with the same content under another mode is a change", async () => {
    const olds = recordedInstance((await p.check(U, {}, inputs)).inputs);
    const files = [
      { ...(inputs.files as PropertyMap[])[0], mode: "0600" },
      (inputs.files as PropertyMap[])[1],
    ];
    expect((await diff(olds, { ...inputs, files })).detailedDiff).toEqual({ "files[0]": "update" });
  });

  it("a secret content's digest is a secret in the outputs", () => {
    expect(recordedSecretPath(["files", 2, "content"])).toEqual(["files", 2, "contentSha256"]);
    expect(recordedSecretPath(["files", 2])).toEqual(["files", 2]);
    expect(recordedSecretPath(["config", "cloud-init.user-data"])).toEqual([
      "config",
      "cloud-init.user-data",
    ]);
    // Through the provider's plumbing: the same wrapping a create's outputs get.
    const h = p.handler(U);
    const wrapped = (
      p as unknown as {
        wrapOutputs(h: unknown, outs: PropertyMap, secrets: (string | number)[][]): PropertyMap;
      }
    ).wrapOutputs(h, recordedInstance(inputs), [["files", 0, "content"]]);
    const file = (wrapped.files as PropertyMap[])[0];
    expect(file.contentSha256).toEqual({ [SIG_KEY]: SECRET_SIG, value: sha("level=1\n") });
  });
});
