/**
 * Unit test (no daemon) of the phases that keep file API requests apart from starts,
 * stops and deletes (incus/provider/resources/fileHelperPhases.ts): requests of one kind
 * run together, never beside one of the other kind, and a waiting kind goes next.
 */
import { describe, expect, it } from "vitest";
import { PhaseLock, type HelperPhase } from "../../incus/provider/resources/fileHelperPhases";

/** A request held open until released, recording when it ran. */
function held(
  lock: PhaseLock,
  phase: HelperPhase,
  name: string,
  log: string[],
): { done: Promise<void>; release: () => void } {
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => {
    release = r;
  });
  const done = lock.run(phase, async () => {
    log.push(`in ${name}`);
    await gate;
    log.push(`out ${name}`);
  });
  return { done, release: () => release() };
}

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

describe("PhaseLock", () => {
  it("runs requests of one kind together", async () => {
    const lock = new PhaseLock();
    const log: string[] = [];
    const a = held(lock, "files", "a", log);
    const b = held(lock, "files", "b", log);
    await settle();
    expect(log).toEqual(["in a", "in b"]);
    a.release();
    b.release();
    await Promise.all([a.done, b.done]);
  });

  it("never runs a start beside a file request, and lets neither kind starve", async () => {
    const lock = new PhaseLock();
    const log: string[] = [];
    const push1 = held(lock, "files", "push1", log);
    await settle();
    const start = held(lock, "helperExit", "start", log);
    // A file request arriving after the start waits behind it.
    const push2 = held(lock, "files", "push2", log);
    await settle();
    expect(log).toEqual(["in push1"]);

    push1.release();
    await push1.done;
    await settle();
    expect(log).toEqual(["in push1", "out push1", "in start"]);

    start.release();
    await start.done;
    await settle();
    expect(log.slice(-2)).toEqual(["out start", "in push2"]);
    push2.release();
    await push2.done;
  });

  it("admits every waiting request of the next kind at once", async () => {
    const lock = new PhaseLock();
    const log: string[] = [];
    const start = held(lock, "helperExit", "start", log);
    await settle();
    const pushes = ["p1", "p2", "p3"].map((n) => held(lock, "files", n, log));
    start.release();
    await start.done;
    await settle();
    expect(log.filter((l) => l.startsWith("in p"))).toHaveLength(3);
    for (const p of pushes) p.release();
    await Promise.all(pushes.map((p) => p.done));
  });

  it("frees the phase when a request fails", async () => {
    const lock = new PhaseLock();
    await expect(
      lock.run("files", async () => {
        throw new Error("push failed");
      }),
    ).rejects.toThrow("push failed");
    await expect(lock.run("helperExit", async () => "started")).resolves.toBe("started");
  });
});
