/**
 * Stopping a service around an export or restore, as the reference's `make backup-export`
 * does, and always starting it again afterwards, even when the work in between failed.
 */
import type { IncusClient } from "../../incus/client";

const enc = encodeURIComponent;

async function status(client: IncusClient, instance: string): Promise<string> {
  const { value } = await client.get<{ status: string }>(`/1.0/instances/${enc(instance)}/state`, {
    object: `instance "${instance}"`,
  });
  return value.status;
}

async function setState(
  client: IncusClient,
  instance: string,
  action: "start" | "stop",
): Promise<void> {
  await client.mutate("PUT", `/1.0/instances/${enc(instance)}/state`, {
    object: `instance "${instance}"`,
    body: action === "stop" ? { action, timeout: 60, force: false } : { action },
  });
}

/**
 * Runs `work` with `instance` stopped. An instance that was running is started again in
 * every case; a start failure after a work failure is reported together with it.
 */
export async function withInstanceStopped<T>(
  client: IncusClient,
  instance: string,
  print: (line: string) => void,
  work: () => Promise<T>,
): Promise<T> {
  const wasRunning = (await status(client, instance)) === "Running";
  if (wasRunning) {
    print(`  stopping ${instance}`);
    await setState(client, instance, "stop");
  }
  let result: T;
  try {
    result = await work();
  } catch (e) {
    if (wasRunning) {
      print(`  starting ${instance} again`);
      await setState(client, instance, "start").catch((startError: unknown) => {
        const why = startError instanceof Error ? startError.message : String(startError);
        print(
          `  ERROR: could not start ${instance} again: ${why}; start it with \`incus start ${instance}\``,
        );
      });
    }
    throw e;
  }
  if (wasRunning) {
    print(`  starting ${instance} again`);
    await setState(client, instance, "start");
  }
  return result;
}
