/**
 * Resources whose backing service is missing on the test host: storage buckets need MinIO
 * and load balancers need OVN. Their validation, diff and request construction are tested
 * directly, and the real daemon's refusal must come through clearly.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IncusProvider } from "../../incus/provider/provider";
import { NetworkLbHandler } from "../../incus/provider/resources/networkLb";
import { StorageBucketKeyHandler } from "../../incus/provider/resources/storageBucketKey";
import { SECRET_SIG, SIG_KEY, type PropertyMap } from "../../incus/provider/values";
import { cleanup, incus, incusOk, localProvider, requireDaemon, uniq, urn } from "../helpers/incus";

let p: IncusProvider;
const net = uniq("ptlb");

beforeAll(async () => {
  await requireDaemon();
  p = localProvider();
  incus(["network", "create", net, "ipv4.address=none", "ipv6.address=none", "ipv4.nat=false"]);
});
afterAll(() => cleanup([["network", "delete", net]]));

describe("StorageBucket without MinIO", () => {
  it("fails with a message that MinIO is required on the Incus host, and leaves nothing behind", async () => {
    const name = uniq("ptest-bkt");
    const c = await p.check(urn("StorageBucket", "b"), {}, { name, pool: "default" });
    expect(c.failures ?? []).toEqual([]);
    const err = await p.create(urn("StorageBucket", "b"), c.inputs).catch((e: unknown) => e);
    expect(String(err)).toMatch(/StorageBucket ".*": .*require MinIO on the Incus host/);
    expect(incusOk(["storage", "bucket", "show", "default", name])).toBe(false);
    expect(
      (await p.read(`default/${name}`, urn("StorageBucket", "b"), { name, pool: "default" })).id,
    ).toBe("");
  });

  it("validates bucket names", async () => {
    const c = await p.check(urn("StorageBucket", "b"), {}, { name: "Bad_Name", pool: "default" });
    expect(c.failures?.[0]?.reason).toContain("must be an S3 bucket name");
  });
});

describe("StorageBucketKey", () => {
  it("builds its requests and always returns the secret key as a Pulumi secret", () => {
    const h = new StorageBucketKeyHandler();
    const { inputs, failures } = h.check({ name: "k", pool: "default", storageBucket: "b" }, "k");
    expect(failures).toEqual([]);
    expect(inputs.role).toBe("read-only");
    expect(h.createBody(inputs)).toEqual({ name: "k", description: "", role: "read-only" });
    const live = {
      name: "k",
      description: "",
      role: "admin",
      "access-key": "AK",
      "secret-key": "SK",
    };
    // A PUT carries the existing keys so Incus does not generate new ones.
    expect(h.putBody(live, {}, { ...inputs, role: "admin" })).toMatchObject({
      "access-key": "AK",
      "secret-key": "SK",
      role: "admin",
    });
    expect(h.secretOutputs).toEqual(["secretKey"]);
    expect(h.diff({ ...inputs, accessKey: "AK" }, { ...inputs, role: "admin" }).replaces).toEqual(
      [],
    );
    expect(h.diff(inputs, { ...inputs, storageBucket: "other" }).replaces).toEqual([
      "storageBucket",
    ]);
  });

  it("the provider wraps secretKey as a secret on read", async () => {
    // Reading a key of a missing bucket is "gone", so exercise the wrapping on outputs directly.
    const wrapped = (
      p as unknown as { wrapOutputs(h: unknown, o: PropertyMap, s: unknown[]): PropertyMap }
    ).wrapOutputs(new StorageBucketKeyHandler(), { accessKey: "AK", secretKey: "SK" }, []);
    expect(wrapped.secretKey).toEqual({ [SIG_KEY]: SECRET_SIG, value: "SK" });
    expect(wrapped.accessKey).toBe("AK");
  });
});

describe("NetworkLb without OVN", () => {
  const args = {
    network: net,
    listenAddress: "192.0.2.10",
    description: "mqtt",
    backends: [
      { name: "m1", targetAddress: "192.0.2.21", targetPort: "1883" },
      { name: "m2", targetAddress: "192.0.2.22" },
    ],
    ports: [{ listenPort: "1883", targetBackend: ["m1", "m2"] }],
  };

  it("validates backends and ports", async () => {
    const c = await p.check(
      urn("NetworkLb", "lb"),
      {},
      { ...args, ports: [{ listenPort: "x", protocol: "sctp", targetBackend: ["m3"] }] },
    );
    const reasons = (c.failures ?? []).map((f) => f.reason).join("\n");
    expect(reasons).toContain("protocol must be tcp or udp");
    expect(reasons).toContain('listenPort must be ports like "80"');
    const c2 = await p.check(
      urn("NetworkLb", "lb"),
      {},
      { ...args, ports: [{ listenPort: "1883", targetBackend: ["m3"] }] },
    );
    expect(c2.failures?.[0]?.reason).toContain(
      'targetBackend names "m3", which is not one of the backends (m1, m2)',
    );
  });

  it("builds the API request and diffs: address replaces, backends update in place", () => {
    const h = new NetworkLbHandler();
    const { inputs } = h.check(args, "lb");
    expect(h.createBody(inputs)).toEqual({
      listen_address: "192.0.2.10",
      description: "mqtt",
      config: {},
      backends: [
        { name: "m1", description: "", target_address: "192.0.2.21", target_port: "1883" },
        { name: "m2", description: "", target_address: "192.0.2.22", target_port: "" },
      ],
      ports: [
        { description: "", protocol: "tcp", listen_port: "1883", target_backend: ["m1", "m2"] },
      ],
    });
    const moved = h.diff(inputs, h.check({ ...args, listenAddress: "192.0.2.11" }, "lb").inputs);
    expect(moved.replaces).toEqual(["listenAddress"]);
    expect(moved.deleteBeforeReplace).toBe(false);
    const fewer = h.diff(
      inputs,
      h.check(
        {
          ...args,
          backends: [args.backends[0]],
          ports: [{ listenPort: "1883", targetBackend: ["m1"] }],
        },
        "lb",
      ).inputs,
    );
    expect(fewer.replaces).toEqual([]);
    expect(fewer.changed).toEqual(["backends", "ports"]);
  });

  it("surfaces the daemon's refusal on a non-OVN network clearly", async () => {
    const c = await p.check(urn("NetworkLb", "lb"), {}, args);
    const err = await p.create(urn("NetworkLb", "lb"), c.inputs).catch((e: unknown) => e);
    const msg = String(err);
    expect(msg).toContain(`load balancer 192.0.2.10 of network "${net}"`);
    expect(msg).toContain('Incus remote "local"');
    expect(msg).toMatch(/not supported|support|ovn/i);
  });
});
