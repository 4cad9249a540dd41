/**
 * The lab (scripts/incus-lab.sh) as the e2e suites use it: start and stop it, the incus
 * CLI through its HTTPS remotes, a command in a lab container or on the LAN. The wiring
 * checks of the connection model run through `labExec` and `onLan`.
 */
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { repoRoot } from "../repoRoot";

const script = path.join(repoRoot, "scripts", "incus-lab.sh");

export const labRemotes = { iapetus: "lab-iapetus", cluster01: "lab-cluster01" } as const;
export const labMembers = ["node01", "node02", "node03"] as const;
/** Each lab host's LAN address (scripts/incus-lab.sh `host_address`). */
export const labAddresses = {
  iapetus: "10.77.0.10",
  node01: "10.77.0.11",
  node02: "10.77.0.12",
  node03: "10.77.0.13",
} as const;
/** The incus CLI configuration holding the lab's remotes (the plugin reads it too). */
export const labIncusConf = path.join(
  process.env.ATLAS_LAB_STATE_DIR ?? "/tmp/atlas-incus-lab",
  "conf",
);

function lab(args: string[], timeout = 300_000): string {
  return execFileSync("bash", [script, ...args], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    timeout,
  });
}

export const labUp = (): string => lab(["up"]);
export const labDown = (): string => lab(["down"]);
export const stopMember = (member: string): string => lab(["stop-member", member], 60_000);
export const startMember = (member: string): string => lab(["start-member", member], 120_000);

/** The incus CLI as the lab's operator (remote-qualified names: `lab-cluster01:x`). */
export function labIncus(args: string[]): string {
  return execFileSync("incus", args, {
    encoding: "utf8",
    env: { ...process.env, INCUS_CONF: labIncusConf },
    stdio: ["ignore", "pipe", "pipe"],
    timeout: 120_000,
  });
}

export function labQuery<T>(remote: string, apiPath: string): T {
  return JSON.parse(labIncus(["query", `${remote}:${apiPath}`])) as T;
}

/** A command inside a lab container; its output (throws with stderr when it fails). */
export function labExec(remote: string, project: string, instance: string, cmd: string[]): string {
  return lab(["exec", remote, project, instance, "--", ...cmd], 120_000);
}

/**
 * A command on a lab host itself, in the network namespace its incusd runs in (where the
 * daemon's own connections start, e.g. its logs to Loki).
 */
export function onHost(host: keyof typeof labAddresses, cmd: string[]): string {
  return execFileSync("ip", ["netns", "exec", `atlaslab-${host}`, ...cmd], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    timeout: 120_000,
  });
}

/** A command on the LAN, from the operator's machine (10.77.0.2). */
export function onLan(cmd: string[]): string {
  return lab(["lan", "--", ...cmd], 120_000);
}
