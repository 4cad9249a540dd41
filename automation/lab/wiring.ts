/**
 * The wiring checks of the lab suite: a listener at a service's port inside its container,
 * a connection from inside the consumer's container (or from the LAN) to an address the
 * deployed configuration names, and the addresses that configuration names. Listeners
 * answer with a token naming the service, so a connection that reaches the wrong service
 * does not count.
 */
import type { ChildProcess } from "node:child_process";
import { spawnUdpResponder } from "../shared/udpResponder";
import { labExec, labQuery, onHost, onLan, type labAddresses } from "./lab";

/**
 * busybox's DHCP client script: the address, the default route and the resolver the
 * bridge hands out (the test image runs no DHCP client at boot, and `.incus` names only
 * resolve once each instance holds a lease the bridge's dnsmasq knows).
 */
const udhcpcScript = [
  "#!/bin/sh",
  'case "$1" in',
  '  deconfig) ip addr flush dev "$interface"; ip link set "$interface" up ;;',
  "  bound|renew)",
  '    ip addr flush dev "$interface"',
  '    ip addr add "$ip/$mask" dev "$interface"',
  '    for r in $router; do ip route add default via "$r" dev "$interface"; break; done',
  "    : > /etc/resolv.conf",
  '    [ -n "$domain" ] && echo "search $domain" >> /etc/resolv.conf',
  '    for d in $dns; do echo "nameserver $d" >> /etc/resolv.conf; done ;;',
  "esac",
].join("\n");

/** A lab container: its remote, project and name. */
export interface LabInstance {
  remote: string;
  project: string;
  name: string;
}

const sh = (i: LabInstance, script: string): string =>
  labExec(i.remote, i.project, i.name, ["sh", "-c", script]);

/** Gives the container a DHCP lease from its bridge; returns the leased IPv4 address. */
export function leaseAddress(i: LabInstance): string {
  const out = sh(
    i,
    [
      "ip link set lo up",
      `cat > /tmp/udhcpc.sh <<'EOF'\n${udhcpcScript}\nEOF`,
      "chmod 0755 /tmp/udhcpc.sh",
      "udhcpc -i eth0 -s /tmp/udhcpc.sh -q -n -t 10 -T 1 >/dev/null 2>&1",
      "ip -4 -o addr show eth0",
    ].join("\n"),
  );
  const m = /inet (\d+\.\d+\.\d+\.\d+)\//.exec(out);
  if (!m) throw new Error(`${i.name} on ${i.remote} got no DHCP lease from its bridge: ${out}`);
  return m[1];
}

/** The token a listener answers with: which service, on which port. */
export const wiringToken = (service: string, port: number, protocol: string): string =>
  `atlas-wiring:${service}:${port}/${protocol}`;

/**
 * A TCP listener inside the container (busybox nc, persistent) that answers every
 * connection with `token`; setsid, as `incus exec` ends its session's background jobs.
 */
export function tcpListener(i: LabInstance, port: number, token: string): void {
  sh(i, `setsid nc -ll -p ${port} -e echo ${token} >/dev/null 2>&1 </dev/null &`);
}

const udpResponders: ChildProcess[] = [];

/** A UDP responder in the container's network namespace (see spawnUdpResponder). */
export function udpResponder(i: LabInstance, port: number, token: string): void {
  const { pid } = labQuery<{ pid: number }>(
    i.remote,
    `/1.0/instances/${i.name}/state?project=${i.project}`,
  );
  udpResponders.push(spawnUdpResponder(pid, port, token));
}

/** Stops the UDP responders this process started (by their own handles). */
export function stopUdpResponders(): void {
  for (const child of udpResponders.splice(0)) child.kill();
}

/**
 * What `host:port` answers from inside the container ("" when nothing did). The client
 * keeps its side open for a moment: a proxy device (forkproxy) ends both directions when
 * the client ends its own, and an immediate end raced the service's answer.
 */
export function askFromInstance(i: LabInstance, host: string, port: number): string {
  try {
    return sh(i, `sleep 1 | nc -w 3 ${host} ${port}`).trim();
  } catch (error) {
    return `(${firstLine(error)})`;
  }
}

/** What `host:port` answers on the LAN, from the operator's machine ("" when nothing did). */
export function askFromLan(host: string, port: number, protocol: "tcp" | "udp"): string {
  return askWith(onLan, host, port, protocol);
}

/** What `host:port` answers from a lab host's own namespace, where its incusd runs. */
export function askFromHost(
  labHost: keyof typeof labAddresses,
  host: string,
  port: number,
  protocol: "tcp" | "udp",
): string {
  return askWith((cmd) => onHost(labHost, cmd), host, port, protocol);
}

/** The host's python3 as the client, run where `run` runs commands (no busybox there). */
function askWith(
  run: (cmd: string[]) => string,
  host: string,
  port: number,
  protocol: "tcp" | "udp",
): string {
  const code =
    protocol === "tcp"
      ? [
          "import socket, sys",
          `s = socket.create_connection((${JSON.stringify(host)}, ${port}), timeout=3)`,
          "data = b''",
          "while True:",
          "    chunk = s.recv(1024)",
          "    if not chunk: break",
          "    data += chunk",
          "sys.stdout.write(data.decode())",
        ]
      : [
          "import socket, sys",
          "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)",
          "s.settimeout(3)",
          `s.sendto(b"ping", (${JSON.stringify(host)}, ${port}))`,
          "sys.stdout.write(s.recvfrom(2048)[0].decode())",
        ];
  try {
    return run(["python3", "-c", code.join("\n")]).trim();
  } catch (error) {
    return `(${firstLine(error)})`;
  }
}

function firstLine(error: unknown): string {
  const stderr = (error as { stderr?: string }).stderr ?? "";
  const lines = `${stderr}\n${String(error)}`.split("\n").filter((l) => l.trim() !== "");
  return lines.slice(-1)[0]?.trim() ?? "no answer";
}

/**
 * Where Atlas puts a service's files in its container (configuration pushed at every up,
 * the reload scripts, the applied-files record); the image itself has none of these but
 * /etc's passwd, group and inittab, which name no address.
 */
const atlasFileRoots = ["/etc", "/usr/local/sbin", "/usr/local/bin", "/opt", "/var/lib/atlas"];

/**
 * Everything the deployed instance was configured with: the files in its container and
 * its cloud-init user-data (what is installed once, e.g. Mosquitto's certificate helper).
 */
export function deployedConfiguration(i: LabInstance): string {
  const files = sh(
    i,
    `find ${atlasFileRoots.join(" ")} -type f ! -name resolv.conf 2>/dev/null | xargs cat 2>/dev/null; true`,
  );
  const live = labQuery<{ config: Record<string, string> }>(
    i.remote,
    `/1.0/instances/${i.name}?project=${i.project}`,
  );
  return `${files}\n${live.config["cloud-init.user-data"] ?? ""}`;
}

/** Every `host:port` a text names on `port`, in order of first appearance. */
export function addressesOn(text: string, port: number): string[] {
  const found = new Set<string>();
  for (const m of text.matchAll(/([A-Za-z0-9][A-Za-z0-9.-]*|\[[0-9A-Fa-f:]+\]):(\d{1,5})\b/g)) {
    if (Number(m[2]) === port) found.add(`${m[1]}:${m[2]}`);
  }
  return [...found];
}

/** Every string in a stack's outputs (endpoints and URLs the LAN is told). */
export function outputStrings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(outputStrings);
  if (value && typeof value === "object") return Object.values(value).flatMap(outputStrings);
  return [];
}
