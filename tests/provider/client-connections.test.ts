/**
 * How many connections the client opens at once, against a unix socket on this machine
 * that holds every request until told to answer (as the daemon holds an operation wait):
 * no limit of its own by default, so as many requests are in flight as the engine sends;
 * `ATLAS_INCUS_MAX_CONNECTIONS` caps them.
 */
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { IncusClient } from "../../incus/client";

let dir = "";
const servers: net.Server[] = [];
const clients: IncusClient[] = [];

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ptest-connections-"));
});

afterEach(() => {
  for (const c of clients.splice(0)) c.close();
  for (const s of servers.splice(0)) s.close();
});

afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** A daemon stand-in: counts connections and held requests; `release()` answers them all. */
async function holdingServer(socketPath: string): Promise<{
  connections: () => number;
  held: () => number;
  release: () => void;
}> {
  let connections = 0;
  const waiting: net.Socket[] = [];
  const answer = (socket: net.Socket): void => {
    const body = JSON.stringify({ type: "sync", status_code: 200, metadata: {} });
    socket.write(
      `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    );
  };
  let released = false;
  const server = net.createServer((socket) => {
    connections++;
    let seen = "";
    socket.on("data", (d: Buffer) => {
      seen += d.toString("latin1");
      if (!seen.includes("\r\n\r\n")) return;
      seen = "";
      if (released) answer(socket);
      else waiting.push(socket);
    });
    socket.on("error", () => undefined);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return {
    connections: () => connections,
    held: () => waiting.length,
    release: () => {
      released = true;
      for (const s of waiting.splice(0)) answer(s);
    },
  };
}

function client(socketPath: string, env: Record<string, string> = {}): IncusClient {
  const c = new IncusClient({
    env: {
      INCUS_CONF: "/nonexistent-atlas-conf",
      INCUS_SOCKET: socketPath,
      INCUS_REMOTE: "",
      ...env,
    },
  });
  clients.push(c);
  return c;
}

/** Until `check` holds, or a second passed. */
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
}

describe("Incus client connections", () => {
  it("opens a connection per request in flight, beyond the 8 it once allowed", async () => {
    const socketPath = path.join(dir, "unlimited.sock");
    const server = await holdingServer(socketPath);
    const c = client(socketPath);
    const requests = Array.from({ length: 20 }, (_, i) => c.get(`/1.0/instances/i${i}`));
    await until(() => server.held() === 20);
    expect(server.held()).toBe(20);
    expect(server.connections()).toBe(20);
    server.release();
    await Promise.all(requests);
  });

  it("ATLAS_INCUS_MAX_CONNECTIONS caps them; the rest wait for a free connection", async () => {
    const socketPath = path.join(dir, "limited.sock");
    const server = await holdingServer(socketPath);
    const c = client(socketPath, { ATLAS_INCUS_MAX_CONNECTIONS: "3" });
    const requests = Array.from({ length: 10 }, (_, i) => c.get(`/1.0/instances/i${i}`));
    await until(() => server.held() === 3);
    await new Promise((r) => setTimeout(r, 50));
    expect(server.held()).toBe(3);
    server.release();
    await Promise.all(requests);
    expect(server.connections()).toBe(3);
  });

  it("refuses a limit that is not a positive whole number, naming the variable", () => {
    expect(() => client(path.join(dir, "x.sock"), { ATLAS_INCUS_MAX_CONNECTIONS: "0" })).toThrow(
      /ATLAS_INCUS_MAX_CONNECTIONS="0" is not allowed/,
    );
  });
});
