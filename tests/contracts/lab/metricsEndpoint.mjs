// @ts-check
/**
 * A fixed Prometheus metrics endpoint for a service whose binary cannot run in the
 * contract tests (Grafana, Loki, Promtail) or for the Incus host's own endpoint. Run
 * inside the lab namespace of that instance or host with `node`; serves `metricsFile` at
 * `path` on every address, over HTTPS with a required client certificate when `tls` is
 * given (as Incus' /1.0/metrics does). Every request is logged to stdout.
 *
 *   node metricsEndpoint.mjs '{"port":3000,"path":"/metrics","metricsFile":"grafana.prom"}'
 */
import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";

/** @type {{port: number, path: string, metricsFile: string, tls?: {certFile: string, keyFile: string, clientCaFile: string}}} */
const options = JSON.parse(process.argv[2] ?? "{}");

/** @type {http.RequestListener} */
function handler(request, response) {
  const url = new URL(request.url ?? "/", "http://endpoint");
  const socket = /** @type {import("node:tls").TLSSocket} */ (request.socket);
  const client = options.tls ? (socket.getPeerCertificate().subject?.CN ?? "?") : "-";
  console.log(`${new Date().toISOString()} ${request.method} ${url.pathname} client=${client}`);
  if (url.pathname !== options.path) {
    response.writeHead(404).end("not found\n");
    return;
  }
  response
    .writeHead(200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" })
    .end(fs.readFileSync(options.metricsFile));
}

const server = options.tls
  ? https.createServer(
      {
        cert: fs.readFileSync(options.tls.certFile),
        key: fs.readFileSync(options.tls.keyFile),
        ca: fs.readFileSync(options.tls.clientCaFile),
        requestCert: true,
        rejectUnauthorized: true,
      },
      handler,
    )
  : http.createServer(handler);
server.listen(options.port);
process.on("SIGTERM", () => process.exit(0));
