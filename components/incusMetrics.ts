import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import type { IncusMetricsSettings } from "../config";
import * as incus from "../incus/sdk";

export interface IncusMetricsArgs {
  /** Incus trust-store name, e.g. `prometheus-metrics`. */
  certificateName: string;
  validityDays: number;
  /** Management gateway: the Incus API address Prometheus scrapes. */
  managementGateway: pulumi.Input<string>;
}

/** The Incus API port that serves `/1.0/metrics`. */
export const incusApiPort = 8443;

/**
 * mTLS credentials for scraping Incus' `/1.0/metrics` (the reference's incus-metrics
 * module): an ECDSA P-384 key and a self-signed client certificate, trusted by Incus as a
 * `metrics` certificate, so they can read metrics and nothing else.
 */
export class IncusMetrics extends pulumi.ComponentResource {
  /** Client certificate for Prometheus (secret, with the key). */
  public readonly certificatePem: pulumi.Output<string>;
  /** Client key for Prometheus (secret). */
  public readonly privateKeyPem: pulumi.Output<string>;
  /** `https://<management-gateway>:8443/1.0/metrics`. */
  public readonly metricsEndpoint: pulumi.Output<string>;
  public readonly fingerprint: pulumi.Output<string>;

  constructor(name: string, args: IncusMetricsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("atlas:components:IncusMetrics", name, {}, opts);
    const key = new tls.PrivateKey(
      `${name}-key`,
      { algorithm: "ECDSA", ecdsaCurve: "P384" },
      { parent: this },
    );
    const cert = new tls.SelfSignedCert(
      `${name}-cert`,
      {
        privateKeyPem: key.privateKeyPem,
        subject: { commonName: args.certificateName },
        allowedUses: ["client_auth", "digital_signature"],
        validityPeriodHours: args.validityDays * 24,
      },
      { parent: this },
    );
    const trusted = new incus.Certificate(
      name,
      {
        name: args.certificateName,
        type: "metrics",
        certificate: cert.certPem,
        description: "Atlas: Prometheus scraping /1.0/metrics",
      },
      { parent: this },
    );

    this.certificatePem = pulumi.secret(cert.certPem);
    this.privateKeyPem = pulumi.secret(key.privateKeyPem);
    this.metricsEndpoint = pulumi.interpolate`https://${args.managementGateway}:${incusApiPort}/1.0/metrics`;
    this.fingerprint = trusted.fingerprint;
    this.registerOutputs({
      certificatePem: this.certificatePem,
      privateKeyPem: this.privateKeyPem,
      metricsEndpoint: this.metricsEndpoint,
      fingerprint: this.fingerprint,
    });
  }
}

/** IncusMetrics only when `incusMetrics.enabled` (the reference's default: on). */
export function incusMetricsIfEnabled(
  name: string,
  settings: IncusMetricsSettings,
  managementGateway: pulumi.Input<string>,
  opts?: pulumi.ComponentResourceOptions,
): IncusMetrics | undefined {
  if (!settings.enabled) return undefined;
  return new IncusMetrics(
    name,
    {
      certificateName: settings.certificateName,
      validityDays: settings.validityDays,
      managementGateway,
    },
    opts,
  );
}
