/**
 * Keeps the provider's file API requests apart from its instance starts, stops and
 * deletes, on each Incus daemon it talks to.
 *
 * Incus serves an instance's files through a helper process (`forkfile`) whose socket it
 * binds as `/proc/self/fd/<N>/forkfile.sock`, N being a directory descriptor that is
 * closed again as soon as the helper runs. When the helper exits, Incus closes its
 * listener, which unlinks that path resolved through whatever descriptor N is *then*:
 * if another file request is being served at that moment with its own instance's
 * directory open as N, that instance's fresh socket is unlinked and the request fails
 * (500 `dial unix /proc/self/fd/N/forkfile.sock: connect: no such file or directory`;
 * canonical/lxd#18403 describes the same race). A start, stop or delete makes Incus stop
 * the instance's helper and waits for it, so that unlink happens inside the request.
 *
 * Creating many instances at once interleaves exactly these: one instance's file pushes
 * with another's start. 8 of 22 `up`s of 100 node exporters failed so, at every
 * `--parallel` tried, and none of 7 since (docs/benchmarks.md). The two kinds of request
 * are therefore run in phases: any number of file requests together, or any number of
 * starts/stops/deletes together, never one of each; a waiting phase goes next, so neither
 * starves.
 *
 * Within one plugin process only: another process on the same daemon (a second stack,
 * the `incus` CLI) can still meet the race, which retryForkfile (instanceFiles.ts) covers.
 */
import type { IncusClient } from "../../client";

/** File API requests, or requests that make Incus stop an instance's file helper. */
export type HelperPhase = "files" | "helperExit";

export class PhaseLock {
  private phase: HelperPhase | undefined;
  private active = 0;
  private readonly waiting: Record<HelperPhase, (() => void)[]> = { files: [], helperExit: [] };

  /** Runs `fn` once the lock is in `phase`; never nest two calls (the inner may wait forever). */
  async run<T>(phase: HelperPhase, fn: () => Promise<T>): Promise<T> {
    await this.enter(phase);
    try {
      return await fn();
    } finally {
      this.leave();
    }
  }

  private static other(phase: HelperPhase): HelperPhase {
    return phase === "files" ? "helperExit" : "files";
  }

  private enter(phase: HelperPhase): Promise<void> {
    const free = this.phase === undefined;
    const joinable = this.phase === phase && this.waiting[PhaseLock.other(phase)].length === 0;
    if (free || joinable) {
      this.phase = phase;
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting[phase].push(resolve));
  }

  private leave(): void {
    this.active--;
    if (this.active > 0 || this.phase === undefined) return;
    const other = PhaseLock.other(this.phase);
    const next =
      this.waiting[other].length > 0
        ? other
        : this.waiting[this.phase].length > 0
          ? this.phase
          : undefined;
    this.phase = next;
    if (next === undefined) return;
    const admitted = this.waiting[next].splice(0);
    this.active += admitted.length;
    for (const resolve of admitted) resolve();
  }
}

const locks = new WeakMap<IncusClient, PhaseLock>();

/** The lock of the daemon a client talks to (one client per provider configuration). */
export function helperPhases(client: IncusClient): PhaseLock {
  let lock = locks.get(client);
  if (!lock) {
    lock = new PhaseLock();
    locks.set(client, lock);
  }
  return lock;
}
