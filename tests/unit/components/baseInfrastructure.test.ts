import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { parseAtlasConfig, type AtlasConfig } from "../../../config";
import { BaseInfrastructure } from "../../../components/baseInfrastructure";
import { getMonitor } from "@pulumi/pulumi/runtime/settings";
import { mockStack, valueOf } from "../../helpers/pulumiMocks";

/**
 * Answers the `getNetwork` lookup as a host with that network would, and records what was
 * asked; other invokes keep the shared mocks' answers.
 */
function hostNetwork(config: Record<string, string>): { asked: string[] } {
  const mocks = (getMonitor() as unknown as { mocks: pulumi.runtime.Mocks }).mocks;
  const shared = mocks.call.bind(mocks);
  const asked: string[] = [];
  mocks.call = (args) => {
    if (args.token !== "incus:index:getNetwork") return shared(args);
    const name = String((args.inputs as { name: string }).name);
    asked.push(name);
    return { name, type: "bridge", description: "", config, managed: true };
  };
  return { asked };
}

function config(stack: string, values: Record<string, unknown> = {}): AtlasConfig {
  const encoded = Object.fromEntries(
    Object.entries(values).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
  );
  return parseAtlasConfig({ stack, values: encoded, secretKeys: [] });
}

/** Resource options as the engine receives them, per `type/name` (import, ignoreChanges). */
function captureOptions(): {
  options: Map<string, pulumi.CustomResourceOptions>;
  transformation: pulumi.ResourceTransformation;
} {
  const options = new Map<string, pulumi.CustomResourceOptions>();
  return {
    options,
    transformation: (args) => {
      options.set(`${args.type}/${args.name}`, args.opts as pulumi.CustomResourceOptions);
      return undefined;
    },
  };
}

async function build(
  stack: string,
  values: Record<string, unknown> = {},
  host?: Record<string, string>,
) {
  const run = await mockStack({ stack });
  const lookup = host ? hostNetwork(host) : undefined;
  const c = config(stack, values);
  const captured = captureOptions();
  const base = new BaseInfrastructure(
    "base",
    { networkBackend: c.networkBackend, networks: c.networks, ovn: c.ovn },
    { transformations: [captured.transformation] },
  );
  await run.settle();
  return { run, base, options: captured.options, asked: lookup?.asked ?? [] };
}

describe("BaseInfrastructure", () => {
  it("creates NAT'd bridges with IPv6 off by default and the base profiles", async () => {
    const { run, base } = await build("iapetus");
    const production = run.named("incus:index:Network", "production-network").inputs;
    expect(production).toMatchObject({
      name: "production",
      type: "bridge",
      config: { "ipv4.address": "10.10.0.1/24", "ipv4.nat": "true", "ipv6.address": "none" },
    });
    const management = run.named("incus:index:Network", "management-network").inputs;
    expect(management.config).toMatchObject({ "ipv4.address": "10.20.0.1/24" });
    expect(run.byType("incus:index:Network").map((n) => n.name)).not.toContain("gitops-network");

    const containerBase = run.named("incus:index:Profile", "container-base").inputs;
    expect(containerBase.config).toEqual({ "boot.autorestart": "true" });
    expect(containerBase.devices).toEqual([]);
    const mgmtProfile = run.named("incus:index:Profile", "management-network").inputs;
    expect(mgmtProfile.devices).toEqual([
      { name: "eth0", type: "nic", properties: { name: "eth0", network: "management" } },
    ]);
    expect(await valueOf(base.containerBaseProfile)).toBe("container-base");
    expect(await valueOf(base.managementNetworkProfile)).toBe("management-network");
    expect(await valueOf(base.productionNetworkProfile)).toBe("production-network");
    expect(await valueOf(base.managementGateway)).toBe("10.20.0.1");
    expect(await valueOf(base.productionNetworkName)).toBe("production");
    expect(base.gitopsNetworkProfile).toBeUndefined();
  });

  it("adds ULA IPv6 with NAT66 as configured, and the optional gitops network", async () => {
    const { run, base } = await build("iapetus", {
      "atlas:productionNetwork": { ipv6Address: "fd00:10:10::1/64", ipv6Nat: false },
      "atlas:gitopsNetwork": { enabled: true },
    });
    expect(run.named("incus:index:Network", "production-network").inputs.config).toMatchObject({
      "ipv6.address": "fd00:10:10::1/64",
      "ipv6.nat": "false",
    });
    expect(run.named("incus:index:Network", "gitops-network").inputs.config).toMatchObject({
      "ipv4.address": "10.30.0.1/24",
    });
    expect(run.named("incus:index:Profile", "gitops-network").inputs.devices).toEqual([
      { name: "eth0", type: "nic", properties: { name: "eth0", network: "gitops" } },
    ]);
    expect(await valueOf(base.gitopsNetworkProfile!)).toBe("gitops-network");
    expect(await valueOf(base.gitopsNetworkName!)).toBe("gitops");
  });

  it("attaches production to a physical interface, leaving config and description to the host", async () => {
    const { run, options } = await build("cluster01", {
      "atlas:productionNetwork": {
        name: "eno1",
        type: "physical",
        parent: "eno1",
        adoptExisting: true,
      },
    });
    const production = run.named("incus:index:Network", "production-network").inputs;
    expect(production).toMatchObject({
      name: "eno1",
      type: "physical",
      config: { parent: "eno1" },
    });
    expect(options.get("incus:index:Network/production-network")?.ignoreChanges).toEqual([
      "config",
      "description",
    ]);
    expect(options.get("incus:index:Network/production-network")?.import).toBe("eno1");
    expect(run.named("incus:index:Profile", "production-network").inputs.devices).toEqual([
      { name: "eth0", type: "nic", properties: { name: "eth0", network: "eno1" } },
    ]);
  });

  it("takes over an existing production bridge only when asked", async () => {
    const adopted = await build("iapetus", { "atlas:productionNetwork": { adoptExisting: true } });
    expect(adopted.options.get("incus:index:Network/production-network")?.import).toBe(
      "production",
    );
    const created = await build("iapetus");
    expect(created.options.get("incus:index:Network/production-network")?.import).toBeUndefined();
  });

  it("references an existing management network by name and reads its gateway from the host", async () => {
    const { run, base, asked } = await build(
      "cluster01",
      {
        "atlas:managementNetwork": {
          name: "incusbr0",
          existing: true,
          ipv4Address: "10.99.0.1/24",
        },
      },
      { "ipv4.address": "10.42.7.1/24", "ipv4.nat": "true" },
    );
    expect(asked).toEqual(["incusbr0"]);
    expect(run.byType("incus:index:Network").map((n) => n.name)).not.toContain(
      "management-network",
    );
    expect(await valueOf(base.managementNetworkName)).toBe("incusbr0");
    // The host's address wins over the configured one, without its prefix length.
    expect(await valueOf(base.managementGateway)).toBe("10.42.7.1");
    expect(run.named("incus:index:Profile", "management-network").inputs.devices).toEqual([
      { name: "eth0", type: "nic", properties: { name: "eth0", network: "incusbr0" } },
    ]);
  });

  it("falls back to the configured gateway when the existing network has no IPv4 address", async () => {
    const { base } = await build(
      "cluster01",
      {
        "atlas:managementNetwork": {
          name: "incusbr0",
          existing: true,
          ipv4Address: "10.99.0.1/24",
        },
      },
      { "ipv4.address": "", "ipv6.address": "none" },
    );
    expect(await valueOf(base.managementGateway)).toBe("10.99.0.1");
  });

  it("builds networks through the backend registry, so OVN is an added entry", async () => {
    const run = await mockStack({ stack: "iapetus" });
    const c = config("iapetus");
    const name = (n: string) => pulumi.output(n);
    new BaseInfrastructure("base", {
      networkBackend: "ovn",
      networks: c.networks,
      ovn: c.ovn,
      backends: {
        ovn: () => ({
          production: { name: name("ovn-production"), gateway: name("10.10.0.1") },
          management: { name: name("ovn-management"), gateway: name("10.20.0.1") },
        }),
      },
    });
    await run.settle();
    expect(run.named("incus:index:Profile", "management-network").inputs.devices).toEqual([
      { name: "eth0", type: "nic", properties: { name: "eth0", network: "ovn-management" } },
    ]);
    expect(
      () =>
        new BaseInfrastructure("other", {
          networkBackend: "ovn",
          networks: c.networks,
          ovn: c.ovn,
          backends: {},
        }),
    ).toThrow(/no 'ovn' network backend/);
  });
});
