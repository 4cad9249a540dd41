/**
 * mosquitto.conf and the password file, rendered by the component's own functions with
 * test-local paths and loopback ports, served by a real `mosquitto` broker: MQTT with
 * password authentication, MQTTS with a certificate, persistence across a restart.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mosquittoTlsFiles, renderMosquittoConf } from "../../components/mosquitto/config";
import { mosquittoPasswordFile } from "../../components/mosquitto/passwordFile";
import { mosquittoAccepts } from "../helpers/validators";

const user = "sensor";
const password = "correct horse battery staple";

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`mosquitto did not listen on 127.0.0.1:${port}`);
}

/** A CA and a server certificate for 127.0.0.1, made with openssl. */
function makeTlsFiles(dir: string): void {
  const run = (args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  run(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
    "-keyout", "ca.key", "-out", "root_ca.crt", "-days", "1", "-subj", "/CN=atlas test CA"]);
  run(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
    "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1"]);
  fs.writeFileSync(path.join(dir, "san.ext"), "subjectAltName=IP:127.0.0.1\n");
  run(["x509", "-req", "-in", "server.csr", "-CA", "root_ca.crt", "-CAkey", "ca.key",
    "-CAcreateserial", "-out", "server.crt", "-days", "1", "-extfile", "san.ext"]);
}

/** mosquitto_pub, bounded; returns its exit status and output. */
function publish(port: number, args: string[]): { status: number | null; output: string } {
  const r = spawnSync(
    "mosquitto_pub",
    ["-h", "127.0.0.1", "-p", String(port), "-t", "atlas/test", ...args],
    { encoding: "utf8", timeout: 10_000 },
  );
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/** Subscribes, waits for one message (bounded), returns it. */
function receiveOne(port: number, extra: string[] = []): Promise<string> {
  return new Promise((resolve, reject) => {
    const sub = spawn("mosquitto_sub", [
      "-h", "127.0.0.1", "-p", String(port), "-t", "atlas/test", "-u", user, "-P", password,
      "-C", "1", "-W", "8", ...extra,
    ]);
    let out = "";
    sub.stdout.on("data", (d: Buffer) => (out += d.toString()));
    sub.stderr.on("data", (d: Buffer) => (out += d.toString()));
    sub.on("exit", (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`mosquitto_sub ${code}: ${out}`))));
  });
}

let dir: string;
let broker: ChildProcess | undefined;
let mqttPort: number;
let mqttsPort: number;

function startBroker(): Promise<void> {
  broker = spawn("mosquitto", ["-c", path.join(dir, "mosquitto.conf")], { stdio: "ignore" });
  return Promise.all([waitForPort(mqttPort), waitForPort(mqttsPort)]).then(() => undefined);
}

function stopBroker(): Promise<void> {
  const b = broker;
  broker = undefined;
  if (!b || b.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => b.kill("SIGKILL"), 5000);
    b.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    b.kill("SIGTERM");
  });
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "atlas-mosquitto-"));
  fs.mkdirSync(path.join(dir, "data"));
  fs.mkdirSync(path.join(dir, "certs"));
  makeTlsFiles(path.join(dir, "certs"));
  mqttPort = await freePort();
  mqttsPort = await freePort();
  fs.writeFileSync(path.join(dir, "passwd"), mosquittoPasswordFile({ [user]: password }));
  const conf = renderMosquittoConf({
    mqttPort,
    mqttsPort,
    passwordFile: path.join(dir, "passwd"),
    tls: mosquittoTlsFiles(path.join(dir, "certs")),
    dataDir: path.join(dir, "data"),
    bindAddress: "127.0.0.1",
    runAsUser: os.userInfo().username,
    logDest: "stdout",
  });
  fs.writeFileSync(path.join(dir, "mosquitto.conf"), conf);
  await startBroker();
}, 30_000);

afterAll(async () => {
  await stopBroker();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("mosquitto.conf on a real broker", () => {
  it("listens on the rendered MQTT and MQTTS ports", async () => {
    await waitForPort(mqttPort, 1000);
    await waitForPort(mqttsPort, 1000);
  });

  it("lets a client with the password publish, and delivers the message", async () => {
    const received = receiveOne(mqttPort);
    await new Promise((r) => setTimeout(r, 500));
    const pub = publish(mqttPort, ["-u", user, "-P", password, "-m", "hello from atlas"]);
    expect(pub.status, pub.output).toBe(0);
    expect(await received).toBe("hello from atlas");
  }, 20_000);

  it("refuses clients without the password or with a wrong one", () => {
    const anonymous = publish(mqttPort, ["-m", "nope"]);
    expect(anonymous.status).not.toBe(0);
    expect(anonymous.output).toMatch(/not authori[sz]ed/i);
    const wrong = publish(mqttPort, ["-u", user, "-P", "wrong password", "-m", "nope"]);
    expect(wrong.status).not.toBe(0);
    expect(wrong.output).toMatch(/not authori[sz]ed/i);
  });

  it("serves MQTTS with the configured certificate", () => {
    const cafile = path.join(dir, "certs", "root_ca.crt");
    const ok = publish(mqttsPort, ["--cafile", cafile, "-u", user, "-P", password, "-m", "tls"]);
    expect(ok.status, ok.output).toBe(0);
    // A plain-text client cannot talk to the TLS listener.
    const plainText = publish(mqttsPort, ["-u", user, "-P", password, "-m", "plain"]);
    expect(plainText.status).not.toBe(0);
  });

  it("persists retained messages in the data directory across a restart", async () => {
    const pub = publish(mqttPort, ["-u", user, "-P", password, "-r", "-m", "retained state"]);
    expect(pub.status, pub.output).toBe(0);
    await stopBroker();
    expect(fs.existsSync(path.join(dir, "data", "mosquitto.db"))).toBe(true);
    await startBroker();
    expect(await receiveOne(mqttPort)).toBe("retained state");
  }, 30_000);

  it("the anonymous variant (no users configured) is accepted too", async () => {
    const conf = renderMosquittoConf({
      mqttPort: await freePort(),
      mqttsPort: await freePort(),
      dataDir: dir,
      runAsUser: os.userInfo().username,
      bindAddress: "127.0.0.1",
      logDest: "stdout",
    });
    expect(conf).toContain("allow_anonymous true");
    // Without TLS files only the MQTT listener is rendered.
    expect(conf.match(/^listener /gm)).toHaveLength(1);
    const result = mosquittoAccepts(conf);
    expect(result.ok, result.output).toBe(true);
  });
});
