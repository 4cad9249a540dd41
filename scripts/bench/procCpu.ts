/**
 * CPU time of the processes an engine command starts, read from /proc while it runs: the
 * `pulumi` engine, the Incus plugin (a Node process of its own), any other child, this
 * process (which hosts the inline program), and incusd. Where the time of an `up` goes is
 * then a measurement: CPU a process spent is time the 2-core machine could not spend on
 * anything else.
 *
 * Sampled, because a process's counters vanish when it exits: a child's last interval
 * (at most `intervalMs`) is missed. The exact total of every child that exited is this
 * process's `cutime + cstime`, reported beside the roles.
 */
import * as fs from "node:fs";

/** CPU milliseconds by role. */
export interface CpuByRole {
  /** The `pulumi` CLI processes (engine, backend, checkpoint writes). */
  engine: number;
  /** The Incus provider plugin (node dist/incus/provider/main.js and its sh wrapper). */
  plugin: number;
  /** Other descendants (language hosts, policy packs, `incus` CLI processes). */
  otherChildren: number;
  /** This process: the Automation API and the inline program it hosts. */
  self: number;
  /** Every child of this process that exited meanwhile, exactly (waited-for children). */
  exitedChildrenExact: number;
  /** incusd: shared with anything else using the daemon at the time. */
  incusd: number;
}

type Role = "engine" | "plugin" | "otherChildren" | "incusd";

interface Tracked {
  role: Role;
  /** utime + stime in clock ticks at the first and the last sample. */
  first: number;
  last: number;
}

/** Linux reports process times in USER_HZ, 100 on every architecture Node runs on. */
const ticksPerSecond = 100;

/** Fields of /proc/<pid>/stat after the command name (which may hold spaces). */
function statFields(pid: number | "self"): string[] | undefined {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return text.slice(text.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined; // exited between the listing and the read
  }
}

/** utime+stime (fields 14, 15), ppid (4), cutime+cstime (16, 17), counted from field 3. */
const ppidOf = (f: string[]): number => Number(f[1]);
const ticksOf = (f: string[]): number => Number(f[11]) + Number(f[12]);
const childTicksOf = (f: string[]): number => Number(f[13]) + Number(f[14]);

function cmdline(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ");
  } catch {
    return "";
  }
}

function roleOf(pid: number, isDescendant: boolean): Role | undefined {
  const cmd = cmdline(pid);
  if (!isDescendant) return /(^|\/)incusd( |$)/.test(cmd) ? "incusd" : undefined;
  if (cmd.includes("pulumi-resource-incus") || cmd.includes("incus/provider/main.js"))
    return "plugin";
  if (/(^|\/)pulumi( |$)/.test(cmd)) return "engine";
  return "otherChildren";
}

/** Samples until stopped; `stop()` returns the CPU spent meanwhile. */
export class ProcCpuSampler {
  private readonly tracked = new Map<number, Tracked>();
  /** Pids seen that belong to nobody we measure (never read again). */
  private readonly ignored = new Set<number>();
  private readonly timer: NodeJS.Timeout;
  private readonly selfStart = process.cpuUsage();
  private readonly childStart: number;

  constructor(intervalMs = 50) {
    this.childStart = childTicksOf(statFields("self") ?? []);
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  private sample(): void {
    const ppids = new Map<number, number>();
    const fresh: number[] = [];
    for (const entry of fs.readdirSync("/proc")) {
      const pid = Number(entry);
      if (!Number.isInteger(pid) || this.ignored.has(pid)) continue;
      const f = statFields(pid);
      if (!f) continue;
      ppids.set(pid, ppidOf(f));
      const t = this.tracked.get(pid);
      if (t) t.last = ticksOf(f);
      else fresh.push(pid);
    }
    const descends = (pid: number): boolean => {
      for (let p = ppids.get(pid); p !== undefined && p > 1; p = ppids.get(p)) {
        if (p === process.pid) return true;
      }
      return false;
    };
    for (const pid of fresh) {
      const role = roleOf(pid, descends(pid));
      const f = role ? statFields(pid) : undefined;
      if (!role || !f) {
        this.ignored.add(pid);
        continue;
      }
      // A child is counted from zero (all its CPU is ours); incusd from now on.
      this.tracked.set(pid, { role, first: role === "incusd" ? ticksOf(f) : 0, last: ticksOf(f) });
    }
  }

  stop(): CpuByRole {
    clearInterval(this.timer);
    this.sample();
    const ms = (ticks: number): number => (ticks * 1000) / ticksPerSecond;
    const byRole: Record<Role, number> = { engine: 0, plugin: 0, otherChildren: 0, incusd: 0 };
    for (const t of this.tracked.values()) byRole[t.role] += ms(t.last - t.first);
    const self = process.cpuUsage(this.selfStart);
    return {
      ...byRole,
      self: (self.user + self.system) / 1000,
      exitedChildrenExact: ms(childTicksOf(statFields("self") ?? []) - this.childStart),
    };
  }
}
