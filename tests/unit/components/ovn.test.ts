import { describe, expect, it } from "vitest";
import { BaseInfrastructure } from "../../../components/baseInfrastructure";
import { networkBackends } from "../../../components/network";
import { ovnBackend } from "../../../components/network/ovnBackend";
import { OvnCentral } from "../../../components/ovnCentral";
import { OvnLoadBalancer } from "../../../components/ovnLoadBalancer";
import { mockStack, valueOf } from "../../helpers/pulumiMocks";
import { atlasConfig, devicesOf, instanceConfig } from "./edgeFixtures";

const ovnValues = {
  networkBackend: "ovn",
  gitopsNetwork: { enabled: true },
  ovn: {
    uplinkNetwork: "eno1",
    mosquittoLbAddress: "192.168.68.10",
    corednsLbAddress: "192.168.68.11",
  },
};

async function baseInfrastructure(values: Record<string, unknown>) {
  const run = await mockStack({ stack: "cluster01" });
  const c = atlasConfig("cluster01", values);
  const base = new BaseInfrastructure("base", {
    networkBackend: c.networkBackend,
    networks: c.networks,
    ovn: c.ovn,
  });
  await run.settle();
  return { run, base };
}

describe("OVN network backend", () => {
  it("is registered as the `ovn` choice of BaseInfrastructure", () => {
    expect(networkBackends.ovn).toBe(ovnBackend);
  });

  it("builds OVN production, management and gitops networks on the uplink with MTU 1442", async () => {
    const { run } = await baseInfrastructure(ovnValues);
    const networks = run.byType("incus:index:Network");
    expect(networks.map((n) => n.name).sort()).toEqual([
      "gitops-network",
      "management-network",
      "production-network",
    ]);
    for (const n of networks) {
      expect(n.inputs.type).toBe("ovn");
      expect(n.inputs.config).toMatchObject({ network: "eno1", "bridge.mtu": "1442" });
    }
    expect(run.named("incus:index:Network", "management-network").inputs.config).toMatchObject({
      "ipv4.address": "10.20.0.1/24",
      "ipv4.nat": "true",
    });
  });

  it("attaches the base network profiles to the OVN networks", async () => {
    const { run, base } = await baseInfrastructure(ovnValues);
    expect(devicesOf(run, "production-network")).toEqual([
      { name: "eth0", type: "nic", properties: { name: "eth0", network: "production" } },
    ]);
    expect(await valueOf(base.managementGateway)).toBe("10.20.0.1");
  });

  it("points the Incus server at OVN central's northbound database", async () => {
    const { run } = await baseInfrastructure(ovnValues);
    expect(run.named("incus:index:Server", "ovn-server-config").inputs.config).toEqual({
      "network.ovn.northbound_connection": "tcp:192.168.71.5:6641",
    });
  });

  it("leaves the server's OVN settings alone with skipOvnConfig", async () => {
    const { run } = await baseInfrastructure({
      ...ovnValues,
      ovn: { ...ovnValues.ovn, skipOvnConfig: true },
    });
    expect(run.byType("incus:index:Server")).toEqual([]);
    expect(run.byType("incus:index:Network")).toHaveLength(3);
  });
});

describe("OvnCentral", () => {
  it("publishes the NB/SB databases on the central listen address through proxy devices", async () => {
    const run = await mockStack({ stack: "cluster01" });
    const c = atlasConfig("cluster01", ovnValues);
    const central = new OvnCentral("ovn-central", {
      settings: c.services.ovnCentral,
      ovn: c.ovn,
      storagePool: "local",
      baseProfiles: ["container-base"],
      targetNode: "node01",
    });
    await run.settle();
    const devices = devicesOf(run, "ovn-central");
    expect(devices.filter((d) => d.type === "proxy")).toEqual([
      {
        name: "ovn-northbound-proxy",
        type: "proxy",
        properties: { listen: "tcp:192.168.71.5:6641", connect: "tcp:127.0.0.1:6641" },
      },
      {
        name: "ovn-southbound-proxy",
        type: "proxy",
        properties: { listen: "tcp:192.168.71.5:6642", connect: "tcp:127.0.0.1:6642" },
      },
    ]);
    expect(devices).toContainEqual({
      name: "eth0",
      type: "nic",
      properties: { name: "eth0", network: "incusbr0" },
    });
    expect(central.northboundConnection).toBe("tcp:192.168.71.5:6641");
    expect(central.southboundConnection).toBe("tcp:192.168.71.5:6642");
    const userData = instanceConfig(run, "ovn-central01").config["cloud-init.user-data"];
    expect(userData).toContain("ovn~24.03");
    expect(userData).toContain("--db-nb-create-insecure-remote=yes");
    expect(run.named("incus:index:Instance", "ovn-central01").inputs.targetNode).toBe("node01");
    // Nothing of OVN central is configuration: no files pushed, no apply exec.
    const instance = run.named("incus:index:Instance", "ovn-central01").inputs;
    expect(instance.files).toBeUndefined();
    expect(instance.execs).toBeUndefined();
  });

  it("a new listen address changes only the proxy devices, never the install (no replacement)", async () => {
    const userDataFor = async (listen: string) => {
      const run = await mockStack({ stack: "cluster01" });
      const c = atlasConfig("cluster01", {
        ...ovnValues,
        ovn: { ...ovnValues.ovn, centralListenAddress: listen },
      });
      new OvnCentral("ovn-central", {
        settings: c.services.ovnCentral,
        ovn: c.ovn,
        storagePool: "local",
        baseProfiles: ["container-base"],
      });
      await run.settle();
      return {
        userData: instanceConfig(run, "ovn-central01").config["cloud-init.user-data"],
        listens: devicesOf(run, "ovn-central")
          .filter((d) => d.type === "proxy")
          .map((d) => d.properties.listen),
      };
    };
    const before = await userDataFor("192.168.71.5");
    const after = await userDataFor("192.168.71.9");
    expect(after.listens).toEqual(["tcp:192.168.71.9:6641", "tcp:192.168.71.9:6642"]);
    expect(after.userData).toBe(before.userData);
    expect(after.userData).not.toContain("192.168.71");
  });
});

describe("OvnLoadBalancer", () => {
  it("forwards every port of the VIP to every backend", async () => {
    const run = await mockStack({ stack: "cluster01" });
    const lb = new OvnLoadBalancer("dns", {
      network: "production",
      listenAddress: "192.168.68.11",
      backends: [
        { name: "coredns01", targetAddress: "10.10.0.5" },
        { name: "coredns02", targetAddress: "10.10.0.6" },
      ],
      ports: [
        { name: "dns-udp", protocol: "udp", port: 53 },
        { name: "dns-tcp", protocol: "tcp", port: 53 },
      ],
    });
    await run.settle();
    const inputs = run.named("incus:index:NetworkLb", "dns").inputs;
    expect(inputs.backends).toEqual([
      {
        name: "coredns01",
        description: "coredns01 behind 192.168.68.11",
        targetAddress: "10.10.0.5",
      },
      {
        name: "coredns02",
        description: "coredns02 behind 192.168.68.11",
        targetAddress: "10.10.0.6",
      },
    ]);
    expect(inputs.ports).toEqual([
      {
        description: "dns-udp",
        protocol: "udp",
        listenPort: "53",
        targetBackend: ["coredns01", "coredns02"],
      },
      {
        description: "dns-tcp",
        protocol: "tcp",
        listenPort: "53",
        targetBackend: ["coredns01", "coredns02"],
      },
    ]);
    expect(await valueOf(lb.listenAddress)).toBe("192.168.68.11");
  });
});
