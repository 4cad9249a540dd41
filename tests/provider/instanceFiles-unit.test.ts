/**
 * Unit test (no daemon) of the file API's retry: Incus' per-instance file helper
 * (`forkfile`) can be between two lives when a request arrives, and the request fails
 * with a 500 naming its socket; the provider's file requests are idempotent and are sent
 * again. Any other failure counts at once.
 */
import { describe, expect, it } from "vitest";
import { IncusError, errorFor } from "../../incus/client";
import { retryForkfile } from "../../incus/provider/resources/instanceFiles";

const forkfileGone = (): IncusError =>
  errorFor({
    status: 500,
    object: 'directory /etc in instance "node-exporter37"',
    remote: "local",
    method: "POST",
    path: "/1.0/instances/node-exporter37/files?path=%2Fetc",
    incusMessage: "dial unix /proc/self/fd/32/forkfile.sock: connect: no such file or directory",
  });

/** A request that fails `failures` times with `error()`, then answers "ok". */
function flaky(
  failures: number,
  error: () => Error,
): { fn: () => Promise<string>; calls: () => number } {
  let calls = 0;
  return {
    fn: async () => {
      calls++;
      if (calls <= failures) throw error();
      return "ok";
    },
    calls: () => calls,
  };
}

describe("retryForkfile", () => {
  it("sends a request again while the file helper is gone, then answers", async () => {
    const r = flaky(3, forkfileGone);
    await expect(retryForkfile(r.fn, { delayMs: 1 })).resolves.toBe("ok");
    expect(r.calls()).toBe(4);
  });

  it("gives up after its attempts with the daemon's own error", async () => {
    const r = flaky(10, forkfileGone);
    await expect(retryForkfile(r.fn, { attempts: 3, delayMs: 1 })).rejects.toThrow(
      /forkfile\.sock: connect: no such file or directory/,
    );
    expect(r.calls()).toBe(3);
  });

  it("does not repeat any other failure", async () => {
    const denied = flaky(1, () =>
      errorFor({
        status: 403,
        object: "file /etc/x",
        remote: "local",
        method: "POST",
        path: "/1.0/instances/x/files",
        incusMessage: "not authorized",
      }),
    );
    await expect(retryForkfile(denied.fn, { delayMs: 1 })).rejects.toBeInstanceOf(IncusError);
    expect(denied.calls()).toBe(1);
    const plain = flaky(1, () => new Error("forkfile in a non-Incus error"));
    await expect(retryForkfile(plain.fn, { delayMs: 1 })).rejects.toThrow("non-Incus");
    expect(plain.calls()).toBe(1);
  });
});
