import { describe, expect, it } from "vitest";
import { StepCa } from "../../../components/stepCa";
import { valueOf } from "../../helpers/pulumiMocks";
import {
  atlasConfig,
  baseProfiles,
  cloudConfigOf,
  expectAnatomy,
  serviceRun,
} from "./serviceHarness";

async function deploy(values: Record<string, unknown> = {}) {
  const service = await serviceRun();
  const config = atlasConfig("iapetus", values);
  const stepCa = new StepCa(
    "step-ca",
    { settings: config.services.stepCa, stepCa: config.stepCa, storagePool: "local", baseProfiles },
    service.opts,
  );
  await service.run.settle();
  return { service, stepCa, cloud: cloudConfigOf(service, "step-ca01") };
}

describe("StepCa", () => {
  it("follows the anatomy: 1 CPU, 512MB, 1GB volume at /home/step; ACME and fingerprint outputs", async () => {
    const { service, stepCa } = await deploy();
    expectAnatomy(service, {
      instance: "step-ca01",
      profile: "step-ca",
      cpu: "1",
      memory: "512MB",
      rootDiskSize: "1GB",
      pool: "local",
      volume: { size: "1GB", path: "/home/step" },
    });
    expect(await valueOf(stepCa.endpoint)).toBe("https://step-ca01.incus:9000");
    expect(await valueOf(stepCa.acmeEndpoint)).toBe(
      "https://step-ca01.incus:9000/acme/acme/directory",
    );
    expect(await valueOf(stepCa.fingerprintCommand)).toBe(
      "incus exec step-ca01 -- cat /home/step/fingerprint",
    );
  });

  it("initialises the CA with its name, DNS names, ACME provisioner and certificate duration", async () => {
    const { cloud } = await deploy({
      "atlas:stepCa": { caName: "Lab CA", dnsNames: ["ca.lab.example"], certDuration: "48h" },
    });
    const init = cloud.file("/usr/local/sbin/step-ca-init.sh");
    expect(init).toContain("--name='Lab CA'");
    expect(init).toContain("--dns=ca.lab.example");
    expect(init).toContain("--acme");
    expect(init).toContain("--x509-default-dur=48h");
    expect(init).toContain("> /home/step/fingerprint");
    expect(cloud.file("/usr/local/sbin/atlas-install-step-ca.sh")).toContain(
      "/bin/sh /usr/local/sbin/step-ca-init.sh",
    );
    expect(cloud.config.packages).toContain("step-cli");
  });
});
