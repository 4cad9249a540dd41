/**
 * The two stacks as the lab deploys them (tests/e2e/lab.test.ts): the e2e stacks of
 * automation/e2e/config.ts, but set up as an operator sets up a homelab rather than as a
 * shared test daemon needs: proxy devices on each host's LAN address, Mosquitto on its
 * own ports with TLS from iapetus' step-ca, NAT'd bridges, and each stack reading the
 * other through its stack reference (federation included).
 */
import type { ConfigMap } from "@pulumi/pulumi/automation";
import { e2eSpec, e2eStackConfig, type E2eStackSpec } from "../e2e/config";
import { labAddresses, labRemotes } from "./lab";

/** A stand-in root fingerprint: the lab's step-ca runs no CA (busybox), only its files. */
export const labStepCaFingerprint = "ab".repeat(32);

export interface LabStackSpecs {
  iapetus: E2eStackSpec;
  cluster01: E2eStackSpec;
}

export function labStackSpecs(): LabStackSpecs {
  const spec = (topology: "iapetus" | "cluster01", extra: Partial<E2eStackSpec>): E2eStackSpec =>
    e2eSpec(topology, "1ab", topology, {
      // Fresh daemons of the lab's own: the default project, subnets nobody else uses.
      incusProject: "default",
      ipv4Prefix: "10.78",
      remote: labRemotes[topology],
      ...extra,
    });
  // The daemon is the lab's own, so iapetus' incusd ships its logs to Loki (the shared
  // test daemon leaves it off: see E2eStackSpec.incusLoki).
  const iapetus = spec("iapetus", { proxyListenAddress: labAddresses.iapetus, incusLoki: true });
  // cluster01's services, and so its LAN-facing proxy devices, live on the first member.
  const cluster01 = spec("cluster01", {
    proxyListenAddress: labAddresses.node01,
    peerStack: iapetus.stackName,
  });
  return { iapetus, cluster01 };
}

/** Replaces one object-valued key of a config map, given its current value. */
function overlay(
  config: ConfigMap,
  key: string,
  change: (current: Record<string, unknown>) => Record<string, unknown>,
): void {
  const current = config[key] ? (JSON.parse(config[key].value) as Record<string, unknown>) : {};
  config[key] = { value: JSON.stringify(change(current)) };
}

/** The stack config of one lab stack (`specs` gives the peer's stack name). */
export function labStackConfig(spec: E2eStackSpec, specs: LabStackSpecs): ConfigMap {
  const config = e2eStackConfig(spec);
  // Bridge mode as deployed: NAT'd bridges. Every member's copy of a cluster bridge has
  // the same subnet, so an answer from another member or host only finds its way back to
  // a NAT'd address (the lab's namespaces have no default route: nothing leaves the LAN).
  for (const key of ["atlas:productionNetwork", "atlas:managementNetwork"]) {
    overlay(config, key, (network) => ({ ...network, ipv4Nat: true }));
  }
  if (spec.topology === "cluster01") {
    // The LAN address is the lab's own: Mosquitto keeps Atlas' ports, and serves MQTTS
    // with a certificate from iapetus' step-ca (the cross-host Mosquitto -> step-ca).
    overlay(config, "atlas:mosquitto", () => ({
      mqttPort: 1883,
      mqttsPort: 8883,
      enableTls: true,
    }));
  } else {
    overlay(config, "atlas:stepCa", (stepCa) => ({
      ...stepCa,
      rootFingerprint: labStepCaFingerprint,
    }));
    overlay(config, "atlas:crossStack", (crossStack) => ({
      ...crossStack,
      cluster01Stack: specs.cluster01.stackName,
    }));
  }
  return config;
}
