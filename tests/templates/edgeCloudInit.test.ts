/**
 * Every cloud-init document the edge and integration components render, for the settings
 * variants that change it, checked by `cloud-init schema -c`; the shell scripts they carry
 * are parsed by `sh -n`.
 */
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import * as YAML from "yaml";
import { cloudflaredIfConfigured } from "../../components/cloudflared";
import { Coredns } from "../../components/coredns";
import { IncusVm } from "../../components/incusVm";
import { Mosquitto } from "../../components/mosquitto";
import { OvnCentral } from "../../components/ovnCentral";
import { externalAccessFor } from "../../components/shared/externalAccess";
import { mockStack } from "../helpers/pulumiMocks";
import { cloudInitSchema, shellSyntax } from "../helpers/validators";
import { atlasConfig, instanceConfig, plain } from "../unit/components/edgeFixtures";

const profiles = ["container-base", "production-network"];
const rootFingerprint = "3b1c0ffee0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b";

interface Rendered {
  label: string;
  userData: string;
  /** The configuration files pushed through the file API (path → content). */
  files: { targetPath: string; content: string }[];
}

/** Builds the components for one stack/settings variant and returns their user-data. */
async function render(
  stack: string,
  values: Record<string, unknown>,
  secrets: Record<string, string>,
): Promise<Rendered[]> {
  const run = await mockStack({ stack });
  const c = atlasConfig(stack, values, secrets);
  const access = (vip?: string) => externalAccessFor(c, c.networks.production.name, vip);
  new Mosquitto("mosquitto", {
    settings: c.services.mosquitto,
    mosquitto: c.mosquitto,
    storagePool: "local",
    baseProfiles: profiles,
    access: access(c.ovn.loadBalancerAddresses.mosquitto),
    stepCa: { caUrl: "https://step-ca01.incus:9000", fingerprint: pulumi.output(rootFingerprint) },
  });
  new Coredns("coredns", {
    settings: c.services.coredns,
    coredns: c.coredns,
    storagePool: "local",
    baseProfiles: profiles,
    access: access(c.ovn.loadBalancerAddresses.coredns),
    records: [{ name: "grafana", address: "10.20.0.11" }],
  });
  cloudflaredIfConfigured("cloudflared", {
    settings: c.services.cloudflared,
    cloudflared: c.cloudflared,
    storagePool: "local",
    baseProfiles: profiles,
  });
  new OvnCentral("ovn-central", {
    settings: c.services.ovnCentral,
    ovn: c.ovn,
    storagePool: "local",
    baseProfiles: ["container-base"],
  });
  new IncusVm("vm01", {
    settings: c.services.nodeExporter,
    storagePool: "local",
    baseProfiles: profiles,
    cloudInit: { package_update: true, packages: ["qemu-guest-agent"] },
  });
  await run.settle();
  return run.byType("incus:index:Instance").map((i) => ({
    label: `${stack} ${i.name}`,
    userData: instanceConfig(run, i.name).config["cloud-init.user-data"],
    files: plain<Rendered["files"] | undefined>(i.inputs.files) ?? [],
  }));
}

const variants: [string, Record<string, unknown>, Record<string, string>][] = [
  ["cluster01", {}, {}],
  [
    "cluster01",
    { mosquitto: { enableTls: true } },
    { mosquittoPasswords: JSON.stringify({ sensor: "pw1", "bridge-user": "pw'2\"" }) },
  ],
  ["iapetus", {}, { cloudflaredTunnelToken: "eyJ0dW5uZWwiOiJ0ZXN0In0=" }],
];

describe("edge service cloud-init", () => {
  it.each(variants)("%s %j: every document passes cloud-init schema", async (stack, values, secrets) => {
    const rendered = await render(stack, values, secrets);
    expect(rendered.length).toBeGreaterThanOrEqual(4);
    for (const { label, userData } of rendered) {
      expect(userData.startsWith("#cloud-config\n"), label).toBe(true);
      const result = cloudInitSchema(userData);
      expect(result.ok, `${label}: ${result.output}`).toBe(true);
    }
  }, 60_000);

  it.each(variants)("%s %j: every shell script parses", async (stack, values, secrets) => {
    const rendered = await render(stack, values, secrets);
    let scripts = 0;
    for (const { label, userData } of rendered) {
      const doc = YAML.parse(userData) as { write_files?: { path: string; content: string }[] };
      for (const file of doc.write_files ?? []) {
        if (!file.content.startsWith("#!")) continue;
        scripts += 1;
        // openrc-run scripts are sh with extra functions: parse them as sh too.
        const result = shellSyntax(file.content);
        expect(result.ok, `${label} ${file.path}: ${result.output}`).toBe(true);
      }
    }
    expect(scripts).toBeGreaterThanOrEqual(3);
  }, 60_000);

  it.each(variants)("%s %j: every pushed script parses; no secret is in user-data", async (stack, values, secrets) => {
    const rendered = await render(stack, values, secrets);
    let scripts = 0;
    for (const { label, userData, files } of rendered) {
      for (const file of files) {
        if (!file.content.startsWith("#!")) continue;
        scripts += 1;
        const result = shellSyntax(file.content);
        expect(result.ok, `${label} ${file.targetPath}: ${result.output}`).toBe(true);
      }
      for (const secret of Object.values(secrets)) {
        for (const value of secret.startsWith("{") ? Object.values(JSON.parse(secret) as object) : [secret]) {
          expect(userData, label).not.toContain(String(value));
        }
      }
      expect(userData, label).not.toContain("$7$");
    }
    // The apply scripts of Mosquitto and CoreDNS at least.
    expect(scripts).toBeGreaterThanOrEqual(2);
  }, 60_000);

  it("the TLS variant carries the step-ca helper with the fingerprint", async () => {
    const rendered = await render("cluster01", { mosquitto: { enableTls: true } }, {});
    const mosquitto = rendered.find((r) => r.label.endsWith("mosquitto01"))!.userData;
    expect(mosquitto).toContain(`fingerprint=${rootFingerprint}\n`);
    expect(mosquitto).toContain('--fingerprint "$fingerprint"');
    expect(mosquitto).not.toContain("--no-check-certificate");
  });
});
