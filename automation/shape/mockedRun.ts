/**
 * Runs Pulumi code under mocks and records what it registers: the program's shape
 * without a host or an engine. Used by the unit tests, `npm run budget` and the
 * construction benchmark.
 */
import * as pulumi from "@pulumi/pulumi";
import { getMonitor } from "@pulumi/pulumi/runtime/settings";

export interface RecordedResource {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  /** Reference of the explicit provider resource, if any. */
  provider?: string;
  /** URNs of the resources it waits for (explicit dependsOn and its inputs' sources). */
  dependencies: string[];
}

export interface MockedRunOptions {
  stack: string;
  project?: string;
  /** Full config keys (`atlas:services`) to values; non-strings are JSON-encoded. */
  config?: Record<string, unknown>;
  /** Keys in `config` that are secrets. */
  secretKeys?: string[];
  /** Simulate `pulumi preview` (unknowns) instead of `up`. */
  preview?: boolean;
  /** Outputs of stack references, keyed by the referenced stack's full name. */
  stackOutputs?: Record<string, Record<string, unknown>>;
}

export interface MockedRun {
  resources: RecordedResource[];
  /**
   * Waits until every registration has reached the mocks; fails, as the engine would,
   * when two resources got the same URN.
   */
  settle(): Promise<void>;
}

/** Outputs a real provider would compute, per resource type. */
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
    case "incus:index:Network":
      return { managed: true, type: inputs.type ?? "bridge" };
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
    default:
      return {};
  }
}

interface RegistrationRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
}
interface RegisterRequest extends RegistrationRequest {
  getDependenciesList(): string[];
}
type Registration<R> = (req: R, callback: unknown) => unknown;

/**
 * The engine refuses a second resource with the same URN (`Duplicate resource URN`, e.g.
 * two StackReferences with one name); the mock monitor accepts it. This tracks the URNs
 * the engine would assign, from the requests themselves: the engine qualifies a child's
 * type with its parents' whole type chain, the mocks with the last parent type only.
 */
class UrnRegistry {
  /** Mock URN -> the engine's qualified type of that resource. */
  private readonly qualifiedTypes = new Map<string, string>();
  private readonly seen = new Set<string>();
  readonly duplicates: string[] = [];

  constructor(
    private readonly stack: string,
    private readonly project: string,
  ) {}

  note(req: RegistrationRequest): void {
    const parent = req.getParent();
    const parentType = parent
      ? (this.qualifiedTypes.get(parent) ?? parent.split("::")[2])
      : undefined;
    const qualified =
      parentType && parentType !== "pulumi:pulumi:Stack"
        ? `${parentType}$${req.getType()}`
        : req.getType();
    this.qualifiedTypes.set(this.mockUrn(parent, req.getType(), req.getName()), qualified);
    const urn = `urn:pulumi:${this.stack}::${this.project}::${qualified}::${req.getName()}`;
    if (this.seen.has(urn)) this.duplicates.push(urn);
    this.seen.add(urn);
  }

  /** The URN the mock monitor gives a resource (its parents' URNs in requests are these). */
  private mockUrn(parent: string, type: string, name: string): string {
    const parentType = parent ? parent.split("::")[2].split("$").pop() : undefined;
    const qualified = parentType ? `${parentType}$${type}` : type;
    return `urn:pulumi:${this.stack}::${this.project}::${qualified}::${name}`;
  }
}

/**
 * The mocks see a registration's inputs but not its dependencies or parent, which travel
 * in the request: the mock monitor's registerResource and readResource (stack references
 * are reads) are wrapped to note them first.
 */
const dependencies = new Map<string, string[]>();
function watchRegistrations(urns: UrnRegistry): void {
  const monitor = getMonitor() as unknown as
    | {
        registerResource: Registration<RegisterRequest>;
        readResource: Registration<RegistrationRequest>;
      }
    | undefined;
  if (!monitor) return;
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) => {
    dependencies.set(`${req.getType()}::${req.getName()}`, req.getDependenciesList());
    urns.note(req);
    return register(req, callback);
  };
  const read = monitor.readResource.bind(monitor);
  monitor.readResource = (req, callback) => {
    urns.note(req);
    return read(req, callback);
  };
}

/** Installs mocks and stack config; construct resources afterwards, then `settle()`. */
export async function startMockedRun(options: MockedRunOptions): Promise<MockedRun> {
  const resources: RecordedResource[] = [];
  dependencies.clear();
  await pulumi.runtime.setMocks(
    {
      newResource(args: pulumi.runtime.MockResourceArgs): {
        id: string;
        state: Record<string, unknown>;
      } {
        const inputs = args.inputs as Record<string, unknown>;
        resources.push({
          type: args.type,
          name: args.name,
          inputs,
          provider: args.provider,
          dependencies: dependencies.get(`${args.type}::${args.name}`) ?? [],
        });
        if (args.type === "pulumi:pulumi:StackReference") {
          const referenced = String(inputs.name ?? args.name);
          const outputs = options.stackOutputs?.[referenced] ?? {};
          return { id: referenced, state: { name: referenced, outputs, secretOutputNames: [] } };
        }
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
    options.stack,
    options.preview ?? false,
  );
  const urns = new UrnRegistry(options.stack, options.project ?? "atlas");
  watchRegistrations(urns);
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(options.config ?? {})) {
    values[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  pulumi.runtime.setAllConfig(values, options.secretKeys ?? []);

  // Registrations reach the mocks asynchronously (after their inputs resolve); wait
  // until the count has been stable for several timer turns.
  const settle = async (): Promise<void> => {
    let stableRounds = 0;
    let last = -1;
    while (stableRounds < 5) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      stableRounds = resources.length === last ? stableRounds + 1 : 0;
      last = resources.length;
    }
    if (urns.duplicates.length > 0) {
      throw new Error(
        urns.duplicates
          .map((urn) => `Duplicate resource URN '${urn}'; try giving it a unique name`)
          .join("\n"),
      );
    }
  };
  return { resources, settle };
}
