/**
 * One place for Pulumi mocks, so component and stack tests stay short:
 *
 *   const run = await mockStack({ stack: "iapetus", config: { "atlas:storagePool": "default" } });
 *   new Grafana("grafana01", args);
 *   await run.settle();
 *   run.byType("incus:index:Profile")
 */
import * as pulumi from "@pulumi/pulumi";

export interface RecordedResource {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  /** Name of the explicit provider resource, if any. */
  provider?: string;
}

export interface MockStackOptions {
  stack?: string;
  project?: string;
  /** Full config keys (`atlas:services`) to values; objects are JSON-encoded for you. */
  config?: Record<string, unknown>;
  /** Keys in `config` that are secrets. */
  secretKeys?: string[];
  /** Simulate `pulumi preview` (unknowns) instead of `up`. */
  preview?: boolean;
  /** Outputs of stack references, keyed by the referenced stack's full name. */
  stackOutputs?: Record<string, Record<string, unknown>>;
}

export interface MockStack {
  resources: RecordedResource[];
  /** Waits until every registration has reached the mocks. */
  settle(): Promise<void>;
  byType(type: string): RecordedResource[];
  named(type: string, name: string): RecordedResource;
}

/** Computed outputs a real provider would fill in, per resource type. */
function computedState(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
): Record<string, unknown> {
  switch (type) {
    case "incus:index:Instance":
      return {
        status: "Running",
        location: inputs.targetNode ?? "none",
        ipv4Address: "10.0.0.10",
        ipv6Address: "",
        macAddress: "00:16:3e:00:00:01",
      };
    case "incus:index:Certificate":
      return { fingerprint: `fp-${name}` };
    case "incus:index:StorageVolume":
      return { location: inputs.target ?? "none" };
    case "incus:index:StorageBucketKey":
      return { accessKey: `access-${name}`, secretKey: `secret-${name}` };
    case "tls:index/privateKey:PrivateKey":
      return {
        privateKeyPem: `-----BEGIN PRIVATE KEY-----\nmock-${name}\n-----END PRIVATE KEY-----\n`,
        publicKeyPem: "mock",
      };
    case "tls:index/selfSignedCert:SelfSignedCert":
      return { certPem: `-----BEGIN CERTIFICATE-----\nmock-${name}\n-----END CERTIFICATE-----\n` };
    case "random:index/randomPassword:RandomPassword":
      return { result: `generated-${name}` };
    case "pulumi:pulumi:StackReference": {
      return {};
    }
    default:
      return {};
  }
}

export async function mockStack(options: MockStackOptions = {}): Promise<MockStack> {
  const resources: RecordedResource[] = [];
  const stack = options.stack ?? "iapetus";
  await pulumi.runtime.setMocks(
    {
      newResource(args: pulumi.runtime.MockResourceArgs): {
        id: string;
        state: Record<string, unknown>;
      } {
        const inputs = args.inputs as Record<string, unknown>;
        if (args.type === "pulumi:pulumi:StackReference") {
          const referenced = String(inputs.name ?? args.name);
          const outputs = options.stackOutputs?.[referenced];
          resources.push({ type: args.type, name: args.name, inputs });
          return {
            id: referenced,
            state: { name: referenced, outputs: outputs ?? {}, secretOutputNames: [] },
          };
        }
        resources.push({ type: args.type, name: args.name, inputs, provider: args.provider });
        return {
          id: `${args.name}-id`,
          state: { ...inputs, ...computedState(args.type, args.name, inputs) },
        };
      },
      call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
        if (args.token === "incus:index:getNetwork") {
          const inputs = args.inputs as { name: string };
          return { name: inputs.name, type: "bridge", description: "", config: {}, managed: true };
        }
        return {};
      },
    },
    options.project ?? "atlas",
    stack,
    options.preview ?? false,
  );
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(options.config ?? {})) {
    values[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  pulumi.runtime.setAllConfig(values, options.secretKeys ?? []);

  const settle = async (): Promise<void> => {
    let stableRounds = 0;
    let last = -1;
    while (stableRounds < 5) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      stableRounds = resources.length === last ? stableRounds + 1 : 0;
      last = resources.length;
    }
  };
  return {
    resources,
    settle,
    byType: (type) => resources.filter((r) => r.type === type),
    named: (type, name) => {
      const found = resources.find((r) => r.type === type && r.name === name);
      if (!found) {
        const names = resources.filter((r) => r.type === type).map((r) => r.name);
        throw new Error(`no ${type} named ${name}; registered: ${names.join(", ") || "none"}`);
      }
      return found;
    },
  };
}

/** The resolved value of an output (undefined while unknown in preview). */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((v) => resolve(v)));
}

/** Whether an output is marked secret. */
export function isSecret(output: pulumi.Output<unknown>): Promise<boolean> {
  return pulumi.isSecret(output);
}
