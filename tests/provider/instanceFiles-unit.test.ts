/**
 * Unit test (no daemon) of the file API's retry: Incus' per-instance file helper
 * (`forkfile`) can be between two lives when a request arrives, and the request fails
 * with a 500 naming its socket; the provider's file requests are idempotent and are sent
 * again. Any other failure counts at once. And of how a push is ordered: parents first,
 * all of it inside one file phase, which ends only when every request of it has.
 */
import { describe, expect, it } from "vitest";
import { IncusError, type IncusClient, errorFor } from "../../incus/client";
import { helperPhases } from "../../incus/provider/resources/fileHelperPhases";
import {
  directoriesByDepth,
  type FileSpec,
  pushFiles,
  retryForkfile,
} from "../../incus/provider/resources/instanceFiles";

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

const file = (targetPath: string, createDirectories = true): FileSpec => ({
  targetPath,
  content: "x",
  mode: "0644",
  uid: 0,
  gid: 0,
  createDirectories,
});

describe("directoriesByDepth", () => {
  it("lists each parent once, parents before children, one group per depth", () => {
    expect(
      directoriesByDepth([
        file("/etc/conf.d/node-exporter"),
        file("/usr/local/sbin/atlas-apply"),
        file("/etc/prometheus/prometheus.yml"),
        file("/opt/app/x", false),
      ]),
    ).toEqual([
      ["/etc", "/usr"],
      ["/etc/conf.d", "/usr/local", "/etc/prometheus"],
      ["/usr/local/sbin"],
    ]);
    expect(directoriesByDepth([file("/top-level")])).toEqual([]);
  });
});

/** A client whose file requests answer after a tick, logging when each starts and ends. */
function fakeClient(log: string[], failing?: string): IncusClient {
  return {
    request: async (_method: string, _path: string, opts: { query?: { path?: string } }) => {
      const at = opts.query?.path ?? "?";
      log.push(`start ${at}`);
      await new Promise((r) => setTimeout(r, 5));
      log.push(`end ${at}`);
      if (at === failing) throw new Error(`refused ${at}`);
      return { metadata: {} };
    },
  } as unknown as IncusClient;
}

describe("pushFiles", () => {
  const files = [file("/etc/conf.d/a"), file("/usr/local/sbin/b")];

  it("creates each depth's directories at once, then the files, all in one file phase", async () => {
    const log: string[] = [];
    const client = fakeClient(log);
    const push = pushFiles(client, "i", files, {});
    // A start asked for while the push runs waits for the whole push, not one request.
    const start = helperPhases(client).run("helperExit", async () => {
      log.push("start instance");
    });
    await Promise.all([push, start]);
    expect(log).toEqual([
      "start /etc",
      "start /usr",
      "end /etc",
      "end /usr",
      "start /etc/conf.d",
      "start /usr/local",
      "end /etc/conf.d",
      "end /usr/local",
      "start /usr/local/sbin",
      "end /usr/local/sbin",
      "start /etc/conf.d/a",
      "start /usr/local/sbin/b",
      "end /etc/conf.d/a",
      "end /usr/local/sbin/b",
      "start instance",
    ]);
  });

  it("a failed request fails the push only once the others of its group have ended", async () => {
    const log: string[] = [];
    const client = fakeClient(log, "/etc/conf.d/a");
    const push = pushFiles(client, "i", files, {});
    const start = helperPhases(client).run("helperExit", async () => {
      log.push("start instance");
    });
    await expect(push).rejects.toThrow("refused /etc/conf.d/a");
    await start;
    expect(log.slice(-3)).toEqual(["end /etc/conf.d/a", "end /usr/local/sbin/b", "start instance"]);
  });
});
