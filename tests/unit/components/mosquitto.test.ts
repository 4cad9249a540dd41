import { describe, expect, it } from "vitest";
import { BaseInfrastructure } from "../../../components/baseInfrastructure";
import { Mosquitto, type MosquittoStepCa } from "../../../components/mosquitto";
import { externalAccessFor } from "../../../components/shared/externalAccess";
import { valueOf } from "../../helpers/pulumiMocks";
import { unhandledRejectionsDuring } from "../../helpers/unhandledRejections";
import { configurationOf } from "./serviceHarness";
import {
  atlasConfig,
  base,
  cluster01Run,
  devicesOf,
  instanceConfig,
  proxyDevicesOf,
} from "./edgeFixtures";

const ovnValues = {
  networkBackend: "ovn",
  ovn: {
    uplinkNetwork: "eno1",
    mosquittoLbAddress: "192.168.68.10",
    corednsLbAddress: "192.168.68.11",
  },
};

const rootFingerprint = "3b1c0ffee0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b";

async function build(
  values: Record<string, unknown> = {},
  secrets: Record<string, string> = {},
  stepCa: MosquittoStepCa = { caUrl: "https://step-ca01.incus:9000", fingerprint: rootFingerprint },
) {
  const run = await cluster01Run();
  const c = atlasConfig("cluster01", values, secrets);
  const mosquitto = new Mosquitto("mosquitto", {
    settings: c.services.mosquitto,
    mosquitto: c.mosquitto,
    storagePool: c.incus.storagePool,
    baseProfiles: base,
    access: externalAccessFor(c, c.networks.production.name, c.ovn.loadBalancerAddresses.mosquitto),
    stepCa,
  });
  await run.settle();
  const { config, secret } = instanceConfig(run, "mosquitto01");
  const configuration = configurationOf(
    { run, userDataInputs: new Map(), opts: {} },
    "mosquitto01",
  );
  return { run, mosquitto, userData: config["cloud-init.user-data"], secret, configuration };
}

const confPath = "/etc/mosquitto/mosquitto.conf";
const passwdPath = "/etc/mosquitto/passwd";
const users = { mosquittoPasswords: JSON.stringify({ sensor: "hunter2-plain" }) };

describe("Mosquitto", () => {
  it("bridge mode: proxy devices forward host ports 1883 and 8883 into the container", async () => {
    const { run, mosquitto } = await build();
    expect(proxyDevicesOf(run, "mosquitto")).toEqual([
      {
        name: "mqtt-proxy",
        type: "proxy",
        properties: { listen: "tcp:0.0.0.0:1883", connect: "tcp:127.0.0.1:1883" },
      },
      {
        name: "mqtts-proxy",
        type: "proxy",
        properties: { listen: "tcp:0.0.0.0:8883", connect: "tcp:127.0.0.1:8883" },
      },
    ]);
    expect(run.byType("incus:index:NetworkLb")).toEqual([]);
    expect(mosquitto.externalPorts).toEqual([1883, 8883]);
    expect(await valueOf(mosquitto.mqttEndpoint)).toBe("mqtt://mosquitto01.incus:1883");
    expect(mosquitto.mqttsEndpoint).toBeUndefined();
  });

  it("physical mode: no proxy devices; the production network is the LAN interface", async () => {
    const values = { productionNetwork: { type: "physical", parent: "eno1", name: "eno1" } };
    const { run } = await build(values);
    // The network the production profile points at, built by BaseInfrastructure.
    const c = atlasConfig("cluster01", values);
    new BaseInfrastructure("base", {
      networkBackend: c.networkBackend,
      networks: c.networks,
      ovn: c.ovn,
    });
    await run.settle();
    expect(proxyDevicesOf(run, "mosquitto")).toEqual([]);
    expect(run.byType("incus:index:NetworkLb")).toEqual([]);
    expect(run.named("incus:index:Network", "production-network").inputs).toMatchObject({
      name: "eno1",
      type: "physical",
      config: { parent: "eno1" },
    });
    expect(devicesOf(run, "production-network")).toEqual([
      { name: "eth0", type: "nic", properties: { name: "eth0", network: "eno1" } },
    ]);
  });

  it("OVN: an OVN load balancer on the VIP replaces the proxy devices", async () => {
    const { run, mosquitto } = await build(ovnValues);
    expect(proxyDevicesOf(run, "mosquitto")).toEqual([]);
    const lb = run.named("incus:index:NetworkLb", "mosquitto01-lb").inputs;
    expect(lb).toMatchObject({
      network: "production",
      listenAddress: "192.168.68.10",
      backends: [{ name: "mosquitto01", targetAddress: "10.0.0.10" }],
      ports: [
        { protocol: "tcp", listenPort: "1883", targetBackend: ["mosquitto01"] },
        { protocol: "tcp", listenPort: "8883", targetBackend: ["mosquitto01"] },
      ],
    });
    expect(await valueOf(mosquitto.loadBalancer!.listenAddress)).toBe("192.168.68.10");
  });

  it("keeps retained messages on the 5GB data volume at /mosquitto/data, with the shared anatomy", async () => {
    const { run } = await build();
    expect(run.named("incus:index:StorageVolume", "mosquitto01-data").inputs).toMatchObject({
      name: "mosquitto01-data",
      config: { size: "5GB" },
    });
    expect(devicesOf(run, "mosquitto")).toContainEqual({
      name: "mosquitto-data",
      type: "disk",
      properties: { source: "mosquitto01-data", pool: "local", path: "/mosquitto/data" },
    });
    const profile = run.named("incus:index:Profile", "mosquitto").inputs;
    expect(profile.config).toEqual({
      "limits.cpu": "1",
      "limits.memory": "256MB",
      "limits.memory.enforce": "hard",
    });
    expect(run.named("incus:index:Instance", "mosquitto01").inputs.profiles).toEqual([
      ...base,
      "mosquitto",
    ]);
  });

  it("without users: anonymous access, pushed as a file that is not secret", async () => {
    const { userData, secret, configuration } = await build();
    expect(configuration.paths.sort()).toEqual([confPath, "/usr/local/sbin/atlas-apply-mosquitto"]);
    const conf = configuration.file(confPath);
    expect(conf.content).toContain("allow_anonymous true");
    expect(conf.content).not.toContain("password_file");
    expect(conf).toMatchObject({ mode: "0644", uid: 0, gid: 910 });
    expect(configuration.secret).toBe(false);
    expect(secret).toBe(false);
    expect(userData).not.toContain("allow_anonymous");
  });

  it("with users: a hashed password file (0640, group mosquitto) as a secret file, never in user-data", async () => {
    const { userData, secret, configuration } = await build({}, users);
    const conf = configuration.file(confPath).content;
    expect(conf).toContain("allow_anonymous false");
    expect(conf).toContain("password_file /etc/mosquitto/passwd");
    const passwd = configuration.file(passwdPath);
    expect(passwd.content).toMatch(/^sensor:\$7\$101\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/m);
    expect(passwd.content).not.toContain("hunter2-plain");
    expect(passwd).toMatchObject({ mode: "0640", uid: 0, gid: 910 });
    // The files reach the engine as a secret; the user-data holds no secret at all.
    expect(configuration.secret).toBe(true);
    expect(secret).toBe(false);
    expect(userData).not.toContain("sensor");
    expect(userData).not.toContain("hunter2-plain");
    expect(userData).not.toContain("$7$");
    expect(userData).not.toContain("passwd");
  });

  it("installs once: the pinned package, the account with its fixed ids before the package, no configuration", async () => {
    const { userData } = await build({}, users);
    expect(userData).toContain("mosquitto~2.0.21");
    const bootcmd = userData.indexOf("addgroup -S -g 910 mosquitto");
    expect(bootcmd).toBeGreaterThan(0);
    expect(userData).toContain(
      "adduser -S -D -H -u 910 -h /var/empty -s /sbin/nologin -G mosquitto mosquitto",
    );
    expect(bootcmd).toBeLessThan(userData.indexOf("packages:"));
    expect(userData).not.toContain("mosquitto.conf");
    expect(userData).not.toContain("listener");
    expect(userData).not.toContain("write_files");
  });

  it("a changed setting (users, ports) changes the files, never the user-data; a version replaces it", async () => {
    const before = await build();
    const after = await build({ mosquitto: { mqttPort: 1884 } }, users);
    expect(after.configuration.file(confPath).content).not.toBe(
      before.configuration.file(confPath).content,
    );
    expect(after.userData).toBe(before.userData);
    const upgraded = await build({ services: { mosquitto: { version: "2.0.22" } } });
    expect(upgraded.userData).not.toBe(before.userData);
  });

  it("applies a change by restarting the broker, with no checker (Mosquitto has none)", async () => {
    const { configuration } = await build({}, users);
    expect(configuration.execs).toEqual([
      {
        name: "apply-mosquitto-configuration",
        command: ["/bin/sh", "/usr/local/sbin/atlas-apply-mosquitto"],
        trigger: "on_change",
      },
    ]);
    const script = configuration.file("/usr/local/sbin/atlas-apply-mosquitto").content;
    expect(script).toContain("action=restart");
    expect(script).toContain('rc-service mosquitto "$action"');
    expect(script).not.toContain("/usr/local/bin/");
    // The package's own init script: no conf.d of Atlas' is pushed.
    expect(configuration.paths).not.toContain("/etc/conf.d/mosquitto");
  });

  it("with TLS: an MQTTS listener on step-ca certificates, renewed by crond", async () => {
    const { userData, mosquitto, configuration } = await build({ mosquitto: { enableTls: true } });
    const conf = configuration.file(confPath).content;
    expect(conf).toContain("listener 8883");
    expect(conf).toContain("certfile /etc/mosquitto/certs/server.crt");
    expect(userData).not.toContain("listener");
    expect(userData).toContain("step-cli");
    expect(userData).toContain("--provisioner acme --ca-url");
    expect(userData).toContain("/etc/periodic/hourly/mosquitto-certificate");
    // The root is accepted only when it matches the pinned fingerprint.
    expect(userData).toContain("ca_url=https://step-ca01.incus:9000\n");
    expect(userData).toContain(`fingerprint=${rootFingerprint}\n`);
    expect(userData).toContain(
      'step ca root "$dir/root_ca.crt" --ca-url "$ca_url" --fingerprint "$fingerprint"',
    );
    expect(userData).not.toContain("--no-check-certificate");
    expect(await valueOf(mosquitto.mqttsEndpoint!)).toBe("mqtts://mosquitto01.incus:8883");
  });

  it.each([
    [
      "no fingerprint",
      { caUrl: "https://step-ca01.incus:9000", fingerprint: "" },
      /root fingerprint '' is not 64 hex digits/,
    ],
    [
      "a short fingerprint",
      { caUrl: "https://step-ca01.incus:9000", fingerprint: "ab12cd34" },
      /root fingerprint 'ab12cd34'/,
    ],
    [
      "the ACME directory as CA URL",
      { caUrl: "https://step-ca01.incus:9000/acme/acme/directory", fingerprint: rootFingerprint },
      /is not the CA's base URL/,
    ],
    [
      "a URL that would break out of the script",
      { caUrl: "https://x;reboot", fingerprint: rootFingerprint },
      /is not the CA's base URL/,
    ],
  ])(
    "with TLS and %s: refuses to render the certificate helper",
    async (_case, stepCa, message) => {
      const failures = await unhandledRejectionsDuring(async () => {
        const run = await cluster01Run();
        const c = atlasConfig("cluster01", { mosquitto: { enableTls: true } });
        new Mosquitto("mosquitto", {
          settings: c.services.mosquitto,
          mosquitto: c.mosquitto,
          storagePool: "local",
          baseProfiles: base,
          access: { mode: "proxy", listenAddress: "0.0.0.0" },
          stepCa,
        });
        await run.settle();
        // The instance never reaches the engine with a helper that trusts blindly.
        expect(run.byType("incus:index:Instance")).toEqual([]);
      });
      const text = failures.map((e) => e.message).join("\n");
      expect(text).toContain("mosquitto01: mosquitto.enableTls");
      expect(text).toMatch(message);
    },
  );

  it("refuses TLS without step-ca", async () => {
    await cluster01Run();
    const c = atlasConfig("cluster01", { mosquitto: { enableTls: true } });
    expect(
      () =>
        new Mosquitto("mosquitto", {
          settings: c.services.mosquitto,
          mosquitto: c.mosquitto,
          storagePool: "local",
          baseProfiles: base,
          access: { mode: "proxy", listenAddress: "0.0.0.0" },
        }),
    ).toThrow(/enableTls needs step-ca/);
  });
});
