import { type ReadResultProps, enc, str } from "../handler";
import { asStringMap, isInternalKey, managedView, type StringMap } from "../diff";
import { GENERIC_NAME, type ResourceSpec } from "../schema";
import { validateConfig } from "../validators";
import type { PropertyMap } from "../values";
import { describedConfig, type Json, RestHandler } from "./rest";

interface LivePool extends Json {
  name: string;
  driver: string;
  description: string;
  config: StringMap;
}

export const POOL_DRIVERS = [
  "dir",
  "zfs",
  "btrfs",
  "lvm",
  "lvmcluster",
  "ceph",
  "cephfs",
  "cephobject",
] as const;

export const storagePoolSpec: ResourceSpec = {
  token: "incus:index:StoragePool",
  label: "StoragePool",
  description: "An Incus storage pool (`/1.0/storage-pools/<name>`).",
  identity: ["name", "project", "target"],
  props: {
    name: { kind: "string", required: true, pattern: GENERIC_NAME, replaceOnChange: true },
    driver: { kind: "string", required: true, enum: POOL_DRIVERS, replaceOnChange: true },
    description: { kind: "string", computedWhenOmitted: true },
    config: { kind: "stringMap", default: {} },
    project: { kind: "string", replaceOnChange: true },
    target: { kind: "string", replaceOnChange: true },
  },
  validate: (i) => validateConfig(i.config, "config"),
};

/** `/1.0/storage-pools/<name>`: the driver is fixed at creation; config updates in place. */
export class StoragePoolHandler extends RestHandler<LivePool> {
  readonly spec = storagePoolSpec;

  protected describe(i: PropertyMap): string {
    return `storage pool "${str(i.name)}"`;
  }
  protected collectionPath(): string {
    return "/1.0/storage-pools";
  }
  protected objectPath(i: PropertyMap): string {
    return `/1.0/storage-pools/${enc(String(i.name))}`;
  }
  protected idOf(i: PropertyMap): string {
    return String(i.name);
  }
  protected identityFromId(id: string): PropertyMap {
    return { name: id };
  }
  protected createBody(i: PropertyMap): Json {
    return {
      name: i.name,
      driver: i.driver,
      description: str(i.description) ?? "",
      config: asStringMap(i.config),
    };
  }
  protected putBody(live: LivePool, olds: PropertyMap, news: PropertyMap): Json {
    return describedConfig(live, olds, news);
  }
  protected fromLive(
    live: LivePool,
    state: PropertyMap,
    importing: boolean,
  ): ReadResultProps["props"] {
    return {
      name: live.name ?? state.name,
      driver: live.driver,
      description: live.description ?? "",
      config: managedView(
        live.config ?? {},
        importing ? undefined : asStringMap(state.config),
        isInternalKey,
      ),
      project: str(state.project),
      target: str(state.target),
    };
  }
}
