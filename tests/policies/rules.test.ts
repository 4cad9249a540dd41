import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import * as YAML from "yaml";
import { atlasPolicies } from "../../policies/policies";
import {
  baseProfiles,
  instance,
  profile,
  proxy,
  rootDiskDevice,
  service,
  serviceProfile,
  volume,
} from "./builders";
import { runPack, type TestResource } from "./harness";

const healthy: TestResource[] = [
  ...baseProfiles,
  ...service("grafana01"),
  volume("grafana01-data", {
    size: "10GB",
    "snapshots.schedule": "@daily",
    "snapshots.expiry": "7d",
  }),
];

async function violationsOf(policy: string, resources: TestResource[], config = {}) {
  return runPack(resources, { only: policy, config });
}

describe("the pack", () => {
  it("is a policy pack folder whose dependencies resolve from the root node_modules", () => {
    const dir = path.join(__dirname, "..", "..", "policies");
    const manifest = YAML.parse(fs.readFileSync(path.join(dir, "PulumiPolicy.yaml"), "utf8"));
    expect(manifest.runtime).toBe("nodejs");
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
    expect(path.resolve(dir, pkg.main)).toBe(
      path.resolve(dir, "..", "dist", "policies", "index.js"),
    );
    expect(require.resolve("@pulumi/policy", { paths: [dir] })).toBe(
      path.resolve(dir, "..", "node_modules", "@pulumi", "policy", "index.js"),
    );
  });

  it("has unique policy names, descriptions and mandatory defaults", () => {
    const names = atlasPolicies.map((p) => p.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toHaveLength(12);
    for (const p of atlasPolicies) {
      expect(p.description.length).toBeGreaterThan(20);
      expect(p.enforcementLevel).toBe("mandatory");
    }
  });

  it("passes a well-formed service with every policy", async () => {
    expect(await runPack(healthy)).toEqual([]);
  });

  it("lets the operator lower a policy to advisory or disable it", async () => {
    const bad = [...baseProfiles, instance("legacy", { profiles: ["default"] })];
    const advisory = await runPack(bad, {
      config: { "instance-no-default-profile": "advisory" },
      only: "instance-no-default-profile",
    });
    expect(advisory.map((v) => v.level)).toEqual(["advisory"]);
    const disabled = await runPack(bad, {
      config: { "instance-no-default-profile": { enforcementLevel: "disabled" } },
      only: "instance-no-default-profile",
    });
    expect(disabled).toEqual([]);
  });
});

describe("instance-no-default-profile", () => {
  it("flags an instance that names the default profile, naming it and the fix", async () => {
    const v = await violationsOf("instance-no-default-profile", [
      instance("legacy01", { profiles: ["default", "legacy01"] }),
    ]);
    expect(v).toHaveLength(1);
    expect(v[0].message).toContain("Instance 'legacy01'");
    expect(v[0].message).toContain("uses the 'default' profile");
    expect(v[0].message).toContain("container-base");
    expect(v[0].urn).toContain("incus:index:Instance::legacy01");
  });

  it("flags an instance without profiles (Incus applies default)", async () => {
    const v = await violationsOf("instance-no-default-profile", [
      instance("bare01", { profiles: undefined }),
    ]);
    expect(v[0].message).toMatch(/names no profiles, so Incus applies the 'default' profile/);
  });

  it("accepts composed profiles, and unknown (null) names or lists during preview", async () => {
    const v = await violationsOf("instance-no-default-profile", [
      instance("ok01"),
      instance("preview01", { profiles: ["container-base", null as unknown as string] }),
      instance("preview02", { profiles: null as unknown as string[] }),
    ]);
    expect(v).toEqual([]);
  });
});

describe("instance-has-limits", () => {
  it("resolves limits through the instance's profiles in the same stack", async () => {
    expect(await violationsOf("instance-has-limits", healthy)).toEqual([]);
  });

  it("accepts limits set in the instance's own config", async () => {
    const v = await violationsOf("instance-has-limits", [
      ...baseProfiles,
      instance("self01", {
        profiles: ["container-base", "management-network"],
        config: { "limits.cpu": "1", "limits.memory": "256MB" },
      }),
    ]);
    expect(v).toEqual([]);
  });

  it("flags an instance whose profiles set no limits, and names profiles it cannot see", async () => {
    const v = await violationsOf("instance-has-limits", [
      ...baseProfiles,
      instance("naked01", { profiles: ["container-base", "management-network", "elsewhere"] }),
    ]);
    expect(v).toHaveLength(1);
    expect(v[0].message).toContain("Instance 'naked01' has no limits.cpu and limits.memory");
    expect(v[0].message).toContain("not defined in this stack (cannot be checked): elsewhere");
    expect(v[0].urn).toContain("Instance::naked01");
  });

  it("resolves profile names unknown during a preview through the property dependencies", async () => {
    const previewed = {
      ...instance("grafana01", {
        profiles: ["container-base", "management-network", null as unknown as string],
      }),
      profilesFrom: ["grafana01"],
    };
    const [grafanaProfile] = service("grafana01");
    expect(
      await violationsOf("instance-has-limits", [...baseProfiles, grafanaProfile, previewed]),
    ).toEqual([]);
    const limitless = { ...previewed, profilesFrom: ["container-base"] };
    // still unknown and unresolved: undecidable in a preview, not a violation
    expect(await violationsOf("instance-has-limits", [...baseProfiles, limitless])).toEqual([]);
  });

  it("uses a dependency's limits for capacity and nesting as well", async () => {
    const nested = profile(
      "nest",
      { "security.nesting": "true", "limits.cpu": "1", "limits.memory": "64GB" },
      [rootDiskDevice()],
    );
    const previewed = {
      ...instance("n01", { profiles: null as unknown as string[] }),
      profilesFrom: ["nest"],
    };
    const v = await runPack([nested, previewed]);
    expect(v.map((x) => x.policy).sort()).toEqual([
      "host-capacity",
      "memory-limits-hard",
      "nesting-allow-list",
    ]);
  });

  it("flags a missing memory limit only", async () => {
    const v = await violationsOf("instance-has-limits", [
      ...baseProfiles,
      profile("cpu-only", { "limits.cpu": "1" }, [rootDiskDevice()]),
      instance("half01", { profiles: ["container-base", "management-network", "cpu-only"] }),
    ]);
    expect(v.map((x) => x.message)).toEqual([expect.stringContaining("has no limits.memory from")]);
  });
});

describe("memory-limits-hard", () => {
  it("flags soft enforcement on a profile", async () => {
    const v = await violationsOf("memory-limits-hard", [
      serviceProfile("soft01", { config: { "limits.memory.enforce": "soft" } }),
    ]);
    expect(v[0].message).toBe(
      "Profile 'soft01' sets limits.memory.enforce=soft: set it to 'hard' so the memory limit is enforced.",
    );
  });

  it("flags a memory limit without enforcement (Incus default soft), on an instance too", async () => {
    const v = await violationsOf("memory-limits-hard", [
      instance("inst01", { config: { "limits.memory": "512MB" } }),
    ]);
    expect(v[0].message).toContain("add limits.memory.enforce=hard");
  });

  it("accepts hard limits and resources without a memory limit", async () => {
    expect(await violationsOf("memory-limits-hard", healthy)).toEqual([]);
  });
});

describe("limit-values", () => {
  it.each(["512MB", "2GB", "64GB"])("accepts limits.memory=%s", async (memory) => {
    const v = await violationsOf("limit-values", [
      serviceProfile("p", { config: { "limits.memory": memory } }),
    ]);
    expect(v).toEqual([]);
  });

  it.each(["512MiB", "2G", "1.5GB", "1TB", "0MB"])("refuses limits.memory=%s", async (memory) => {
    const v = await violationsOf("limit-values", [
      serviceProfile("p", { config: { "limits.memory": memory } }),
    ]);
    expect(v.map((x) => x.message)).toEqual([
      `Profile 'p' sets limits.memory=${memory}: use a whole number of MB or GB, e.g. 512MB or 2GB.`,
    ]);
  });

  it.each(["0", "65", "1-3", "two"])("refuses limits.cpu=%s", async (cpu) => {
    const v = await violationsOf("limit-values", [
      instance("i", { config: { "limits.cpu": cpu } }),
    ]);
    expect(v[0].message).toBe(
      `Instance 'i' sets limits.cpu=${cpu}: use a core count from 1 to 64.`,
    );
  });

  it.each(["1", "64"])("accepts limits.cpu=%s", async (cpu) => {
    const v = await violationsOf("limit-values", [
      serviceProfile("p", { config: { "limits.cpu": cpu } }),
    ]);
    expect(v).toEqual([]);
  });
});

describe("service-profile-root-disk", () => {
  it("flags a service profile without a root disk", async () => {
    const v = await violationsOf("service-profile-root-disk", [
      serviceProfile("noroot", { devices: [] }),
    ]);
    expect(v[0].message).toContain("Profile 'noroot' sets limits but has no root disk");
  });

  it("flags a root disk without a size, or with a size that is not one", async () => {
    const unsized = rootDiskDevice();
    delete unsized.properties.size;
    const v = await violationsOf("service-profile-root-disk", [
      serviceProfile("unsized", { devices: [unsized] }),
      serviceProfile("garbage", { devices: [rootDiskDevice("big")] }),
    ]);
    expect(v.map((x) => x.message)).toEqual([
      expect.stringContaining("Profile 'unsized' has a root disk 'root' with no size"),
      expect.stringContaining("Profile 'garbage' has a root disk 'root' with size 'big'"),
    ]);
  });

  it("leaves network profiles and container-base alone (they set no limits)", async () => {
    expect(await violationsOf("service-profile-root-disk", baseProfiles)).toEqual([]);
  });
});

describe("storage-volume-size", () => {
  it("flags a missing size, a non-size and sizes out of bounds", async () => {
    const v = await violationsOf("storage-volume-size", [
      volume("nosize", {}),
      volume("weird", { size: "lots" }),
      volume("huge", { size: "2TB" }),
      volume("tiny", { size: "10MB" }),
      volume("fine", { size: "100GB" }),
    ]);
    expect(v.map((x) => x.message)).toEqual([
      "StorageVolume 'nosize' has no size: set config.size between 1GB and 200GB.",
      "StorageVolume 'weird' has size 'lots', which is not a size: use e.g. 10GB.",
      expect.stringContaining("StorageVolume 'huge' has size 2TB, outside the allowed range"),
      expect.stringContaining("StorageVolume 'tiny' has size 10MB, outside the allowed range"),
    ]);
  });

  it("uses the configured bounds", async () => {
    const v = await violationsOf("storage-volume-size", [volume("huge", { size: "2TB" })], {
      "storage-volume-size": { maxSize: "4TB" },
    });
    expect(v).toEqual([]);
    const strict = await violationsOf("storage-volume-size", [volume("v", { size: "100GB" })], {
      "storage-volume-size": { maxSize: "50GB" },
    });
    expect(strict[0].message).toContain("between 1GB and 50GB");
  });
});

describe("snapshot-schedule-has-expiry", () => {
  it("flags a schedule without expiry and accepts one with", async () => {
    const v = await violationsOf("snapshot-schedule-has-expiry", [
      volume("forever", { size: "1GB", "snapshots.schedule": "0 2 * * *" }),
      volume("kept", { size: "1GB", "snapshots.schedule": "@daily", "snapshots.expiry": "2w" }),
      volume("none", { size: "1GB" }),
    ]);
    expect(v.map((x) => x.message)).toEqual([
      "StorageVolume 'forever' takes snapshots on '0 2 * * *' but never expires them: set snapshots.expiry (e.g. 7d or 2w).",
    ]);
  });
});

describe("no-privileged-containers", () => {
  it("flags security.privileged on instances and profiles", async () => {
    const v = await violationsOf("no-privileged-containers", [
      instance("root01", { config: { "security.privileged": "true" } }),
      profile("privileged", { "security.privileged": "1" }),
      instance("fine01", { config: { "security.privileged": "false" } }),
    ]);
    expect(v.map((x) => x.message)).toEqual([
      expect.stringContaining("Instance 'root01' sets security.privileged=true"),
      expect.stringContaining("Profile 'privileged' sets security.privileged=1"),
    ]);
  });
});

describe("nesting-allow-list", () => {
  const nested = [
    ...baseProfiles,
    ...service("atlantis01"),
    profile("nesting", { "security.nesting": "true" }),
    instance("builder01", {
      profiles: ["container-base", "management-network", "atlantis01", "nesting"],
    }),
    instance("docker01", { config: { "security.nesting": "true" } }),
  ];

  it("flags nesting from a profile or the instance, naming where it comes from", async () => {
    const v = await violationsOf("nesting-allow-list", nested);
    expect(v.map((x) => x.message)).toEqual([
      expect.stringContaining(
        "Instance 'builder01' runs with security.nesting=true (set by profile 'nesting')",
      ),
      expect.stringContaining(
        "Instance 'docker01' runs with security.nesting=true (set by instance config)",
      ),
    ]);
    expect(v[0].message).toContain("add 'builder01' to nesting-allow-list.allowedInstances");
  });

  it("allows the instances in the allow-list", async () => {
    const v = await violationsOf("nesting-allow-list", nested, {
      "nesting-allow-list": { allowedInstances: ["builder01"] },
    });
    expect(v.map((x) => x.message)).toEqual([expect.stringContaining("'docker01'")]);
  });
});

describe("no-raw-lxc-config", () => {
  it("flags raw.lxc and raw.idmap, and configured extra keys", async () => {
    const resources = [
      instance("raw01", { config: { "raw.lxc": "lxc.apparmor.profile=unconfined" } }),
      profile("idmap", { "raw.idmap": "both 1000 1000", "raw.apparmor": "x" }),
    ];
    const v = await violationsOf("no-raw-lxc-config", resources);
    expect(v.map((x) => x.message)).toEqual([
      expect.stringContaining("Instance 'raw01' sets raw.lxc: remove it"),
      expect.stringContaining("Profile 'idmap' sets raw.idmap: remove it"),
    ]);
    const stricter = await violationsOf("no-raw-lxc-config", resources, {
      "no-raw-lxc-config": { forbiddenKeys: ["raw.lxc", "raw.idmap", "raw.apparmor"] },
    });
    expect(stricter[1].message).toContain("sets raw.idmap, raw.apparmor: remove them");
  });
});

describe("proxy-listen-allow-list", () => {
  const mosquitto = serviceProfile("mosquitto", {
    devices: [
      rootDiskDevice(),
      proxy("mqtt-proxy", "tcp:0.0.0.0:1883"),
      proxy("mqtts-proxy", "tcp:0.0.0.0:8883"),
    ],
  });
  const coredns = serviceProfile("coredns", {
    devices: [
      rootDiskDevice(),
      proxy("dns-udp", "udp:0.0.0.0:53"),
      proxy("dns-tcp", "tcp:[::]:53"),
    ],
  });
  const ovnCentral = serviceProfile("ovn-central", {
    devices: [
      rootDiskDevice(),
      proxy("ovn-nb", "tcp:192.168.71.5:6641"),
      proxy("ovn-sb", "tcp:192.168.71.5:6642"),
    ],
  });

  it("accepts the reference's MQTT, MQTTS and DNS listeners on any address", async () => {
    expect(await violationsOf("proxy-listen-allow-list", [mosquitto, coredns])).toEqual([]);
  });

  it("accepts the platform's own cross-host and gateway endpoints (Loki push, step-ca, federation, CoreDNS metrics)", async () => {
    const endpoints = serviceProfile("endpoints", {
      devices: [
        rootDiskDevice(),
        proxy("lan-3100-proxy", "tcp:0.0.0.0:3100"),
        proxy("lan-9000-proxy", "tcp:192.168.68.10:9000"),
        proxy("lan-9090-proxy", "tcp:192.168.68.11:9090"),
        proxy("management-gateway-9153-proxy", "tcp:10.20.0.1:9153"),
      ],
    });
    expect(await violationsOf("proxy-listen-allow-list", [endpoints])).toEqual([]);
    const ssh = serviceProfile("ssh", { devices: [proxy("ssh", "tcp:0.0.0.0:22")] });
    expect(await violationsOf("proxy-listen-allow-list", [ssh])).toHaveLength(1);
  });

  it("flags other ports, ranges and malformed listen values, on profiles and instances", async () => {
    const v = await violationsOf("proxy-listen-allow-list", [
      serviceProfile("web", { devices: [proxy("http", "tcp:0.0.0.0:80")] }),
      instance("range01", { devices: [proxy("many", "tcp:0.0.0.0:1883-1885")] }),
      instance("bad01", {
        devices: [{ name: "odd", type: "proxy", properties: { listen: "0.0.0.0:1883" } }],
      }),
      instance("sock01", { devices: [proxy("sock", "unix:/run/app.sock")] }),
    ]);
    expect(v.map((x) => x.message)).toEqual([
      expect.stringContaining(
        "Profile 'web' proxy device 'http' listens on tcp:0.0.0.0:80 (port 80 not allowed)",
      ),
      expect.stringContaining(
        "Instance 'range01' proxy device 'many' listens on tcp:0.0.0.0:1883-1885 (port 1884, 1885 not allowed)",
      ),
      expect.stringContaining(
        "Instance 'bad01' proxy device 'odd' has listen '0.0.0.0:1883', which is not",
      ),
    ]);
  });

  it("refuses OVN central's 6641/6642 until the operator lists them for their address", async () => {
    const blocked = await violationsOf("proxy-listen-allow-list", [ovnCentral]);
    expect(blocked).toHaveLength(2);
    expect(blocked[0].message).toContain(
      "add '192.168.71.5:6641' to proxy-listen-allow-list.allowedListeners",
    );
    const allowed = await violationsOf("proxy-listen-allow-list", [ovnCentral], {
      "proxy-listen-allow-list": { allowedListeners: ["192.168.71.5:6641", "192.168.71.5:6642"] },
    });
    expect(allowed).toEqual([]);
    const elsewhere = await violationsOf(
      "proxy-listen-allow-list",
      [serviceProfile("x", { devices: [proxy("nb", "tcp:0.0.0.0:6641")] })],
      { "proxy-listen-allow-list": { allowedListeners: ["192.168.71.5:6641"] } },
    );
    expect(elsewhere).toHaveLength(1);
  });
});

describe("host-capacity", () => {
  it("passes the reference's full iapetus on the recommended host (CPU limits overcommit 2x)", async () => {
    // Grafana 2/1GB, Prometheus 2/2GB, Loki 2/2GB, step-ca 1/512MB, node-exporter 1/128MB,
    // Cloudflared 1/256MB, Atlantis 2/1GB: 11 cores, 6.9GB (reference Resource Requirements).
    const resources = [
      ...baseProfiles,
      ...service("grafana01", { cpu: "2", memory: "1GB" }),
      ...service("prometheus01", { cpu: "2", memory: "2GB" }),
      ...service("loki01", { cpu: "2", memory: "2GB" }),
      ...service("step-ca01", { cpu: "1", memory: "512MB", rootDisk: "1GB" }),
      ...service("node-exporter01", { cpu: "1", memory: "128MB", rootDisk: "1GB" }),
      ...service("cloudflared01", { cpu: "1", memory: "256MB", rootDisk: "1GB" }),
      ...service("atlantis01", { cpu: "2", memory: "1GB" }),
      volume("prometheus01-data", { size: "100GB" }),
      volume("loki01-data", { size: "50GB" }),
      volume("grafana01-data", { size: "10GB" }),
      volume("step-ca01-data", { size: "1GB" }),
      volume("atlantis01-data", { size: "10GB" }),
    ];
    expect(await violationsOf("host-capacity", resources)).toEqual([]);
    const noOvercommit = await violationsOf("host-capacity", resources, {
      "host-capacity": { cpuOvercommitRatio: 1 },
    });
    expect(noOvercommit[0].message).toMatch(
      /^the host: CPU limits sum to 11 cores, over 8 cores x 1 overcommit = 8 \(largest: instance grafana01 2/,
    );
  });

  it("sums memory and storage on the single host and names the largest consumers", async () => {
    const v = await violationsOf("host-capacity", [
      ...baseProfiles,
      ...service("big01", { cpu: "4", memory: "12GB" }),
      ...service("big02", { cpu: "4", memory: "8GB" }),
      volume("big01-data", { size: "500GB" }),
    ]);
    expect(v).toHaveLength(1);
    expect(v[0].message).toContain(
      "memory limits sum to 20GB, over 16GB (largest: instance big01 12GB, instance big02 8GB)",
    );
    expect(v[0].message).toContain(
      "root disks and volumes sum to 504GB, over 500GB (largest: volume big01-data 500GB",
    );
  });

  it("checks each cluster member with its pinned instances plus every unpinned one", async () => {
    const resources = [
      ...baseProfiles,
      ...service("node-exporter01", { cpu: "1", memory: "128MB", targetNode: "node01" }),
      ...service("node-exporter02", { cpu: "1", memory: "128MB", targetNode: "node02" }),
      ...service("heavy01", { cpu: "4", memory: "10GB", targetNode: "node01" }),
      ...service("prometheus01", { cpu: "2", memory: "7GB" }),
    ];
    const v = await violationsOf("host-capacity", resources);
    // node01: 10GB + 7GB (unpinned) + 128MB > 16GB; node02: 7GB + 128MB fits.
    expect(v.map((x) => x.message)).toEqual([
      expect.stringMatching(/^cluster member node01: memory limits sum to 17.1GB, over 16GB/),
    ]);
    const bigger = await violationsOf("host-capacity", resources, {
      "host-capacity": { targets: { node01: { memory: "32GB" } } },
    });
    expect(bigger).toEqual([]);
  });

  it("places a volume on its target, or where the instance mounting it runs", async () => {
    const mounted = serviceProfile("db01", {
      devices: [
        rootDiskDevice(),
        {
          name: "db01-data",
          type: "disk",
          properties: { source: "db01-data", pool: "local", path: "/data" },
        },
      ],
    });
    const v = await violationsOf("host-capacity", [
      ...baseProfiles,
      mounted,
      instance("db01", { targetNode: "node02" }),
      volume("db01-data", { size: "500GB" }),
      ...service("other01", { targetNode: "node01" }),
    ]);
    expect(v.map((x) => x.message)).toEqual([
      expect.stringMatching(
        /^cluster member node02: root disks and volumes sum to 501GB, over 500GB \(largest: volume db01-data 500GB/,
      ),
    ]);
  });
});
