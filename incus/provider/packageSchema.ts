/**
 * The provider's Pulumi package schema (what `GetSchema` answers), generated from the same
 * resource specs that drive check and diff, so the schema cannot drift from what the
 * provider accepts. `pulumi import` generates code from it, documentation tools read it,
 * and tests/provider/packageSchema.test.ts holds the hand-written SDK (incus/sdk) to it.
 */
import { objectTypes, type FieldSpec } from "./objectTypes";
import type { OutputSpec, PropKind, PropSpec, ResourceSpec } from "./schema";
import type { PropertyValue } from "./values";

/** One property in the package schema's JSON form. */
export interface SchemaProperty {
  type?: "string" | "boolean" | "integer" | "number" | "array" | "object";
  $ref?: string;
  items?: SchemaProperty;
  additionalProperties?: SchemaProperty;
  description?: string;
  default?: string | boolean | number;
  replaceOnChanges?: boolean;
  secret?: boolean;
}

export interface SchemaObject {
  description?: string;
  properties: Record<string, SchemaProperty>;
  required?: string[];
}

export interface SchemaResource extends SchemaObject {
  inputProperties: Record<string, SchemaProperty>;
  requiredInputs?: string[];
}

export interface SchemaType extends SchemaObject {
  type: "object";
}

export interface SchemaFunction {
  description: string;
  /** Absent for a function without arguments (the engine drops an empty object). */
  inputs?: SchemaObject;
  outputs: SchemaObject;
}

export interface PackageSchema {
  name: string;
  displayName: string;
  version: string;
  description: string;
  keywords: string[];
  license: string;
  config: { variables: Record<string, SchemaProperty> };
  provider: SchemaResource;
  resources: Record<string, SchemaResource>;
  functions: Record<string, SchemaFunction>;
  types: Record<string, SchemaType>;
}

const DEVICE_TYPE = "incus:index:Device";

/** A `#/types/...` reference as the schema writes it. */
export function typeRef(token: string): string {
  return `#/types/${token}`;
}

function shape(kind: PropKind | FieldSpec["kind"], itemType?: string): SchemaProperty {
  switch (kind) {
    case "string":
      return { type: "string" };
    case "boolean":
      return { type: "boolean" };
    case "number":
    case "integer":
      return { type: "integer" };
    case "stringMap":
      return { type: "object", additionalProperties: { type: "string" } };
    case "stringList":
      return { type: "array", items: { type: "string" } };
    case "devices":
      return { type: "array", items: { $ref: typeRef(DEVICE_TYPE) } };
    case "list":
      if (!itemType) return { type: "array", items: { $ref: "pulumi.json#/Any" } };
      return { type: "array", items: { $ref: typeRef(itemType) } };
  }
}

/** The words a generated doc shows for an input: allowed values, default, replacement. */
function inputDescription(p: PropSpec): string | undefined {
  const parts: string[] = [];
  if (p.enum) parts.push(`One of: ${p.enum.join(", ")}.`);
  if (p.pattern) parts.push(`Must be ${p.pattern.allowed}.`);
  if (p.default !== undefined) parts.push(`Default: ${JSON.stringify(p.default)}.`);
  if (p.computedWhenOmitted) parts.push("When omitted, the live value is kept and not managed.");
  if (p.replaceOnChange) parts.push("Changing it replaces the object.");
  return parts.length > 0 ? parts.join(" ") : undefined;
}

function primitiveDefault(v: PropertyValue | undefined): string | boolean | number | undefined {
  return typeof v === "string" || typeof v === "boolean" || typeof v === "number" ? v : undefined;
}

function inputProperty(p: PropSpec): SchemaProperty {
  const out: SchemaProperty = { ...shape(p.kind, p.itemType) };
  const description = inputDescription(p);
  if (description) out.description = description;
  const def = primitiveDefault(p.default);
  if (def !== undefined) out.default = def;
  if (p.replaceOnChange) out.replaceOnChanges = true;
  return out;
}

function outputProperty(o: OutputSpec): SchemaProperty {
  return { ...shape(o.kind), description: o.description, ...(o.secret ? { secret: true } : {}) };
}

/**
 * Whether the state always holds a value for an input: required, defaulted by check, or
 * read from the live object when omitted.
 */
function alwaysInState(p: PropSpec): boolean {
  return p.required === true || p.default !== undefined || p.computedWhenOmitted === true;
}

export function resourceSchema(spec: ResourceSpec): SchemaResource {
  const inputProperties: Record<string, SchemaProperty> = {};
  const properties: Record<string, SchemaProperty> = {};
  for (const [name, p] of Object.entries(spec.props)) {
    inputProperties[name] = inputProperty(p);
    properties[name] = inputProperty(p);
  }
  for (const [name, o] of Object.entries(spec.outputs ?? {})) properties[name] = outputProperty(o);
  const requiredInputs = Object.entries(spec.props)
    .filter(([, p]) => p.required === true)
    .map(([name]) => name);
  const required = [
    ...Object.entries(spec.props)
      .filter(([, p]) => alwaysInState(p))
      .map(([name]) => name),
    ...Object.keys(spec.outputs ?? {}),
  ];
  return {
    ...(spec.description ? { description: spec.description } : {}),
    inputProperties,
    properties,
    requiredInputs,
    required,
  };
}

function fieldProperty(f: FieldSpec): SchemaProperty {
  const allowed = f.enum ? ` One of: ${f.enum.join(", ")}.` : "";
  return { ...shape(f.kind, f.itemType), description: `${f.description}${allowed}` };
}

function objectSchema(fields: Record<string, FieldSpec>, description?: string): SchemaObject {
  const properties: Record<string, SchemaProperty> = {};
  for (const [name, f] of Object.entries(fields)) properties[name] = fieldProperty(f);
  return {
    ...(description ? { description } : {}),
    properties,
    required: Object.entries(fields)
      .filter(([, f]) => f.required === true)
      .map(([name]) => name),
  };
}

/** The provider's configuration (`incus:remote`, ...): see settingsFromConfigure. */
export const providerConfigFields: Record<string, FieldSpec> = {
  remote: {
    kind: "string",
    description:
      "Name of a remote in the incus CLI configuration; defaults to $INCUS_REMOTE, then the configuration's default remote, then the local daemon.",
  },
  project: {
    kind: "string",
    description: "Incus project for every resource of this provider (default: default).",
  },
  acceptRemoteCertificate: {
    kind: "boolean",
    description: "Trust a remote's server certificate that is not pinned (default false).",
  },
};

/** `incus:index:getNetwork`'s arguments and result (see functions/getNetwork.ts). */
export const getNetworkFields: {
  inputs: Record<string, FieldSpec>;
  outputs: Record<string, FieldSpec>;
} = {
  inputs: {
    name: { kind: "string", required: true, description: "The network to look up." },
    project: { kind: "string", description: "Incus project (default: the provider's)." },
    target: { kind: "string", description: "Cluster member for member-specific config." },
  },
  outputs: {
    name: { kind: "string", required: true, description: "Network name." },
    type: { kind: "string", required: true, description: "Network type (bridge, physical, ...)." },
    description: { kind: "string", required: true, description: "Free-form description." },
    config: { kind: "stringMap", required: true, description: "The network's config." },
    managed: {
      kind: "boolean",
      required: true,
      description: "Whether Incus manages the network (false for host interfaces).",
    },
  },
};

/** A member in `incus:index:getClusterMembers`' result. */
export const clusterMemberType = "incus:index:ClusterMember";
export const clusterMemberFields: Record<string, FieldSpec> = {
  name: { kind: "string", required: true, description: "Member name (`server_name`)." },
  address: { kind: "string", required: true, description: "The member's API URL." },
  status: {
    kind: "string",
    required: true,
    description: "Online, Offline, Evacuated, Blocked, ... as Incus reports it.",
  },
  message: { kind: "string", required: true, description: "Incus' word on the status." },
};

/** `incus:index:getClusterMembers`' result (see functions/getClusterMembers.ts). */
export const getClusterMembersFields: {
  inputs: Record<string, FieldSpec>;
  outputs: Record<string, FieldSpec>;
} = {
  inputs: {},
  outputs: {
    clustered: {
      kind: "boolean",
      required: true,
      description: "Whether the server is a cluster member (false: standalone, no members).",
    },
    members: {
      kind: "list",
      itemType: clusterMemberType,
      required: true,
      description: "The cluster's members, in Incus' order.",
    },
  },
};

/** The whole package schema, built from every resource's spec (the provider's handlers'). */
export function packageSchema(specs: readonly ResourceSpec[], version: string): PackageSchema {
  const resources: Record<string, SchemaResource> = {};
  for (const spec of specs) resources[spec.token] = resourceSchema(spec);
  const types: Record<string, SchemaType> = {};
  for (const t of objectTypes) {
    types[t.token] = { type: "object", ...objectSchema(t.properties, t.description) };
  }
  types[clusterMemberType] = {
    type: "object",
    ...objectSchema(clusterMemberFields, "A cluster member: name, API address and status."),
  };
  const config = objectSchema(providerConfigFields);
  return {
    name: "incus",
    displayName: "Incus (Atlas)",
    version,
    description:
      "The Atlas Incus provider: networks, profiles, storage, instances, certificates and server config on Incus hosts.",
    keywords: ["pulumi", "incus", "category/infrastructure", "kind/native"],
    license: "MIT",
    config: { variables: config.properties },
    provider: {
      description: "An explicit Incus provider, e.g. one per remote.",
      inputProperties: config.properties,
      properties: config.properties,
    },
    resources,
    functions: {
      "incus:index:getNetwork": {
        description:
          "Looks up an existing network, managed or not (a cluster's management network, a host NIC).",
        inputs: objectSchema(getNetworkFields.inputs),
        outputs: objectSchema(getNetworkFields.outputs),
      },
      "incus:index:getClusterMembers": {
        description:
          "Lists the members of the remote's cluster (name, address, status); none on a standalone server.",
        outputs: objectSchema(getClusterMembersFields.outputs),
      },
    },
    types,
  };
}
