import { type ReadResultProps, enc, splitId, str } from "../handler";
import { asStringMap, isInternalKey, managedView, type StringMap } from "../diff";
import { GENERIC_NAME, type ResourceSpec } from "../schema";
import { validateConfig } from "../validators";
import type { PropertyMap } from "../values";
import { describedConfig, type Json, RestHandler } from "./rest";

interface LiveVolume extends Json {
  name: string;
  type: string;
  content_type: string;
  description: string;
  config: StringMap;
  location: string;
}

export const storageVolumeSpec: ResourceSpec = {
  token: "incus:index:StorageVolume",
  label: "StorageVolume",
  description: "A custom storage volume (`/1.0/storage-pools/<pool>/volumes/custom/<name>`).",
  outputs: {
    location: { kind: "string", description: "Cluster member the volume lives on." },
  },
  identity: ["name", "pool", "project", "target"],
  props: {
    name: { kind: "string", required: true, pattern: GENERIC_NAME, replaceOnChange: true },
    pool: { kind: "string", required: true, pattern: GENERIC_NAME, replaceOnChange: true },
    type: { kind: "string", enum: ["custom"], default: "custom", replaceOnChange: true },
    contentType: {
      kind: "string",
      enum: ["filesystem", "block", "iso"],
      default: "filesystem",
      replaceOnChange: true,
    },
    description: { kind: "string", computedWhenOmitted: true },
    config: { kind: "stringMap", default: {} },
    project: { kind: "string", replaceOnChange: true },
    target: { kind: "string", replaceOnChange: true },
  },
  validate: (i) => validateConfig(i.config, "config"),
};

/**
 * `/1.0/storage-pools/<pool>/volumes/custom/<name>`, id `<pool>/<name>`. Moving to another
 * pool or changing the content type replaces the volume (and its data); size and the
 * snapshot schedule/expiry/pattern update in place.
 */
export class StorageVolumeHandler extends RestHandler<LiveVolume> {
  readonly spec = storageVolumeSpec;
  protected readonly tagsOwner = true;
  protected computedKeys = ["location"];

  protected describe(i: PropertyMap): string {
    return `storage volume "${str(i.name)}" in pool "${str(i.pool)}"`;
  }
  protected collectionPath(i: PropertyMap): string {
    return `/1.0/storage-pools/${enc(String(i.pool))}/volumes/custom`;
  }
  protected objectPath(i: PropertyMap): string {
    return `${this.collectionPath(i)}/${enc(String(i.name))}`;
  }
  protected idOf(i: PropertyMap): string {
    return `${i.pool}/${i.name}`;
  }
  protected identityFromId(id: string): PropertyMap {
    const [pool, name] = splitId(id, 2, "<pool>/<volume>", "StorageVolume");
    return { pool, name };
  }
  protected stateAfterCreate(): undefined {
    return undefined; // location is chosen by Incus (a cluster member, or "none")
  }
  protected createBody(i: PropertyMap): Json {
    return {
      name: i.name,
      type: "custom",
      content_type: i.contentType,
      description: str(i.description) ?? "",
      config: asStringMap(i.config),
    };
  }
  protected putBody(live: LiveVolume, olds: PropertyMap, news: PropertyMap): Json {
    return describedConfig(live, olds, news);
  }
  protected fromLive(
    live: LiveVolume,
    state: PropertyMap,
    importing: boolean,
  ): ReadResultProps["props"] {
    return {
      name: live.name ?? state.name,
      pool: state.pool,
      type: live.type ?? "custom",
      contentType: live.content_type ?? "filesystem",
      description: live.description ?? "",
      config: managedView(
        live.config ?? {},
        importing ? undefined : asStringMap(state.config),
        isInternalKey,
      ),
      project: str(state.project),
      target: str(state.target),
      location: live.location ?? "",
    };
  }
}
