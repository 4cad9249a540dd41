/**
 * The bootstrap's inline Pulumi program: what the reference's `environments/<env>/bootstrap`
 * Terraform project creates, with the Atlas Incus SDK. It runs with its own local state,
 * before the state bucket it creates exists.
 */
import * as pulumi from "@pulumi/pulumi";
import * as incus from "../../incus/sdk";
import type { BootstrapSettings } from "./settings";

/** Logical names: stable, because the bootstrap's state and resume depend on them. */
export const stateResourceNames = {
  provider: "incus",
  bucketsAddress: "storage-buckets-address",
  pool: "state-pool",
  bucket: "state-bucket",
  key: "state-bucket-key",
} as const;

export interface StateBackendOutputs {
  bucket: string;
  /** The bucket's S3 URL as Incus reports it. */
  s3Url: string;
  accessKey: string;
  /** Always a Pulumi secret in the bootstrap state. */
  secretKey: string;
}

type Exported = { [K in keyof StateBackendOutputs]: pulumi.Output<string> };

/**
 * The program for a stack. Names come from the settings, not from resource outputs, so the
 * dependency order is explicit: buckets address and pool before the bucket, then its key.
 */
export function stateBackendProgram(settings: BootstrapSettings): () => Promise<Exported> {
  return async () => {
    const provider = new incus.Provider(stateResourceNames.provider, {
      remote: settings.remote || undefined,
    });
    const bucketsAddress = new incus.Server(
      stateResourceNames.bucketsAddress,
      { config: { "core.storage_buckets_address": settings.bucketsAddress } },
      { provider },
    );
    const pool = new incus.StoragePool(
      stateResourceNames.pool,
      {
        name: settings.statePool,
        driver: settings.statePoolDriver,
        description: `Atlas: Pulumi state of stack ${settings.stack}`,
      },
      { provider },
    );
    const bucket = new incus.StorageBucket(
      stateResourceNames.bucket,
      {
        name: settings.bucket,
        pool: settings.statePool,
        description: `Atlas: Pulumi state bucket of stack ${settings.stack}`,
      },
      { provider, dependsOn: [bucketsAddress, pool] },
    );
    const key = new incus.StorageBucketKey(
      stateResourceNames.key,
      {
        name: settings.keyName,
        pool: settings.statePool,
        storageBucket: settings.bucket,
        role: "admin",
        description: "Atlas: read/write access for the Pulumi backend",
      },
      { provider, dependsOn: [bucket] },
    );
    return {
      bucket: pulumi.output(settings.bucket),
      s3Url: bucket.s3Url,
      accessKey: key.accessKey,
      secretKey: pulumi.secret(key.secretKey),
    };
  };
}
