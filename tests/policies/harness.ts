/**
 * Runs the Atlas policy pack in-process, the way the policy SDK's analyzer calls it:
 * every resource policy's `validateResource` with `ResourceValidationArgs`-shaped
 * arguments for each resource, every stack policy's `validateStack` once, each with a
 * collecting `reportViolation` and the operator's policy config. Properties reach the
 * policies as the analyzer hands them over: secrets unwrapped to plain values and unknowns
 * guarded, by the analyzer's own functions.
 */
import type {
  EnforcementLevel,
  PolicyPackConfig,
  PolicyResource,
  PolicyResourceOptions,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import type { RecordedResource } from "../helpers/pulumiMocks";
import { atlasPolicies } from "../../policies/policies";

/**
 * The analyzer's own property handling (policy SDK internals, shipped without type
 * declarations): `deserializeProperties` turns the engine's secret wrappers into their
 * plain values, `unknownCheckingProxy` throws UnknownValueError where a policy reads a
 * value unknown during preview.
 */
interface AnalyzerInternals {
  deserializeProperties(
    struct: { toJavaScript(): unknown },
    proxySecrets: boolean,
  ): Record<string, unknown>;
  unknownCheckingProxy<T extends object>(props: T): T;
  UnknownValueError: new (...args: never[]) => Error;
}
const analyzer: AnalyzerInternals = {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  ...(require("@pulumi/policy/deserialize") as Pick<AnalyzerInternals, "deserializeProperties">),
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  ...(require("@pulumi/policy/proxy") as Omit<AnalyzerInternals, "deserializeProperties">),
};

/**
 * Properties as a policy sees them. Mock registrations record inputs in the engine's wire
 * form, where a secret anywhere inside a value (user-data inside `config`) wraps the whole
 * value; the engine sends that form to the analyzer as a protobuf Struct (JSON data).
 */
export function analyzerProps(props: Record<string, unknown>): Record<string, unknown> {
  const wire = JSON.parse(JSON.stringify(props)) as unknown;
  return analyzer.unknownCheckingProxy(
    analyzer.deserializeProperties({ toJavaScript: () => wire }, false),
  );
}

export interface TestResource {
  type: string;
  name: string;
  props: Record<string, unknown>;
  /** Pulumi names of the resources the `profiles` input came from (property dependencies). */
  profilesFrom?: string[];
}

export interface Violation {
  policy: string;
  level: EnforcementLevel;
  message: string;
  urn?: string;
}

export function urnOf(resource: TestResource, stack = "test"): string {
  return `urn:pulumi:${stack}::atlas::${resource.type}::${resource.name}`;
}

/** Recorded mock registrations as policy resources (Incus ones only matter to the pack). */
export function fromRecorded(recorded: readonly RecordedResource[]): TestResource[] {
  return recorded.map((r) => ({ type: r.type, name: r.name, props: r.inputs }));
}

const resourceOptions: PolicyResourceOptions = {
  protect: false,
  ignoreChanges: [],
  aliases: [],
  additionalSecretOutputs: [],
  customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
};

const notApplicable = (reason?: string): never => {
  throw new Error(`notApplicable: ${reason ?? ""}`);
};

function policyConfig(config: PolicyPackConfig, name: string): Record<string, unknown> {
  const entry = config[name];
  if (entry === undefined || typeof entry === "string") return {};
  const { enforcementLevel: _level, ...rest } = entry;
  void _level;
  return rest;
}

function levelOf(
  config: PolicyPackConfig,
  policy: { name: string; enforcementLevel?: EnforcementLevel },
): EnforcementLevel {
  const entry = config[policy.name];
  if (typeof entry === "string") return entry;
  return entry?.enforcementLevel ?? policy.enforcementLevel ?? "advisory";
}

function resourceArgs(
  resource: TestResource,
  getConfig: () => Record<string, unknown>,
): ResourceValidationArgs {
  return {
    type: resource.type,
    props: analyzerProps(resource.props),
    urn: urnOf(resource),
    name: resource.name,
    opts: resourceOptions,
    stackTags: new Map(),
    isType: () => false,
    asType: () => undefined,
    getConfig: <T extends object>() => getConfig() as T,
    notApplicable,
  };
}

function stackArgs(
  resources: readonly TestResource[],
  getConfig: () => Record<string, unknown>,
): StackValidationArgs {
  const policyResources = resources.map(
    (r) =>
      ({
        type: r.type,
        props: analyzerProps(r.props),
        urn: urnOf(r),
        name: r.name,
        opts: resourceOptions,
        dependencies: [],
        propertyDependencies: {},
        isType: () => false,
        asType: () => undefined,
      }) as unknown as PolicyResource,
  );
  // as the analyzer does: property dependencies point at the other PolicyResources
  resources.forEach((r, i) => {
    if (r.profilesFrom === undefined) return;
    policyResources[i].propertyDependencies.profiles = r.profilesFrom.map((name) => {
      const found = policyResources.find((p) => p.name === name);
      if (!found) throw new Error(`profilesFrom: no resource ${name}`);
      return found;
    });
  });
  return {
    resources: policyResources,
    stackTags: new Map(),
    getConfig: <T extends object>() => getConfig() as T,
    notApplicable,
  };
}

function isStackPolicy(
  policy: ResourceValidationPolicy | StackValidationPolicy,
): policy is StackValidationPolicy {
  return "validateStack" in policy;
}

/** Runs every policy (or only `only`) over the resources; disabled policies are skipped. */
export async function runPack(
  resources: readonly TestResource[],
  options: { config?: PolicyPackConfig; only?: string } = {},
): Promise<Violation[]> {
  const config = options.config ?? {};
  const violations: Violation[] = [];
  for (const policy of atlasPolicies) {
    if (options.only !== undefined && policy.name !== options.only) continue;
    const level = levelOf(config, policy);
    if (level === "disabled") continue;
    const getConfig = () => policyConfig(config, policy.name);
    const collect = (urn?: string) => (message: string, reportedUrn?: string) =>
      violations.push({ policy: policy.name, level, message, urn: reportedUrn ?? urn });
    // As the analyzer does: a policy stopped by an unknown value is an advisory note.
    const guarded = async (run: () => unknown, urn?: string): Promise<void> => {
      try {
        await run();
      } catch (e) {
        if (!(e instanceof analyzer.UnknownValueError)) throw e;
        violations.push({
          policy: policy.name,
          level: "advisory",
          message: `can't run policy '${policy.name}' during preview: ${e.message}`,
          urn,
        });
      }
    };
    if (isStackPolicy(policy)) {
      await guarded(() => policy.validateStack(stackArgs(resources, getConfig), collect()));
      continue;
    }
    const validations = [policy.validateResource ?? []].flat();
    for (const resource of resources) {
      for (const validate of validations) {
        await guarded(
          () => validate(resourceArgs(resource, getConfig), collect(urnOf(resource))),
          urnOf(resource),
        );
      }
    }
  }
  return violations;
}

export const mandatory = (violations: readonly Violation[]): Violation[] =>
  violations.filter((v) => v.level === "mandatory");
