import * as pulumi from "@pulumi/pulumi";
import type { CrossStackSettings } from "../config";

/**
 * Reads an output of the peer stack (iapetus <-> cluster01) through a StackReference, or
 * uses the configured fallback when the peer is not referenced yet, warning the operator
 * how to connect the stacks. Stack references fail when the peer stack does not exist,
 * so the first deployment of either stack runs with the reference switched off.
 */
export function peerStackOutput<T>(
  parent: pulumi.Resource | undefined,
  settings: CrossStackSettings,
  peer: { configKey: "iapetusStack" | "cluster01Stack"; output: string; fallback: T },
): pulumi.Output<T> {
  const stackName = settings[peer.configKey];
  const fallbackKey =
    peer.configKey === "iapetusStack" ? "lokiPushUrlFallback" : "federationTargetsFallback";
  if (stackName === "") {
    pulumi.log.warn(
      `atlas: not reading '${peer.output}' from the peer stack (crossStack.${peer.configKey} is empty); ` +
        `using crossStack.${fallbackKey} = ${JSON.stringify(peer.fallback)}. Once the peer stack is deployed, ` +
        `run \`pulumi config set --path crossStack.${peer.configKey} <stack>\` and \`pulumi up\` again.`,
      parent,
    );
    return pulumi.output(peer.fallback) as pulumi.Output<T>;
  }
  const fullName = settings.organization
    ? `${settings.organization}/${settings.project}/${stackName}`
    : stackName;
  const reference = new pulumi.StackReference(
    `${peer.configKey}-ref`,
    { name: fullName },
    { parent },
  );
  return reference.getOutput(peer.output).apply((value) => {
    if (value === undefined || value === null) {
      pulumi.log.warn(
        `atlas: stack '${fullName}' has no output '${peer.output}' yet; using crossStack.${fallbackKey}.`,
        parent,
      );
      return peer.fallback;
    }
    return value as T;
  });
}
