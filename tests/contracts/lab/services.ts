/**
 * Starts each Atlas service's real daemon in its lab namespace on the files the program
 * rendered for it. Flags mirror the rendered service definition's (config file, data
 * folder, listen port), with the config and data paths moved under the instance's
 * scratch root; everything the daemon reads beyond its flags is the rendered text.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { repoRoot } from "../../../automation/repoRoot";
import type { RenderedStack } from "../renderedFiles";
import { renderedFile } from "../renderedFiles";
import { relocate } from "./instanceRoot";
import type { Lab } from "./lab";
import type { Daemon } from "./processes";

const labScripts = path.join(repoRoot, "tests", "contracts", "lab");

/** Prometheus (Debian's `prometheus`) on the rendered prometheus.yml and rule file. */
export function startPrometheus(lab: Lab, rendered: RenderedStack, instance = "prometheus01") {
  const root = lab.root(rendered.stack, instance);
  const data = path.join(root, "prometheus");
  fs.mkdirSync(data, { recursive: true });
  return lab.daemons.start(
    `${rendered.stack}-${instance}`,
    lab.network.netnsOf(rendered.stack, instance),
    "prometheus",
    [
      `--config.file=${path.join(root, "etc/prometheus/prometheus.yml")}`,
      `--storage.tsdb.path=${data}`,
      "--web.listen-address=:9090",
    ],
  );
}

/**
 * The Incus metrics client certificate: the program renders the one the Pulumi tls
 * provider generates (placeholders under mocks), so the lab puts a test-CA pair in its
 * place, trusted by the lab's Incus metrics endpoint.
 */
export function installIncusMetricsCertificate(
  lab: Lab,
  stack: string,
  instance = "prometheus01",
): void {
  const root = lab.root(stack, instance);
  const pair = lab.ca.issue(`${stack}-prometheus-metrics`, [], "client");
  fs.writeFileSync(path.join(root, "etc/prometheus/certs/incus-metrics.crt"), pair.certPem);
  fs.writeFileSync(path.join(root, "etc/prometheus/certs/incus-metrics.key"), pair.keyPem, {
    mode: 0o600,
  });
}

/** Alertmanager (Debian's `prometheus-alertmanager`) on the rendered alertmanager.yml. */
export function startAlertmanager(
  lab: Lab,
  rendered: RenderedStack,
  instance = "alertmanager01",
): Daemon {
  const root = lab.root(rendered.stack, instance);
  const data = path.join(root, "var/lib/alertmanager");
  fs.mkdirSync(data, { recursive: true });
  return lab.daemons.start(
    `${rendered.stack}-${instance}`,
    lab.network.netnsOf(rendered.stack, instance),
    "prometheus-alertmanager",
    [
      `--config.file=${path.join(root, "etc/alertmanager/alertmanager.yml")}`,
      `--storage.path=${data}`,
      "--web.listen-address=:9093",
      "--cluster.listen-address=",
    ],
    // The lab's SMTP receiver has a test-CA certificate: trusted as a system root would be.
    { env: { SSL_CERT_FILE: lab.ca.certFile } },
  );
}

/** node-exporter (Debian's `prometheus-node-exporter`) on the rendered port. */
export function startNodeExporter(lab: Lab, stack: string, instance: string): Daemon {
  return lab.daemons.start(
    `${stack}-${instance}`,
    lab.network.netnsOf(stack, instance),
    "prometheus-node-exporter",
    ["--web.listen-address=:9100"],
  );
}

/** A fixed metrics endpoint (./metricsEndpoint.mjs) for a service that cannot run here. */
export function startMetricsEndpoint(
  lab: Lab,
  name: string,
  netns: string,
  endpoint: { port: number; path: string; metrics: string; tls?: { serverNames: string[] } },
): Daemon {
  const dir = path.join(lab.dir, "endpoints", name);
  fs.mkdirSync(dir, { recursive: true });
  const metricsFile = path.join(dir, "metrics.prom");
  fs.writeFileSync(metricsFile, endpoint.metrics);
  const tls = endpoint.tls
    ? (() => {
        const pair = lab.ca.issue(name, endpoint.tls.serverNames, "server");
        return { certFile: pair.certFile, keyFile: pair.keyFile, clientCaFile: lab.ca.certFile };
      })()
    : undefined;
  return lab.daemons.start(name, netns, process.execPath, [
    path.join(labScripts, "metricsEndpoint.mjs"),
    JSON.stringify({ port: endpoint.port, path: endpoint.path, metricsFile, tls }),
  ]);
}

/** Where the alert receivers write what they get. */
export interface Receivers {
  daemon: Daemon;
  deliveriesFile: string;
  /** Every delivery so far. */
  deliveries(): Delivery[];
}

export interface Delivery {
  kind: "webhook" | "slack" | "email";
  body?: unknown;
  data?: string;
  tls?: boolean;
  auth?: { user: string; password: string } | null;
  to?: string[];
  from?: string;
}

/** The webhook, Slack and SMTP receivers (./receivers.mjs) in `netns` at `address`. */
export function startReceivers(
  lab: Lab,
  netns: string,
  address: string,
  ports: { webhook: number; slack: number; smtp: number },
  serverName: string,
): Receivers {
  const pair = lab.ca.issue(serverName, [serverName], "server");
  const deliveriesFile = path.join(lab.dir, "deliveries.jsonl");
  fs.writeFileSync(deliveriesFile, "");
  const daemon = lab.daemons.start("receivers", netns, process.execPath, [
    path.join(labScripts, "receivers.mjs"),
    JSON.stringify({
      address,
      webhookPort: ports.webhook,
      slackPort: ports.slack,
      smtpPort: ports.smtp,
      certFile: pair.certFile,
      keyFile: pair.keyFile,
      out: deliveriesFile,
    }),
  ]);
  return {
    daemon,
    deliveriesFile,
    deliveries: () =>
      fs
        .readFileSync(deliveriesFile, "utf8")
        .split("\n")
        .filter((line) => line.trim() !== "")
        .map((line) => JSON.parse(line) as Delivery),
  };
}

/** The CoreDNS binary (scripts/coredns-build.sh: built once, then cached). */
export function corednsBinary(): string {
  const fromEnv = process.env.ATLAS_COREDNS;
  if (fromEnv) return fromEnv;
  const result = spawnSync("bash", [path.join(repoRoot, "scripts/coredns-build.sh")], {
    encoding: "utf8",
    timeout: 600_000,
  });
  const binary = result.stdout.trim().split("\n").pop() ?? "";
  if (result.status !== 0 || !fs.existsSync(binary)) {
    throw new Error(`CoreDNS is not available (scripts/coredns-build.sh): ${result.stderr}`);
  }
  return binary;
}

/**
 * CoreDNS on the rendered Corefile and zone file; the Corefile's absolute paths are
 * relocated under the instance's scratch root (returned for the test to assert).
 */
export function startCoredns(
  lab: Lab,
  rendered: RenderedStack,
  instance = "coredns01",
): { daemon: Daemon; rewritten: string[] } {
  const root = lab.root(rendered.stack, instance);
  const corefile = renderedFile(rendered, instance, "/etc/coredns/Corefile");
  const relocated = relocate(corefile, root, ["/etc/coredns"]);
  const local = path.join(root, "etc/coredns/Corefile");
  fs.writeFileSync(local, relocated.content);
  const daemon = lab.daemons.start(
    `${rendered.stack}-${instance}`,
    lab.network.netnsOf(rendered.stack, instance),
    corednsBinary(),
    ["-conf", local],
    { cwd: path.join(root, "etc/coredns") },
  );
  return { daemon, rewritten: relocated.rewritten };
}

/**
 * Mosquitto on the rendered mosquitto.conf (and password file, when users are set); its
 * absolute paths (config folder, data folder) are relocated under the scratch root. The
 * broker drops privileges to the rendered `user`, which owns the scratch root.
 */
export function startMosquitto(
  lab: Lab,
  rendered: RenderedStack,
  instance = "mosquitto01",
): { daemon: Daemon; rewritten: string[] } {
  const root = lab.root(rendered.stack, instance);
  const conf = renderedFile(rendered, instance, "/etc/mosquitto/mosquitto.conf");
  const relocated = relocate(conf, root, ["/etc/mosquitto", "/mosquitto/data"]);
  const local = path.join(root, "etc/mosquitto/mosquitto.conf");
  fs.writeFileSync(local, relocated.content);
  fs.mkdirSync(path.join(root, "mosquitto/data"), { recursive: true });
  const user = /^user\s+(\S+)/m.exec(conf)?.[1];
  if (user) {
    spawnSync("chown", ["-R", `${user}:`, root]);
    // The broker, as that user, must reach its files through the scratch folders.
    for (let dir = root; dir !== path.dirname(lab.dir); dir = path.dirname(dir)) {
      fs.chmodSync(dir, 0o755);
    }
  }
  const daemon = lab.daemons.start(
    `${rendered.stack}-${instance}`,
    lab.network.netnsOf(rendered.stack, instance),
    "mosquitto",
    ["-c", local],
  );
  return { daemon, rewritten: relocated.rewritten };
}

/**
 * An Incus proxy device of a rendered profile (./proxyDevice.mjs): listens on `listen`
 * (`address:port`) in the host's namespace and relays to `connect`, as forkproxy does.
 */
export function startProxyDevice(lab: Lab, stack: string, listen: string, connect: string): Daemon {
  return lab.daemons.start(
    `${stack}-proxy-${listen.replace(/[^\w.-]/g, "_")}`,
    lab.network.netnsOf(stack),
    "node",
    [path.join(labScripts, "proxyDevice.mjs"), JSON.stringify({ listen, connect })],
  );
}
