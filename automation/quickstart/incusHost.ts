/**
 * What the quick start prepares on the local Incus daemon before the first `up`: the
 * storage pool the stack names (a fresh daemon has none, or only `default`) and, when
 * asked, an Incus project of its own. Both are left in place by `--destroy`: they may hold
 * other things by then.
 */
import { IncusClient, isNotFound } from "../../incus/client";

export type Outcome = "created" | "already there";

export async function ensurePool(client: IncusClient, pool: string): Promise<Outcome> {
  try {
    await client.get(`/1.0/storage-pools/${encodeURIComponent(pool)}`, {
      project: false,
      object: `storage pool "${pool}"`,
    });
    return "already there";
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
  await client.mutate("POST", "/1.0/storage-pools", {
    project: false,
    object: `storage pool "${pool}"`,
    body: { name: pool, driver: "dir", description: "Atlas quick start" },
  });
  return "created";
}

/**
 * A project whose profiles and volumes are its own, sharing images and networks with
 * `default` (a local image is visible, bridges can only live in `default`).
 */
export async function ensureProject(client: IncusClient, project: string): Promise<Outcome> {
  if (project === "default") return "already there";
  try {
    await client.get(`/1.0/projects/${encodeURIComponent(project)}`, {
      project: false,
      object: `project "${project}"`,
    });
    return "already there";
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
  await client.mutate("POST", "/1.0/projects", {
    project: false,
    object: `project "${project}"`,
    body: {
      name: project,
      description: "Atlas quick start",
      config: {
        "features.images": "false",
        "features.networks": "false",
        "features.profiles": "true",
        "features.storage.volumes": "true",
        "features.storage.buckets": "true",
      },
    },
  });
  return "created";
}

/** Whether a local image alias exists (images live in `default` for the quick start). */
export async function hasLocalImage(client: IncusClient, alias: string): Promise<boolean> {
  try {
    await client.get(`/1.0/images/aliases/${encodeURIComponent(alias)}`, {
      project: "default",
      object: `image alias "${alias}"`,
    });
    return true;
  } catch (e) {
    if (isNotFound(e)) return false;
    throw e;
  }
}
