import * as pulumi from "@pulumi/pulumi";

export interface GetNetworkArgs {
  name: string;
  project?: string;
  target?: string;
}

export interface GetNetworkResult {
  name: string;
  type: string;
  description: string;
  config: Record<string, string>;
  managed: boolean;
}

export const getNetworkToken = "incus:index:getNetwork";

/** Looks up an existing network, e.g. a cluster's management network or a host NIC. */
export function getNetwork(
  args: GetNetworkArgs,
  opts?: pulumi.InvokeOptions,
): Promise<GetNetworkResult> {
  return pulumi.runtime.invoke(getNetworkToken, { ...args }, opts);
}

export function getNetworkOutput(
  args: pulumi.Input<GetNetworkArgs>,
  opts?: pulumi.InvokeOutputOptions,
): pulumi.Output<GetNetworkResult> {
  // The invoke takes the arguments themselves (name, project, target), not `{ args }`.
  const a = pulumi.output(args);
  return pulumi.runtime.invokeOutput(
    getNetworkToken,
    { name: a.name, project: a.project, target: a.target },
    opts,
  ) as pulumi.Output<GetNetworkResult>;
}
