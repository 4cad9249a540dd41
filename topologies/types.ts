import type * as pulumi from "@pulumi/pulumi";
import type { AtlasConfig } from "../config";

/** Stack outputs, named as the reference's `tofu output` names them. */
export type StackOutputs = Record<string, pulumi.Input<unknown>>;

/** A topology builds one environment from validated configuration. */
export type Topology = (config: AtlasConfig) => StackOutputs;
