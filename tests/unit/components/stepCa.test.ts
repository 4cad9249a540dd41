import { describe, expect, it } from "vitest";
import { StepCa } from "../../../components/stepCa";
import { valueOf } from "../../helpers/pulumiMocks";
import {
  atlasConfig,
  baseProfiles,
  cloudConfigOf,
  configurationOf,
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
  return {
    service,
    stepCa,
    cloud: cloudConfigOf(service, "step-ca01"),
    configuration: configurationOf(service, "step-ca01"),
  };
}

const labCa = {
  "atlas:stepCa": { caName: "Lab CA", dnsNames: ["ca.lab.example"], certDuration: "48h" },
};

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

  it("pushes its name, DNS names and certificate duration as settings, not in the user-data", async () => {
    const { configuration, cloud } = await deploy(labCa);
    const settings = configuration.file("/etc/step-ca/settings.json");
    expect(JSON.parse(settings.content)).toEqual({
      caName: "Lab CA",
      dnsNames: ["ca.lab.example"],
      certDuration: "48h",
    });
    expect(settings).toMatchObject({ mode: "0644", uid: 0, gid: 907 });
    expect(configuration.secret).toBe(false);
    expect(cloud.text).not.toContain("Lab CA");
    expect(cloud.text).not.toContain("ca.lab.example");
    expect(cloud.text).not.toContain("48h");
  });

  it("installs once: the init script reads the settings file; a settings change leaves the user-data as is", async () => {
    const { cloud } = await deploy(labCa);
    const defaults = await deploy();
    expect(cloud.text).toBe(defaults.cloud.text);
    expect(cloud.config.write_files!.map((f) => f.path).sort()).toEqual([
      "/etc/init.d/step-ca",
      "/usr/local/sbin/atlas-install-step-ca.sh",
      "/usr/local/sbin/atlas-step-ca-settings",
      "/usr/local/sbin/step-ca-init.sh",
    ]);
    const init = cloud.file("/usr/local/sbin/step-ca-init.sh");
    expect(init).toContain("settings=/etc/step-ca/settings.json");
    expect(init).toContain('--name="$name"');
    expect(init).toContain('--dns="$dns"');
    expect(init).toContain("--acme");
    expect(init).toContain("/bin/sh /usr/local/sbin/atlas-step-ca-settings");
    expect(init).toContain("> /home/step/fingerprint");
    expect(cloud.file("/usr/local/sbin/atlas-install-step-ca.sh")).toContain(
      "/bin/sh /usr/local/sbin/step-ca-init.sh",
    );
    expect(cloud.config.packages).toEqual(expect.arrayContaining(["step-cli", "jq"]));
    expect(cloud.file("/etc/init.d/step-ca")).toContain('extra_started_commands="reload"');
  });

  it("applies a change through the settings script (its check), then SIGHUP; conf.d holds the flags", async () => {
    const { configuration } = await deploy();
    expect(configuration.paths.sort()).toEqual([
      "/etc/conf.d/step-ca",
      "/etc/step-ca/settings.json",
      "/usr/local/sbin/atlas-apply-step-ca",
    ]);
    const conf = configuration.file("/etc/conf.d/step-ca").content;
    expect(conf).toContain("/home/step/config/ca.json --password-file=/home/step/secrets/password");
    expect(conf).toContain("export STEPPATH=/home/step");
    const script = configuration.file("/usr/local/sbin/atlas-apply-step-ca").content;
    const check = script.indexOf("/bin/sh /usr/local/sbin/atlas-step-ca-settings");
    expect(check).toBeGreaterThan(0);
    expect(script.indexOf('rc-service step-ca "$action"')).toBeGreaterThan(check);
    expect(script).toContain("action=reload");
    expect(configuration.execs.map((e) => [e.name, e.trigger])).toEqual([
      ["apply-step-ca-configuration", "on_change"],
    ]);
  });
});
