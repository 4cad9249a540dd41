import * as pulumi from "@pulumi/pulumi";
import type { MosquittoSettings } from "../../config";
import type { ServiceComponentArgs } from "../shared/serviceArgs";
import { loadBalancerFor, type OvnLoadBalancer } from "../ovnLoadBalancer";
import { accessDevices, type ExternalAccess, type ExternalPort } from "../shared/externalAccess";
import { buildServiceAnatomy } from "../shared/serviceAnatomy";
import { serviceAnatomyBasics } from "../shared/serviceArgs";
import { mosquittoPaths } from "./config";
import { mosquittoConfiguration } from "./configuration";
import { mosquittoInstall } from "./install";
import { mosquittoCaTrust } from "./stepCaTrust";

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

export interface MosquittoArgs extends ServiceComponentArgs {
  mosquitto: MosquittoSettings;
  /** Proxy devices (bridge), nothing (physical) or an OVN load balancer. */
  access: ExternalAccess;
  /** Required when `mosquitto.enableTls` is set. */
  stepCa?: MosquittoStepCa;
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
      ...serviceAnatomyBasics(args, instanceName, "mosquitto"),
      dataPath: mosquittoPaths.dataDir,
      install: installWithTrust(instanceName, args),
      configuration: mosquittoConfiguration(args.mosquitto, enableTls),
      devices: [...accessDevices(args.access, ports), ...(args.devices ?? [])],
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
 * The install, once step-ca's URL and fingerprint (from another stack) are known and
 * checked: the certificate helper runs with them, so a bad value stops the instance here.
 */
function installWithTrust(instanceName: string, args: MosquittoArgs): pulumi.Input<string> {
  const { stepCa } = args;
  if (!args.mosquitto.enableTls || !stepCa) return mosquittoInstall(instanceName, args.settings);
  return pulumi
    .all([stepCa.caUrl, stepCa.fingerprint])
    .apply(([caUrl, fingerprint]) =>
      mosquittoInstall(
        instanceName,
        args.settings,
        mosquittoCaTrust(instanceName, caUrl, fingerprint),
      ),
    );
}
