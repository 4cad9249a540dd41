import type { MosquittoStepCa } from "../components/mosquitto";
import type { PeerStack } from "./crossStack";

/**
 * step-ca as a cluster01 client trusts it: the CA's base URL (`step_ca_url`) and the
 * root fingerprint iapetus pins (`step_ca_root_fingerprint`), read through the iapetus
 * stack reference, or the `crossStack.stepCaUrlFallback` /
 * `crossStack.stepCaFingerprintFallback` settings. There is no fingerprint-less branch:
 * without a pin the helper would have to accept whatever root it is served, so
 * `mosquitto.enableTls` is refused until a fingerprint is known.
 */
export function stepCaFromPeer(iapetus: PeerStack, fingerprintFallback: string): MosquittoStepCa {
  if (iapetus.fullName === undefined && fingerprintFallback === "") {
    // Known before anything is registered: fail the preview up front.
    throw new Error(missingFingerprint(iapetus));
  }
  const caUrl = iapetus.output("step_ca_url", "stepCaUrlFallback");
  const fingerprint = iapetus
    .output("step_ca_root_fingerprint", "stepCaFingerprintFallback")
    .apply((value) => {
      if (value === "") throw new Error(missingFingerprint(iapetus));
      return value;
    });
  return { caUrl, fingerprint };
}

function missingFingerprint(iapetus: PeerStack): string {
  const peer = iapetus.fullName ?? "iapetus";
  const source =
    iapetus.fullName === undefined
      ? `${iapetus.settingKey} is empty`
      : `stack '${iapetus.fullName}' does not export step_ca_root_fingerprint`;
  return (
    `atlas: mosquitto.enableTls is true but no step-ca root fingerprint is known (${source} and ` +
    `crossStack.stepCaFingerprintFallback is empty); Mosquitto will not trust the CA blindly. ` +
    `Pin it on iapetus once step-ca01 has initialised: run \`incus exec step-ca01 -- cat /home/step/fingerprint\` ` +
    `(iapetus' output step_ca_fingerprint_command), then ` +
    `\`pulumi config set --path stepCa.rootFingerprint <fingerprint> -s ${peer}\` and \`pulumi up -s ${peer}\`; ` +
    `or set it here: \`pulumi config set --path crossStack.stepCaFingerprintFallback <fingerprint>\`. ` +
    `Until then set mosquitto.enableTls to false.`
  );
}
