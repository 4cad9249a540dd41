/**
 * The Instance's `execs` on the real daemon (busybox image `atlas-test`, whose fake
 * `promtool` rejects a file containing ATLAS_TEST_REJECT and whose `rc-service` records its
 * calls): each trigger, the file + on_change transaction and its rollback, a command that
 * hangs, a command that cannot run, secrets masked in errors, and no output in state.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IncusProvider } from "../../incus/provider/provider";
import { MASK } from "../../incus/provider/secretMask";
import { type PropertyMap, SECRET_SIG, secret } from "../../incus/provider/values";
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
const base = uniq("ptest-xbase");
const inst = uniq("ptest-x");
const U = urn("Instance", "x");
const CONF = "/etc/app/app.conf";
const RELOAD = ["sh", "-c", `promtool check config ${CONF} && rc-service app reload`];

beforeAll(async () => {
  await requireDaemon();
  p = localProvider();
  incus(["profile", "create", base]);
  incus(["profile", "device", "add", base, "root", "disk", "path=/", "pool=default"]);
});

afterAll(() =>
  cleanup([
    ["delete", "--force", inst],
    ["profile", "delete", base],
  ]),
);

async function checked(news: PropertyMap): Promise<PropertyMap> {
  const c = await p.check(U, {}, news);
  expect(c.failures ?? []).toEqual([]);
  return c.inputs as PropertyMap;
}

/** A file in the instance, or undefined when it is missing. */
function read(path: string): string | undefined {
  try {
    return incus(["exec", inst, "--", "cat", path]);
  } catch {
    return undefined;
  }
}

/** How many lines a log written by the execs has (0 when missing). */
function lines(path: string): number {
  return (read(path) ?? "").split("\n").filter(Boolean).length;
}

const args = {
  name: inst,
  image: TEST_IMAGE,
  profiles: [base],
  config: { "user.app.tier": "a" },
  files: [
    { targetPath: CONF, content: "level=1\n" },
    { targetPath: "/etc/app/other.conf", content: "other=1\n" },
  ],
  execs: [
    { name: "init", command: ["sh", "-c", "echo once >> /var/log/once.log"], trigger: "once" },
    {
      name: "started",
      command: ["sh", "-c", "echo start >> /var/log/start.log"],
      trigger: "on_start",
    },
    { name: "reload", command: RELOAD, trigger: "on_change" },
  ],
};

describe("Instance execs", () => {
  let state: PropertyMap = {};
  // The inputs of the last successful update: the outputs record files by digest only
  // (instanceRecord.ts), so the next inputs are built from these, as a program would.
  let applied: PropertyMap = args;
  const update = async (next: PropertyMap, olds: PropertyMap = state): Promise<PropertyMap> => {
    const outs = (await p.update(inst, U, olds, await checked(next))).outs as PropertyMap;
    applied = next;
    return outs;
  };
  const inputsWith = (patch: PropertyMap): PropertyMap => ({ ...applied, ...patch });

  it("at create: once and on_start run after the start, on_change does not", async () => {
    const r = await p.create(U, await checked(args));
    state = r.outs as PropertyMap;
    expect(state).toMatchObject({ status: "Running" });
    expect(lines("/var/log/once.log")).toBe(1);
    expect(lines("/var/log/start.log")).toBe(1);
    expect(read("/var/log/atlas-rc-service.calls")).toBeUndefined();
    expect(state.completedOnceExecs).toEqual([expect.stringMatching(/^init@[0-9a-f]{12}$/)]);
  });

  it("a no-op runs nothing: no diff, and an update with unchanged inputs runs no exec", async () => {
    const d = await p.diff(inst, U, state, await checked(args));
    expect(d.changes).toBe(false);
    state = await update(args);
    expect(lines("/var/log/once.log")).toBe(1);
    expect(lines("/var/log/start.log")).toBe(1);
    expect(read("/var/log/atlas-rc-service.calls")).toBeUndefined();
  });

  it("a file change pushes only that file, then runs on_change once", async () => {
    const next = {
      ...args,
      files: [{ ...args.files[0], content: "level=2\n" }, args.files[1]],
    };
    const ctx = p.context();
    ctx.client.resetStats();
    state = await update(next);
    const pushes = [...ctx.client.stats()].filter(([k]) => k.endsWith("/files"));
    // What the changed file held, read back for a rollback (state records its digest only),
    // then the parent directories (/etc, /etc/app) and the one changed file: pushing both
    // files would be 4.
    expect(pushes).toEqual([
      [`GET /1.0/instances/${inst}/files`, 1],
      [`POST /1.0/instances/${inst}/files`, 3],
    ]);
    expect(read(CONF)).toBe("level=2\n");
    expect(read("/var/log/atlas-rc-service.calls")).toBe("app reload\n");
    expect(lines("/var/log/once.log")).toBe(1);
    expect(lines("/var/log/start.log")).toBe(1);
    // Incus keeps recorded exec output until it is deleted: nothing may pile up.
    expect(JSON.parse(incus(["query", `/1.0/instances/${inst}/logs/exec-output`]))).toEqual([]);
  });

  it("a config change runs on_change; an execs-only change runs only a new once", async () => {
    const files = [{ ...args.files[0], content: "level=2\n" }, args.files[1]];
    const next = { ...args, files, config: { "user.app.tier": "b" } };
    state = await update(next);
    expect(lines("/var/log/atlas-rc-service.calls")).toBe(2);

    const more = {
      ...next,
      execs: [
        ...args.execs,
        { name: "seed", command: ["sh", "-c", "echo seed >> /var/log/seed.log"], trigger: "once" },
      ],
    };
    const d = await p.diff(inst, U, state, await checked(more));
    expect(d.changes).toBe(true);
    expect(d.replaces ?? []).toEqual([]);
    state = await update(more);
    expect(lines("/var/log/seed.log")).toBe(1);
    expect(lines("/var/log/once.log")).toBe(1);
    expect(lines("/var/log/atlas-rc-service.calls")).toBe(2);
    expect(state.completedOnceExecs).toHaveLength(2);
    // A changed once command is a new one: it runs once more.
    const changed = {
      ...more,
      execs: [
        ...args.execs,
        { name: "seed", command: ["sh", "-c", "echo seed2 >> /var/log/seed.log"], trigger: "once" },
      ],
    };
    state = await update(changed);
    expect(lines("/var/log/seed.log")).toBe(2);
    state = await update(changed);
    expect(lines("/var/log/seed.log")).toBe(2);
    state = await update({ ...changed, execs: args.execs });
  });

  it("a rejected file is rolled back with the config: the error names instance, exec, command, exit code and the checker's words", async () => {
    const good = (await p.read(inst, U, state)).props as PropertyMap;
    const files = [
      { targetPath: CONF, content: "level=3\nATLAS_TEST_REJECT\n" },
      args.files[1],
      { targetPath: "/etc/app/new.conf", content: "new=1\n" },
    ];
    const bad = { ...args, files, config: { "user.app.tier": "c" } };
    const err = await update(bad, good).then(
      () => undefined,
      (e: unknown) => String(e),
    );
    expect(err).toContain(`Instance "${inst}": exec "reload"`);
    expect(err).toContain(`promtool check config ${CONF}`);
    expect(err).toContain("exited with code 1");
    expect(err).toContain(`rejected: ${CONF}`);
    expect(err).toContain("The update was rolled back");
    // The previous configuration is back in place; the new file is gone; no reload ran.
    expect(read(CONF)).toBe("level=2\n");
    expect(read("/etc/app/new.conf")).toBeUndefined();
    expect(incus(["config", "get", inst, "user.app.tier"]).trim()).toBe("b");
    expect(lines("/var/log/atlas-rc-service.calls")).toBe(2);
    // State is the caller's: the next up retries from the old state, and succeeds once fixed.
    const fixed = { ...bad, files: [{ ...files[0], content: "level=3\n" }, ...files.slice(1)] };
    state = await update(fixed, good);
    expect(read(CONF)).toBe("level=3\n");
    expect(read("/etc/app/new.conf")).toBe("new=1\n");
    expect(lines("/var/log/atlas-rc-service.calls")).toBe(3);
  });

  it("a file the update starts to manage is restored to what the instance had, not deleted", async () => {
    incus(["exec", inst, "--", "sh", "-c", "printf 'packaged\\n' > /etc/app/packaged.conf"]);
    const next = {
      ...args,
      files: [
        ...(applied.files as PropertyMap[]),
        { targetPath: "/etc/app/packaged.conf", content: "mine ATLAS_TEST_REJECT\n" },
      ],
      execs: [
        ...args.execs,
        {
          name: "check-packaged",
          command: ["promtool", "check", "config", "/etc/app/packaged.conf"],
          trigger: "on_change",
        },
      ],
    };
    const err = await update(next).then(
      () => undefined,
      (e: unknown) => String(e),
    );
    expect(err).toContain('exec "check-packaged"');
    expect(read("/etc/app/packaged.conf")).toBe("packaged\n");
  });

  it("on_start runs after each start the provider performs", async () => {
    state = await update(inputsWith({ running: false }));
    expect(state).toMatchObject({ status: "Stopped" });
    state = await update(inputsWith({ running: true }));
    expect(state).toMatchObject({ status: "Running" });
    expect(lines("/var/log/start.log")).toBe(2);
  });

  it("a failing exec with failOnError=false is a warning; a missing program is named", async () => {
    const warnings: string[] = [];
    const ctx = p.context();
    const original = ctx.warn;
    ctx.warn = (_u, m) => warnings.push(m);
    try {
      const next = inputsWith({
        config: { "user.app.tier": "d" },
        execs: [
          {
            name: "soft",
            command: ["sh", "-c", "exit 7"],
            trigger: "on_change",
            failOnError: false,
          },
        ],
      });
      state = await update(next);
    } finally {
      ctx.warn = original;
    }
    expect(warnings.join("\n")).toContain(
      `Instance "${inst}": exec "soft" (sh -c "exit 7") exited with code 7`,
    );

    const missing = inputsWith({
      config: { "user.app.tier": "e" },
      execs: [{ name: "ghost", command: ["/no/such/tool"], trigger: "on_change" }],
    });
    const err = await update(missing).then(
      () => undefined,
      (e: unknown) => String(e),
    );
    expect(err).toContain('exec "ghost" (/no/such/tool) could not be run: Command not found');
    expect(incus(["config", "get", inst, "user.app.tier"]).trim()).toBe("d");
  });

  it("a command that hangs is killed at its timeout and reported; the change is rolled back", async () => {
    const next = inputsWith({
      config: { "user.app.tier": "f" },
      execs: [
        {
          name: "stuck",
          command: ["sh", "-c", "echo waiting; sleep 601; echo never"],
          trigger: "on_change",
          timeoutSeconds: 2,
        },
      ],
    });
    const started = Date.now();
    const err = await update(next).then(
      () => undefined,
      (e: unknown) => String(e),
    );
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(err).toContain('exec "stuck"');
    expect(err).toContain("did not finish within 2 s (timeoutSeconds) and was killed");
    expect(err).toContain("waiting");
    expect(incus(["exec", inst, "--", "ps"])).not.toContain("sleep 601");
    expect(incus(["config", "get", inst, "user.app.tier"]).trim()).toBe("d");
  });

  it("secret values are masked in errors, and neither output nor secrets reach state in plain text", async () => {
    const token = "s3cr3t-token-4711";
    const olds = state;
    const news = {
      ...inputsWith({}),
      config: { "user.app.tier": "g" },
      execs: [
        {
          name: "leaky",
          command: ["sh", "-c", 'echo "token=$TOKEN"; echo "also $TOKEN" >&2; exit 3'],
          environment: { TOKEN: secret(token) },
          trigger: "on_change",
        },
      ],
    } as PropertyMap;
    const c = await p.check(U, {}, news);
    expect(c.failures ?? []).toEqual([]);
    const err = await p.update(inst, U, olds, c.inputs as PropertyMap).then(
      () => undefined,
      (e: unknown) => String(e),
    );
    expect(err).toContain(`token=${MASK}`);
    expect(err).toContain(`also ${MASK}`);
    expect(err).not.toContain(token);

    // Succeeding with a secret: the exec and the once record are secret in state; the
    // command's output is nowhere in it.
    const ok = {
      ...news,
      execs: [
        {
          name: "quiet",
          command: ["sh", "-c", 'echo "printed-$TOKEN"'],
          environment: { TOKEN: secret(token) },
          trigger: "once",
        },
      ],
    } as PropertyMap;
    const c2 = await p.check(U, {}, ok);
    const outs = (await p.update(inst, U, olds, c2.inputs as PropertyMap)).outs as PropertyMap;
    // The token itself is there only inside secret wrappers, which the engine encrypts.
    const text = JSON.stringify(outs);
    expect(text).not.toContain(`printed-${token}`);
    expect(JSON.stringify(outs.completedOnceExecs)).toContain(SECRET_SIG);
    const execs = outs.execs as PropertyMap[];
    expect(JSON.stringify((execs[0].environment as PropertyMap).TOKEN)).toContain(SECRET_SIG);
  });

  it("on_change commands are told which files changed (ATLAS_CHANGED_FILES, one per line)", async () => {
    const current = (await p.read(inst, U, state)).props as PropertyMap;
    const tell = {
      name: "tell",
      command: ["sh", "-c", 'printf "%s|" "$ATLAS_CHANGED_FILES" >> /var/log/changed.log'],
      trigger: "on_change",
    };
    const files = applied.files as PropertyMap[];
    const both = files.map((f): PropertyMap => ({
      ...f,
      content: `${String(f.content)}# touched\n`,
    }));
    state = await update(inputsWith({ files: both, execs: [tell] }), current);
    const paths = both.map((f) => String(f.targetPath)).join("\n");
    expect(read("/var/log/changed.log")).toBe(`${paths}|`);
    // A config-only change: nothing pushed, an empty list.
    state = await update(inputsWith({ config: { "user.app.tier": "h" } }));
    expect(read("/var/log/changed.log")).toBe(`${paths}||`);
  });

  it("a failing once at create fails the create and leaves no half-made instance", async () => {
    const name = `${inst}-c`;
    const inputs = await checked({
      name,
      image: TEST_IMAGE,
      profiles: [base],
      execs: [
        { name: "init", command: ["sh", "-c", "echo cannot init >&2; exit 2"], trigger: "once" },
      ],
    });
    const err = await p.create(urn("Instance", "c"), inputs).then(
      () => undefined,
      (e: unknown) => String(e),
    );
    expect(err).toContain(`Instance "${name}": exec "init"`);
    expect(err).toContain("exited with code 2");
    expect(err).toContain("cannot init");
    expect(err).toContain("the half-made instance was removed");
    expect(incusOk(["info", name])).toBe(false);
  });

  it("deletes cleanly", async () => {
    await p.delete(inst, U, state);
    expect(incusOk(["info", inst])).toBe(false);
  });
});
