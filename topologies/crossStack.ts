import * as pulumi from "@pulumi/pulumi";
import type { CrossStackSettings } from "../config";

/** The peer-stack settings: cluster01 reads iapetus, iapetus reads cluster01. */
export type PeerStackKey = "iapetusStack" | "cluster01Stack";

/** The `crossStack.*Fallback` settings, each standing in for one peer output. */
export type PeerFallbackKey =
  | "lokiPushUrlFallback"
  | "federationTargetsFallback"
  | "stepCaUrlFallback"
  | "stepCaFingerprintFallback";

/**
 * One peer stack (iapetus <-> cluster01), read through a single StackReference however
 * many of its outputs a topology needs: the engine refuses two references with the same
 * name (`Duplicate resource URN ...StackReference::iapetusStack-ref`).
 */
export interface PeerStack {
  /** `crossStack.<configKey>`, e.g. `crossStack.iapetusStack`. */
  readonly settingKey: string;
  /** The referenced stack's full name; undefined while the reference is switched off. */
  readonly fullName: string | undefined;
  /**
   * An output of the peer stack, or the configured fallback when the reference is off or
   * the peer does not export it (yet), with a warning that says what to do.
   */
  output<K extends PeerFallbackKey>(
    name: string,
    fallbackKey: K,
  ): pulumi.Output<CrossStackSettings[K]>;
}

/**
 * The peer stack named by `crossStack.<configKey>`. Stack references fail when the peer
 * stack does not exist, so the first deployment of either stack runs with the reference
 * switched off (`""`) and the fallbacks. The StackReference is created on the first
 * output read, once.
 */
export function peerStack(
  parent: pulumi.Resource | undefined,
  settings: CrossStackSettings,
  configKey: PeerStackKey,
): PeerStack {
  const stackName = settings[configKey];
  const settingKey = `crossStack.${configKey}`;
  const fullName =
    stackName === ""
      ? undefined
      : settings.organization
        ? `${settings.organization}/${settings.project}/${stackName}`
        : stackName;
  let reference: pulumi.StackReference | undefined;

  function output<K extends PeerFallbackKey>(
    name: string,
    fallbackKey: K,
  ): pulumi.Output<CrossStackSettings[K]> {
    const fallback = settings[fallbackKey];
    if (fullName === undefined) {
      pulumi.log.warn(
        `atlas: not reading '${name}' from the peer stack (${settingKey} is empty); ` +
          `using crossStack.${fallbackKey} = ${JSON.stringify(fallback)}. Once the peer stack is deployed, ` +
          `run \`pulumi config set --path ${settingKey} <stack>\` and \`pulumi up\` again.`,
        parent,
      );
      return pulumi.output(fallback) as pulumi.Output<CrossStackSettings[K]>;
    }
    // The name stays `<configKey>-ref`, as before this was shared: existing stacks keep
    // their reference.
    reference ??= new pulumi.StackReference(`${configKey}-ref`, { name: fullName }, { parent });
    return reference.getOutput(name).apply((value: unknown) => {
      if (value === undefined || value === null) {
        pulumi.log.warn(
          `atlas: stack '${fullName}' has no output '${name}' yet; using crossStack.${fallbackKey} = ${JSON.stringify(fallback)}.`,
          parent,
        );
        return fallback;
      }
      return value as CrossStackSettings[K];
    });
  }

  return { settingKey, fullName, output };
}
