/**
 * Which volumes are Atlas's: custom volumes in the stack's pool named `<instance>-data`
 * (the service anatomy's naming) that are attached to that very instance, directly or
 * through one of its profiles. A stray `*-data` volume of something else never matches.
 */
import type { IncusClient } from "../../incus/client";

export interface AtlasVolume {
  name: string;
  pool: string;
  /** The instance that mounts it (stopped around exports and restores). */
  instance: string;
  /** Cluster member holding the volume ("none" on a standalone server). */
  location: string;
  contentType: string;
}

interface LiveVolume {
  name: string;
  used_by?: string[];
  location?: string;
  content_type?: string;
}

const enc = encodeURIComponent;

/** `/1.0/instances/web?project=x` → `web`; undefined for anything but an instance. */
function instanceOf(url: string): string | undefined {
  const m = /^\/1\.0\/instances\/([^/?]+)/.exec(url);
  return m ? decodeURIComponent(m[1]) : undefined;
}

async function instancesUsing(client: IncusClient, usedBy: string[]): Promise<Set<string>> {
  const instances = new Set<string>();
  for (const url of usedBy) {
    const direct = instanceOf(url);
    if (direct) instances.add(direct);
    const profile = /^\/1\.0\/profiles\/([^/?]+)/.exec(url);
    if (!profile) continue;
    const { value } = await client.get<{ used_by?: string[] }>(`/1.0/profiles/${profile[1]}`, {
      object: `profile "${decodeURIComponent(profile[1])}"`,
    });
    for (const u of value.used_by ?? []) {
      const name = instanceOf(u);
      if (name) instances.add(name);
    }
  }
  return instances;
}

/** The Atlas data volumes in `pool`, optionally only the one named `only`. */
export async function findAtlasVolumes(
  client: IncusClient,
  pool: string,
  only?: string,
): Promise<AtlasVolume[]> {
  const { value } = await client.get<LiveVolume[]>(
    `/1.0/storage-pools/${enc(pool)}/volumes/custom`,
    { query: { recursion: "1" }, object: `volumes of storage pool "${pool}"` },
  );
  const found: AtlasVolume[] = [];
  for (const v of value ?? []) {
    if (!v.name.endsWith("-data") || (only !== undefined && v.name !== only)) continue;
    const instance = v.name.slice(0, -"-data".length);
    if (!(await instancesUsing(client, v.used_by ?? [])).has(instance)) continue;
    found.push({
      name: v.name,
      pool,
      instance,
      location: v.location ?? "none",
      contentType: v.content_type ?? "filesystem",
    });
  }
  found.sort((a, b) => a.name.localeCompare(b.name));
  if (only !== undefined && found.length === 0) {
    throw new Error(
      `volume "${only}" is not an Atlas data volume in pool "${pool}" (a custom volume named <instance>-data and mounted by that instance)`,
    );
  }
  return found;
}
