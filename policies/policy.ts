/**
 * The shape every Atlas policy shares: which Incus types it reads, its default
 * enforcement level, its config (defaults declared once, published as the JSON schema's
 * defaults and merged under whatever the operator's policy config sets), and a validate
 * function over plain `IncusResource`s so the rules never touch the policy SDK.
 */
import type {
  EnforcementLevel,
  PolicyConfigSchema,
  PolicyResource,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import type { IncusResource } from "./incusResources";

type ConfigSchemaOf<C> = { [K in keyof C]: PolicyConfigJSONSchema };

interface PolicySpec<C extends object> {
  name: string;
  description: string;
  enforcementLevel: EnforcementLevel;
  /** Config defaults; the policy reads `{ ...defaults, ...operatorConfig }`. */
  defaults: C;
  /** JSON schema of each config property (without its default, taken from `defaults`). */
  schema: ConfigSchemaOf<C>;
}

export interface ResourcePolicySpec<C extends object> extends PolicySpec<C> {
  /** Resource types the policy looks at. */
  types: readonly string[];
  validate(resource: IncusResource, config: C, report: (message: string) => void): void;
}

export interface StackPolicySpec<C extends object> extends PolicySpec<C> {
  validate(
    resources: readonly IncusResource[],
    config: C,
    report: (message: string, urn?: string) => void,
  ): void;
}

function configSchema<C extends object>(spec: PolicySpec<C>): PolicyConfigSchema | undefined {
  const keys = Object.keys(spec.schema) as (keyof C & string)[];
  if (keys.length === 0) return undefined;
  const properties: Record<string, PolicyConfigJSONSchema> = {};
  for (const key of keys) {
    properties[key] = { ...spec.schema[key], default: spec.defaults[key] as never };
  }
  return { properties };
}

function readConfig<C extends object>(getConfig: () => object, defaults: C): C {
  return { ...defaults, ...(getConfig() as Partial<C>) };
}

export function resourcePolicy<C extends object>(
  spec: ResourcePolicySpec<C>,
): ResourceValidationPolicy {
  return {
    name: spec.name,
    description: spec.description,
    enforcementLevel: spec.enforcementLevel,
    configSchema: configSchema(spec),
    validateResource: (args: ResourceValidationArgs, reportViolation) => {
      if (!spec.types.includes(args.type)) return;
      const resource: IncusResource = {
        type: args.type,
        name: args.name,
        urn: args.urn,
        props: args.props,
      };
      spec.validate(
        resource,
        readConfig(() => args.getConfig(), spec.defaults),
        (message) => reportViolation(message),
      );
    },
  };
}

export function stackPolicy<C extends object>(spec: StackPolicySpec<C>): StackValidationPolicy {
  return {
    name: spec.name,
    description: spec.description,
    enforcementLevel: spec.enforcementLevel,
    configSchema: configSchema(spec),
    validateStack: (args: StackValidationArgs, reportViolation) => {
      const plain = (r: PolicyResource): IncusResource => ({
        type: r.type,
        name: r.name,
        urn: r.urn,
        props: r.props,
      });
      const resources: IncusResource[] = args.resources.map((r) => ({
        ...plain(r),
        profileDependencies: (r.propertyDependencies?.profiles ?? []).map(plain),
      }));
      spec.validate(
        resources,
        readConfig(() => args.getConfig(), spec.defaults),
        reportViolation,
      );
    },
  };
}
