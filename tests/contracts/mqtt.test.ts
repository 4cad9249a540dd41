/**
 * Contract: Mosquitto (Debian's `mosquitto`) on the mosquitto.conf and password file the
 * program renders for cluster01, reached by `mosquitto_pub`/`mosquitto_sub` on the
 * instance's name from its host (lab/network.ts), as a LAN client would through the proxy
 * device.
 *
 * Two brokers, each on its own lab host: cluster01 with users and `mosquitto.enableTls`
 * (both listeners, 1883 and 8883), and cluster01 as its stack file has it (no users:
 * anonymous, as the reference's default). With TLS the certificate files are what the
 * rendered step-ca helper fetches at run time, so the lab puts a test CA's root, server
 * certificate (for `mosquitto01.incus`, the name the helper asks for) and key at those
 * paths. The config's absolute paths are relocated under the instance's scratch root
 * (lab/instanceRoot.ts), and the test checks that nothing else moved.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderStack, type RenderedStack } from "./renderedFiles";
import { Lab, labUnavailable } from "./lab/lab";
import { execIn, waitFor } from "./lab/processes";
import { startMosquitto } from "./lab/services";

const unavailable = labUnavailable(["mosquitto", "mosquitto_pub", "mosquitto_sub"]);
const user = "sensor";
const password = "contract-mqtt-password";
const broker = "mosquitto01.incus";
const certDir = "/etc/mosquitto/certs";

let lab: Lab;
let secured: RenderedStack;
let anonymous: RenderedStack;
let rewritten: string[] = [];
let caFile = "";

type Client = {
  host: string;
  port: number;
  user?: string;
  password?: string;
  cafile?: string;
  capath?: string;
};

function clientArgs(c: Client): string[] {
  return [
    "-h",
    c.host,
    "-p",
    String(c.port),
    "-i",
    `contract-${Math.random().toString(16).slice(2, 10)}`,
    ...(c.user ? ["-u", c.user] : []),
    ...(c.password ? ["-P", c.password] : []),
    ...(c.cafile ? ["--cafile", c.cafile] : []),
    ...(c.capath ? ["--capath", c.capath] : []),
  ];
}

/** Publishes one message from the lab host `stack`; resolves to the client's result. */
function publish(stack: string, c: Client, topic: string, message: string) {
  return execIn(
    lab.network.netnsOf(stack),
    "mosquitto_pub",
    [...clientArgs(c), "-t", topic, "-m", message, "-q", "1"],
    10_000,
  );
}

/** Subscribes, publishes until the subscriber has the message, returns what it got. */
async function roundTrip(stack: string, c: Client, topic: string): Promise<string> {
  const message = `hello from the contract test ${Date.now()}`;
  const subscriber = execIn(
    lab.network.netnsOf(stack),
    "mosquitto_sub",
    [...clientArgs(c), "-t", topic, "-C", "1", "-W", "15"],
    20_000,
  );
  let done = false;
  void subscriber.then(() => (done = true));
  while (!done) {
    const sent = await publish(stack, c, topic, message);
    if (sent.status !== 0) throw new Error(`publish failed: ${sent.stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  const got = await subscriber;
  if (got.status !== 0) throw new Error(`subscribe failed (${got.status}): ${got.stderr}`);
  return got.stdout.trim();
}

describe("contract: MQTT (Mosquitto on the rendered configuration)", () => {
  beforeAll(async () => {
    if (unavailable) throw new Error(`the MQTT contract cannot run here: ${unavailable}`);
    secured = await renderStack("cluster01", {
      config: {
        "atlas:mosquitto": { enableTls: true },
        "atlas:mosquittoPasswords": JSON.stringify({ [user]: password }),
        "atlas:crossStack": { stepCaFingerprintFallback: "ab".repeat(32) },
      },
      secretKeys: ["atlas:mosquittoPasswords"],
    });
    anonymous = { ...(await renderStack("cluster01")), stack: "cluster01-default" };
    lab = new Lab("mqtt");
    lab.network.addHost("cluster01", "10.10.0.1/24");
    lab.network.addHost("cluster01-default", "10.10.0.1/24");
    lab.addInstance(secured, "mosquitto01");
    lab.addInstance(anonymous, "mosquitto01");

    // What the step-ca helper would have fetched: root, server certificate and key.
    const root = lab.root("cluster01", "mosquitto01");
    const server = lab.ca.issue(broker, [broker], "server");
    fs.mkdirSync(path.join(root, certDir), { recursive: true });
    fs.copyFileSync(lab.ca.certFile, path.join(root, certDir, "root_ca.crt"));
    fs.writeFileSync(path.join(root, certDir, "server.crt"), server.certPem);
    fs.writeFileSync(path.join(root, certDir, "server.key"), server.keyPem, { mode: 0o640 });
    caFile = lab.ca.certFile;

    rewritten = startMosquitto(lab, secured).rewritten;
    startMosquitto(lab, anonymous);
    for (const [stack, c] of [
      ["cluster01", { host: broker, port: 1883, user, password }],
      ["cluster01-default", { host: broker, port: 1883 }],
    ] as const) {
      await waitFor(
        `${stack}: broker accepting connections`,
        async () => {
          const dead = lab.deaths();
          if (dead) throw new Error(dead);
          const r = await publish(stack, c, "atlas/ready", "ready");
          if (r.status !== 0) throw new Error(r.stderr);
          return true;
        },
        20_000,
        500,
      );
    }
  }, 60_000);

  afterAll(async () => {
    await lab?.destroy();
  });

  it("relocates only the paths of the broker's own files", () => {
    expect([...new Set(rewritten)].sort()).toEqual(
      [
        "/etc/mosquitto/passwd",
        "/mosquitto/data/",
        `${certDir}/root_ca.crt`,
        `${certDir}/server.crt`,
        `${certDir}/server.key`,
      ].sort(),
    );
  });

  it("a configured user publishes and subscribes", async () => {
    expect(
      await roundTrip("cluster01", { host: broker, port: 1883, user, password }, "atlas/contract"),
    ).toMatch(/^hello from the contract test/);
  });

  it("a wrong password is refused", async () => {
    const r = await publish(
      "cluster01",
      { host: broker, port: 1883, user, password: "wrong" },
      "atlas/x",
      "x",
    );
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/not authori[sz]ed/i);
  });

  it("an unknown user is refused", async () => {
    const r = await publish(
      "cluster01",
      { host: broker, port: 1883, user: "intruder", password },
      "atlas/x",
      "x",
    );
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/not authori[sz]ed/i);
  });

  it("an anonymous client is refused", async () => {
    const r = await publish("cluster01", { host: broker, port: 1883 }, "atlas/x", "x");
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/not authori[sz]ed/i);
  });

  it("MQTTS on 8883: a user publishes and subscribes over TLS with the CA's root", async () => {
    expect(
      await roundTrip(
        "cluster01",
        { host: broker, port: 8883, user, password, cafile: caFile },
        "atlas/tls",
      ),
    ).toMatch(/^hello from the contract test/);
  });

  it("MQTTS on 8883 refuses plain-text MQTT", async () => {
    const r = await publish(
      "cluster01",
      { host: broker, port: 8883, user, password },
      "atlas/x",
      "x",
    );
    expect(r.status).not.toBe(0);
  });

  it("MQTTS on 8883 is not trusted without the CA's root (the server certificate is checked)", async () => {
    const r = await publish(
      "cluster01",
      { host: broker, port: 8883, user, password, capath: "/etc/ssl/certs" },
      "atlas/x",
      "x",
    );
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/certificate|tls|ssl/i);
  });

  it("without users (the stack file's settings): anonymous clients publish and subscribe", async () => {
    expect(
      await roundTrip("cluster01-default", { host: broker, port: 1883 }, "atlas/anon"),
    ).toMatch(/^hello from the contract test/);
  });
});
