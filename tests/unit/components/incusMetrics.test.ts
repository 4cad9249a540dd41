import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { incusMetricsIfEnabled } from "../../../components/incusMetrics";
import { isSecret, mockStack, valueOf } from "../../helpers/pulumiMocks";
import { atlasConfig, isSecretInput, plain } from "./edgeFixtures";

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
    const cert = run.named("tls:index/selfSignedCert:SelfSignedCert", "incus-metrics-cert").inputs;
    expect(cert.allowedUses).toEqual(["client_auth", "digital_signature"]);
    expect(cert.validityPeriodHours).toBe(3650 * 24);
    // Signed with the generated key, which reaches the engine as a secret.
    expect(isSecretInput(cert.privateKeyPem)).toBe(true);
    expect(plain<string>(cert.privateKeyPem)).toContain("mock-incus-metrics-key");
    const trusted = run.named("incus:index:Certificate", "incus-metrics").inputs;
    expect(trusted).toMatchObject({ name: "prometheus-metrics", type: "metrics" });
    expect(String(trusted.certificate)).toContain("mock-incus-metrics-cert");
  });

  it("follows the configured validity", async () => {
    const { run } = await build({ incusMetrics: { validityDays: 30 } });
    expect(
      run.named("tls:index/selfSignedCert:SelfSignedCert", "incus-metrics-cert").inputs
        .validityPeriodHours,
    ).toBe(720);
  });

  it("hands Prometheus the key and certificate as secrets, and the gateway endpoint", async () => {
    const { metrics } = await build();
    expect(await isSecret(metrics!.privateKeyPem)).toBe(true);
    expect(await isSecret(metrics!.certificatePem)).toBe(true);
    expect(await valueOf(metrics!.privateKeyPem)).toContain("BEGIN PRIVATE KEY");
    expect(await valueOf(metrics!.metricsEndpoint)).toBe("https://10.20.0.1:8443/1.0/metrics");
  });
});
