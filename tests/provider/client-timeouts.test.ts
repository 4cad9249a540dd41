/**
 * The client's deadlines against real sockets on this machine: a unix socket and a loopback
 * TCP port that accept and never answer, one that answers half and falls silent, and a
 * loopback port whose listener never accepts (its process is stopped and its backlog full).
 * Short timeouts keep each case under a second; without them each case would hang.
 */
import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { IncusClient, TimeoutError, TransportError } from "../../incus/client";
import { makeCertificate } from "../helpers/incus";

/** Each case fails fast (rather than at vitest's minute) when a deadline does not fire. */
const CASE_MS = 5_000;

let dir = "";
const servers: net.Server[] = [];
const sockets: net.Socket[] = [];
const clients: IncusClient[] = [];

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ptest-timeouts-"));
});

afterEach(() => {
  for (const c of clients.splice(0)) c.close();
  for (const s of sockets.splice(0)) s.destroy();
  for (const s of servers.splice(0)) s.close();
});

afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** A server that accepts every connection, reads what it is sent and answers with `reply`. */
async function listen(
  where: string | { host: string; port: 0 },
  reply: (socket: net.Socket, request: string) => void = () => undefined,
): Promise<{ server: net.Server; connections: () => number }> {
  let count = 0;
  const server = net.createServer((socket) => {
    count++;
    sockets.push(socket);
    let seen = "";
    socket.on("data", (d: Buffer) => {
      seen += d.toString("latin1");
      if (!seen.includes("\r\n\r\n")) return;
      const request = seen;
      seen = ""; // the next request on this keep-alive connection
      reply(socket, request);
    });
    socket.on("error", () => undefined);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(where, resolve));
  return { server, connections: () => count };
}

/** A client of the local remote on `socketPath`, ignoring the machine's incus CLI config. */
function unixClient(
  socketPath: string,
  extra: Partial<ConstructorParameters<typeof IncusClient>[0]> = {},
): IncusClient {
  const c = new IncusClient({
    env: { INCUS_CONF: "/nonexistent-atlas-conf", INCUS_SOCKET: socketPath, INCUS_REMOTE: "" },
    ...extra,
  });
  clients.push(c);
  return c;
}

/** A client of an HTTPS remote `slow` at 127.0.0.1:`port`, as `incus remote add` leaves it. */
function httpsClient(port: number, connectTimeoutMs: number): IncusClient {
  const conf = fs.mkdtempSync(path.join(dir, "conf-"));
  const cert = makeCertificate("ptest-timeouts");
  fs.writeFileSync(
    path.join(conf, "config.yml"),
    `remotes:\n  slow:\n    addr: https://127.0.0.1:${port}\n    protocol: incus\n`,
  );
  fs.writeFileSync(path.join(conf, "client.crt"), cert.cert);
  fs.writeFileSync(path.join(conf, "client.key"), cert.key, { mode: 0o600 });
  const c = new IncusClient({
    remote: "slow",
    acceptRemoteCertificate: true,
    env: { INCUS_CONF: conf },
    connectTimeoutMs,
  });
  clients.push(c);
  return c;
}

async function failure(p: Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const started = Date.now();
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  return { error, ms: Date.now() - started };
}

function json(socket: net.Socket, body: unknown): void {
  const text = JSON.stringify(body);
  socket.write(
    `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
  );
}

describe("Incus client timeouts", () => {
  it(
    "a daemon socket that accepts and never answers fails the read, once, naming the remote",
    async () => {
      const socketPath = path.join(dir, "silent.socket");
      const silent = await listen(socketPath);
      const c = unixClient(socketPath, { responseTimeoutMs: 300 });
      const { error, ms } = await failure(c.get("/1.0", { project: false, object: "server" }));
      expect(error).toBeInstanceOf(TimeoutError);
      expect(error).toBeInstanceOf(TransportError);
      const message = String(error);
      expect(message).toContain('Incus remote "local": server: no answer in time');
      expect(message).toContain(`unix socket ${socketPath} sent no answer within 0.3 s`);
      expect(message).toContain("ATLAS_INCUS_RESPONSE_TIMEOUT");
      expect(ms).toBeGreaterThanOrEqual(290);
      expect(ms).toBeLessThan(2_000);
      // Not retried: a retry would multiply a wait the user already sat through.
      expect(silent.connections()).toBe(1);
    },
    CASE_MS,
  );

  it(
    "a mutation that times out says the daemon may still apply it",
    async () => {
      const socketPath = path.join(dir, "silent-post.socket");
      await listen(socketPath);
      const c = unixClient(socketPath, { responseTimeoutMs: 200 });
      const { error } = await failure(
        c.mutate("POST", "/1.0/profiles", { object: 'profile "web"', body: { name: "web" } }),
      );
      expect(error).toBeInstanceOf(TimeoutError);
      expect(String(error)).toContain(
        'the daemon may still apply this POST: check profile "web" before retrying',
      );
    },
    CASE_MS,
  );

  it(
    "a response that starts and then falls silent times out too",
    async () => {
      const socketPath = path.join(dir, "half.socket");
      await listen(socketPath, (socket) => {
        socket.write(
          "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{",
        );
      });
      const c = unixClient(socketPath, { responseTimeoutMs: 300 });
      const { error, ms } = await failure(c.get("/1.0", { project: false }));
      expect(error).toBeInstanceOf(TimeoutError);
      expect(ms).toBeLessThan(2_000);
    },
    CASE_MS,
  );

  it(
    "a slow answer within the deadline arrives: the deadline is the daemon's silence, not the call",
    async () => {
      const socketPath = path.join(dir, "slow.socket");
      await listen(socketPath, (socket) => {
        // Three parts, each well within the deadline, together longer than it.
        const text = JSON.stringify({ type: "sync", metadata: { api_version: "1.0" } });
        socket.write(
          `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${text.length}\r\n\r\n`,
        );
        const half = Math.floor(text.length / 2);
        setTimeout(() => socket.write(text.slice(0, half)), 200);
        setTimeout(() => socket.write(text.slice(half)), 400);
      });
      const c = unixClient(socketPath, { responseTimeoutMs: 300 });
      const { value } = await c.get<{ api_version: string }>("/1.0", { project: false });
      expect(value.api_version).toBe("1.0");
    },
    CASE_MS,
  );

  it(
    "operation waits are exempt: the daemon answers them when the operation ends",
    async () => {
      const socketPath = path.join(dir, "operation.socket");
      await listen(socketPath, (socket, request) => {
        if (request.startsWith("POST ")) {
          return json(socket, { type: "async", operation: "/1.0/operations/op1" });
        }
        setTimeout(
          () =>
            json(socket, {
              type: "sync",
              metadata: { id: "op1", status: "Success", status_code: 200, err: "" },
            }),
          700,
        );
      });
      const c = unixClient(socketPath, { responseTimeoutMs: 250 });
      const started = Date.now();
      await c.mutate("POST", "/1.0/instances", { object: 'instance "web"', body: {} });
      expect(Date.now() - started).toBeGreaterThanOrEqual(690);
    },
    CASE_MS,
  );

  it(
    "an HTTPS remote that accepts TCP and never starts TLS fails within the connect timeout",
    async () => {
      const silent = await listen({ host: "127.0.0.1", port: 0 });
      const port = (silent.server.address() as net.AddressInfo).port;
      const c = httpsClient(port, 300);
      const { error, ms } = await failure(c.get("/1.0", { project: false, object: "server" }));
      expect(error).toBeInstanceOf(TimeoutError);
      expect(String(error)).toContain(
        `Incus remote "slow": server: no answer in time: no connection to https://127.0.0.1:${port} within 0.3 s (connect timeout, TLS handshake included`,
      );
      expect(ms).toBeLessThan(2_000);
    },
    CASE_MS,
  );

  describe("a listener that never accepts", () => {
    let stopped: ChildProcess | undefined;
    const fillers: net.Socket[] = [];

    afterAll(() => {
      for (const s of fillers) s.destroy();
      if (stopped?.pid) process.kill(stopped.pid, "SIGKILL");
    });

    /**
     * A listener with a backlog of 1 in a stopped process: the kernel completes handshakes
     * until the accept queue is full, then drops every further SYN, so a connect hangs.
     */
    async function neverAccepting(): Promise<number> {
      stopped = spawn(
        process.execPath,
        [
          "-e",
          'const s = require("node:net").createServer(); s.listen({ host: "127.0.0.1", port: 0, backlog: 1 }, () => console.log(s.address().port));',
        ],
        { stdio: ["ignore", "pipe", "inherit"] },
      );
      const child = stopped;
      const port = await new Promise<number>((resolve) =>
        child.stdout?.once("data", (d: Buffer) => resolve(Number(d.toString().trim()))),
      );
      process.kill(child.pid as number, "SIGSTOP");
      for (let i = 0; i < 8; i++) {
        const s = net.connect(port, "127.0.0.1");
        s.on("error", () => undefined);
        fillers.push(s);
        const accepted = await new Promise<boolean>((resolve) => {
          s.once("connect", () => resolve(true));
          setTimeout(() => resolve(false), 300);
        });
        if (!accepted) return port;
      }
      throw new Error(
        "the stopped listener kept accepting connections: cannot test a hung connect",
      );
    }

    it(
      "fails within the connect timeout, naming the remote and its address",
      async () => {
        const port = await neverAccepting();
        const c = httpsClient(port, 400);
        const { error, ms } = await failure(c.get("/1.0", { project: false, object: "server" }));
        expect(error).toBeInstanceOf(TimeoutError);
        expect(String(error)).toContain(
          `Incus remote "slow": server: no answer in time: no connection to https://127.0.0.1:${port} within 0.4 s`,
        );
        expect(ms).toBeGreaterThanOrEqual(390);
        expect(ms).toBeLessThan(2_000);
      },
      CASE_MS,
    );
  });

  it(
    "takes its deadlines from ATLAS_INCUS_*_TIMEOUT and refuses a value that is not seconds",
    async () => {
      const socketPath = path.join(dir, "env.socket");
      await listen(socketPath);
      const env = {
        INCUS_CONF: "/nonexistent-atlas-conf",
        INCUS_SOCKET: socketPath,
        INCUS_REMOTE: "",
      };
      const c = new IncusClient({ env: { ...env, ATLAS_INCUS_RESPONSE_TIMEOUT: "0.2" } });
      clients.push(c);
      const { error } = await failure(c.get("/1.0", { project: false }));
      expect(String(error)).toContain("sent no answer within 0.2 s");
      expect(
        () => new IncusClient({ env: { ...env, ATLAS_INCUS_CONNECT_TIMEOUT: "soon" } }),
      ).toThrow(
        'ATLAS_INCUS_CONNECT_TIMEOUT="soon" is not allowed: expected a positive number of seconds',
      );
      expect(() => new IncusClient({ env: { ...env, ATLAS_INCUS_RESPONSE_TIMEOUT: "0" } })).toThrow(
        'ATLAS_INCUS_RESPONSE_TIMEOUT="0" is not allowed',
      );
    },
    CASE_MS,
  );
});
