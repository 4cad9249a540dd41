/**
 * The files generated from the program and its configuration schema hold what the
 * generators write now: docs/configuration.md, Pulumi.yaml's `config:` block and the
 * README's architecture diagram. A changed key, default, rule, service or connection fails
 * here until `npm run docs -- --write` is run.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { describe, expect, it } from "vitest";
import { parseAtlasConfig } from "../../../config";
import { scalarSettings } from "../../../config/settings";
import { generatedFiles } from "../../../automation/docs/generated";
import { allowedText, configurationMarkdown } from "../../../automation/docs/configurationDoc";
import { projectConfigDeclarations } from "../../../automation/docs/projectConfig";
import { platformGraph, type StackRun } from "../../../automation/shape/diagram";
import { optionalFeatures, recordStack } from "../../../automation/shape/stackShape";
import { repoRoot } from "../../../automation/repoRoot";
import * as rules from "../../../config/rules";

describe("generated files", () => {
  it("match their generators (run `npm run docs -- --write` after a change)", async () => {
    for (const file of await generatedFiles()) {
      expect(file.current, `${file.file} differs: run npm run docs -- --write`).toBe(file.expected);
    }
  }, 120_000);
});

describe("Pulumi.yaml's config block", () => {
  const project = YAML.parse(fs.readFileSync(path.join(repoRoot, "Pulumi.yaml"), "utf8")) as {
    config: Record<string, { type: string; default: unknown }>;
  };

  it("declares keys of the schema, with the schema's type and default", () => {
    expect(project.config).toEqual(projectConfigDeclarations());
    for (const [key, declaration] of Object.entries(project.config)) {
      const setting = scalarSettings[key.replace(/^atlas:/, "") as keyof typeof scalarSettings];
      expect(setting, key).toBeDefined();
      expect(declaration.type).toBe(setting.type);
      expect(declaration.default).toEqual(setting.default);
    }
  });

  it("gives the program defaults it accepts on every stack (the CLI passes them on)", () => {
    const values = Object.fromEntries(
      Object.entries(project.config).map(([key, d]) => [key, String(d.default)]),
    );
    for (const stack of ["iapetus", "cluster01"]) {
      expect(() => parseAtlasConfig({ stack, values, secretKeys: [] })).not.toThrow();
    }
  });

  it("declares no key without a default: the CLI would demand it on every stack", () => {
    for (const declaration of Object.values(project.config)) {
      expect(declaration).toHaveProperty("default");
    }
  });
});

describe("docs/configuration.md", () => {
  const doc = configurationMarkdown();

  it("names every key a user sets, with what its rule allows", () => {
    for (const key of [
      "productionNetwork.type",
      "ovn.mosquittoLbAddress",
      "crossStack.stepCaUrlFallback",
    ]) {
      expect(doc).toContain(`| \`${key}\` |`);
    }
    expect(doc).not.toContain("networks.production");
    expect(doc).toContain(allowedText(rules.snapshotExpiry));
    expect(doc).toContain("| `grafanaAdminPassword` |");
    expect(doc).toContain("pulumi config set --secret grafanaAdminPassword");
  });

  it("reads a rule's allowed-text from the rule itself", () => {
    expect(allowedText(rules.cpuCores)).toBe("an integer from 1 to 64");
    expect(allowedText(rules.emptyOr(rules.hostPort, "email"))).toMatch(/^empty \(email off\) or /);
  });
});

describe("the architecture diagram", () => {
  it("shows every instance and the connections found in the instances' files", async () => {
    const runs: StackRun[] = [];
    for (const stack of ["iapetus", "cluster01"]) {
      const resources = await recordStack(stack, optionalFeatures(stack));
      runs.push({ stack, resources, optionalInstances: new Set() });
    }
    const graph = platformGraph(runs);
    const instances = runs.flatMap((run) =>
      run.resources
        .filter((r) => r.type === "incus:index:Instance")
        .map((r) => `${run.stack}/${String(r.inputs.name)}`),
    );
    expect(graph.nodes.map((n) => `${n.stack}/${n.name}`).sort()).toEqual(instances.sort());
    const edges = graph.edges.map((e) => `${e.from} -${e.ports.join(",")}-> ${e.to}`);
    expect(edges).toEqual(
      expect.arrayContaining([
        // `.incus` names on one host, `<instance>.<stack>` across hosts, a proxy on the
        // management gateway, the host's Incus API, the LAN through wildcard proxies.
        "iapetus_grafana01 -9090-> iapetus_prometheus01",
        "cluster01_promtail01 -3100-> iapetus_loki01",
        "cluster01_prometheus01 -9153-> cluster01_coredns01",
        "cluster01_prometheus01 -8443-> cluster01_incus",
        "iapetus_incus -3100-> iapetus_loki01",
        "lan -1883,8883-> cluster01_mosquitto01",
      ]),
    );
  }, 120_000);
});
