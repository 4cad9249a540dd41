/**
 * Engine end to end with `networkBackend: ovn` on a live OVN (scripts/incus-ovn.sh: Open
 * vSwitch userspace datapath, OVN central and an incusd of its own, never the shared test
 * daemon): cluster01 and iapetus through the Pulumi CLI and the repository's plugin.
 *
 * `up` must create the OVN networks on the uplink, OVN central (cluster01) with its proxy
 * devices, the server's northbound setting and the load balancers; from the uplink side
 * (this host) the Mosquitto VIP (1883, 8883) and the CoreDNS VIP (53 udp and tcp) must
 * reach listeners started inside the backend containers (the busybox test image runs no
 * real services); a second `up` changes nothing; `destroy` leaves nothing and unsets the
 * server key it set.
 */
import * as crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Stack } from "@pulumi/pulumi/automation";
import { e2eSpec, e2eStackConfig, type E2eStackSpec } from "../../automation/e2e/config";
import * as host from "../../automation/e2e/host";
import { changedOps } from "../../automation/e2e/summary";
import {
  assertProviderBuilt,
  endE2eRun,
  openE2eStack,
  startE2eRun,
  type E2eRun,
} from "../../automation/e2e/workspace";
import {
  ovnEnv,
  ovnIncus,
  ovnIncusOk,
  ovnNorthbound,
  ovnUplink,
  prepareBackend,
  startOvn,
  stopOvn,
  stopUdpListeners,
  tcpAsk,
  tcpListener,
  udpAsk,
  udpListener,
  eventually,
} from "../helpers/ovn";
import { e2ePreflight } from "./preflight";

// Everything in this file (the incus CLI of automation/e2e/host, the engine and its plugin)
// talks to the OVN incusd. Test files run in processes of their own.
process.env.INCUS_DIR = ovnEnv.INCUS_DIR;
process.env.INCUS_SOCKET = ovnEnv.INCUS_SOCKET;

const slow = 900_000;
const pool = "default";
const northboundKey = "network.ovn.northbound_connection";
/** The host's address on the uplink: OVN central's proxy devices listen there. */
const uplinkHost = "10.240.0.1";
/** The cluster's default bridge, where OVN central runs (outside the OVN networks). */
const defaultBridge = "incusbr0";
const vips = { mosquitto: "10.240.0.140", clusterDns: "10.240.0.141", iapetusDns: "10.240.0.145" };

interface OvnStack {
  spec: E2eStackSpec;
  stack: Stack;
}

interface LiveLb {
  listen_address: string;
  backends: { name: string; target_address: string }[];
  ports: { protocol: string; listen_port: string }[];
}

function lbsOf(network: string): LiveLb[] {
  return JSON.parse(
    ovnIncus(["query", `/1.0/networks/${network}/load-balancers?recursion=1`]),
  ) as LiveLb[];
}

function ovnNetworks(prefix: string): string[] {
  return host
    .networks(prefix)
    .filter((n) => n.managed)
    .map((n) => n.name)
    .sort();
}

const timings: string[] = [];
async function timed<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const t0 = Date.now();
  try {
    return await fn();
  } finally {
    timings.push(`${label}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
}

describe("engine e2e on a live OVN: cluster01 and iapetus with networkBackend ovn", () => {
  const runId = crypto.randomBytes(2).toString("hex");
  let run: E2eRun;
  let cluster01: OvnStack;
  let iapetus: OvnStack;
  let bridgeMadeHere = false;

  beforeAll(async () => {
    timings.push(`harness up: ${startOvn().toFixed(1)} s`);
    await e2ePreflight();
    assertProviderBuilt();
    if (!ovnIncusOk(["network", "show", defaultBridge])) {
      ovnIncus([
        "network",
        "create",
        defaultBridge,
        "ipv4.address=10.242.0.1/24",
        "ipv4.nat=false",
        "ipv6.address=none",
      ]);
      bridgeMadeHere = true;
    }
    // The stack sets the northbound connection itself (and must unset it on destroy).
    ovnIncus(["config", "unset", northboundKey]);
    run = startE2eRun({ INCUS_SOCKET: String(ovnEnv.INCUS_SOCKET) });
    const server = host.serverName();
    const ovn = {
      uplinkNetwork: ovnUplink,
      northboundConnection: ovnNorthbound,
      centralListenAddress: uplinkHost,
    };
    const clusterSpec = e2eSpec("cluster01", runId, server, {
      ipv4Prefix: "10.241",
      subnetBase: 20,
      ovn: { ...ovn, mosquittoLbAddress: vips.mosquitto, corednsLbAddress: vips.clusterDns },
    });
    const iapetusSpec = e2eSpec("iapetus", runId, server, {
      ipv4Prefix: "10.241",
      subnetBase: 30,
      // One daemon plays both stacks' servers: iapetus leaves the northbound key to the
      // operator (skipOvnConfig), which is the other branch of the program anyway.
      ovn: { ...ovn, skipOvnConfig: true, corednsLbAddress: vips.iapetusDns },
    });
    for (const spec of [clusterSpec, iapetusSpec]) host.createProject(spec.incusProject);
    cluster01 = {
      spec: clusterSpec,
      stack: await openE2eStack(run, {
        stackName: clusterSpec.stackName,
        config: e2eStackConfig(clusterSpec),
      }),
    };
    iapetus = {
      spec: iapetusSpec,
      stack: await openE2eStack(run, {
        stackName: iapetusSpec.stackName,
        config: e2eStackConfig(iapetusSpec),
      }),
    };
  }, slow);

  afterAll(async () => {
    stopUdpListeners();
    for (const s of [cluster01, iapetus]) {
      if (!s) continue;
      await s.stack.destroy().catch(() => undefined);
      host.forceDeleteProject(s.spec.incusProject, pool);
      host.forceDeleteNetworks(s.spec.networks.production.slice(0, -1));
    }
    if (bridgeMadeHere) ovnIncusOk(["network", "delete", defaultBridge]);
    ovnIncusOk(["config", "set", northboundKey, ovnNorthbound]);
    if (run) endE2eRun(run);
    stopOvn();
    console.log(`OVN e2e timings:\n  ${timings.join("\n  ")}`);
  }, slow);

  const prefixOf = (s: OvnStack): string => s.spec.networks.production.slice(0, -1);

  it(
    "cluster01: up creates OVN central, the northbound setting, the OVN networks and both VIPs",
    async () => {
      const up = await timed("cluster01 up", () => cluster01.stack.up());
      expect(up.summary.result).toBe("succeeded");
      const { production, management } = cluster01.spec.networks;
      expect(ovnNetworks(prefixOf(cluster01))).toEqual([management, production].sort());
      for (const n of [production, management]) {
        expect(ovnIncus(["network", "get", n, "network"]).trim()).toBe(ovnUplink);
      }
      expect(JSON.parse(ovnIncus(["query", `/1.0/networks/${production}`])).type).toBe("ovn");
      expect(host.serverConfig()[northboundKey]).toBe(ovnNorthbound);

      const project = cluster01.spec.incusProject;
      const central = JSON.parse(
        ovnIncus(["query", `/1.0/instances/ovn-central01?project=${project}&recursion=1`]),
      ) as { status: string; expanded_devices: Record<string, Record<string, string>> };
      expect(central.status).toBe("Running");
      const listens = Object.values(central.expanded_devices)
        .filter((d) => d.type === "proxy")
        .map((d) => d.listen)
        .sort();
      expect(listens).toEqual([`tcp:${uplinkHost}:6641`, `tcp:${uplinkHost}:6642`]);

      const lbs = lbsOf(production);
      const byVip = Object.fromEntries(lbs.map((lb) => [lb.listen_address, lb]));
      expect(Object.keys(byVip).sort()).toEqual([vips.mosquitto, vips.clusterDns].sort());
      expect(
        byVip[vips.mosquitto].ports.map((p) => `${p.listen_port}/${p.protocol}`).sort(),
      ).toEqual(["1883/tcp", "8883/tcp"]);
      expect(
        byVip[vips.clusterDns].ports.map((p) => `${p.listen_port}/${p.protocol}`).sort(),
        // 9153: CoreDNS' metrics, for Prometheus on the management network (another OVN network).
      ).toEqual(["53/tcp", "53/udp", "9153/tcp"]);
    },
    slow,
  );

  it(
    "cluster01: from the uplink side, the Mosquitto and CoreDNS VIPs reach listeners inside the backends",
    async () => {
      const project = cluster01.spec.incusProject;
      const lbs = lbsOf(cluster01.spec.networks.production);
      for (const [instance, vip] of [
        ["mosquitto01", vips.mosquitto],
        ["coredns01", vips.clusterDns],
      ] as const) {
        // The load balancer targets the address OVN leases to the backend.
        const target = lbs.find((lb) => lb.listen_address === vip)?.backends[0]?.target_address;
        expect(prepareBackend(instance, project)).toBe(target);
      }
      tcpListener("mosquitto01", 1883, "mqtt-from-mosquitto01", project);
      tcpListener("mosquitto01", 8883, "mqtts-from-mosquitto01", project);
      tcpListener("coredns01", 53, "dns-tcp-from-coredns01", project);
      udpListener("coredns01", 53, "dns-udp-from-coredns01", project);
      expect(await eventually(() => tcpAsk(vips.mosquitto, 1883))).toBe("mqtt-from-mosquitto01");
      expect(await eventually(() => tcpAsk(vips.mosquitto, 8883))).toBe("mqtts-from-mosquitto01");
      expect(await eventually(() => tcpAsk(vips.clusterDns, 53))).toBe("dns-tcp-from-coredns01");
      expect(await eventually(() => udpAsk(vips.clusterDns, 53))).toBe("dns-udp-from-coredns01");
    },
    slow,
  );

  it(
    "cluster01: a second up changes nothing",
    async () => {
      const again = await timed("cluster01 second up", () => cluster01.stack.up());
      expect(changedOps(again.summary.resourceChanges)).toEqual({});
    },
    slow,
  );

  it(
    "iapetus: up creates its OVN networks and the CoreDNS VIP, which reaches coredns01",
    async () => {
      const up = await timed("iapetus up", () => iapetus.stack.up());
      expect(up.summary.result).toBe("succeeded");
      const { production, management } = iapetus.spec.networks;
      expect(ovnNetworks(prefixOf(iapetus))).toEqual([management, production].sort());
      const lbs = lbsOf(production);
      expect(lbs.map((lb) => lb.listen_address)).toEqual([vips.iapetusDns]);
      const project = iapetus.spec.incusProject;
      expect(prepareBackend("coredns01", project)).toBe(lbs[0].backends[0].target_address);
      tcpListener("coredns01", 53, "dns-tcp-from-iapetus", project);
      udpListener("coredns01", 53, "dns-udp-from-iapetus", project);
      expect(await eventually(() => tcpAsk(vips.iapetusDns, 53))).toBe("dns-tcp-from-iapetus");
      expect(await eventually(() => udpAsk(vips.iapetusDns, 53))).toBe("dns-udp-from-iapetus");
      const again = await timed("iapetus second up", () => iapetus.stack.up());
      expect(changedOps(again.summary.resourceChanges)).toEqual({});
    },
    slow,
  );

  it(
    "destroy leaves nothing: no instance, OVN network or VIP, and the northbound key unset",
    async () => {
      for (const s of [iapetus, cluster01]) {
        await timed(`${s.spec.topology} destroy`, () => s.stack.destroy());
        expect(host.instances(s.spec.incusProject)).toEqual([]);
        expect(host.projectLeftovers(s.spec.incusProject, pool)).toEqual([]);
        expect(ovnNetworks(prefixOf(s))).toEqual([]);
      }
      expect(host.serverConfig()[northboundKey]).toBeUndefined();
      await expect(tcpAsk(vips.mosquitto, 1883, 2000)).rejects.toThrow();
    },
    slow,
  );
});
