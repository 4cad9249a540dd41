/**
 * The plugin executable as the engine launches it: it prints its port, serves gRPC, takes
 * its configuration from Configure, and round-trips secrets through protobuf Structs.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { ResourceProviderClient } from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SECRET_SIG, SIG_KEY } from "../../incus/provider/values";
import { cleanup, incus, incusOk, requireDaemon, uniq } from "../helpers/incus";

const root = path.resolve(__dirname, "../..");
const plugin = path.join(root, "bin", "pulumi-resource-incus");
const children: ChildProcess[] = [];
const profile = uniq("ptest-grpc");

/** Compiles the plugin if dist is missing or older than its sources. */
function ensureBuilt(): void {
  const main = path.join(root, "dist/incus/provider/main.js");
  const newest = (dir: string): number =>
    Math.max(
      ...fs
        .readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => fs.statSync(path.join(e.parentPath, e.name)).mtimeMs),
    );
  const stale =
    !fs.existsSync(main) ||
    Math.max(newest(path.join(root, "incus/provider")), newest(path.join(root, "incus/client"))) >
      fs.statSync(main).mtimeMs;
  if (stale) {
    try {
      execFileSync("npx", ["tsc", "-p", "tsconfig.json"], { cwd: root, stdio: "pipe" });
    } catch {
      // Type errors elsewhere in the repository do not stop tsc from emitting the plugin.
    }
  }
  expect(fs.existsSync(main)).toBe(true);
}

async function start(env: NodeJS.ProcessEnv = {}): Promise<ResourceProviderClient> {
  const child = spawn(plugin, [], {
    env: { ...process.env, INCUS_CONF: "/nonexistent-atlas-conf", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = out.match(/^(\d+)\s*$/m);
      if (m) resolve(Number(m[1]));
    });
    child.on("exit", (code) =>
      reject(new Error(`plugin exited with ${code} before printing a port`)),
    );
    setTimeout(() => reject(new Error("plugin printed no port within 20s")), 20_000);
  });
  expect(port).toBeGreaterThan(0);
  return new ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
}

function call<Req, Res>(
  fn: (req: Req, cb: (err: grpc.ServiceError | null, res: Res) => void) => unknown,
  req: Req,
): Promise<Res> {
  return new Promise((resolve, reject) =>
    fn(req, (err, res) => (err ? reject(err) : resolve(res))),
  );
}

async function configure(c: ResourceProviderClient, vars: Record<string, string>): Promise<void> {
  const req = new provproto.ConfigureRequest();
  for (const [k, v] of Object.entries(vars)) req.getVariablesMap().set(k, v);
  req.setAcceptsecrets(true);
  await call(c.configure.bind(c), req);
}

const URN = `urn:pulumi:s::atlas::incus:index:Profile::grpc`;

beforeAll(async () => {
  await requireDaemon();
  ensureBuilt();
}, 170_000);

afterAll(() => {
  for (const c of children) c.kill();
  cleanup([["profile", "delete", profile]]);
});

describe("pulumi-resource-incus over gRPC", () => {
  it("passes provider configuration from Configure to the provider", async () => {
    const c = await start();
    await configure(c, { "incus:config:remote": "ptest-no-such-remote" });
    const req = new provproto.CreateRequest();
    req.setUrn(URN);
    req.setProperties(Struct.fromJavaScript({ name: profile }));
    const err = await call(c.create.bind(c), req).catch((e: unknown) => e);
    expect(String(err)).toContain('Incus remote "ptest-no-such-remote" is not in');
    c.close();
  });

  it("creates, reads and deletes a profile; a secret input comes back secret", async () => {
    const c = await start();
    await configure(c, {});
    const secretValue = { [SIG_KEY]: SECRET_SIG, value: "s3cr3t" };
    const check = new provproto.CheckRequest();
    check.setUrn(URN);
    check.setOlds(Struct.fromJavaScript({}));
    check.setNews(Struct.fromJavaScript({ name: profile, config: { "user.token": secretValue } }));
    const checked = await call<provproto.CheckRequest, provproto.CheckResponse>(
      c.check.bind(c),
      check,
    );
    expect(checked.getFailuresList()).toEqual([]);

    const create = new provproto.CreateRequest();
    create.setUrn(URN);
    create.setProperties(checked.getInputs());
    const created = await call<provproto.CreateRequest, provproto.CreateResponse>(
      c.create.bind(c),
      create,
    );
    expect(created.getId()).toBe(profile);
    const outs = created.getProperties()!.toJavaScript() as { config: Record<string, unknown> };
    expect(outs.config["user.token"]).toEqual(secretValue);
    expect(incus(["profile", "get", profile, "user.token"]).trim()).toBe("s3cr3t");

    const read = new provproto.ReadRequest();
    read.setId(profile);
    read.setUrn(URN);
    read.setProperties(created.getProperties());
    const back = await call<provproto.ReadRequest, provproto.ReadResponse>(c.read.bind(c), read);
    expect(back.getId()).toBe(profile);

    const del = new provproto.DeleteRequest();
    del.setId(profile);
    del.setUrn(URN);
    del.setProperties(created.getProperties());
    await call(c.delete.bind(c), del);
    expect(incusOk(["profile", "show", profile])).toBe(false);
    c.close();
  });
});
