/**
 * The two `pulumi up`s of the bootstrap: first the buckets address and the state pool
 * (targeted), then everything (bucket and key). Splitting them lets a host without MinIO
 * get as far as it can, and lets a rerun report exactly which part was already done.
 */
import type { EngineEvent, Stack } from "@pulumi/pulumi/automation";
import type { Print } from "../shared/progress";
import { bootstrapProjectName } from "./bootstrapStack";
import { stateResourceNames, type StateBackendOutputs } from "./program";
import type { BootstrapSettings } from "./settings";

export interface ResourceChange {
  op: string;
  type: string;
  name: string;
}

export interface ApplyResult {
  /** Resources created, updated, replaced or deleted (never the unchanged ones). */
  changes: ResourceChange[];
}

/** Local buckets need MinIO on the Incus host; raised with what to install. */
export class MinioMissingError extends Error {
  constructor(
    readonly remote: string,
    readonly incusMessage: string,
  ) {
    super(
      `the Incus host of remote "${remote}" cannot create local storage buckets: MinIO is not installed there. ` +
        `Install MinIO on the Incus host (the \`minio\` server and \`mc\` client binaries, from MinIO's release downloads, into a directory on incusd's PATH such as /usr/local/bin), restart incusd, ` +
        `or put the state pool on a cephobject pool (--pool). Incus said: ${incusMessage}`,
    );
    this.name = "MinioMissingError";
  }
}

function urn(settings: BootstrapSettings, type: string, name: string): string {
  return `urn:pulumi:${settings.stack}::${bootstrapProjectName}::${type}::${name}`;
}

async function up(
  stack: Stack,
  settings: BootstrapSettings,
  print: Print,
  target?: string[],
): Promise<{ changes: ResourceChange[]; outputs: Record<string, { value: unknown }> }> {
  const changes: ResourceChange[] = [];
  const errors: string[] = [];
  const onEvent = (event: EngineEvent): void => {
    const meta = event.resOutputsEvent?.metadata;
    if (meta && meta.op !== "same" && meta.type !== "pulumi:pulumi:Stack") {
      const name = meta.urn.split("::").pop() ?? meta.urn;
      changes.push({ op: meta.op, type: meta.type, name });
      print(`    ${meta.op} ${meta.type} ${name}`);
    }
    const diag = event.diagnosticEvent;
    if (diag?.severity === "error") errors.push(diag.message.trim());
  };
  try {
    const result = await stack.up({ target, onEvent, color: "never" });
    return { changes, outputs: result.outputs };
  } catch (e) {
    const all = [...errors, e instanceof Error ? e.message : String(e)].join("\n");
    const minio = all.split("\n").find((line) => /require MinIO|minio/i.test(line));
    if (minio) throw new MinioMissingError(settings.remote || "(default)", minio.trim());
    const detail = errors.filter((m) => !/^update failed$/i.test(m)).join("; ");
    throw new Error(detail || (e instanceof Error ? e.message : String(e)));
  }
}

/** `core.storage_buckets_address` and the state pool (the provider is targeted with them). */
export async function applyBucketsAddressAndPool(
  stack: Stack,
  settings: BootstrapSettings,
  print: Print,
): Promise<ApplyResult> {
  const target = [
    urn(settings, "pulumi:providers:incus", stateResourceNames.provider),
    urn(settings, "incus:index:Server", stateResourceNames.bucketsAddress),
    urn(settings, "incus:index:StoragePool", stateResourceNames.pool),
  ];
  const { changes } = await up(stack, settings, print, target);
  return { changes };
}

/** The whole program: adds the bucket and its admin key; returns the backend outputs. */
export async function applyStateBucket(
  stack: Stack,
  settings: BootstrapSettings,
  print: Print,
): Promise<ApplyResult & { outputs: StateBackendOutputs }> {
  const { changes, outputs } = await up(stack, settings, print);
  const value = (key: keyof StateBackendOutputs): string => {
    const v = outputs[key]?.value;
    if (typeof v !== "string" || v === "") {
      throw new Error(`the bootstrap stack has no "${key}" output after the update`);
    }
    return v;
  };
  return {
    changes,
    outputs: {
      bucket: value("bucket"),
      s3Url: value("s3Url"),
      accessKey: value("accessKey"),
      secretKey: value("secretKey"),
    },
  };
}

export function describeChanges(changes: ResourceChange[], nothing: string): string {
  if (changes.length === 0) return nothing;
  return changes.map((c) => `${c.op} ${c.name}`).join(", ");
}
