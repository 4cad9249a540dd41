/**
 * The platform's architecture as a Mermaid flowchart, read from what the program registers
 * under mocks: which instances each stack runs on which network (and member), and who talks
 * to whom, found in the configuration files each instance is given (`loki01.incus:3100`,
 * `loki01.iapetus:3100`, an address a proxy device listens on) and in the Incus server's own
 * settings (its Loki logging target). The README's diagram is this output, so it cannot
 * drift from the code.
 */
import * as YAML from "yaml";
import type { RecordedResource } from "./mockedRun";

/** One stack's registered resources and the instances only its optional settings add. */
export interface StackRun {
  stack: string;
  resources: readonly RecordedResource[];
  optionalInstances: ReadonlySet<string>;
}

export interface DiagramNode {
  /** Mermaid id: `<stack>_<name>` with dashes replaced. */
  id: string;
  stack: string;
  name: string;
  network: string;
  /** Cluster member the instance is pinned to. */
  member?: string;
  optional: boolean;
}

export interface DiagramEdge {
  from: string;
  to: string;
  ports: number[];
}

export interface PlatformGraph {
  stacks: string[];
  nodes: DiagramNode[];
  edges: DiagramEdge[];
}

const lanId = "lan";
const daemonId = (stack: string): string => `${stack}_incus`;
const nodeId = (stack: string, name: string): string =>
  `${stack}_${name}`.replace(/[^A-Za-z0-9_]/g, "_");

/** A recorded input, with the secret wrapper the mocks keep removed. */
function unwrap(value: unknown): unknown {
  return typeof value === "object" && value !== null && "value" in value
    ? (value as { value: unknown }).value
    : value;
}

interface Device {
  name?: string;
  type?: string;
  properties?: Record<string, string>;
}

function devicesOf(resource: RecordedResource): Device[] {
  return (unwrap(resource.inputs.devices) as Device[] | undefined) ?? [];
}

/** Every text an instance is given: pushed files and the files cloud-init writes. */
function filesOf(instance: RecordedResource): string[] {
  const texts: string[] = [];
  const files = unwrap(instance.inputs.files) as { content?: unknown }[] | undefined;
  for (const file of files ?? []) {
    const content = unwrap(file.content);
    if (typeof content === "string") texts.push(content);
  }
  const config = unwrap(instance.inputs.config) as Record<string, unknown> | undefined;
  const userData = unwrap(config?.["cloud-init.user-data"]);
  if (typeof userData === "string") {
    const document = YAML.parse(userData) as { write_files?: { content?: string }[] } | null;
    for (const file of document?.write_files ?? []) {
      if (typeof file.content === "string") texts.push(file.content);
    }
  }
  return texts;
}

/** `host:port` references in a text (URLs included). */
function hostPorts(text: string): { host: string; port: number }[] {
  return [...text.matchAll(/(?<![A-Za-z0-9.-])([A-Za-z0-9][A-Za-z0-9.-]*):(\d{2,5})\b/g)].map(
    (m) => ({ host: m[1], port: Number(m[2]) }),
  );
}

/** What one stack offers to be reached at: instance names, proxy listeners, its gateway. */
interface StackIndex {
  stack: string;
  instances: Set<string>;
  /** `address:port` (and `*:port` for wildcard listeners) -> instance. */
  listeners: Map<string, string>;
  /** Ports open to the LAN (wildcard listeners) -> instance. */
  lanPorts: Map<number, string>;
  /** Gateway addresses of the stack's networks (the host itself). */
  gateways: Set<string>;
}

function indexStack(run: StackRun): StackIndex {
  const profiles = new Map<string, RecordedResource>();
  for (const r of run.resources) {
    if (r.type === "incus:index:Profile") profiles.set(String(r.inputs.name), r);
  }
  const index: StackIndex = {
    stack: run.stack,
    instances: new Set(),
    listeners: new Map(),
    lanPorts: new Map(),
    gateways: new Set(),
  };
  for (const r of run.resources) {
    if (r.type === "incus:index:Network") {
      const config = unwrap(r.inputs.config) as Record<string, string> | undefined;
      const gateway = config?.["ipv4.address"]?.split("/")[0];
      if (gateway) index.gateways.add(gateway);
    }
    if (r.type !== "incus:index:Instance") continue;
    const name = String(r.inputs.name);
    index.instances.add(name);
    const names = (unwrap(r.inputs.profiles) as string[] | undefined) ?? [];
    const devices = [...names.flatMap((p) => (profiles.has(p) ? devicesOf(profiles.get(p)!) : []))];
    devices.push(...devicesOf(r));
    for (const device of devices) {
      const listen = device.type === "proxy" ? device.properties?.listen : undefined;
      const m = listen ? /^(tcp|udp):(.+):(\d+)$/.exec(listen) : null;
      if (!m) continue;
      const port = Number(m[3]);
      index.listeners.set(`${m[2]}:${port}`, name);
      if (m[2] === "0.0.0.0") {
        index.listeners.set(`*:${port}`, name);
        index.lanPorts.set(port, name);
      }
    }
  }
  return index;
}

/** The node a `host:port` seen in `from`'s stack points at, or undefined. */
function resolve(
  reference: { host: string; port: number },
  own: StackIndex,
  all: ReadonlyMap<string, StackIndex>,
): string | undefined {
  const [first, second, ...rest] = reference.host.split(".");
  if (rest.length === 0 && second !== undefined) {
    if (second === "incus" && own.instances.has(first)) return nodeId(own.stack, first);
    const peer = all.get(second);
    if (peer?.instances.has(first)) return nodeId(peer.stack, first);
  }
  const listener =
    own.listeners.get(`${reference.host}:${reference.port}`) ??
    (["127.0.0.1", "localhost", ...own.gateways].includes(reference.host)
      ? own.listeners.get(`*:${reference.port}`)
      : undefined);
  if (listener) return nodeId(own.stack, listener);
  // The Incus API on the host, reached through a network's gateway (metrics scraping).
  if (own.gateways.has(reference.host) && reference.port === 8443) return daemonId(own.stack);
  return undefined;
}

/** The graph of both stacks: instances by stack and network, and every connection found. */
export function platformGraph(runs: readonly StackRun[]): PlatformGraph {
  const indexes = new Map(runs.map((run) => [run.stack, indexStack(run)]));
  const nodes: DiagramNode[] = [];
  const edges = new Map<string, DiagramEdge>();
  const connect = (from: string, to: string, port: number): void => {
    if (from === to) return;
    const key = `${from}->${to}`;
    const edge = edges.get(key) ?? { from, to, ports: [] };
    if (!edge.ports.includes(port)) edge.ports.push(port);
    edges.set(key, edge);
  };
  for (const run of runs) {
    const own = indexes.get(run.stack)!;
    const profiles = new Map<string, RecordedResource>();
    for (const r of run.resources) {
      if (r.type === "incus:index:Profile") profiles.set(String(r.inputs.name), r);
    }
    for (const r of run.resources) {
      if (r.type === "incus:index:Server") {
        const config = (unwrap(r.inputs.config) as Record<string, string> | undefined) ?? {};
        for (const value of Object.values(config)) {
          for (const reference of hostPorts(String(value))) {
            const to = resolve(reference, own, indexes);
            if (to) connect(daemonId(run.stack), to, reference.port);
          }
        }
      }
      if (r.type !== "incus:index:Instance") continue;
      const name = String(r.inputs.name);
      const id = nodeId(run.stack, name);
      const profileNames = (unwrap(r.inputs.profiles) as string[] | undefined) ?? [];
      const nic = profileNames
        .flatMap((p) => (profiles.has(p) ? devicesOf(profiles.get(p)!) : []))
        .concat(devicesOf(r))
        .find((d) => d.type === "nic");
      const member = unwrap(r.inputs.targetNode);
      nodes.push({
        id,
        stack: run.stack,
        name,
        network: nic?.properties?.network ?? "(host)",
        member: typeof member === "string" ? member : undefined,
        optional: run.optionalInstances.has(name),
      });
      for (const text of filesOf(r)) {
        for (const reference of hostPorts(text)) {
          const to = resolve(reference, own, indexes);
          if (to) connect(id, to, reference.port);
        }
      }
    }
    for (const [port, name] of own.lanPorts) connect(lanId, nodeId(run.stack, name), port);
  }
  return {
    stacks: runs.map((run) => run.stack),
    nodes,
    edges: [...edges.values()].map((e) => ({ ...e, ports: [...e.ports].sort((a, b) => a - b) })),
  };
}

/** The graph as a Mermaid flowchart: a box per stack, a box per network inside it. */
export function renderMermaid(graph: PlatformGraph, titles: Record<string, string>): string {
  const lines = ["```mermaid", "flowchart LR", `  ${lanId}([LAN and operators])`];
  const used = new Set(graph.edges.flatMap((e) => [e.from, e.to]));
  for (const stack of graph.stacks) {
    lines.push(`  subgraph ${stack}["${titles[stack] ?? stack}"]`);
    if (used.has(daemonId(stack))) lines.push(`    ${daemonId(stack)}[[Incus daemon]]`);
    const networks = [
      ...new Set(graph.nodes.filter((n) => n.stack === stack).map((n) => n.network)),
    ];
    for (const network of networks) {
      lines.push(`    subgraph ${stack}_${network}_net["${network} network"]`);
      for (const node of graph.nodes.filter((n) => n.stack === stack && n.network === network)) {
        const notes = [node.member ? `on ${node.member}` : "", node.optional ? "optional" : ""]
          .filter((n) => n !== "")
          .join(", ");
        lines.push(`      ${node.id}["${node.name}${notes ? `<br/>(${notes})` : ""}"]`);
      }
      lines.push("    end");
    }
    lines.push("  end");
  }
  for (const edge of graph.edges) {
    lines.push(`  ${edge.from} -->|${edge.ports.join(", ")}| ${edge.to}`);
  }
  lines.push("```");
  return lines.join("\n");
}
