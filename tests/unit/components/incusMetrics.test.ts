import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { incusMetricsIfEnabled } from "../../../components/incusMetrics";
import { isSecret, mockStack, valueOf, type MockStack } from "../../helpers/pulumiMocks";
import { atlasConfig, isSecretInput, plain } from "./edgeFixtures";

/** The URN a recorded resource of this component has (its parent is the IncusMetrics). */
function urnOf(run: MockStack, type: string, name: string): string {
  run.named(type, name); // fails naming what was registered, if it was not
  return `urn:pulumi:iapetus::atlas::atlas:components:IncusMetrics$${type}::${name}`;
}

async function build(values: Record<string, unknown> = {}) {
  const run = await mockStack({ stack: "iapetus" });
  const c = atlasConfig("iapetus", values);
  const metrics = incusMetricsIfEnabled(
    "incus-metrics",
    c.incusMetrics,
    pulumi.output("10.20.0.1"),
  );
  await run.settle();
  return { run, metrics };
}

describe("IncusMetrics", () => {
  it("is not created when disabled", async () => {
    const { run, metrics } = await build({ incusMetrics: { enabled: false } });
    expect(metrics).toBeUndefined();
    expect(run.resources).toEqual([]);
  });

  it("makes an ECDSA P-384 client certificate valid 3650 days and trusts it as a metrics certificate", async () => {
    const { run } = await build();
    expect(run.named("tls:index/privateKey:PrivateKey", "incus-metrics-key").inputs).toMatchObject({
      algorithm: "ECDSA",
      ecdsaCurve: "P384",
    });
    const cert = run.named("tls:index/selfSignedCert:SelfSignedCert", "incus-metrics-cert");
    expect(cert.inputs.allowedUses).toEqual(["client_auth", "digital_signature"]);
    expect(cert.inputs.subject).toEqual({ commonName: "prometheus-metrics" });
    expect(cert.inputs.validityPeriodHours).toBe(3650 * 24);
    // Signed with the generated key (the engine sees the dependency), sent as a secret.
    expect(cert.dependencies).toEqual([
      urnOf(run, "tls:index/privateKey:PrivateKey", "incus-metrics-key"),
    ]);
    expect(isSecretInput(cert.inputs.privateKeyPem)).toBe(true);
    // Incus trusts that certificate, for metrics only.
    const trusted = run.named("incus:index:Certificate", "incus-metrics");
    expect(trusted.inputs).toMatchObject({ name: "prometheus-metrics", type: "metrics" });
    expect(trusted.dependencies).toEqual([
      urnOf(run, "tls:index/selfSignedCert:SelfSignedCert", "incus-metrics-cert"),
    ]);
  });

  it("follows the configured validity", async () => {
    const { run } = await build({ incusMetrics: { validityDays: 30 } });
    expect(
      run.named("tls:index/selfSignedCert:SelfSignedCert", "incus-metrics-cert").inputs
        .validityPeriodHours,
    ).toBe(720);
  });

  it("hands Prometheus the signing key and the trusted certificate, as secrets, and the gateway endpoint", async () => {
    const { run, metrics } = await build();
    expect(await isSecret(metrics!.privateKeyPem)).toBe(true);
    expect(await isSecret(metrics!.certificatePem)).toBe(true);
    // The pair Prometheus presents is the pair Incus trusts: the key the certificate was
    // signed with, and the certificate in Incus' trust store.
    const cert = run.named("tls:index/selfSignedCert:SelfSignedCert", "incus-metrics-cert");
    expect(await valueOf(metrics!.privateKeyPem)).toBe(plain<string>(cert.inputs.privateKeyPem));
    const trusted = run.named("incus:index:Certificate", "incus-metrics");
    expect(await valueOf(metrics!.certificatePem)).toBe(trusted.inputs.certificate);
    expect(await valueOf(metrics!.metricsEndpoint)).toBe("https://10.20.0.1:8443/1.0/metrics");
  });
});
