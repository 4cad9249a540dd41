import * as pulumi from "@pulumi/pulumi";
import type { MosquittoSettings, ServiceSettings } from "../config";
import { mosquittoPasswordFile } from "./mosquitto/passwordFile";
import { mosquittoCaTrust } from "./mosquitto/stepCaTrust";
import { mosquittoPaths, mosquittoTlsFiles, renderMosquittoConf } from "./mosquitto/config";
import { loadBalancerFor, type OvnLoadBalancer } from "./ovnLoadBalancer";
import { cloudInitUserData, type CloudConfig, type CloudInitFile } from "./shared/cloudInit";
import { accessDevices, type ExternalAccess, type ExternalPort } from "./shared/externalAccess";
import { renderTemplate, shellCode } from "./shared/render";
import { buildServiceAnatomy } from "./shared/serviceAnatomy";

/** step-ca, when Mosquitto serves MQTTS with a certificate from it. */
export interface MosquittoStepCa {
  /** The CA's base URL (not the ACME directory), e.g. `https://step-ca01.incus:9000`. */
  caUrl: pulumi.Input<string>;
  /**
   * The root CA fingerprint (64 hex digits): the helper fetches the root only when its
   * hash matches. Required: there is no trust-on-first-use fallback.
   */
  fingerprint: pulumi.Input<string>;
}

export interface MosquittoArgs {
  settings: ServiceSettings;
  mosquitto: MosquittoSettings;
  storagePool: string;
  /** container-base, then the production network profile. */
  baseProfiles: pulumi.Input<string>[];
  /** Proxy devices (bridge), nothing (physical) or an OVN load balancer. */
  access: ExternalAccess;
  /** Required when `mosquitto.enableTls` is set. */
  stepCa?: MosquittoStepCa;
  instanceName?: string;
  profileName?: string;
}

/** Eclipse Mosquitto on the production network (the reference's `mosquitto01`). */
export class Mosquitto extends pulumi.ComponentResource {
  /** `mqtt://mosquitto01.incus:1883`. */
  public readonly mqttEndpoint: pulumi.Output<string>;
  /** `mqtts://mosquitto01.incus:8883` when TLS is enabled. */
  public readonly mqttsEndpoint?: pulumi.Output<string>;
  /** Host ports of the proxy devices / load balancer: [1883, 8883]. */
  public readonly externalPorts: number[];
  public readonly ipv4Address: pulumi.Output<string>;
  /** The OVN load balancer VIP under the OVN backend. */
  public readonly loadBalancer?: OvnLoadBalancer;

  constructor(name: string, args: MosquittoArgs, opts?: pulumi.ComponentResourceOptions) {
    super("atlas:components:Mosquitto", name, {}, opts);
    const { mqttPort, mqttsPort, enableTls } = args.mosquitto;
    if (enableTls && !args.stepCa) {
      throw new Error(`${name}: mosquitto.enableTls needs step-ca (pass stepCa)`);
    }
    const instanceName = args.instanceName ?? "mosquitto01";
    const ports: ExternalPort[] = [
      { name: "mqtt", protocol: "tcp", port: mqttPort },
      { name: "mqtts", protocol: "tcp", port: mqttsPort },
    ];

    const anatomy = buildServiceAnatomy(this, {
      instanceName,
      profileName: args.profileName ?? "mosquitto",
      settings: args.settings,
      storagePool: args.storagePool,
      baseProfiles: args.baseProfiles,
      dataPath: mosquittoPaths.dataDir,
      userData: mosquittoUserData(instanceName, args),
      devices: accessDevices(args.access, ports),
      port: mqttPort,
      scheme: "mqtt",
    });
    this.loadBalancer = loadBalancerFor(
      this,
      args.access,
      instanceName,
      anatomy.ipv4Address,
      ports,
    );

    this.mqttEndpoint = anatomy.endpoint as pulumi.Output<string>;
    this.mqttsEndpoint = enableTls
      ? pulumi.interpolate`mqtts://${anatomy.instanceName}.incus:${mqttsPort}`
      : undefined;
    this.externalPorts = ports.map((p) => p.port);
    this.ipv4Address = anatomy.ipv4Address;

    this.registerOutputs({
      mqttEndpoint: this.mqttEndpoint,
      mqttsEndpoint: this.mqttsEndpoint,
      externalPorts: this.externalPorts,
      ipv4Address: this.ipv4Address,
    });
  }
}

/**
 * cloud-init for Mosquitto: the Alpine package (pinned), its config, the hashed password
 * file and, with TLS, the step-ca certificate helper run now and hourly. A secret output
 * whenever passwords are configured.
 */
function mosquittoUserData(instanceName: string, args: MosquittoArgs): pulumi.Output<string> {
  const { mosquitto, settings, stepCa } = args;
  const tls = mosquitto.enableTls && stepCa ? stepCa : undefined;
  const passwords = mosquitto.passwords ?? pulumi.output(undefined);
  return pulumi
    .all([passwords, tls?.caUrl, tls?.fingerprint])
    .apply(([users, caUrl, fingerprint]) => {
      const conf = renderMosquittoConf({
        mqttPort: mosquitto.mqttPort,
        mqttsPort: mosquitto.mqttsPort,
        passwordFile: users ? mosquittoPaths.passwordFile : undefined,
        tls: tls ? mosquittoTlsFiles() : undefined,
      });
      const files: CloudInitFile[] = [
        // Deferred until the package is installed, so apk never sets our file aside as
        // an `.apk-new` conflict.
        { path: mosquittoPaths.config, content: conf, permissions: "0644", defer: true },
      ];
      if (users) {
        files.push({
          path: mosquittoPaths.passwordFile,
          content: mosquittoPasswordFile(users),
          permissions: "0640",
          owner: "root:mosquitto",
          // The mosquitto group only exists once the package is installed.
          defer: true,
        });
      }
      const runcmd: (string | string[])[] = [
        ["install", "-d", "-o", "mosquitto", "-g", "mosquitto", mosquittoPaths.dataDir],
      ];
      const packages = [`mosquitto~${settings.version}`];
      if (tls) {
        const trust = mosquittoCaTrust(instanceName, caUrl, fingerprint);
        packages.push("step-cli");
        const helper = "/usr/local/bin/mosquitto-certificate";
        files.push(
          {
            path: helper,
            permissions: "0755",
            content: renderTemplate("step-ca-certificate.sh.mustache", {
              commonName: `${instanceName}.incus`,
              certDir: mosquittoPaths.certDir,
              caUrl: trust.caUrl,
              fingerprint: trust.fingerprint,
              owner: "mosquitto:mosquitto",
              reloadCommand: shellCode("rc-service --ifstarted mosquitto restart"),
            }),
          },
          {
            path: "/etc/periodic/hourly/mosquitto-certificate",
            permissions: "0755",
            content: `#!/bin/sh\nexec ${helper}\n`,
          },
        );
        runcmd.push(
          helper,
          ["rc-update", "add", "crond", "default"],
          ["rc-service", "crond", "start"],
        );
      }
      runcmd.push(
        ["rc-update", "add", "mosquitto", "default"],
        ["rc-service", "mosquitto", "start"],
      );
      const cloudConfig: CloudConfig = {
        package_update: true,
        packages,
        write_files: files,
        runcmd,
      };
      return cloudInitUserData(cloudConfig);
    });
}
