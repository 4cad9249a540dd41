import { IncusError } from "../../client";
import { type HandlerContext, type ReadResultProps, enc, splitId, str } from "../handler";
import { asStringMap, isInternalKey, managedView, type StringMap } from "../diff";
import { type ResourceSpec } from "../schema";
import { validateConfig } from "../validators";
import type { PropertyMap } from "../values";
import { describedConfig, type Json, RestHandler } from "./rest";

interface LiveBucket extends Json {
  name: string;
  description: string;
  config: StringMap;
  s3_url: string;
  location: string;
}

const BUCKET_NAME = {
  re: /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
  allowed:
    "an S3 bucket name: 3-63 lowercase letters, digits, '.' and '-', starting and ending with a letter or digit",
};

export const storageBucketSpec: ResourceSpec = {
  token: "incus:index:StorageBucket",
  label: "StorageBucket",
  description: "An S3 storage bucket (`/1.0/storage-pools/<pool>/buckets/<name>`).",
  outputs: {
    s3Url: { kind: "string", description: "The bucket's S3 URL as reported by Incus." },
    location: { kind: "string", description: "Cluster member holding the bucket." },
  },
  identity: ["name", "pool", "project", "target"],
  props: {
    name: { kind: "string", required: true, pattern: BUCKET_NAME, replaceOnChange: true },
    pool: { kind: "string", required: true, replaceOnChange: true },
    description: { kind: "string", computedWhenOmitted: true },
    config: { kind: "stringMap", default: {} },
    project: { kind: "string", replaceOnChange: true },
    target: { kind: "string", replaceOnChange: true },
  },
  validate: (i) => validateConfig(i.config, "config"),
};

/**
 * `/1.0/storage-pools/<pool>/buckets/<name>`, id `<pool>/<name>`. On local pools Incus runs
 * MinIO for buckets; without it the daemon's error is turned into one that says so.
 */
export class StorageBucketHandler extends RestHandler<LiveBucket> {
  readonly spec = storageBucketSpec;
  protected computedKeys = ["s3Url", "location"];

  protected describe(i: PropertyMap): string {
    return `storage bucket "${str(i.name)}" in pool "${str(i.pool)}"`;
  }
  protected collectionPath(i: PropertyMap): string {
    return `/1.0/storage-pools/${enc(String(i.pool))}/buckets`;
  }
  protected objectPath(i: PropertyMap): string {
    return `${this.collectionPath(i)}/${enc(String(i.name))}`;
  }
  protected idOf(i: PropertyMap): string {
    return `${i.pool}/${i.name}`;
  }
  protected identityFromId(id: string): PropertyMap {
    const [pool, name] = splitId(id, 2, "<pool>/<bucket>", "StorageBucket");
    return { pool, name };
  }
  protected stateAfterCreate(): undefined {
    return undefined; // s3Url and location come from Incus
  }
  async create(
    ctx: HandlerContext,
    inputs: PropertyMap,
    urn?: string,
  ): Promise<{ id: string; outs: PropertyMap }> {
    try {
      return await super.create(ctx, inputs, urn);
    } catch (e) {
      if (e instanceof IncusError && /minio/i.test(e.incusMessage)) {
        throw new Error(
          `StorageBucket "${str(inputs.name)}": Incus cannot create buckets on pool "${str(inputs.pool)}" of remote "${ctx.client.remote}": ` +
            `local storage buckets require MinIO on the Incus host (the minio and mc binaries in incusd's PATH, and core.storage_buckets_address set). ` +
            `Install MinIO on the host or use a cephobject pool. Incus said: ${e.incusMessage}`,
        );
      }
      throw e;
    }
  }
  protected createBody(i: PropertyMap): Json {
    return { name: i.name, description: str(i.description) ?? "", config: asStringMap(i.config) };
  }
  protected putBody(live: LiveBucket, olds: PropertyMap, news: PropertyMap): Json {
    return describedConfig(live, olds, news);
  }
  protected fromLive(
    live: LiveBucket,
    state: PropertyMap,
    importing: boolean,
  ): ReadResultProps["props"] {
    return {
      name: live.name ?? state.name,
      pool: state.pool,
      description: live.description ?? "",
      config: managedView(
        live.config ?? {},
        importing ? undefined : asStringMap(state.config),
        isInternalKey,
      ),
      project: str(state.project),
      target: str(state.target),
      s3Url: live.s3_url ?? "",
      location: live.location ?? "",
    };
  }
}
