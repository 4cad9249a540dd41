import * as pulumi from "@pulumi/pulumi";
import { pinnedRelease, type StepCaSettings } from "../config";
import { cloudInitUserData } from "./shared/cloudInit";
import { renderTemplate } from "./shared/render";
import {
  serviceOutputs,
  type ServiceComponentArgs,
  type ServiceOutputs,
} from "./shared/serviceArgs";
import { buildServiceAnatomy } from "./shared/serviceAnatomy";
import { serviceCloudConfig } from "./shared/serviceCloudConfig";

export interface StepCaArgs extends ServiceComponentArgs {
  stepCa: StepCaSettings;
}

export const stepCaPort = 9000;

// Everything of the CA (keys, certificates, database) lives on the data volume.
const paths = {
  step: "/home/step",
  fingerprint: "/home/step/fingerprint",
  init: "/usr/local/sbin/step-ca-init.sh",
} as const;

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
    const { caName, dnsNames, certDuration } = args.stepCa;
    const instanceName = args.instanceName ?? "step-ca01";

    const initScript = renderTemplate("step-ca-init.sh.mustache", {
      stepPath: paths.step,
      // renderTemplate shell-quotes every value.
      caName,
      dnsNames,
      port: stepCaPort,
      certDuration,
      fingerprintFile: paths.fingerprint,
      user: "step",
    });
    const userData = cloudInitUserData(
      serviceCloudConfig({
        service: {
          name: "step-ca",
          description: "step-ca internal ACME certificate authority",
          command: "/usr/local/bin/step-ca",
          args: [`${paths.step}/config/ca.json`, `--password-file=${paths.step}/secrets/password`],
          user: "step",
          workingDirectory: paths.step,
          environment: { STEPPATH: paths.step },
        },
        release: {
          ...pinnedRelease("stepCa", args.settings),
          binaries: [{ source: "step-ca", target: "step-ca" }],
        },
        // The step CLI initialises the CA and computes the fingerprint.
        packages: ["step-cli"],
        home: paths.step,
        files: [{ path: paths.init, content: initScript, permissions: "0700" }],
        ownedPaths: [paths.step],
        postInstall: `/bin/sh ${paths.init}`,
      }),
    );

    const anatomy = buildServiceAnatomy(this, {
      instanceName,
      profileName: args.profileName ?? "step-ca",
      settings: args.settings,
      storagePool: args.storagePool,
      baseProfiles: args.baseProfiles,
      dataPath: paths.step,
      userData,
      port: stepCaPort,
      scheme: "https",
    });
    ({
      instanceName: this.instanceName,
      ipv4Address: this.ipv4Address,
      endpoint: this.endpoint,
    } = serviceOutputs(anatomy));
    this.acmeEndpoint = pulumi.interpolate`${this.endpoint}/acme/acme/directory`;
    this.fingerprintCommand = pulumi.interpolate`incus exec ${this.instanceName} -- cat ${paths.fingerprint}`;
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
          `run \`incus exec ${instanceName} -- cat ${paths.fingerprint}\`, then ` +
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
