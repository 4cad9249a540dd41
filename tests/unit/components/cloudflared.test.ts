import { describe, expect, it } from "vitest";
import * as YAML from "yaml";
import { cloudflaredIfConfigured } from "../../../components/cloudflared";
import type { CloudConfig } from "../../../components/shared/cloudInit";
import { mockStack, valueOf } from "../../helpers/pulumiMocks";
import { atlasConfig, instanceConfig, isSecretInput, plain } from "./edgeFixtures";

const profiles = ["container-base", "management-network"];
const token = "eyJhIjoidG9rZW4ifQ==";

interface RecordedFile {
  targetPath: string;
  content: string;
  mode: string;
  uid: number;
  gid: number;
}

async function build(secrets: Record<string, string> = {}) {
  const run = await mockStack({ stack: "iapetus" });
  const c = atlasConfig("iapetus", {}, secrets);
  const cloudflared = cloudflaredIfConfigured("cloudflared", {
    settings: c.services.cloudflared,
    cloudflared: c.cloudflared,
    storagePool: c.incus.storagePool,
    baseProfiles: profiles,
  });
  await run.settle();
  return { run, cloudflared };
}

async function deployed(tunnelToken = token) {
  const { run, cloudflared } = await build({ cloudflaredTunnelToken: tunnelToken });
  const { config, secret } = instanceConfig(run, "cloudflared01");
  const inputs = run.named("incus:index:Instance", "cloudflared01").inputs;
  const files = plain<RecordedFile[]>(inputs.files);
  const file = (path: string): RecordedFile => {
    const found = files.find((f) => f.targetPath === path);
    if (!found) throw new Error(`cloudflared01: no file ${path}`);
    return found;
  };
  const userData = config["cloud-init.user-data"];
  return {
    run,
    cloudflared,
    userData,
    userDataSecret: secret,
    cloud: YAML.parse(userData) as CloudConfig,
    filesSecret: isSecretInput(inputs.files),
    files,
    file,
    execs: plain<{ name: string; command: string[]; trigger: string }[]>(inputs.execs),
  };
}

describe("Cloudflared", () => {
  it("is not created without a tunnel token", async () => {
    const { run, cloudflared } = await build();
    expect(cloudflared).toBeUndefined();
    expect(run.resources).toEqual([]);
  });

  it("with a token: runs the tunnel with metrics on :2000, the token in a secret 0640 file", async () => {
    const { run, cloudflared, file, filesSecret, userData, userDataSecret } = await deployed();
    expect(await valueOf(cloudflared!.metricsEndpoint)).toBe("http://cloudflared01.incus:2000");
    expect(file("/etc/cloudflared/token")).toEqual({
      targetPath: "/etc/cloudflared/token",
      content: token,
      mode: "0640",
      uid: 0,
      gid: 909,
    });
    expect(filesSecret).toBe(true);
    const conf = file("/etc/conf.d/cloudflared").content;
    expect(conf).toContain("--metrics 0.0.0.0:2000 run --token-file /etc/cloudflared/token");
    // The token is read from its file: not on the command line, not in the environment.
    expect(conf).not.toContain(token);
    expect(conf).not.toContain("TUNNEL_TOKEN");
    // The user-data is the install only: no token, so it need not be a secret.
    expect(userData).not.toContain(token);
    expect(userDataSecret).toBe(false);
    expect(userData).toContain("cloudflared/releases/download/2026.9.1/cloudflared-linux-amd64");
    expect(userData).toContain("03f1f25d1cc93b9ad6c60569d44060bc4f17ed97075760ed8cfca4b12dcd68cc");
    expect(run.named("incus:index:Instance", "cloudflared01").inputs.profiles).toEqual([
      ...profiles,
      "cloudflared",
    ]);
    // Stateless: no data volume.
    expect(run.byType("incus:index:StorageVolume")).toEqual([]);
  });

  it("installs once: a new token changes the token file only, and is applied by a restart", async () => {
    const first = await deployed();
    const rotated = await deployed("eyJhIjoib3RoZXIifQ==");
    expect(rotated.userData).toBe(first.userData);
    expect(first.cloud.write_files!.map((f) => f.path).sort()).toEqual([
      "/etc/init.d/cloudflared",
      "/usr/local/sbin/atlas-install-cloudflared.sh",
    ]);
    expect(rotated.file("/etc/cloudflared/token").content).toBe("eyJhIjoib3RoZXIifQ==");
    expect(rotated.file("/etc/conf.d/cloudflared")).toEqual(first.file("/etc/conf.d/cloudflared"));
    expect(first.files.map((f) => f.targetPath).sort()).toEqual([
      "/etc/cloudflared/token",
      "/etc/conf.d/cloudflared",
      "/usr/local/sbin/atlas-apply-cloudflared",
    ]);
    // No checker exists for a token short of connecting to Cloudflare: restart only.
    const script = first.file("/usr/local/sbin/atlas-apply-cloudflared").content;
    expect(script).toContain("action=restart");
    expect(script).not.toContain("/usr/local/bin/");
    expect(first.execs.map((e) => [e.name, e.trigger])).toEqual([
      ["apply-cloudflared-configuration", "on_change"],
    ]);
  });
});
