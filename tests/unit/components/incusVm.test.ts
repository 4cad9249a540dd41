import { describe, expect, it } from "vitest";
import { IncusVm } from "../../../components/incusVm";
import { mockStack, valueOf } from "../../helpers/pulumiMocks";
import { atlasConfig, devicesOf, instanceConfig } from "./edgeFixtures";

describe("IncusVm", () => {
  it("builds a virtual machine with the shared anatomy and serialised cloud-init", async () => {
    const run = await mockStack({ stack: "iapetus" });
    const c = atlasConfig("iapetus");
    const vm = new IncusVm("builder01", {
      settings: { ...c.services.nodeExporter, cpu: 4, memory: "4GB", rootDiskSize: "20GB" },
      storagePool: "local",
      baseProfiles: ["container-base", "management-network"],
      cloudInit: { packages: ["git"], runcmd: [["echo", "ready"]] },
      instanceConfig: { "security.secureboot": "false" },
      port: 8080,
    });
    await run.settle();
    const instance = run.named("incus:index:Instance", "builder01").inputs;
    expect(instance.type).toBe("virtual-machine");
    expect(instance.profiles).toEqual(["container-base", "management-network", "builder01"]);
    const { config } = instanceConfig(run, "builder01");
    expect(config["security.secureboot"]).toBe("false");
    expect(config["cloud-init.user-data"]).toBe(
      "#cloud-config\npackages:\n  - git\nruncmd:\n  - - echo\n    - ready\n",
    );
    expect(run.named("incus:index:Profile", "builder01").inputs.config).toEqual({
      "limits.cpu": "4",
      "limits.memory": "4GB",
      "limits.memory.enforce": "hard",
    });
    expect(devicesOf(run, "builder01")).toContainEqual({
      name: "root",
      type: "disk",
      properties: { path: "/", pool: "local", size: "20GB" },
    });
    expect(await valueOf(vm.endpoint!)).toBe("http://builder01.incus:8080");
  });

  it("accepts ready user-data and a data volume", async () => {
    const run = await mockStack({ stack: "iapetus" });
    const c = atlasConfig("iapetus");
    new IncusVm("db01", {
      settings: { ...c.services.grafana, dataVolumeSize: "20GB" },
      storagePool: "local",
      baseProfiles: ["container-base", "management-network"],
      cloudInit: "#cloud-config\n{}\n",
      dataPath: "/srv/data",
    });
    await run.settle();
    expect(instanceConfig(run, "db01").config["cloud-init.user-data"]).toBe("#cloud-config\n{}\n");
    expect(run.named("incus:index:StorageVolume", "db01-data").inputs.config).toMatchObject({
      size: "20GB",
    });
  });
});
