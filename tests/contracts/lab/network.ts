/**
 * The contract lab's network: Linux network namespaces that play the Incus hosts and
 * their containers, so the daemons run on the rendered host names and ports unchanged.
 *
 * - One namespace per stack host (`iapetus`, `cluster01`) holding its managed bridge with
 *   the gateway address (10.20.0.1/24, as both stacks' management network), plus extra
 *   loopback addresses the host answers for (e.g. the upstream resolvers 1.1.1.1).
 * - One namespace per instance, attached to its host's bridge by a veth pair, with an
 *   address on the bridge's subnet and the gateway as default route: each instance has its
 *   own `localhost`, so every daemon binds the port the rendered files name.
 * - Names: `ip netns exec` bind-mounts `/etc/netns/<namespace>/hosts` over `/etc/hosts`
 *   for the process it starts, so `<instance>.incus` resolves per host exactly as Incus'
 *   DNS resolves it on one bridge (and only there), without editing the real /etc/hosts.
 * - Hosts can be joined by a "LAN" veth pair; a host can NAT its bridge onto the LAN
 *   (what Incus does with `ipv4.nat`) and expose an instance port on its LAN address (what
 *   an Incus proxy device does), both with nftables inside the host's namespace.
 *
 * Namespace names carry the test process' PID, so parallel runs never collide and a
 * later run removes what a killed run left behind. Nothing is created outside the
 * namespaces except `/etc/netns/<namespace>/`, removed with them.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const prefix = "atlc";
const netnsEtc = "/etc/netns";

/** Result of a command run inside a namespace (lab/processes.ts `execIn`). */
export interface ExecResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command; throws with its output when it fails (for set-up steps). */
export function run(command: string, args: string[], input?: string): string {
  const result = spawnSync(command, args, { encoding: "utf8", input, timeout: 30_000 });
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(" ")} failed (${result.status ?? result.error?.message}): ${result.stderr}`,
    );
  }
  return result.stdout;
}

/** One instance namespace on a host's bridge. */
export interface LabInstance {
  stack: string;
  name: string;
  /** The network namespace's name (for `ip netns exec`). */
  netns: string;
  /** Its address on the bridge. */
  address: string;
}

/** One stack host namespace. */
export interface LabHost {
  stack: string;
  netns: string;
  /** The bridge's gateway address (no prefix length). */
  gateway: string;
  instances: Map<string, LabInstance>;
  /** Extra names → addresses in this host's /etc/hosts (e.g. receivers). */
  extraNames: Map<string, string>;
  /** Address on the LAN, once joined. */
  lanAddress?: string;
}

/** Namespaces of runs whose process is gone: removed before a new lab starts. */
function removeStaleNamespaces(): void {
  const listed = spawnSync("ip", ["netns", "list"], { encoding: "utf8" }).stdout ?? "";
  for (const line of listed.split("\n")) {
    const name = line.split(" ")[0];
    const match = /^atlc(\d+)-/.exec(name);
    if (!match) continue;
    const pid = Number(match[1]);
    let alive = true;
    try {
      process.kill(pid, 0);
    } catch {
      alive = false;
    }
    if (!alive) deleteNamespace(name);
  }
}

/** Kills whatever still runs in a namespace, then deletes it and its /etc/netns folder. */
function deleteNamespace(netns: string): void {
  const pids = (spawnSync("ip", ["netns", "pids", netns], { encoding: "utf8" }).stdout ?? "")
    .split("\n")
    .filter((p) => p.trim() !== "");
  for (const pid of pids) {
    try {
      process.kill(Number(pid), "SIGKILL");
    } catch {
      // already gone
    }
  }
  spawnSync("ip", ["netns", "del", netns]);
  fs.rmSync(path.join(netnsEtc, netns), { recursive: true, force: true });
}

/** The lab's namespaces; `destroy()` removes all of them (call it in `afterAll`). */
export class LabNetwork {
  readonly hosts = new Map<string, LabHost>();
  private readonly namespaces: string[] = [];
  private nextAddress = new Map<string, number>();

  constructor(private readonly runId: string = `${prefix}${process.pid}`) {
    removeStaleNamespaces();
  }

  private addNamespace(suffix: string): string {
    const netns = `${this.runId}-${suffix}`;
    run("ip", ["netns", "add", netns]);
    this.namespaces.push(netns);
    run("ip", ["-n", netns, "link", "set", "lo", "up"]);
    return netns;
  }

  /** A stack host with its bridge `br0` at `gateway` (CIDR, e.g. 10.20.0.1/24). */
  addHost(stack: string, gatewayCidr: string, loopbackAddresses: string[] = []): LabHost {
    const netns = this.addNamespace(stack);
    run("ip", ["-n", netns, "link", "add", "br0", "type", "bridge"]);
    run("ip", ["-n", netns, "addr", "add", gatewayCidr, "dev", "br0"]);
    run("ip", ["-n", netns, "link", "set", "br0", "up"]);
    for (const address of loopbackAddresses) {
      run("ip", ["-n", netns, "addr", "add", `${address}/32`, "dev", "lo"]);
    }
    const host: LabHost = {
      stack,
      netns,
      gateway: gatewayCidr.split("/")[0],
      instances: new Map(),
      extraNames: new Map(),
    };
    this.hosts.set(stack, host);
    this.nextAddress.set(stack, 10);
    this.writeHosts(host);
    return host;
  }

  private host(stack: string): LabHost {
    const host = this.hosts.get(stack);
    if (!host) throw new Error(`lab: no host for stack ${stack}`);
    return host;
  }

  /** An instance namespace on the stack's bridge, with the next free address. */
  addInstance(stack: string, name: string): LabInstance {
    const host = this.host(stack);
    const index = this.nextAddress.get(stack) ?? 10;
    this.nextAddress.set(stack, index + 1);
    const [a, b, c] = host.gateway.split(".");
    const address = `${a}.${b}.${c}.${index}`;
    const netns = this.addNamespace(`${stack}-${name}`);
    const hostSide = `v${index}`;
    run("ip", [
      "-n",
      host.netns,
      "link",
      "add",
      hostSide,
      "type",
      "veth",
      "peer",
      "name",
      "eth0",
      "netns",
      netns,
    ]);
    run("ip", ["-n", host.netns, "link", "set", hostSide, "master", "br0", "up"]);
    run("ip", ["-n", netns, "addr", "add", `${address}/24`, "dev", "eth0"]);
    run("ip", ["-n", netns, "link", "set", "eth0", "up"]);
    run("ip", ["-n", netns, "route", "add", "default", "via", host.gateway]);
    const instance: LabInstance = { stack, name, netns, address };
    host.instances.set(name, instance);
    this.writeHosts(host);
    return instance;
  }

  /** A name every namespace of the stack resolves to `address` (e.g. a receiver). */
  addName(stack: string, name: string, address: string): void {
    const host = this.host(stack);
    host.extraNames.set(name, address);
    this.writeHosts(host);
  }

  /** Joins two hosts by a LAN veth pair: `a` gets .1, `b` .2 of `subnet` (x.y.z.0/24). */
  joinLan(a: string, b: string, subnet = "192.168.100"): void {
    const [left, right] = [this.host(a), this.host(b)];
    run("ip", [
      "-n",
      left.netns,
      "link",
      "add",
      "lan0",
      "type",
      "veth",
      "peer",
      "name",
      "lan0",
      "netns",
      right.netns,
    ]);
    left.lanAddress = `${subnet}.1`;
    right.lanAddress = `${subnet}.2`;
    for (const host of [left, right]) {
      run("ip", ["-n", host.netns, "addr", "add", `${host.lanAddress}/24`, "dev", "lan0"]);
      run("ip", ["-n", host.netns, "link", "set", "lan0", "up"]);
      run("ip", ["netns", "exec", host.netns, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1"]);
    }
  }

  /**
   * NAT for the host's bridge onto the LAN (Incus' `ipv4.nat`), and `exposed` instance
   * ports on the host's LAN address (Incus proxy devices), with nftables in the host.
   */
  natAndExpose(stack: string, exposed: { instance: string; port: number }[] = []): void {
    const host = this.host(stack);
    const dnat = exposed.map(({ instance, port }) => {
      const target = host.instances.get(instance);
      if (!target) throw new Error(`lab: ${stack} has no instance ${instance} to expose`);
      return `    iifname "lan0" tcp dport ${port} dnat to ${target.address}:${port}`;
    });
    const ruleset = [
      "table ip atlas_lab {",
      "  chain prerouting {",
      "    type nat hook prerouting priority dstnat;",
      ...dnat,
      "  }",
      "  chain postrouting {",
      "    type nat hook postrouting priority srcnat;",
      '    oifname "lan0" masquerade',
      "  }",
      "}",
      "",
    ].join("\n");
    run("ip", ["netns", "exec", host.netns, "nft", "-f", "-"], ruleset);
  }

  /** `/etc/netns/<ns>/hosts` for the host and each of its instances. */
  private writeHosts(host: LabHost): void {
    const lines = ["127.0.0.1 localhost", "::1 localhost ip6-localhost"];
    for (const instance of host.instances.values()) {
      lines.push(`${instance.address} ${instance.name}.incus ${instance.name}`);
    }
    for (const [name, address] of host.extraNames) lines.push(`${address} ${name}`);
    const text = `${lines.join("\n")}\n`;
    for (const netns of [host.netns, ...[...host.instances.values()].map((i) => i.netns)]) {
      fs.mkdirSync(path.join(netnsEtc, netns), { recursive: true });
      fs.writeFileSync(path.join(netnsEtc, netns, "hosts"), text);
    }
  }

  /** The namespace of `instance` of `stack`, or the host's own with instance undefined. */
  netnsOf(stack: string, instance?: string): string {
    const host = this.host(stack);
    if (instance === undefined) return host.netns;
    const found = host.instances.get(instance);
    if (!found) throw new Error(`lab: ${stack} has no instance ${instance}`);
    return found.netns;
  }

  /** Deletes every namespace of the lab (killing what still runs in them). */
  destroy(): void {
    for (const netns of this.namespaces.reverse()) deleteNamespace(netns);
    this.namespaces.length = 0;
    this.hosts.clear();
  }
}
