/**
 * A small Incus REST client: unix socket or HTTPS with mutual TLS, project aware, waits for
 * async operations, sends ETags on updates, retries only idempotent reads, and counts every
 * request so the provider's API cost can be measured.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import type * as tls from "node:tls";
import { type CliConfig, type Endpoint, loadCliConfig, resolveEndpoint } from "./config";
import { errorFor, IncusError, OperationError, TimeoutError, TransportError } from "./errors";

export interface ClientOptions {
  /** Remote name from the incus CLI config; see resolveEndpoint for the fallbacks. */
  remote?: string;
  /** Project for project-scoped calls; else the remote's configured project, else default. */
  project?: string;
  acceptRemoteCertificate?: boolean;
  env?: NodeJS.ProcessEnv;
  /** Pre-loaded CLI config (tests); loaded from $INCUS_CONF otherwise. */
  config?: CliConfig;
  /** Attempts for idempotent reads on transient failures (default 4). */
  readAttempts?: number;
  /**
   * Milliseconds to open a connection: the unix socket, or TCP plus the TLS handshake.
   * Default 15 000, or `ATLAS_INCUS_CONNECT_TIMEOUT` (seconds).
   */
  connectTimeoutMs?: number;
  /**
   * Milliseconds the daemon may stay silent on an open connection: until the request is
   * sent, then until the response starts, then between its chunks. Default 300 000 (some
   * synchronous calls, such as deleting a large volume, take minutes), or
   * `ATLAS_INCUS_RESPONSE_TIMEOUT` (seconds). Operation waits are exempt.
   */
  responseTimeoutMs?: number;
  /**
   * Connections to the daemon open at once; requests beyond wait for a free one. Default:
   * no limit of the client's own (the engine's `--parallel` bounds the operations in
   * flight), or `ATLAS_INCUS_MAX_CONNECTIONS`.
   */
  maxConnections?: number;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;
const DEFAULT_RESPONSE_TIMEOUT_MS = 300_000;

/**
 * The connection limit from its option, else `ATLAS_INCUS_MAX_CONNECTIONS`, else none.
 * Every operation wait (`/operations/<id>/wait`) holds a connection until the operation
 * ends, so a limit below the engine's `--parallel` queues creates behind other objects'
 * waits, whatever the engine allows.
 */
function connectionLimit(given: number | undefined, env: NodeJS.ProcessEnv): number {
  const raw = given ?? env.ATLAS_INCUS_MAX_CONNECTIONS;
  if (raw === undefined || raw === "") return Infinity;
  const n = Number(raw);
  if (!(Number.isInteger(n) && n > 0)) {
    throw new Error(
      `ATLAS_INCUS_MAX_CONNECTIONS="${raw}" is not allowed: expected a positive whole number of connections`,
    );
  }
  return n;
}

/** A timeout from its option, else its environment variable (seconds), else the default. */
function timeoutMs(
  given: number | undefined,
  env: NodeJS.ProcessEnv,
  variable: string,
  fallback: number,
): number {
  if (given !== undefined) {
    if (!(given > 0 && Number.isFinite(given))) {
      throw new Error(`Incus client: timeout ${given} ms is not a positive number of milliseconds`);
    }
    return given;
  }
  const raw = env[variable];
  if (raw === undefined || raw === "") return fallback;
  const seconds = Number(raw);
  if (!(seconds > 0 && Number.isFinite(seconds))) {
    throw new Error(`${variable}="${raw}" is not allowed: expected a positive number of seconds`);
  }
  return seconds * 1000;
}

export interface RequestOptions {
  /** Human name of the object for error messages, e.g. `profile "web"`. */
  object?: string;
  /** Project for this call; `false` for server-wide endpoints that take no project. */
  project?: string | false;
  /** Cluster member (`?target=`). */
  target?: string;
  query?: Record<string, string | undefined>;
  /** JSON body, or raw bytes (file push). */
  body?: unknown;
  raw?: Buffer;
  headers?: Record<string, string>;
  /** ETag of the object as read; sent as If-Match so concurrent edits are detected. */
  etag?: string;
  /**
   * Overrides the client's response timeout for this call; 0 for none. Server-side waits
   * (`/operations/<id>/wait`) answer only when the operation ends and bound themselves.
   */
  responseTimeoutMs?: number;
  /**
   * The body as the daemon sent it, as a Buffer in `metadata` (files and exec output logs
   * are served raw, not in a JSON envelope); error statuses are still mapped to errors.
   */
  rawBody?: boolean;
}

export interface IncusResponse<T> {
  status: number;
  metadata: T;
  etag?: string;
  /** Path of the background operation, for async responses. */
  operation?: string;
  location?: string;
  /** Response headers, for rawBody calls (the file API sends mode and owner in them). */
  headers?: http.IncomingHttpHeaders;
}

interface RawEnvelope {
  type?: string;
  status_code?: number;
  error_code?: number;
  error?: string;
  operation?: string;
  metadata?: unknown;
}

export interface Operation {
  id: string;
  status: string;
  status_code: number;
  err: string;
  metadata?: Record<string, unknown> | null;
  resources?: Record<string, string[]> | null;
}

/** Request counts keyed by "METHOD /path" (query string dropped). */
export type RequestStats = Map<string, number>;

const TRANSIENT_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EAI_AGAIN",
  "ENOENT",
]);
const TRANSIENT_STATUS = new Set([502, 503, 504]);
/**
 * Error codes of the client's own deadlines. Not transient: a retry would multiply the wait
 * a user already sat through, and a silent daemon rarely answers the next attempt.
 */
const CONNECT_TIMEOUT = "ATLAS_CONNECT_TIMEOUT";
const RESPONSE_TIMEOUT = "ATLAS_RESPONSE_TIMEOUT";

function seconds(ms: number): string {
  return `${ms / 1000} s`;
}

export class IncusClient {
  readonly remote: string;
  readonly project: string;
  readonly endpoint: Endpoint;
  private readonly agent: http.Agent;
  private readonly readAttempts: number;
  private readonly connectTimeoutMs: number;
  private readonly responseTimeoutMs: number;
  private readonly counts: RequestStats = new Map();
  private total = 0;
  /**
   * `ATLAS_INCUS_REQUEST_LOG`: a file every request appends `METHOD /path startMs durationMs`
   * to when it ends (answered or failed; start in epoch milliseconds).
   */
  private readonly requestLog?: string;

  constructor(opts: ClientOptions = {}) {
    const cfg = opts.config ?? loadCliConfig(opts.env);
    this.endpoint = resolveEndpoint(cfg, {
      remote: opts.remote,
      acceptRemoteCertificate: opts.acceptRemoteCertificate,
      env: opts.env,
    });
    this.remote = this.endpoint.remote;
    this.project = opts.project || this.endpoint.project || "default";
    this.readAttempts = opts.readAttempts ?? 4;
    const env = opts.env ?? process.env;
    this.requestLog = env.ATLAS_INCUS_REQUEST_LOG || undefined;
    this.connectTimeoutMs = timeoutMs(
      opts.connectTimeoutMs,
      env,
      "ATLAS_INCUS_CONNECT_TIMEOUT",
      DEFAULT_CONNECT_TIMEOUT_MS,
    );
    this.responseTimeoutMs = timeoutMs(
      opts.responseTimeoutMs,
      env,
      "ATLAS_INCUS_RESPONSE_TIMEOUT",
      DEFAULT_RESPONSE_TIMEOUT_MS,
    );
    const maxSockets = connectionLimit(opts.maxConnections, env);
    // Keep-alive: one connection serves a whole provider run instead of one per request.
    if (this.endpoint.kind === "unix") {
      this.agent = new http.Agent({ keepAlive: true, maxSockets });
    } else {
      const ep = this.endpoint;
      const pinned = ep.serverCert ? new crypto.X509Certificate(ep.serverCert) : undefined;
      this.agent = new https.Agent({
        keepAlive: true,
        maxSockets,
        cert: ep.clientCert,
        key: ep.clientKey,
        ca: ep.serverCert,
        // Incus server certificates are self-signed and rarely name the address used to reach
        // them; like the incus CLI, trust is by pinning the exact certificate instead.
        rejectUnauthorized: false,
        checkServerIdentity: () => undefined,
        // A resumed TLS session presents no certificate, so the pin below could not be
        // checked ("(none)"): every new connection makes a full handshake.
        maxCachedSessions: 0,
      });
      this.verifyPeer = (socket: tls.TLSSocket): string | undefined => {
        if (!pinned) return undefined; // acceptRemoteCertificate=true and nothing pinned
        const peer = socket.getPeerX509Certificate();
        if (!peer || peer.fingerprint256 !== pinned.fingerprint256) {
          return `server certificate ${peer?.fingerprint256 ?? "(none)"} does not match the pinned servercerts/${ep.remote}.crt (${pinned.fingerprint256})`;
        }
        return undefined;
      };
    }
  }

  private verifyPeer: (socket: tls.TLSSocket) => string | undefined = () => undefined;

  /** Requests made so far, by method and path. */
  stats(): RequestStats {
    return new Map(this.counts);
  }

  requestCount(): number {
    return this.total;
  }

  resetStats(): void {
    this.counts.clear();
    this.total = 0;
  }

  close(): void {
    this.agent.destroy();
  }

  /** Query string for project/target/extra parameters. */
  private buildPath(path: string, opts: RequestOptions): string {
    const params = new URLSearchParams();
    const project = opts.project === false ? undefined : (opts.project ?? this.project);
    if (project && project !== "default") params.set("project", project);
    if (opts.target) params.set("target", opts.target);
    for (const [k, v] of Object.entries(opts.query ?? {})) {
      if (v !== undefined) params.set(k, v);
    }
    const qs = params.toString();
    return qs ? `${path}${path.includes("?") ? "&" : "?"}${qs}` : path;
  }

  /** Counts a request; the returned function logs it when it ends. */
  private count(method: string, path: string): () => void {
    const key = `${method} ${path.split("?")[0]}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    this.total++;
    const { requestLog } = this;
    if (!requestLog) return () => undefined;
    // The plugin runs in its own process: benchmarks count and time its requests through
    // a file (scripts/bench/requestLog.ts), which is how they see where an `up` waits.
    const start = Date.now();
    return () => fs.appendFileSync(requestLog, `${key} ${start} ${Date.now() - start}\n`);
  }

  private send(
    method: string,
    fullPath: string,
    opts: RequestOptions,
  ): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
    const logged = this.count(method, fullPath);
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    let payload: Buffer | undefined;
    if (opts.raw) {
      payload = opts.raw;
      headers["Content-Type"] ??= "application/octet-stream";
    } else if (opts.body !== undefined) {
      payload = Buffer.from(JSON.stringify(opts.body));
      headers["Content-Type"] = "application/json";
    }
    if (payload) headers["Content-Length"] = String(payload.length);
    if (opts.etag) headers["If-Match"] = opts.etag;
    headers["User-Agent"] = "atlas-pulumi-incus";

    const responseMs = opts.responseTimeoutMs ?? this.responseTimeoutMs;
    const answer = new Promise<{
      status: number;
      headers: http.IncomingHttpHeaders;
      body: Buffer;
    }>((resolve, reject) => {
      // One deadline at a time: first the connection, then every silence of the daemon. A
      // daemon that accepts and never answers would otherwise hold `pulumi up` forever.
      let timer: NodeJS.Timeout | undefined;
      let connected = false;
      const deadline = (ms: number, code: string, message: string): void => {
        clearTimeout(timer);
        if (ms > 0) {
          timer = setTimeout(() => req.destroy(Object.assign(new Error(message), { code })), ms);
        }
      };
      const awaitAnswer = (): void =>
        deadline(
          responseMs,
          RESPONSE_TIMEOUT,
          `${this.where()} sent no answer within ${seconds(responseMs)} (response timeout; ATLAS_INCUS_RESPONSE_TIMEOUT=<seconds> changes it)`,
        );
      const onConnected = (): void => {
        connected = true;
        awaitAnswer();
      };
      const onResponse = (res: http.IncomingMessage): void => {
        const chunks: Buffer[] = [];
        awaitAnswer();
        res.on("data", (c: Buffer) => {
          chunks.push(c);
          awaitAnswer();
        });
        res.on("end", () => {
          clearTimeout(timer);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
          });
        });
        res.on("error", (e) => {
          clearTimeout(timer);
          reject(e);
        });
      };
      let req: http.ClientRequest;
      if (this.endpoint.kind === "unix") {
        req = http.request(
          {
            socketPath: this.endpoint.socketPath,
            path: fullPath,
            method,
            headers,
            agent: this.agent,
          },
          onResponse,
        );
      } else {
        const url = this.endpoint.url;
        req = https.request(
          {
            host: url.hostname,
            port: url.port || 8443,
            path: fullPath,
            method,
            headers,
            agent: this.agent,
          },
          onResponse,
        );
      }
      deadline(
        this.connectTimeoutMs,
        CONNECT_TIMEOUT,
        `no connection to ${this.where()} within ${seconds(this.connectTimeoutMs)} (connect timeout${this.endpoint.kind === "https" ? ", TLS handshake included" : ""}; ATLAS_INCUS_CONNECT_TIMEOUT=<seconds> changes it)`,
      );
      req.on("socket", (socket) => {
        // A reused keep-alive socket is connected, and was verified when it connected.
        if (req.reusedSocket) return onConnected();
        if (this.endpoint.kind === "unix") return void socket.once("connect", onConnected);
        const s = socket as tls.TLSSocket;
        s.once("secureConnect", () => {
          const problem = this.verifyPeer(s);
          if (problem) req.destroy(Object.assign(new Error(problem), { code: "EPINNED" }));
          else onConnected();
        });
      });
      // Sending a large body counts as the daemon's silence only once it is all sent.
      req.on("finish", () => {
        if (connected) awaitAnswer();
      });
      req.on("error", (e) => {
        clearTimeout(timer);
        reject(e);
      });
      req.end(payload);
    });
    return answer.finally(logged);
  }

  /** Where requests go, for messages: the unix socket or the HTTPS address. */
  private where(): string {
    return this.endpoint.kind === "unix"
      ? `unix socket ${this.endpoint.socketPath}`
      : `https://${this.endpoint.url.hostname}:${this.endpoint.url.port || 8443}`;
  }

  /** One request with error mapping; GETs are retried on transient failures. */
  async request<T>(
    method: string,
    path: string,
    opts: RequestOptions = {},
  ): Promise<IncusResponse<T>> {
    const fullPath = this.buildPath(path, opts);
    const object = opts.object ?? path;
    const idempotent = method === "GET" || method === "HEAD";
    const attempts = idempotent ? this.readAttempts : 1;
    let lastError: unknown;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      let res: { status: number; headers: http.IncomingHttpHeaders; body: Buffer };
      try {
        res = await this.send(method, fullPath, opts);
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        lastError = err;
        if (attempt < attempts && err.code && TRANSIENT_CODES.has(err.code)) {
          await sleep(150 * 2 ** (attempt - 1));
          continue;
        }
        if (err.code === CONNECT_TIMEOUT || err.code === RESPONSE_TIMEOUT) {
          // A mutation the daemon received may still be carried out after we gave up on it.
          const applied =
            err.code === RESPONSE_TIMEOUT && !idempotent
              ? `; the daemon may still apply this ${method}: check ${object} before retrying`
              : "";
          throw new TimeoutError({
            kind: "timeout",
            status: 0,
            object,
            remote: this.remote,
            method,
            path: fullPath,
            incusMessage: `${err.message}${applied}`,
          });
        }
        const hint =
          this.endpoint.kind === "unix" && (err.code === "ENOENT" || err.code === "ECONNREFUSED")
            ? ` (is incusd running? socket ${this.endpoint.socketPath})`
            : "";
        throw new TransportError({
          kind: "transport",
          status: 0,
          object,
          remote: this.remote,
          method,
          path: fullPath,
          incusMessage: `${err.message}${hint}`,
        });
      }
      if (idempotent && attempt < attempts && TRANSIENT_STATUS.has(res.status)) {
        await sleep(150 * 2 ** (attempt - 1));
        continue;
      }
      if (opts.rawBody && res.status < 400)
        return { status: res.status, metadata: res.body as unknown as T, headers: res.headers };
      return this.decode<T>(method, fullPath, object, res);
    }
    throw lastError;
  }

  private decode<T>(
    method: string,
    fullPath: string,
    object: string,
    res: { status: number; headers: http.IncomingHttpHeaders; body: Buffer },
  ): IncusResponse<T> {
    let env: RawEnvelope = {};
    const text = res.body.toString("utf8");
    if (text.length > 0) {
      try {
        env = JSON.parse(text) as RawEnvelope;
      } catch {
        env = { error: text.slice(0, 500) };
      }
    }
    if (res.status >= 400 || env.type === "error") {
      const status = env.error_code || res.status;
      throw errorFor({
        status,
        object,
        remote: this.remote,
        method,
        path: fullPath,
        incusMessage: env.error || `HTTP ${res.status}`,
      });
    }
    const etag = res.headers.etag;
    return {
      status: res.status,
      metadata: env.metadata as T,
      etag: typeof etag === "string" ? etag : undefined,
      operation: env.type === "async" ? env.operation : undefined,
      location: typeof res.headers.location === "string" ? res.headers.location : undefined,
    };
  }

  async get<T>(path: string, opts: RequestOptions = {}): Promise<{ value: T; etag?: string }> {
    const res = await this.request<T>("GET", path, opts);
    return { value: res.metadata, etag: res.etag };
  }

  /**
   * A mutating call. Async responses are waited for, and a failed operation becomes an
   * OperationError naming the object.
   */
  async mutate<T = unknown>(
    method: "POST" | "PUT" | "PATCH" | "DELETE",
    path: string,
    opts: RequestOptions = {},
  ): Promise<IncusResponse<T>> {
    const res = await this.request<T>(method, path, opts);
    if (res.operation) {
      await this.wait(res.operation, opts);
    }
    return res;
  }

  /** Blocks until the operation ends (server-side wait: one request per operation). */
  async wait(operationPath: string, opts: RequestOptions = {}): Promise<Operation> {
    const object = opts.object ?? operationPath;
    let op: Operation;
    for (;;) {
      const res = await this.request<Operation>("GET", `${operationPath}/wait`, {
        object,
        project: opts.project,
        query: { timeout: "-1" },
        // The server answers when the operation ends, which may take as long as it takes.
        responseTimeoutMs: 0,
      });
      op = res.metadata;
      // A cluster member forwarding the wait for another member's operation may answer
      // while it still runs (103 Running, 105 Pending): wait again.
      if (op.status_code !== 103 && op.status_code !== 105) break;
      await sleep(200);
    }
    if (op.status !== "Success") {
      throw new OperationError({
        kind: "operation-failed",
        status: op.status_code,
        object,
        remote: this.remote,
        method: "WAIT",
        path: operationPath,
        incusMessage: op.err || op.status,
      });
    }
    return op;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export { IncusError };
