/**
 * Helpers for the tests that need a live OVN: the incusd, Open vSwitch and OVN central that
 * scripts/incus-ovn.sh starts (a daemon of its own, never the shared test daemon), backend
 * containers on OVN networks, listeners inside them, and clients on the uplink side (this
 * host, on the uplink bridge).
 */
import { type ChildProcess, execFileSync } from "node:child_process";
import * as dgram from "node:dgram";
import * as net from "node:net";
import * as path from "node:path";
import { spawnUdpResponder } from "../../automation/shared/udpResponder";
import { IncusProvider } from "../../incus/provider/provider";

const repoRoot = path.resolve(__dirname, "..", "..");
const script = path.join(repoRoot, "scripts", "incus-ovn.sh");

/** Where the OVN incusd lives (scripts/incus-ovn.sh's defaults). */
export const ovnIncusDir = process.env.ATLAS_OVN_INCUS_DIR ?? "/var/lib/atlas-incus-ovn";
export const ovnSocket = path.join(ovnIncusDir, "unix.socket");
/** The uplink network: 10.240.0.0/24, VIPs 10.240.0.100-150, routes 10.241.0.0/16. */
export const ovnUplink = process.env.ATLAS_OVN_UPLINK ?? "atlasovn-up";
/** The northbound connection the harness gives the OVN incusd. */
export const ovnNorthbound = "tcp:127.0.0.1:6641";

/** Environment that points the incus CLI (INCUS_DIR) and the provider (INCUS_SOCKET) at it. */
export const ovnEnv: NodeJS.ProcessEnv = {
  ...process.env,
  INCUS_DIR: ovnIncusDir,
  INCUS_SOCKET: ovnSocket,
  INCUS_CONF: "/nonexistent-atlas-conf",
  INCUS_REMOTE: "",
  ATLAS_OVN_INCUS_DIR: ovnIncusDir,
  ATLAS_OVN_UPLINK: ovnUplink,
};

function harness(args: string[], extraEnv: NodeJS.ProcessEnv = {}): string {
  return execFileSync("bash", [script, ...args], {
    encoding: "utf8",
    env: { ...ovnEnv, ...extraEnv },
    stdio: ["ignore", "pipe", "pipe"],
    timeout: 300_000,
  });
}

let startedHere = false;

/**
 * Brings the OVN harness up unless it runs already (CI may start it once for all suites);
 * `stopOvn` then stops it only if this process started it. Returns the seconds it took.
 */
export function startOvn(extraEnv: NodeJS.ProcessEnv = {}): number {
  const t0 = Date.now();
  try {
    harness(["status"]);
  } catch {
    harness(["up"], extraEnv);
    startedHere = true;
  }
  return (Date.now() - t0) / 1000;
}

export function stopOvn(): void {
  if (startedHere) harness(["down"]);
  startedHere = false;
}

/** Starts or stops ovn-controller: the host's OVN chassis. */
export function ovnController(action: "start" | "stop"): void {
  harness(["controller", action]);
}

/** Runs the incus CLI against the OVN incusd; throws with stderr on failure. */
export function ovnIncus(args: string[], input?: string): string {
  return execFileSync("incus", args, {
    encoding: "utf8",
    input,
    env: ovnEnv,
    stdio: ["pipe", "pipe", "pipe"],
  });
}

export function ovnIncusOk(args: string[]): boolean {
  try {
    ovnIncus(args);
    return true;
  } catch {
    return false;
  }
}

/** The provider the engine would start for the OVN incusd (its unix socket). */
export function ovnProvider(): IncusProvider {
  return new IncusProvider({}, ovnEnv);
}

/** Rows of the northbound database's `table`, as `ovn-nbctl` prints them (names only). */
export function northboundNames(table: string): string[] {
  return execFileSync(
    "ovn-nbctl",
    [`--db=${ovnNorthbound}`, "--bare", "--columns=name", "list", table],
    { encoding: "utf8" },
  )
    .split("\n")
    .filter(Boolean);
}

/**
 * Prepares a running instance on an OVN network: checksum offload off on its eth0 (test
 * machines only, see scripts/incus-ovn.sh) and an OVN DHCP lease (busybox has no DHCP
 * client running at boot). Returns the leased IPv4 address.
 */
export function prepareBackend(instance: string, project = "default"): string {
  harness(["fix-offload", instance, project]);
  const script = [
    "cat > /tmp/udhcpc.sh <<'EOF'",
    "#!/bin/sh",
    'case "$1" in',
    '  deconfig) ip addr flush dev "$interface"; ip link set "$interface" up ;;',
    "  bound|renew)",
    '    ip addr flush dev "$interface"',
    '    ip addr add "$ip/$mask" dev "$interface"',
    '    for r in $router; do ip route add default via "$r" dev "$interface"; break; done ;;',
    "esac",
    "EOF",
    "chmod 0755 /tmp/udhcpc.sh",
    "udhcpc -i eth0 -s /tmp/udhcpc.sh -q -n -t 10 -T 1 >/dev/null 2>&1",
    "ip -4 -o addr show eth0",
  ].join("\n");
  const out = ovnIncus(["exec", "--project", project, instance, "--", "sh", "-c", script]);
  const m = /inet (\d+\.\d+\.\d+\.\d+)\//.exec(out);
  if (!m) throw new Error(`instance ${instance} got no OVN DHCP lease: ${out}`);
  return m[1];
}

/**
 * A TCP listener inside the instance (busybox nc) that answers every connection with `reply`;
 * setsid, because incus exec ends the session's background processes when it returns.
 */
export function tcpListener(instance: string, port: number, reply: string, project = "default") {
  ovnIncus([
    "exec",
    "--project",
    project,
    instance,
    "--",
    "sh",
    "-c",
    `setsid nc -ll -p ${port} -e echo ${reply} >/dev/null 2>&1 </dev/null &`,
  ]);
}

const udpResponders: ChildProcess[] = [];

/** A UDP responder in the instance's network namespace (see spawnUdpResponder). */
export function udpListener(instance: string, port: number, reply: string, project = "default") {
  const state = JSON.parse(
    ovnIncus(["query", `/1.0/instances/${instance}/state?project=${project}`]),
  ) as { pid: number };
  udpResponders.push(spawnUdpResponder(state.pid, port, reply));
}

/** Stops the UDP responders this process started (by their pids). */
export function stopUdpListeners(): void {
  for (const child of udpResponders.splice(0)) child.kill();
}

/** Connects from this host (the uplink side) and returns what the server sends, trimmed. */
export function tcpAsk(address: string, port: number, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = "";
    const socket = net.connect({ host: address, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`tcp ${address}:${port}: no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on("data", (chunk) => (data += chunk.toString()));
    socket.on("error", (e) => {
      clearTimeout(timer);
      reject(new Error(`tcp ${address}:${port}: ${e.message}`));
    });
    socket.on("close", () => {
      clearTimeout(timer);
      if (data) resolve(data.trim());
      else reject(new Error(`tcp ${address}:${port}: closed without an answer`));
    });
  });
}

/** Sends one datagram from this host and returns the first answer, trimmed. */
export function udpAsk(address: string, port: number, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket("udp4");
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error(`udp ${address}:${port}: no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on("message", (m) => {
      clearTimeout(timer);
      socket.close();
      resolve(m.toString().trim());
    });
    socket.send("atlas-test", port, address);
  });
}

/** Retries an answer for a while: OVN programs flows a moment after the API returns. */
export async function eventually<T>(ask: () => Promise<T>, tries = 20): Promise<T> {
  let last: unknown;
  for (let i = 0; i < tries; i++) {
    try {
      return await ask();
    } catch (e) {
      last = e;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  throw last;
}
