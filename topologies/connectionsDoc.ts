import { routeFor, type NetworkMode, type Route } from "./connectionRoute";
import { partyName, platformConnections, type Connection, type Party } from "./connections";

/**
 * The README's connections section, generated from the model (./connections.ts) so the
 * diagram and the address table cannot drift from what the topologies wire.
 */

export const connectionsStart =
  "<!-- connections:start (generated from topologies/connections.ts) -->";
export const connectionsEnd = "<!-- connections:end -->";

function nodeId(party: Party): string {
  return partyName(party).replace(/[^A-Za-z0-9]/g, "_");
}

function nodeLabel(party: Party): string {
  switch (party.kind) {
    case "instance":
      return party.name;
    case "incusDaemon":
      return "Incus daemon";
    case "lan":
      return "operators and devices";
  }
}

/** Where a party is drawn: `<host> <network>`, the host itself, or the LAN. */
function groupOf(party: Party): string {
  switch (party.kind) {
    case "instance":
      return `${party.host} ${party.network} network`;
    case "incusDaemon":
      return `${party.host} host`;
    case "lan":
      return "LAN";
  }
}

/** How the address is written in each mode's column (short, for a table cell). */
function address(connection: Connection, route: Route): string {
  const { service, port } = connection;
  switch (route.kind) {
    case "incusName":
      return `\`${service.name}.incus:${port}\``;
    case "gatewayProxy":
      return `${route.listenOn} gateway:${port} (proxy device)`;
    case "hostProxy":
      return `${service.host} LAN address:${port} (proxy device)`;
    case "memberProxy":
      return `its member's LAN address:${port} (proxy device)`;
    case "instanceAddress":
      return `${service.name}'s LAN address:${port}`;
    case "loadBalancer":
      // Only Mosquitto and CoreDNS have VIP settings (`ovn.<service>LbAddress`) so far.
      return /^(mosquitto|coredns)/.test(service.name)
        ? `VIP:${port}`
        : `VIP:${port} (no VIP setting yet: \`.incus\` kept, with a warning)`;
  }
}

const modes: NetworkMode[] = ["bridge", "physical", "ovn"];

/** A Mermaid flowchart of who talks to whom, grouped by host and network. */
export function connectionsMermaid(connections = platformConnections()): string {
  const parties = new Map<string, Party>();
  for (const c of connections) {
    parties.set(nodeId(c.consumer), c.consumer);
    parties.set(nodeId(c.service), c.service);
  }
  const groups = new Map<string, string[]>();
  for (const [id, party] of parties) {
    const group = groupOf(party);
    groups.set(group, [...(groups.get(group) ?? []), `    ${id}["${nodeLabel(party)}"]`]);
  }
  const lines = ["```mermaid", "flowchart LR"];
  [...groups.keys()].sort().forEach((group, i) => {
    lines.push(`  subgraph g${i}["${group}"]`, ...groups.get(group)!, "  end");
  });
  for (const c of connections) {
    // Solid: by `.incus` name; dotted: through an endpoint the platform exposes.
    const arrow = routeFor(c, "bridge").kind === "incusName" ? "-->" : "-.->";
    const label = `${c.port}/${c.protocol}${c.onlyWith ? "*" : ""}`;
    lines.push(`  ${nodeId(c.consumer)} ${arrow}|${label}| ${nodeId(c.service)}`);
  }
  lines.push("```");
  return lines.join("\n");
}

/** The table: each connection and the address its consumer uses in each mode. */
export function connectionsTable(connections = platformConnections()): string {
  const rows = connections.map((c) => {
    const cells = [
      `${partyName(c.consumer)} → ${partyName(c.service)}`,
      `${c.port}/${c.protocol}`,
      c.purpose + (c.onlyWith ? ` (with \`${c.onlyWith}\`)` : ""),
      ...modes.map((mode) =>
        c.onlyWith === "networkBackend: ovn" && mode !== "ovn"
          ? "—"
          : address(c, routeFor(c, mode)),
      ),
    ];
    return `| ${cells.join(" | ")} |`;
  });
  return [
    "| connection | port | what | bridge | physical | OVN |",
    "|---|---|---|---|---|---|",
    ...rows,
  ].join("\n");
}

/** The text between the README's connections markers. */
export function connectionsMarkdown(): string {
  return `${connectionsMermaid()}\n\n${connectionsTable()}`;
}

/** The README's generated connections text, or undefined without the markers. */
export function readmeConnectionsSection(readme: string): string | undefined {
  const start = readme.indexOf(connectionsStart);
  const end = readme.indexOf(connectionsEnd);
  return start >= 0 && end > start
    ? readme.slice(start + connectionsStart.length, end).trim()
    : undefined;
}
