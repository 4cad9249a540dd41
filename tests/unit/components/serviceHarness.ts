/**
 * Shared harness for the service component tests: a parsed configuration, mocked
 * stack, the captured instance arguments (to check secrecy) and the cloud-init files.
 */
import * as pulumi from "@pulumi/pulumi";
import { expect } from "vitest";
import * as YAML from "yaml";
import { parseAtlasConfig, type AtlasConfig } from "../../../config";
import type { CloudConfig } from "../../../components/shared/cloudInit";
import { mockStack, type MockStack } from "../../helpers/pulumiMocks";

export const baseProfiles = ["container-base", "management-network"];

export function atlasConfig(
  stack = "iapetus",
  values: Record<string, unknown> = {},
  secretKeys: string[] = [],
): AtlasConfig {
  const encoded = Object.fromEntries(
    Object.entries(values).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
  );
  return parseAtlasConfig({ stack, values: encoded, secretKeys });
}

export interface ServiceRun {
  run: MockStack;
  /** User-data inputs as given to each Instance (Outputs keep their secrecy). */
  userDataInputs: Map<string, pulumi.Input<string>>;
  /** Transformation recording them; pass it to the component under test. */
  opts: pulumi.ComponentResourceOptions;
}

export async function serviceRun(stack = "iapetus"): Promise<ServiceRun> {
  const run = await mockStack({ stack });
  const userDataInputs = new Map<string, pulumi.Input<string>>();
  const opts: pulumi.ComponentResourceOptions = {
    transformations: [
      (args) => {
        if (args.type === "incus:index:Instance") {
          const config = args.props.config as Record<string, pulumi.Input<string>>;
          userDataInputs.set(args.name, config["cloud-init.user-data"]);
        }
        return undefined;
      },
    ],
  };
  return { run, userDataInputs, opts };
}

/**
 * Whether the user-data given to an instance is a secret Output, and reached the
 * engine as a secret.
 */
export async function userDataIsSecret(service: ServiceRun, instance: string): Promise<boolean> {
  const input = service.userDataInputs.get(instance);
  const secretOutput = pulumi.Output.isInstance(input)
    ? await pulumi.isSecret(input as pulumi.Output<string>)
    : false;
  const recorded = service.run.named("incus:index:Instance", instance).inputs.config;
  return secretOutput && recordedAsSecret(recorded);
}

/** Whether a recorded input value arrived at the engine as a secret. */
export function recordedAsSecret(value: unknown): boolean {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<string, unknown>)[pulumi.runtime.specialSigKey] ===
      pulumi.runtime.specialSecretSig
  );
}

/** A recorded input value with its secret wrapper (if any) removed. */
export function unwrapRecorded<T>(value: unknown): T {
  return (recordedAsSecret(value) ? (value as { value: unknown }).value : value) as T;
}

/** The cloud-config document an instance was registered with. */
export function cloudConfigOf(
  service: ServiceRun,
  instance: string,
): {
  text: string;
  config: CloudConfig;
  file(path: string): string;
} {
  const inputs = service.run.named("incus:index:Instance", instance).inputs;
  const text = unwrapRecorded<Record<string, string>>(inputs.config)["cloud-init.user-data"];
  expect(text.startsWith("#cloud-config\n")).toBe(true);
  const config = YAML.parse(text) as CloudConfig;
  return {
    text,
    config,
    file(path) {
      const found = config.write_files?.find((f) => f.path === path);
      if (!found) throw new Error(`${instance}: no cloud-init file ${path}`);
      return found.content;
    },
  };
}

export interface AnatomyExpectation {
  instance: string;
  profile: string;
  cpu: string;
  memory: string;
  rootDiskSize: string;
  pool: string;
  /** The data volume's size and mount point, or undefined for none. */
  volume?: { size: string; path: string };
}

/** Asserts the shared anatomy: limits, root disk, volume, profile composition. */
export function expectAnatomy(service: ServiceRun, expected: AnatomyExpectation): void {
  const { run } = service;
  const profile = run.named("incus:index:Profile", expected.profile).inputs;
  expect(profile.config).toEqual({
    "limits.cpu": expected.cpu,
    "limits.memory": expected.memory,
    "limits.memory.enforce": "hard",
  });
  const devices = profile.devices as {
    name: string;
    type: string;
    properties: Record<string, string>;
  }[];
  expect(devices.find((d) => d.name === "root")).toEqual({
    name: "root",
    type: "disk",
    properties: { path: "/", pool: expected.pool, size: expected.rootDiskSize },
  });
  const instance = run.named("incus:index:Instance", expected.instance).inputs;
  expect(instance.profiles).toEqual([...baseProfiles, expected.profile]);
  expect(instance.profiles).not.toContain("default");
  expect(instance.image).toBe("images:alpine/3.21/cloud");

  const volumeName = `${expected.instance}-data`;
  const volumes = run.byType("incus:index:StorageVolume").filter((v) => v.name === volumeName);
  if (expected.volume) {
    expect(volumes).toHaveLength(1);
    expect(volumes[0].inputs).toMatchObject({
      name: volumeName,
      pool: expected.pool,
      config: { size: expected.volume.size },
    });
    expect(devices.find((d) => d.properties.source === volumeName)?.properties).toEqual({
      source: volumeName,
      pool: expected.pool,
      path: expected.volume.path,
    });
  } else {
    expect(volumes).toHaveLength(0);
    expect(devices.filter((d) => d.type === "disk" && d.properties.pool)).toHaveLength(1);
  }
}

/** A file an instance was registered with (its `files` input). */
export interface RecordedFile {
  targetPath: string;
  content: string;
  mode: string;
  uid: number;
  gid: number;
}

/**
 * The configuration an instance was registered with: the files pushed through the file
 * API (by path), the execs that apply them, and whether the files reached the engine as a
 * secret.
 */
export function configurationOf(
  service: ServiceRun,
  instance: string,
): {
  secret: boolean;
  paths: string[];
  file(path: string): RecordedFile;
  execs: { name: string; command: string[]; trigger: string }[];
} {
  const inputs = service.run.named("incus:index:Instance", instance).inputs;
  const files = unwrapRecorded<RecordedFile[] | undefined>(inputs.files) ?? [];
  return {
    secret: recordedAsSecret(inputs.files),
    paths: files.map((f) => f.targetPath),
    file(path) {
      const found = files.find((f) => f.targetPath === path);
      if (!found) throw new Error(`${instance}: no configuration file ${path}`);
      return found;
    },
    execs:
      unwrapRecorded<{ name: string; command: string[]; trigger: string }[] | undefined>(
        inputs.execs,
      ) ?? [],
  };
}
