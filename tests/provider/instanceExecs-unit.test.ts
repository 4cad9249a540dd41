/**
 * Unit tests (no daemon) for the Instance's execs and detailed diffs: validation messages,
 * the paths the engine receives (per config key, per file), the gRPC Diff answer built
 * from them, and the masking of secret values in messages.
 */
import { describe, expect, it } from "vitest";
import { serveDiff } from "../../incus/provider/detailedDiff";
import { requireAsPulumi } from "../../incus/provider/pulumiModule";
import { IncusProvider } from "../../incus/provider/provider";
import { MASK, secretMasker } from "../../incus/provider/secretMask";
import type { PropertyMap } from "../../incus/provider/values";

const p = new IncusProvider({}, { INCUS_CONF: "/nonexistent" });
const U = "urn:pulumi:s::atlas::incus:index:Instance::web";
const base = {
  name: "web",
  image: "atlas-test",
  config: { "cloud-init.user-data": "#cloud-config\n", "limits.cpu": "1" },
  files: [
    { targetPath: "/etc/a.conf", content: "a=1\n" },
    { targetPath: "/etc/b.conf", content: "b=1\n" },
  ],
  execs: [{ name: "reload", command: ["rc-service", "web", "reload"], trigger: "on_change" }],
};

async function reasons(news: PropertyMap): Promise<string> {
  const c = await p.check(U, {}, news);
  return (c.failures ?? []).map((f) => f.reason).join("\n");
}

async function inputs(news: PropertyMap): Promise<PropertyMap> {
  const c = await p.check(U, {}, news);
  expect(c.failures ?? []).toEqual([]);
  return c.inputs as PropertyMap;
}

describe("execs validation", () => {
  it("names the exec, the field, the value and what is allowed", async () => {
    const r = await reasons({
      ...base,
      execs: [
        { name: "ok", command: [], trigger: "sometimes", timeoutSeconds: 0 },
        {
          name: "bad name",
          command: ["x"],
          trigger: "once",
          cwd: "tmp",
          environment: { ATLAS_EXEC_ID: "1", "1X": "y" },
          shell: true,
        },
      ],
    });
    expect(r).toContain(
      'execs[0] ("ok"): command must be a non-empty list of strings, the program first',
    );
    expect(r).toContain(
      'execs[0] ("ok"): trigger must be one of once, on_change, on_start (got "sometimes")',
    );
    expect(r).toContain("timeoutSeconds must be a whole number of seconds from 1 to 3600 (got 0)");
    expect(r).toContain('execs[1] ("bad name"): name must be 1-63 letters');
    expect(r).toContain("cwd must be an absolute path inside the instance");
    expect(r).toContain("environment variable ATLAS_EXEC_ID is reserved");
    expect(r).toContain('environment variable name "1X" is not valid');
    expect(r).toContain('unknown field "shell"');
  });

  it("refuses two execs of one name", async () => {
    const e = { name: "reload", command: ["true"], trigger: "once" };
    expect(await reasons({ ...base, execs: [e, e] })).toContain('exec name "reload" is used twice');
  });
});

describe("detailed diff", () => {
  it("names each changed config key and each changed file by index", async () => {
    const olds = await inputs(base);
    const news = await inputs({
      ...base,
      config: { "cloud-init.user-data": "#cloud-config\npackages: [x]\n", "limits.memory": "1GB" },
      files: [base.files[0], { targetPath: "/etc/b.conf", content: "b=2\n" }],
    });
    const d = await p.diff("web", U, olds, news);
    expect(d.detailedDiff).toEqual({
      'config["cloud-init.user-data"]': "update",
      'config["limits.cpu"]': "delete",
      'config["limits.memory"]': "add",
      "files[1]": "update",
    });
    expect(d.diffs).toEqual(["config", "files"]);
    expect(d.replaces).toEqual([]);
  });

  it("an execs-only change is an update of execs, no replacement", async () => {
    const olds = await inputs(base);
    const news = await inputs({
      ...base,
      execs: [...base.execs, { name: "seed", command: ["true"], trigger: "once" }],
    });
    const d = await p.diff("web", U, olds, news);
    expect(d).toMatchObject({ changes: true, replaces: [], detailedDiff: { "execs[1]": "add" } });
  });

  it("a replacing property is marked as such", async () => {
    const olds = await inputs(base);
    const d = await p.diff("web", U, olds, await inputs({ ...base, image: "other" }));
    expect(d.detailedDiff).toEqual({ image: "update-replace" });
  });

  it("is what the plugin's gRPC Diff answers (the SDK's own server would drop it)", async () => {
    interface Resp {
      getHasdetaileddiff(): boolean;
      getDiffsList(): string[];
      getDetaileddiffMap(): {
        toObject(i: boolean, f: (i: boolean, v: { getKind(): number }) => number): unknown;
      };
    }
    const olds = await inputs(base);
    const news = await inputs({ ...base, config: { ...base.config, "limits.cpu": "2" } });
    const resp = await new Promise<Resp>((resolve, reject) =>
      serveDiff(p)(
        {
          request: {
            getId: () => "web",
            getUrn: () => U,
            getOlds: () => ({ toJavaScript: () => olds }),
            getNews: () => ({ toJavaScript: () => news }),
          },
        },
        (err, value) => (err ? reject(err) : resolve(value as Resp)),
      ),
    );
    const kinds = requireAsPulumi<{ PropertyDiff: { Kind: Record<string, number> } }>(
      "proto/provider_pb",
    ).PropertyDiff.Kind;
    expect(resp.getHasdetaileddiff()).toBe(true);
    expect(resp.getDiffsList()).toEqual(["config"]);
    expect(resp.getDetaileddiffMap().toObject(false, (_i, v) => v.getKind())).toEqual([
      ['config["limits.cpu"]', kinds.UPDATE],
    ]);
  });
});

describe("secret masking", () => {
  it("masks whole values and the long lines of a multi-line secret", () => {
    const mask = secretMasker(["hunter2", "user: admin\npassword: swordfish\n}\n"]);
    expect(mask("login hunter2 failed")).toBe(`login ${MASK} failed`);
    expect(mask("line 2: password: swordfish is invalid")).toBe(`line 2: ${MASK} is invalid`);
    // Short lines (a closing brace) are left alone, or every message would be blanked.
    expect(mask("unexpected } at line 3")).toBe("unexpected } at line 3");
  });
});
