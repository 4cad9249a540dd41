import { describe, expect, it } from "vitest";
import * as YAML from "yaml";
import { cloudflaredIfConfigured } from "../../../components/cloudflared";
import { mockStack, valueOf } from "../../helpers/pulumiMocks";
import { atlasConfig, instanceConfig } from "./edgeFixtures";

const profiles = ["container-base", "management-network"];

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

describe("Cloudflared", () => {
  it("is not created without a tunnel token", async () => {
    const { run, cloudflared } = await build();
    expect(cloudflared).toBeUndefined();
    expect(run.resources).toEqual([]);
  });

  it("with a token: runs the tunnel with metrics on :2000, token kept secret", async () => {
    const { run, cloudflared } = await build({ cloudflaredTunnelToken: "eyJhIjoidG9rZW4ifQ==" });
    expect(await valueOf(cloudflared!.metricsEndpoint)).toBe("http://cloudflared01.incus:2000");
    const { config, secret } = instanceConfig(run, "cloudflared01");
    expect(secret).toBe(true);
    const userData = config["cloud-init.user-data"];
    expect(userData).toContain("export TUNNEL_TOKEN='eyJhIjoidG9rZW4ifQ=='");
    const files = (YAML.parse(userData) as { write_files: { path: string; permissions: string }[] })
      .write_files;
    expect(files.find((f) => f.path === "/etc/conf.d/cloudflared")?.permissions).toBe("0600");
    expect(userData).toContain("--metrics 0.0.0.0:2000 run");
    expect(userData).toContain("cloudflared/releases/download/2026.9.1/cloudflared-linux-amd64");
    expect(userData).toContain("03f1f25d1cc93b9ad6c60569d44060bc4f17ed97075760ed8cfca4b12dcd68cc");
    expect(run.named("incus:index:Instance", "cloudflared01").inputs.profiles).toEqual([
      ...profiles,
      "cloudflared",
    ]);
    // Stateless: no data volume.
    expect(run.byType("incus:index:StorageVolume")).toEqual([]);
  });
});
