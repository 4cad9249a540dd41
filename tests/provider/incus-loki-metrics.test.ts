/**
 * IncusLoki and IncusMetrics against the real daemon, driven through the provider exactly
 * as the engine drives it:
 * - the server config IncusLoki renders makes Incus push lifecycle events to a Loki push
 *   receiver started here on loopback;
 * - a `metrics` certificate like IncusMetrics' (ECDSA P-384, self-signed, client auth) can
 *   read `/1.0/metrics` over HTTPS while an untrusted certificate cannot.
 * Every server key set here is restored in afterAll.
 */
import * as http from "node:http";
import * as https from "node:https";
import * as net from "node:net";
import * as zlib from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { incusLokiServerConfig } from "../../components/incusLoki";
import type { IncusProvider } from "../../incus/provider/provider";
import type { PropertyMap } from "../../incus/provider/values";
import {
  cleanup,
  incus,
  localProvider,
  makeCertificate,
  TEST_IMAGE,
  requireDaemon,
  uniq,
  urn,
} from "../helpers/incus";

let p: IncusProvider;

beforeAll(async () => {
  await requireDaemon();
  p = localProvider();
});

async function createResource(type: string, name: string, news: PropertyMap) {
  const checked = await p.check(urn(type, name), {}, news);
  expect(checked.failures ?? []).toEqual([]);
  const created = await p.create(urn(type, name), checked.inputs as PropertyMap);
  return { id: created.id, outs: created.outs as PropertyMap };
}

function serverKey(key: string): string {
  return incus(["config", "get", key]).trim();
}

interface LokiPush {
  streams: { stream: Record<string, string>; values: [string, string][] }[];
}

/** A Loki push endpoint on loopback that records what Incus sends. */
function lokiReceiver(): Promise<{ server: http.Server; url: string; pushes: LokiPush[] }> {
  const pushes: LokiPush[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      let body = Buffer.concat(chunks);
      if (req.headers["content-encoding"] === "gzip") body = zlib.gunzipSync(body);
      if (req.method === "POST" && req.url === "/loki/api/v1/push") {
        pushes.push(JSON.parse(body.toString("utf8")) as LokiPush);
      }
      res.writeHead(204).end();
    });
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      resolve({ server, url: `http://127.0.0.1:${port}`, pushes });
    }),
  );
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe("IncusLoki on Incus 6.0", () => {
  let receiver: Awaited<ReturnType<typeof lokiReceiver>> | undefined;
  let server: { id: string; outs: PropertyMap } | undefined;

  afterAll(async () => {
    if (server) await p.delete(server.id, urn("Server", "loki"), server.outs).catch(() => {});
    cleanup([["config", "unset", "loki.api.url"]]);
    receiver?.server.close();
  });

  it("rejects the named logging.* keys: this daemon needs incusLoki.serverKeys=loki", async () => {
    const config = incusLokiServerConfig("logging", "loki01", "http://127.0.0.1:9");
    await expect(createResource("Server", "loki-named", { config })).rejects.toThrow(
      /unknown key/i,
    );
    expect(serverKey("logging.loki01.target.type")).toBe("");
  });

  it("pushes lifecycle events with Incus' labels to the Loki receiver", async () => {
    receiver = await lokiReceiver();
    const config = incusLokiServerConfig("loki", "loki01", receiver.url);
    server = await createResource("Server", "loki", { config });
    expect(serverKey("loki.api.url")).toBe(receiver.url);
    // Only non-default keys were set, so reading back shows exactly them (no drift).
    const back = await p.read(server.id, urn("Server", "loki"), server.outs);
    expect(back.props).toEqual({ config: { "loki.api.url": receiver.url } });

    // The Server resource's own PATCH is a lifecycle event (`config-updated`): Incus pushes
    // it to the receiver. No further writes are made while Loki is configured: incusd
    // 6.0.4 stalls every later lifecycle-emitting request after its first push to a
    // receiver (seen with the plain incus CLI), an Incus behaviour, not ours.
    const pushes = receiver.pushes;
    const stream = await until("a lifecycle push of the config update", () =>
      pushes
        .flatMap((push) => push.streams)
        .find(
          (s) =>
            s.stream.type === "lifecycle" &&
            s.values.some(([, line]) => line.includes("config-updated")),
        ),
    );
    expect(stream.stream).toMatchObject({ app: "incus", type: "lifecycle" });
    const lines = stream.values.map(([, line]) => line).join("\n");
    // Incus writes the event's fields in no fixed order.
    expect(lines).toContain('action="config-updated"');
    expect(lines).toContain('source="/1.0"');
    // Timestamps are nanoseconds since the epoch, as Loki expects.
    expect(stream.values[0][0]).toMatch(/^\d{19}$/);

    await p.delete(server.id, urn("Server", "loki"), server.outs);
    server = undefined;
    expect(serverKey("loki.api.url")).toBe("");
  }, 60_000);
});

describe("IncusMetrics certificate", () => {
  const name = uniq("ptest-metrics");
  // A running container, so the metrics hold per-instance series.
  const container = uniq("ptest-metr");
  let address = "";
  let setAddress = false;
  let certificate: { id: string; outs: PropertyMap } | undefined;
  const trusted = makeCertificate(name);
  const stranger = makeCertificate(`${name}-stranger`);

  beforeAll(async () => {
    const current = serverKey("core.https_address");
    if (current) {
      // Another suite (or the host) already serves HTTPS: use it, leave it as it is.
      const port = current.slice(current.lastIndexOf(":") + 1);
      address = `127.0.0.1:${port}`;
    } else {
      const port = await new Promise<number>((resolve) => {
        const s = net.createServer().listen(0, "127.0.0.1", () => {
          const { port: free } = s.address() as net.AddressInfo;
          s.close(() => resolve(free));
        });
      });
      address = `127.0.0.1:${port}`;
      incus(["config", "set", `core.https_address=${address}`]);
      setAddress = true;
    }
    incus(["launch", TEST_IMAGE, container, "--no-profiles", "-s", "default"]);
  });

  afterAll(async () => {
    if (certificate) {
      await p.delete(certificate.id, urn("Certificate", name), certificate.outs).catch(() => {});
    }
    cleanup([["delete", "--force", container]]);
    if (setAddress) cleanup([["config", "unset", "core.https_address"]]);
  });

  function getMetrics(client: {
    cert: string;
    key: string;
  }): Promise<{ status: number; body: string }> {
    const [host, port] = address.split(":");
    return new Promise((resolve, reject) => {
      const req = https.get(
        {
          host,
          port: Number(port),
          path: "/1.0/metrics",
          cert: client.cert,
          key: client.key,
          // The daemon's certificate is self-signed: identity is not what is tested here.
          rejectUnauthorized: false,
          timeout: 15_000,
        },
        (res) => {
          let body = "";
          res.on("data", (d: Buffer) => (body += d.toString()));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on("timeout", () => req.destroy(new Error("metrics request timed out")));
      req.on("error", reject);
    });
  }

  it("an ECDSA P-384 client certificate trusted as `metrics` reads /1.0/metrics; a stranger cannot", async () => {
    expect(trusted.cert).toContain("BEGIN CERTIFICATE");
    certificate = await createResource("Certificate", name, {
      name,
      type: "metrics",
      certificate: trusted.cert,
      description: "atlas provider test: IncusMetrics",
    });
    const entry = JSON.parse(incus(["query", `/1.0/certificates/${certificate.outs.fingerprint}`]));
    expect(entry).toMatchObject({ name, type: "metrics" });

    // Incus caches metrics for 8 seconds: poll until the container's series appear.
    let ok = await getMetrics(trusted);
    const deadline = Date.now() + 30_000;
    while (ok.status === 200 && !ok.body.includes(`name="${container}"`) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 1000));
      ok = await getMetrics(trusted);
    }
    expect(ok.status, ok.body.slice(0, 300)).toBe(200);
    expect(ok.body).toMatch(new RegExp(`^incus_cpu_seconds_total\\{[^}]*name="${container}"`, "m"));
    expect(ok.body).toMatch(/^incus_memory_\w+\{/m);

    const refused = await getMetrics(stranger);
    expect(refused.status).toBe(403);
    expect(refused.body).not.toContain("incus_cpu_seconds_total");
  }, 60_000);

  it("a metrics certificate cannot use the rest of the API", async () => {
    const [host, port] = address.split(":");
    const status = await new Promise<number>((resolve, reject) => {
      https
        .get(
          {
            host,
            port: Number(port),
            path: "/1.0/instances",
            cert: trusted.cert,
            key: trusted.key,
            rejectUnauthorized: false,
            timeout: 15_000,
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        )
        .on("error", reject);
    });
    expect(status).toBe(403);
  });
});
