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
import { MinioMissingError } from "./minio";

export interface ResourceChange {
  op: string;
  type: string;
  name: string;
}

export interface ApplyResult {
  /** Resources created, updated, replaced or deleted (never the unchanged ones). */
  changes: ResourceChange[];
}

function urn(settings: BootstrapSettings, type: string, name: string): string {
  return `urn:pulumi:${settings.stack}::${bootstrapProjectName}::${type}::${name}`;
}

async function up(
  stack: Stack,
  print: Print,
  remoteName: string,
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
    const minio = all.split("\n").find((line) => /minio/i.test(line));
    // The provider's own explanation wraps the daemon's words; keep only the latter.
    if (minio) throw new MinioMissingError(remoteName, minio.split("Incus said: ").pop()!.trim());
    const leftover = /Volume path "([^"]*\/buckets\/[^"]*)" already exists/.exec(all);
    if (leftover) {
      throw new Error(
        `an earlier failed bucket creation left ${leftover[1]} on the Incus host of remote "${remoteName}" (Incus does not remove it). ` +
          `Make sure MinIO is installed there, delete that directory on the host, then rerun.`,
      );
    }
    const detail = errors.filter((m) => !/^update failed$/i.test(m)).join("; ");
    throw new Error(detail || (e instanceof Error ? e.message : String(e)));
  }
}

/** `core.storage_buckets_address` and the state pool (the provider is targeted with them). */
export async function applyBucketsAddressAndPool(
  stack: Stack,
  settings: BootstrapSettings,
  print: Print,
  remoteName: string,
): Promise<ApplyResult> {
  const target = [
    urn(settings, "pulumi:providers:incus", stateResourceNames.provider),
    urn(settings, "incus:index:Server", stateResourceNames.bucketsAddress),
    urn(settings, "incus:index:StoragePool", stateResourceNames.pool),
  ];
  const { changes } = await up(stack, print, remoteName, target);
  return { changes };
}

/** The whole program: adds the bucket and its admin key; returns the backend outputs. */
export async function applyStateBucket(
  stack: Stack,
  print: Print,
  remoteName: string,
): Promise<ApplyResult & { outputs: StateBackendOutputs }> {
  const { changes, outputs } = await up(stack, print, remoteName);
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
