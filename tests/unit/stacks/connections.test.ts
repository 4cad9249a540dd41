/**
 * Every connection of the platform (topologies/connections.ts) names, in the rendered
 * configuration of its consumer, an address that resolves and routes from where the
 * consumer runs, in each network mode: both stacks are rendered under mocks, each reading
 * the other's outputs through its stack reference, and for each connection the consumer's
 * instance (files and user-data), the Incus server settings or the service's proxy
 * devices / load balancer are searched for the exact host and port its route dictates.
 * The expected host is derived here from the route and the settings, not from the code
 * that wires it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import type { RecordedResource } from "../../../automation/shape/mockedRun";
import { unwrapSecrets } from "../../contracts/instanceFiles";
import { renderStack, type RenderedStack } from "../../contracts/renderedFiles";
import { routeFor, routeName, type NetworkMode } from "../../../topologies/connectionRoute";
import { connectionsMarkdown, readmeConnectionsSection } from "../../../topologies/connectionsDoc";
import {
  partyName,
  platformConnections,
  type Connection,
  type Host,
} from "../../../topologies/connections";

/** Each host's LAN address (documentation range), where its proxy devices listen. */
const lanAddress: Record<Host, string> = { iapetus: "192.0.2.10", cluster01: "192.0.2.20" };
/** cluster01's members as the cluster reports them (the first one is the stack's host). */
const memberAddress: Record<string, string> = {
  node01: lanAddress.cluster01,
  node02: "192.0.2.21",
  node03: "192.0.2.22",
};
const members = Object.keys(memberAddress);
const vips = { mosquittoLbAddress: "192.0.2.100", corednsLbAddress: "192.0.2.101" };
const fingerprint = "a".repeat(64);

function modeSettings(mode: NetworkMode): Record<string, unknown> {
  switch (mode) {
    case "bridge":
      return {};
    case "physical":
      return { "atlas:productionNetwork": { name: "eno1", type: "physical", parent: "eno1" } };
    case "ovn":
      return { "atlas:networkBackend": "ovn", "atlas:ovn": { uplinkNetwork: "eno1", ...vips } };
  }
}

/** Both stacks of one mode, iapetus first, then cluster01 reading it, then iapetus again. */
async function renderBoth(mode: NetworkMode): Promise<Record<Host, RenderedStack>> {
  const iapetusConfig = {
    ...modeSettings(mode),
    "atlas:proxyListenAddress": lanAddress.iapetus,
    "atlas:stepCa": { rootFingerprint: fingerprint },
    "atlas:cloudflaredTunnelToken": "eyJhIjoiYiJ9",
  };
  const first = await renderStack("iapetus", {
    config: iapetusConfig,
    secretKeys: ["atlas:cloudflaredTunnelToken"],
  });
  const cluster01 = await renderStack("cluster01", {
    config: {
      ...modeSettings(mode),
      "atlas:proxyListenAddress": lanAddress.cluster01,
      "atlas:mosquitto": { enableTls: true },
      "atlas:crossStack": { iapetusStack: "iapetus" },
    },
    stackOutputs: { iapetus: first.outputs },
    clusterMemberAddresses: memberAddress,
  });
  const iapetus = await renderStack("iapetus", {
    config: { ...iapetusConfig, "atlas:crossStack": { cluster01Stack: "cluster01" } },
    secretKeys: ["atlas:cloudflaredTunnelToken"],
    stackOutputs: { cluster01: cluster01.outputs },
  });
  return { iapetus, cluster01 };
}

/** The host a connection's consumer must name, from its route and the test's settings. */
function expectedHost(
  connection: Connection,
  mode: NetworkMode,
  stacks: Record<Host, RenderedStack>,
): string | undefined {
  const route = routeFor(connection, mode);
  const { service } = connection;
  switch (route.kind) {
    case "incusName":
      return `${service.name}.incus`;
    case "gatewayProxy": {
      const network = stacks[service.host].resources.find(
        (r) => r.type === "incus:index:Network" && r.name.includes(route.listenOn),
      );
      const cidr = JSON.stringify(unwrapSecrets(network?.inputs.config)).match(
        /"ipv4\.address":"([\d.]+)\//,
      );
      return cidr?.[1];
    }
    case "hostProxy":
      return lanAddress[service.host];
    case "memberProxy":
      return memberAddress[members[service.member ?? 0]];
    case "loadBalancer":
      return service.name.startsWith("mosquitto")
        ? vips.mosquittoLbAddress
        : service.name.startsWith("coredns")
          ? vips.corednsLbAddress
          : undefined;
    case "instanceAddress":
      return undefined; // the LAN's own DHCP/static address: nothing Atlas renders
  }
}

function text(resource: RecordedResource): string {
  return JSON.stringify(unwrapSecrets(resource.inputs));
}

function byName(stack: RenderedStack, type: string, name: string): RecordedResource | undefined {
  return stack.resources.find((r) => r.type === type && r.inputs.name === name);
}

/** A service's profile: its own (`node-exporter02`) or its kind's (`coredns` for coredns01). */
function profileOf(stack: RenderedStack, service: string): RecordedResource | undefined {
  return (
    byName(stack, "incus:index:Profile", service) ??
    byName(stack, "incus:index:Profile", service.replace(/0\d$/, ""))
  );
}

/** Why a connection is not wired as its route says, or undefined when it is. */
function wiringProblem(
  connection: Connection,
  mode: NetworkMode,
  stacks: Record<Host, RenderedStack>,
): string | undefined {
  const route = routeFor(connection, mode);
  const host = expectedHost(connection, mode, stacks);
  const { consumer, service, port, protocol } = connection;
  const where = `${partyName(consumer)} -> ${partyName(service)}:${port}/${protocol} (${mode}, ${routeName(route)})`;
  const serviceStack = stacks[service.host];
  if (host === undefined) {
    if (route.kind === "instanceAddress") {
      const profile = profileOf(serviceStack, service.name);
      return profile && text(profile).includes(`:${port}"`)
        ? `${where}: a proxy device still forwards the port in physical mode`
        : undefined;
    }
    return `${where}: the settings give no address for this route`;
  }
  const address = `${host}:${port}`;
  // The device that makes the address answer, on the service's side.
  if (route.kind === "gatewayProxy" || route.kind === "hostProxy" || route.kind === "memberProxy") {
    const profile = profileOf(serviceStack, service.name);
    if (!profile || !text(profile).includes(`"listen":"${protocol}:${address}"`)) {
      return `${where}: ${service.name}'s profile has no proxy device listening on ${protocol}:${address}`;
    }
  }
  if (route.kind === "loadBalancer") {
    const lb = serviceStack.resources.find(
      (r) => r.type === "incus:index:NetworkLb" && r.inputs.listenAddress === host,
    );
    if (!lb || !text(lb).includes(`"listenPort":"${port}"`)) {
      return `${where}: no load balancer serves ${address}`;
    }
  }
  // The consumer's side: its configuration names exactly that host and port; the LAN is
  // told the service stack's `*_lan_endpoint` outputs.
  if (consumer.kind === "lan") {
    const told = Object.entries(serviceStack.outputs)
      .filter(([key]) => key.endsWith("_lan_endpoint"))
      .map(([, value]) => String(value));
    return told.some((endpoint) => endpoint.includes(address))
      ? undefined
      : `${where}: no *_lan_endpoint output names ${address} (${told.join(", ")})`;
  }
  if (connection.addressSetIn) return undefined;
  if (consumer.kind === "incusDaemon") {
    const server = stacks[consumer.host].resources.find((r) => r.type === "incus:index:Server");
    return server && text(server).includes(`http://${address}`)
      ? undefined
      : `${where}: the Incus server's logging settings do not name ${address}`;
  }
  const instance = byName(stacks[consumer.host], "incus:index:Instance", consumer.name);
  if (!instance) return `${where}: ${consumer.host} renders no ${consumer.name}`;
  return text(instance).includes(address)
    ? undefined
    : `${where}: ${consumer.name}'s configuration does not name ${address}`;
}

const modes: NetworkMode[] = ["bridge", "physical", "ovn"];

describe("routes of the platform's connections", () => {
  const find = (consumer: string, service: string, port: number): Connection => {
    const found = platformConnections().find(
      (c) =>
        partyName(c.consumer) === consumer && partyName(c.service) === service && c.port === port,
    );
    if (!found) throw new Error(`no connection ${consumer} -> ${service}:${port}`);
    return found;
  };

  it("same network on one host: the .incus name, in every mode", () => {
    const c = find("grafana01@iapetus", "prometheus01@iapetus", 9090);
    for (const mode of modes) expect(routeFor(c, mode)).toEqual({ kind: "incusName" });
  });

  it("another network on one host (Prometheus -> CoreDNS): the consumer's gateway, or the VIP", () => {
    const c = find("prometheus01@cluster01", "coredns01@cluster01", 9153);
    expect(routeFor(c, "bridge")).toEqual({ kind: "gatewayProxy", listenOn: "management" });
    expect(routeFor(c, "physical")).toEqual({ kind: "gatewayProxy", listenOn: "management" });
    expect(routeFor(c, "ovn")).toEqual({ kind: "loadBalancer" });
  });

  it("another host (Promtail -> Loki, federation): the host's LAN side, or the VIP", () => {
    for (const c of [
      find("promtail01@cluster01", "loki01@iapetus", 3100),
      find("prometheus01@iapetus", "prometheus01@cluster01", 9090),
    ]) {
      // The management network stays a NAT'd bridge in physical mode.
      expect(routeFor(c, "bridge")).toEqual({ kind: "hostProxy" });
      expect(routeFor(c, "physical")).toEqual({ kind: "hostProxy" });
      expect(routeFor(c, "ovn")).toEqual({ kind: "loadBalancer" });
    }
  });

  it("another member of the cluster (Prometheus -> node exporters): its member's address, or the overlay", () => {
    const local = find("prometheus01@cluster01", "node-exporter01@cluster01", 9100);
    for (const mode of modes) expect(routeFor(local, mode)).toEqual({ kind: "incusName" });
    for (const exporter of ["node-exporter02@cluster01", "node-exporter03@cluster01"]) {
      const c = find("prometheus01@cluster01", exporter, 9100);
      // Each member's bridge is its own; the management network is a bridge in physical mode.
      expect(routeFor(c, "bridge")).toEqual({ kind: "memberProxy" });
      expect(routeFor(c, "physical")).toEqual({ kind: "memberProxy" });
      // One OVN network spans the members: the same network, by name.
      expect(routeFor(c, "ovn")).toEqual({ kind: "incusName" });
    }
  });

  it("the LAN -> Mosquitto: proxy device, the instance's own address, the VIP", () => {
    const c = find("LAN", "mosquitto01@cluster01", 1883);
    expect(routeFor(c, "bridge")).toEqual({ kind: "hostProxy" });
    expect(routeFor(c, "physical")).toEqual({ kind: "instanceAddress" });
    expect(routeFor(c, "ovn")).toEqual({ kind: "loadBalancer" });
  });
});

/**
 * Connections whose route has no address in today's settings: with OVN, Loki, step-ca
 * and cluster01's Prometheus have no VIP setting (only Mosquitto and CoreDNS do), so
 * their peers keep `.incus` names and the stack warns.
 */
function ovnWithoutVip(connection: Connection, mode: NetworkMode): boolean {
  return (
    mode === "ovn" &&
    routeFor(connection, mode).kind === "loadBalancer" &&
    !/^(mosquitto|coredns)/.test(connection.service.name)
  );
}

describe.each(modes)(
  "%s mode: the rendered configuration names each connection's address",
  (mode) => {
    it("every modelled connection is wired as its route says", async () => {
      const stacks = await renderBoth(mode);
      const problems = platformConnections()
        .filter((c) => c.onlyWith !== "networkBackend: ovn" || mode === "ovn")
        .filter((c) => !ovnWithoutVip(c, mode))
        .map((c) => wiringProblem(c, mode, stacks))
        .filter((p): p is string => p !== undefined);
      expect(problems).toEqual([]);
    }, 120_000);
  },
);

describe("step-ca's certificate names the address its peers are given", () => {
  it.each(["bridge", "physical"] as const)(
    "%s mode",
    async (mode) => {
      const { iapetus } = await renderBoth(mode);
      const caUrl = new URL(String(iapetus.outputs.step_ca_url));
      const settings = iapetus.instances.get("step-ca01")?.get("/etc/step-ca/settings.json");
      const names = (JSON.parse(settings?.content ?? "{}") as { dnsNames?: string[] }).dnsNames;
      expect(caUrl.hostname).toBe(lanAddress.iapetus);
      expect(names).toContain(caUrl.hostname);
    },
    120_000,
  );
});

describe("README", () => {
  it("the connections diagram and table are the model's (regenerate from topologies/connectionsDoc.ts)", () => {
    const readme = fs.readFileSync(path.join(__dirname, "..", "..", "..", "README.md"), "utf8");
    expect(readmeConnectionsSection(readme)).toBe(connectionsMarkdown());
  });
});
