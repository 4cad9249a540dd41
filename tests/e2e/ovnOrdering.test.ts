/**
 * Ordering on a live OVN: what Incus accepts before the cluster's members are OVN chassis.
 * The reference configures each member as a chassis by hand between deploying OVN central
 * and the rest; here the host's ovn-controller (its chassis) is stopped and its integration
 * bridge removed, as on a member that was never configured, then cluster01 is deployed.
 *
 * What really happens (Incus 6.0): the northbound setting, the OVN networks and OVN central
 * are accepted without any chassis; the first instance on an OVN network fails to start
 * ("OVS integration bridge device "br-int" doesn't exist"), so the first `up` fails there,
 * before any load balancer. Once the chassis is configured, the next `up` completes.
 */
import * as crypto from "node:crypto";
import { execFileSync } from "node:child_process";
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
  ovnController,
  ovnEnv,
  ovnIncus,
  ovnIncusOk,
  ovnNorthbound,
  ovnUplink,
  startOvn,
  stopOvn,
} from "../helpers/ovn";
import { e2ePreflight } from "./preflight";

process.env.INCUS_DIR = ovnEnv.INCUS_DIR;
process.env.INCUS_SOCKET = ovnEnv.INCUS_SOCKET;

const slow = 900_000;
const pool = "default";
const northboundKey = "network.ovn.northbound_connection";
const defaultBridge = "incusbr0";

/** A member that was never made a chassis: no ovn-controller, no integration bridge. */
function removeChassis(): void {
  ovnController("stop");
  execFileSync("ovs-vsctl", ["--if-exists", "del-br", "br-int"]);
}

describe("engine e2e on a live OVN: cluster01 before its members are OVN chassis", () => {
  const runId = crypto.randomBytes(2).toString("hex");
  let run: E2eRun;
  let spec: E2eStackSpec;
  let stack: Stack;
  let bridgeMadeHere = false;

  beforeAll(async () => {
    startOvn();
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
    ovnIncus(["config", "unset", northboundKey]);
    removeChassis();
    run = startE2eRun({ INCUS_SOCKET: String(ovnEnv.INCUS_SOCKET) });
    spec = e2eSpec("cluster01", runId, host.serverName(), {
      ipv4Prefix: "10.241",
      subnetBase: 40,
      ovn: {
        uplinkNetwork: ovnUplink,
        northboundConnection: ovnNorthbound,
        centralListenAddress: "10.240.0.1",
        mosquittoLbAddress: "10.240.0.142",
        corednsLbAddress: "10.240.0.143",
      },
    });
    host.createProject(spec.incusProject);
    stack = await openE2eStack(run, { stackName: spec.stackName, config: e2eStackConfig(spec) });
  }, slow);

  afterAll(async () => {
    ovnController("start");
    if (stack) await stack.destroy().catch(() => undefined);
    if (spec) {
      host.forceDeleteProject(spec.incusProject, pool);
      host.forceDeleteNetworks(spec.networks.production.slice(0, -1));
    }
    if (bridgeMadeHere) ovnIncusOk(["network", "delete", defaultBridge]);
    ovnIncusOk(["config", "set", northboundKey, ovnNorthbound]);
    if (run) endE2eRun(run);
    stopOvn();
  }, slow);

  it(
    "without chassis: the OVN networks, OVN central and the northbound key are accepted, the first instance on OVN fails to start and up says why",
    async () => {
      const err = await stack.up().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Error);
      const message = (err as Error).message;
      expect(message).toContain('OVS integration bridge device "br-int" doesn\'t exist');
      // The program's hint: what to do about it.
      expect(message).toContain("not an OVN chassis");
      const { production, management } = spec.networks;
      for (const n of [production, management]) {
        expect(ovnIncus(["network", "get", n, "network"]).trim()).toBe(ovnUplink);
      }
      expect(host.serverConfig()[northboundKey]).toBe(ovnNorthbound);
      const central = host.instances(spec.incusProject).find((i) => i.name === "ovn-central01");
      expect(central?.status).toBe("Running");
      expect(JSON.parse(ovnIncus(["query", `/1.0/networks/${production}/load-balancers`]))).toEqual(
        [],
      );
    },
    slow,
  );

  it(
    "once the member is a chassis, the next up completes (load balancers included) and the one after changes nothing",
    async () => {
      ovnController("start");
      const up = await stack.up();
      expect(up.summary.result).toBe("succeeded");
      const lbs = JSON.parse(
        ovnIncus(["query", `/1.0/networks/${spec.networks.production}/load-balancers`]),
      ) as string[];
      expect(lbs).toHaveLength(2);
      const again = await stack.up();
      expect(changedOps(again.summary.resourceChanges)).toEqual({});
      await stack.destroy();
      expect(host.instances(spec.incusProject)).toEqual([]);
      expect(host.serverConfig()[northboundKey]).toBeUndefined();
    },
    slow,
  );
});
