/**
 * Crashing and restarting the test daemon, for the fault tests. Only the incusd the
 * harness started (its pid file) is ever signalled; the harness starts it again.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { repoRoot } from "../repoRoot";
import { daemonAnswers } from "./host";

const stateDir = process.env.ATLAS_INCUS_STATE_DIR ?? "/tmp/atlas-incus-test";

/** The pid of the harness's incusd, checked against /proc so a reused pid is never hit. */
export function harnessDaemonPid(): number {
  const pidFile = path.join(stateDir, "incusd.pid");
  if (!fs.existsSync(pidFile)) {
    throw new Error(
      `no ${pidFile}: the fault tests need an incusd started by scripts/incus-test-daemon.sh`,
    );
  }
  const pid = Number(fs.readFileSync(pidFile, "utf8").trim());
  const cmdline = fs.existsSync(`/proc/${pid}/cmdline`)
    ? fs.readFileSync(`/proc/${pid}/cmdline`, "utf8")
    : "";
  if (!Number.isInteger(pid) || !cmdline.includes("incusd")) {
    throw new Error(`${pidFile} names pid ${pid}, which is not a running incusd`);
  }
  return pid;
}

/** dnsmasq processes the daemon runs for its bridges. */
function dnsmasqChildren(pid: number): number[] {
  return fs
    .readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
        // pid (comm) state ppid ...
        const m = /^\d+ \((.*)\) \S+ (\d+)/.exec(stat);
        return m?.[1] === "dnsmasq" && Number(m[2]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

/**
 * SIGKILL: a crash, not a shutdown (instances keep running, in-flight requests break).
 * The bridges' dnsmasq children would outlive it and hold their addresses, so the
 * restarted daemon could not bring those networks up; a service manager stops them with
 * the failed unit, and so does this.
 */
export async function crashDaemon(pid: number): Promise<void> {
  const children = dnsmasqChildren(pid);
  process.kill(pid, "SIGKILL");
  for (let i = 0; i < 100 && fs.existsSync(`/proc/${pid}`); i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
  for (const child of children) {
    try {
      process.kill(child, "SIGTERM");
    } catch {
      // already gone
    }
  }
}

export function startDaemon(): void {
  execFileSync("bash", [path.join(repoRoot, "scripts", "incus-test-daemon.sh"), "up"], {
    stdio: ["ignore", "ignore", "pipe"],
    timeout: 180_000,
  });
  if (!daemonAnswers()) throw new Error("incusd did not come back after a restart");
}
