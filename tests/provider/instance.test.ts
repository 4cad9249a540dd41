/**
 * Instances on the real daemon (busybox image `atlas-test`): start, stop via running=false,
 * profile order, a proxy device, a disk backed by a storage volume, cloud-init user-data in
 * config, file push, drift, import, replacement and delete.
 */
import * as net from "node:net";
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IncusProvider } from "../../incus/provider/provider";
import { InstanceHandler } from "../../incus/provider/resources/instance";
import type { PropertyMap } from "../../incus/provider/values";
import {
  cleanup,
  incus,
  incusOk,
  localProvider,
  requireDaemon,
  TEST_IMAGE,
  uniq,
  urn,
} from "../helpers/incus";

let p: IncusProvider;
const base = uniq("ptest-base");
const extra = uniq("ptest-extra");
const vol = uniq("ptest-ivol");
const inst = uniq("ptest-i");
const USER_DATA = "#cloud-config\npackages: [curl]\n";

beforeAll(async () => {
  await requireDaemon();
  p = localProvider();
  incus(["profile", "create", base]);
  incus(["profile", "device", "add", base, "root", "disk", "path=/", "pool=default"]);
  incus(["profile", "create", extra]);
  incus(["profile", "set", extra, "environment.TIER=extra"]);
  incus(["storage", "volume", "create", "default", vol, "size=32MiB"]);
});

afterAll(() =>
  cleanup([
    ["delete", "--force", inst],
    ["delete", "--force", `${inst}-r`],
    ["delete", "--force", `${inst}-p`],
    ["storage", "volume", "delete", "default", vol],
    ["profile", "delete", extra],
    ["profile", "delete", base],
  ]),
);

async function checked(news: PropertyMap, olds: PropertyMap = {}): Promise<PropertyMap> {
  const c = await p.check(urn("Instance", "i"), olds, news);
  expect(c.failures ?? []).toEqual([]);
  return c.inputs as PropertyMap;
}

describe("Instance", () => {
  const args = {
    name: inst,
    image: TEST_IMAGE,
    profiles: [base, extra],
    config: { "cloud-init.user-data": USER_DATA, "limits.cpu": "1" },
    devices: [
      {
        name: "data",
        type: "disk",
        properties: { pool: "default", source: vol, path: "/srv/data" },
      },
      {
        name: "web",
        type: "proxy",
        properties: { listen: "tcp:127.0.0.1:18080", connect: "tcp:127.0.0.1:80" },
      },
    ],
    files: [
      { targetPath: "/etc/atlas/app.conf", content: "answer=42\n", mode: "0640", uid: 0, gid: 0 },
      {
        targetPath: "/opt/run.sh",
        content: "#!/bin/sh\necho hi\n",
        mode: "0755",
        uid: 1000,
        gid: 1000,
      },
    ],
  };
  let state: PropertyMap = {};

  it("creates and starts with profiles in order, devices, cloud-init and pushed files", async () => {
    const r = await p.create(urn("Instance", "i"), await checked(args));
    state = r.outs as PropertyMap;
    expect(r.id).toBe(inst);
    expect(state).toMatchObject({
      status: "Running",
      running: true,
      profiles: [base, extra],
      type: "container",
    });
    expect(incus(["list", inst, "--format", "csv", "-c", "s"]).trim()).toBe("RUNNING");
    expect(
      JSON.parse(incus(["query", `/1.0/instances/${inst}`])).config["cloud-init.user-data"],
    ).toBe(USER_DATA);
    expect(incus(["exec", inst, "--", "cat", "/etc/atlas/app.conf"])).toBe("answer=42\n");
    expect(incus(["exec", inst, "--", "stat", "-c", "%a %u %g", "/opt/run.sh"]).trim()).toBe(
      "755 1000 1000",
    );
    expect(incus(["exec", inst, "--", "stat", "-c", "%a", "/etc/atlas/app.conf"]).trim()).toBe(
      "640",
    );
    // The volume is mounted and the profile order holds (extra's environment applies).
    expect(incus(["exec", inst, "--", "sh", "-c", "mount | grep -c /srv/data"]).trim()).toBe("1");
    expect(incus(["exec", inst, "--", "sh", "-c", "echo $TIER"]).trim()).toBe("extra");
    expect(incus(["config", "device", "get", inst, "web", "listen"]).trim()).toBe(
      "tcp:127.0.0.1:18080",
    );

    const back = await p.read(inst, urn("Instance", "i"), state);
    const { files: _f, config: _c, ...rest } = args;
    expect(back.props).toMatchObject({
      ...rest,
      running: true,
      ephemeral: false,
      description: "",
    });
    // State records the user-data and the file contents by digest (instanceRecord.ts); the
    // engine keeps the text in the inputs, which a refresh leaves as they are.
    const digest = (s: string): string => createHash("sha256").update(s).digest("hex");
    for (const recorded of [state, back.props as PropertyMap]) {
      expect(recorded.config).toEqual({
        "cloud-init.user-data": `sha256:${digest(USER_DATA)}`,
        "limits.cpu": "1",
      });
      expect(recorded.files).toEqual(
        args.files.map(({ content, ...f }) => ({
          ...f,
          contentSha256: digest(content),
        })),
      );
    }
    expect(back.inputs).toBeUndefined();
    expect((await p.diff(inst, urn("Instance", "i"), state, await checked(args))).changes).toBe(
      false,
    );
    expect((back.props as PropertyMap).devices).toEqual(
      [...args.devices].sort((a, b) => a.name.localeCompare(b.name)),
    );
  });

  it("reading an unchanged instance is exactly one GET", async () => {
    const ctx = p.context();
    ctx.client.resetStats();
    await p.read(inst, urn("Instance", "i"), state);
    expect([...ctx.client.stats()]).toEqual([[`GET /1.0/instances/${inst}`, 1]]);
  });

  it("updates in place: profile order, config, files; stops with running=false and starts again", async () => {
    const next = {
      ...args,
      profiles: [extra, base],
      config: { ...args.config, "limits.cpu": "2" },
    };
    const d = await p.diff(inst, urn("Instance", "i"), state, await checked(next));
    expect(d.changes).toBe(true);
    expect(d.replaces ?? []).toEqual([]);
    state = (await p.update(inst, urn("Instance", "i"), state, await checked(next)))
      .outs as PropertyMap;
    expect(incus(["config", "get", inst, "limits.cpu"]).trim()).toBe("2");
    expect(JSON.parse(incus(["query", `/1.0/instances/${inst}`])).profiles).toEqual([extra, base]);

    const stopped = { ...next, running: false };
    state = (await p.update(inst, urn("Instance", "i"), state, await checked(stopped)))
      .outs as PropertyMap;
    expect(state).toMatchObject({ running: false, status: "Stopped" });
    expect(incus(["list", inst, "--format", "csv", "-c", "s"]).trim()).toBe("STOPPED");

    // Drift: started with the CLI behind Pulumi's back; refresh sees it.
    incus(["start", inst]);
    const refreshed = await p.read(inst, urn("Instance", "i"), state);
    expect((refreshed.props as PropertyMap).running).toBe(true);
    const d2 = await p.diff(
      inst,
      urn("Instance", "i"),
      refreshed.props as PropertyMap,
      await checked(stopped),
    );
    expect(d2.changes).toBe(true);
    state = (
      await p.update(
        inst,
        urn("Instance", "i"),
        refreshed.props as PropertyMap,
        await checked(next),
      )
    ).outs as PropertyMap;
    expect(state).toMatchObject({ running: true, status: "Running" });
  });

  it("imports an existing instance by name and an image change replaces", async () => {
    const imported = await p.read(inst, urn("Instance", "i"));
    expect(imported.inputs).toMatchObject({
      name: inst,
      image: TEST_IMAGE,
      profiles: [extra, base],
      running: true,
    });
    expect((imported.inputs as PropertyMap).config).not.toHaveProperty("volatile.base_image");
    // The inputs of an import are the program's to write: the user-data as Incus has it.
    expect((imported.inputs as PropertyMap).config).toMatchObject({
      "cloud-init.user-data": USER_DATA,
    });
    expect((imported.props as PropertyMap).config).toMatchObject({
      "cloud-init.user-data": expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
    });
    const d = await p.diff(
      inst,
      urn("Instance", "i"),
      state,
      await checked({ ...args, image: "images:debian/12" }),
    );
    expect(d.replaces).toEqual(["image"]);
    expect(d.deleteBeforeReplace).toBe(true);
  });

  it("delete stops and removes it; then read reports it gone", async () => {
    await p.delete(inst, urn("Instance", "i"), state);
    expect(incusOk(["info", inst])).toBe(false);
    expect((await p.read(inst, urn("Instance", "i"), state)).id).toBe("");
    // The volume it used is untouched.
    expect(incusOk(["storage", "volume", "show", "default", vol])).toBe(true);
  });

  it("creates stopped when running=false, and a missing image fails with the daemon's reason", async () => {
    const h = new InstanceHandler();
    const ctx = p.context();
    const inputs = h.check(
      { name: `${inst}-r`, image: TEST_IMAGE, profiles: [base], running: false },
      "r",
    ).inputs;
    const r = await h.create(ctx, inputs);
    expect(r.outs).toMatchObject({ status: "Stopped", running: false });
    await h.delete(ctx, r.id, r.outs);
    const bad = h.check(
      { name: `${inst}-r`, image: "ptest-no-such-image", profiles: [base] },
      "r",
    ).inputs;
    const err = await h.create(ctx, bad).catch((e: unknown) => e);
    expect(String(err)).toContain(
      `Instance "${inst}-r": creating it from image "ptest-no-such-image" (on remote "local") failed`,
    );
    expect(incusOk(["info", `${inst}-r`])).toBe(false);
  });

  it("a start that fails after Incus made the record leaves nothing behind; the next create succeeds", async () => {
    const name = `${inst}-p`;
    const taken = net.createServer();
    await new Promise<void>((ok) => taken.listen(0, "127.0.0.1", ok));
    const port = (taken.address() as net.AddressInfo).port;
    const inputs = await checked({
      name,
      image: TEST_IMAGE,
      profiles: [base],
      devices: [
        {
          name: "web",
          type: "proxy",
          properties: { listen: `tcp:127.0.0.1:${port}`, connect: "tcp:127.0.0.1:80" },
        },
      ],
    });
    try {
      const err = await p.create(urn("Instance", "p"), inputs).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Error);
      expect(String(err)).toContain(`Instance "${name}"`);
      expect(String(err)).toContain("the half-made instance was removed");
      expect(incusOk(["info", name])).toBe(false);
    } finally {
      await new Promise((ok) => taken.close(ok));
    }
    const r = await p.create(urn("Instance", "p"), inputs);
    expect(r.outs).toMatchObject({ status: "Running" });
    incus(["delete", "--force", name]);
  });

  it("an instance its own interrupted create left is replaced; one made by someone else is refused", async () => {
    const name = `${inst}-p`;
    const inputs = await checked({ name, image: TEST_IMAGE, profiles: [base] });
    // What a create cut off by a crash leaves: the record, tagged, never recorded by Pulumi.
    incus([
      "init",
      TEST_IMAGE,
      name,
      "--profile",
      base,
      "-c",
      `user.pulumi.urn=${urn("Instance", "p")}`,
    ]);
    const r = await p.create(urn("Instance", "p"), inputs);
    expect(r.outs).toMatchObject({ status: "Running", running: true });
    expect((r.outs as PropertyMap).config).toEqual({});

    const err = await p.create(urn("Instance", "q"), inputs).catch((e: unknown) => e);
    expect(String(err)).toContain("was not created by this resource");
    expect(String(err)).toContain(`npm run import -- '${urn("Instance", "q")}' ${name}`);
    expect(incus(["list", name, "--format", "csv", "-c", "s"]).trim()).toBe("RUNNING");
    incus(["delete", "--force", name]);
  });

  it("rejects bad inputs with messages naming the setting", async () => {
    const c = await p.check(
      urn("Instance", "bad"),
      {},
      {
        name: "9bad_name",
        image: TEST_IMAGE,
        type: "vm",
        config: { "cloud-init.user-data": "packages: [x]", "limits.memory": "lots" },
        files: [{ targetPath: "relative.txt" }],
        ephemeral: true,
        running: false,
      },
    );
    const reasons = (c.failures ?? []).map((f) => f.reason).join("\n");
    expect(reasons).toContain('Instance "9bad_name": name: must be a hostname');
    expect(reasons).toContain("type: must be one of container, virtual-machine");
    expect(reasons).toContain("targetPath must be an absolute path");
    expect(reasons).toContain("set exactly one of content or sourcePath");
  });
});
