/**
 * Policies read instance config that travels as a secret. When cloud-init user-data is a
 * secret, the engine sends the instance's whole `config` as one secret value; the analyzer
 * unwraps it before a policy runs, so every config-reading policy must still see every key.
 * The resources here are real registrations under mocks, in the engine's wire form.
 */
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import * as incus from "../../incus/sdk";
import { mockStack } from "../helpers/pulumiMocks";
import { analyzerProps, fromRecorded, mandatory, runPack } from "./harness";

const secretUserData = pulumi.secret("#cloud-config\npassword: hunter2\n");

async function registered(
  config: Record<string, pulumi.Input<string>>,
): Promise<ReturnType<typeof fromRecorded>> {
  const run = await mockStack({ stack: "iapetus" });
  new incus.Profile("web01", {
    name: "web01",
    config: {
      "limits.cpu": "1",
      "limits.memory": "512MB",
      "limits.memory.enforce": "hard",
    },
    devices: [
      { name: "root", type: "disk", properties: { path: "/", pool: "default", size: "1GB" } },
    ],
  });
  new incus.Instance("web01", {
    name: "web01",
    image: "images:debian/12/cloud",
    profiles: ["container-base", "management-network", "web01"],
    config,
  });
  await run.settle();
  return fromRecorded(run.resources);
}

describe("instance config that is a secret", () => {
  it("arrives wrapped from the engine, and unwrapped for the policies", async () => {
    const [, instance] = await registered({ "cloud-init.user-data": secretUserData });
    // The wire form: one secret wrapping the whole map.
    expect(Object.keys(instance.props.config as object)).not.toContain("cloud-init.user-data");
    expect(analyzerProps(instance.props).config).toEqual({
      "cloud-init.user-data": "#cloud-config\npassword: hunter2\n",
    });
  });

  it("a privileged instance with secret user-data is blocked", async () => {
    const resources = await registered({
      "security.privileged": "true",
      "cloud-init.user-data": secretUserData,
    });
    const blocked = mandatory(await runPack(resources, { only: "no-privileged-containers" }));
    expect(blocked.map((v) => v.message)).toEqual([
      "Instance 'web01' sets security.privileged=true: remove it; Atlas services run unprivileged.",
    ]);
  });

  it("raw LXC config and soft memory limits beside secret user-data are blocked too", async () => {
    const resources = await registered({
      "raw.lxc": "lxc.apparmor.profile=unconfined",
      "limits.memory.enforce": "soft",
      "cloud-init.user-data": secretUserData,
    });
    const blocked = mandatory(await runPack(resources));
    expect(new Set(blocked.map((v) => v.policy))).toEqual(
      new Set(["no-raw-lxc-config", "memory-limits-hard"]),
    );
  });

  it("a well-formed instance with secret user-data passes, and no secret is echoed", async () => {
    const resources = await registered({ "cloud-init.user-data": secretUserData });
    const violations = await runPack(resources);
    expect(mandatory(violations)).toEqual([]);
    expect(JSON.stringify(violations)).not.toContain("hunter2");
  });
});
