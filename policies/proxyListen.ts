/**
 * Incus proxy device `listen` values: `<tcp|udp>:<address>:<ports>` (ports: `53`,
 * `1883,8883`, `8000-8010`; IPv6 addresses in brackets), or `unix:<path>`.
 */
export interface ProxyListen {
  protocol: string;
  address: string;
  ports: number[];
}

function expandPorts(text: string): number[] | undefined {
  const ports: number[] = [];
  for (const part of text.split(",")) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) return undefined;
    const first = Number(m[1]);
    const last = m[2] === undefined ? first : Number(m[2]);
    if (first < 1 || last > 65535 || last < first) return undefined;
    for (let port = first; port <= last; port++) ports.push(port);
  }
  return ports;
}

/** The network listener of a proxy device, `unix` for a socket, or undefined if malformed. */
export function parseProxyListen(listen: string): ProxyListen | "unix" | undefined {
  if (listen.startsWith("unix:")) return "unix";
  const m = /^(tcp|udp):(\[[^\]]+\]|[^:]+):(.+)$/.exec(listen.trim());
  if (!m) return undefined;
  const ports = expandPorts(m[3]);
  return ports ? { protocol: m[1], address: m[2].replace(/^\[|\]$/g, ""), ports } : undefined;
}
