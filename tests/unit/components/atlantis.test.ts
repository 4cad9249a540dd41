import { describe, expect, it } from "vitest";
import { atlantisIfEnabled } from "../../../components/atlantis";
import { mockStack, valueOf } from "../../helpers/pulumiMocks";
import { atlasConfig, devicesOf, instanceConfig } from "./edgeFixtures";

const profiles = ["container-base", "gitops-network"];
const enabled = {
  atlantis: { enabled: true, githubUser: "atlas-bot" },
  gitopsNetwork: { enabled: true },
};
const secrets = { atlantisGithubToken: "ghp_secret_token", atlantisWebhookSecret: "hook-secret" };

async function build(values: Record<string, unknown>, secretValues: Record<string, string> = {}) {
  const run = await mockStack({ stack: "iapetus" });
  const c = atlasConfig("iapetus", values, secretValues);
  const atlantis = atlantisIfEnabled("atlantis", {
    settings: c.services.atlantis,
    atlantis: c.atlantis,
    storagePool: c.incus.storagePool,
    baseProfiles: profiles,
  });
  await run.settle();
  return { run, atlantis };
}

describe("Atlantis", () => {
  it("is not created unless enabled", async () => {
    const { run, atlantis } = await build({});
    expect(atlantis).toBeUndefined();
    expect(run.resources).toEqual([]);
  });

  it("runs the OCI image from the ghcr: remote, configured by secret environment, no cloud-init", async () => {
    const { run, atlantis } = await build(enabled, secrets);
    const instance = run.named("incus:index:Instance", "atlantis01").inputs;
    expect(instance.image).toBe("ghcr:accuser-dev/atlas/atlantis:latest");
    expect(instance.profiles).toEqual([...profiles, "atlantis"]);
    const { config, secret } = instanceConfig(run, "atlantis01");
    expect(secret).toBe(true);
    expect(config).toEqual({
      "environment.ATLANTIS_GH_TOKEN": "ghp_secret_token",
      "environment.ATLANTIS_GH_WEBHOOK_SECRET": "hook-secret",
      "environment.ATLANTIS_GH_USER": "atlas-bot",
      "environment.ATLANTIS_REPO_ALLOWLIST": "github.com/accuser-dev/atlas",
      "environment.ATLANTIS_ATLANTIS_URL": "https://atlantis.accuser.dev",
      "environment.ATLANTIS_DATA_DIR": "/atlantis-data",
      "environment.ATLANTIS_PORT": "4141",
    });
    expect(Object.keys(config)).not.toContain("cloud-init.user-data");
    expect(atlantis!.webhookUrl).toBe("https://atlantis.accuser.dev/events");
    expect(await valueOf(atlantis!.endpoint)).toBe("http://atlantis01.incus:4141");
  });

  it("keeps plans and locks on a 10GB volume at /atlantis-data", async () => {
    const { run } = await build(enabled, secrets);
    expect(run.named("incus:index:StorageVolume", "atlantis01-data").inputs.config).toMatchObject({
      size: "10GB",
    });
    expect(devicesOf(run, "atlantis")).toContainEqual({
      name: "atlantis-data",
      type: "disk",
      properties: { source: "atlantis01-data", pool: "local", path: "/atlantis-data" },
    });
  });

  it("takes the image from a configurable remote", async () => {
    const { run } = await build(
      { ...enabled, services: { atlantis: { image: "docker:runatlantis/atlantis:v0.35.0" } } },
      secrets,
    );
    expect(run.named("incus:index:Instance", "atlantis01").inputs.image).toBe(
      "docker:runatlantis/atlantis:v0.35.0",
    );
  });
});
