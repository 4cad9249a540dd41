// @ts-check
/**
 * A stand-in for an Incus proxy device (`listen=tcp:<address>:<port>`,
 * `connect=tcp:<instance>:<port>`): run with `node` in the lab namespace of the host the
 * device belongs to, it accepts TCP connections on the listen address and relays each to
 * the instance, as Incus' forkproxy does. Every connection is logged to stdout.
 *
 *   node proxyDevice.mjs '{"listen":"10.20.0.1:9153","connect":"10.20.0.7:9153"}'
 */
import * as net from "node:net";

/** @type {{listen: string, connect: string}} */
const options = JSON.parse(process.argv[2] ?? "{}");

/** @param {string} endpoint */
function split(endpoint) {
  const at = endpoint.lastIndexOf(":");
  return { host: endpoint.slice(0, at), port: Number(endpoint.slice(at + 1)) };
}

const listen = split(options.listen);
const connect = split(options.connect);
const server = net.createServer((client) => {
  const upstream = net.connect(connect.port, connect.host);
  console.log(`${client.remoteAddress}:${client.remotePort} -> ${options.connect}`);
  client.pipe(upstream).pipe(client);
  const close = () => {
    client.destroy();
    upstream.destroy();
  };
  client.on("error", close);
  upstream.on("error", close);
});
server.listen(listen.port, listen.host, () =>
  console.log(`proxy ${options.listen} -> ${options.connect}`),
);
