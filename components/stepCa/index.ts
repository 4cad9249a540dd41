import * as pulumi from "@pulumi/pulumi";
import type { StepCaSettings } from "../../config";
import {
  serviceOutputs,
  type ServiceComponentArgs,
  type ServiceOutputs,
} from "../shared/serviceArgs";
import { buildServiceAnatomy } from "../shared/serviceAnatomy";
import { serviceAnatomyBasics } from "../shared/serviceArgs";
import { stepCaConfiguration } from "./configuration";
import { stepCaInstall, stepCaPaths, stepCaPort } from "./install";

export { stepCaPort } from "./install";

export interface StepCaArgs extends ServiceComponentArgs {
  stepCa: StepCaSettings;
}

/**
 * step-ca (the reference's `step-ca01`): the internal ACME certificate authority.
 * It exposes no Prometheus metrics (its /health answers JSON over TLS), so it offers no
 * scrape target: scraping it would only raise a permanent ServiceDown.
 */
export class StepCa extends pulumi.ComponentResource implements ServiceOutputs {
  public readonly instanceName: pulumi.Output<string>;
  public readonly ipv4Address: pulumi.Output<string>;
  /** `https://step-ca01.incus:9000`. */
  public readonly endpoint: pulumi.Output<string>;
  /** The ACME directory of the `acme` provisioner. */
  public readonly acmeEndpoint: pulumi.Output<string>;
  /** `incus exec step-ca01 -- cat /home/step/fingerprint`. */
  public readonly fingerprintCommand: pulumi.Output<string>;
  /**
   * The root CA fingerprint the operator pinned (`stepCa.rootFingerprint`), for clients
   * that fetch the root with `step ca root --fingerprint`; undefined until it is set.
   */
  public readonly rootFingerprint?: pulumi.Output<string>;

  constructor(name: string, args: StepCaArgs, opts?: pulumi.ComponentResourceOptions) {
    super("atlas:components:StepCa", name, {}, opts);
    const instanceName = args.instanceName ?? "step-ca01";

    const anatomy = buildServiceAnatomy(this, {
      ...serviceAnatomyBasics(args, instanceName, "step-ca"),
      dataPath: stepCaPaths.step,
      install: stepCaInstall(args.settings),
      configuration: stepCaConfiguration(args.stepCa),
      port: stepCaPort,
      scheme: "https",
    });
    ({
      instanceName: this.instanceName,
      ipv4Address: this.ipv4Address,
      endpoint: this.endpoint,
    } = serviceOutputs(anatomy));
    this.acmeEndpoint = pulumi.interpolate`${this.endpoint}/acme/acme/directory`;
    this.fingerprintCommand = pulumi.interpolate`incus exec ${this.instanceName} -- cat ${stepCaPaths.fingerprint}`;
    // The CA creates its root key inside its instance, on first boot, and the key never
    // leaves the data volume; so Pulumi cannot know the fingerprint before the CA exists.
    // The operator reads it once over the Incus API (an authenticated channel) and pins it
    // in the stack config, where it is reviewed like any setting. A pin that no longer
    // matches (a re-initialised CA) makes every client refuse the root instead of
    // trusting a new one silently. Not a secret: it is the hash of the public root.
    const { rootFingerprint } = args.stepCa;
    if (rootFingerprint) {
      this.rootFingerprint = pulumi.output(rootFingerprint);
    } else {
      pulumi.log.info(
        `atlas: step-ca's root fingerprint is not pinned, so clients cannot trust the CA yet ` +
          `(Mosquitto TLS on cluster01 needs it). Once ${instanceName} has initialised, ` +
          `run \`incus exec ${instanceName} -- cat ${stepCaPaths.fingerprint}\`, then ` +
          `\`pulumi config set --path stepCa.rootFingerprint <fingerprint>\` and \`pulumi up\`.`,
        this,
      );
    }
    this.registerOutputs({
      instanceName: this.instanceName,
      ipv4Address: this.ipv4Address,
      endpoint: this.endpoint,
      acmeEndpoint: this.acmeEndpoint,
      fingerprintCommand: this.fingerprintCommand,
      rootFingerprint: this.rootFingerprint,
    });
  }
}
