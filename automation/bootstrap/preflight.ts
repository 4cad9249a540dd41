/**
 * Checks that run before the bootstrap changes anything: the remote answers, its
 * certificate is the pinned one, the client is trusted, and nothing the bootstrap would
 * create already belongs to someone else. Every failure here leaves the host untouched.
 */
import { IncusClient, IncusError, isNotFound } from "../../incus/client";
import type { BootstrapSettings } from "./settings";

export interface RemoteInfo {
  client: IncusClient;
  remote: string;
  /** Host the remote is reached at (127.0.0.1 for the local socket). */
  host: string;
  serverName: string;
  serverVersion: string;
  /** The server certificate (PEM), which its S3 listener presents too. */
  certificate?: string;
  config: Record<string, string>;
}

interface ServerInfo {
  auth: string;
  config?: Record<string, string>;
  environment?: { server_name?: string; server_version?: string; certificate?: string };
}

/** Connects to the stack's Incus remote; clear errors for unreachable, wrong certificate, untrusted. */
export async function checkIncusRemote(
  settings: Pick<BootstrapSettings, "remote">,
  env: NodeJS.ProcessEnv = process.env,
): Promise<RemoteInfo> {
  const client = new IncusClient({ remote: settings.remote || undefined, env });
  const where =
    client.endpoint.kind === "unix"
      ? `the local daemon (${client.endpoint.socketPath})`
      : client.endpoint.url.host;
  let info: ServerInfo;
  try {
    info = (await client.get<ServerInfo>("/1.0", { project: false, object: "server" })).value;
  } catch (e) {
    client.close();
    const message = e instanceof IncusError ? e.incusMessage : String(e);
    if (/does not match the pinned/.test(message)) {
      throw new Error(
        `Incus remote "${client.remote}" at ${where} presented a certificate that is not the one pinned for it: ${message}. ` +
          `If the server was reinstalled on purpose, re-pin it: \`incus remote remove ${client.remote}\` then \`incus remote add ${client.remote} <address>\`. Nothing was changed.`,
      );
    }
    throw new Error(
      `Incus remote "${client.remote}" at ${where} is unreachable: ${message}. ` +
        `Check the address with \`incus remote list\` and that incusd runs there. Nothing was changed.`,
    );
  }
  if (info.auth !== "trusted") {
    client.close();
    throw new Error(
      `Incus remote "${client.remote}" at ${where} does not trust this client (auth: ${info.auth}); ` +
        `add the client certificate there (\`incus config trust add\`) and rerun. Nothing was changed.`,
    );
  }
  return {
    client,
    remote: client.remote,
    host: client.endpoint.kind === "unix" ? "127.0.0.1" : client.endpoint.url.hostname,
    serverName: info.environment?.server_name ?? "",
    serverVersion: info.environment?.server_version ?? "",
    certificate: info.environment?.certificate,
    config: info.config ?? {},
  };
}

export type Ownership = "absent" | "ours";

export interface OwnershipReport {
  bucketsAddress: "unset" | "ours" | "same";
  pool: Ownership;
  bucket: Ownership;
}

async function exists(client: IncusClient, path: string, object: string): Promise<boolean> {
  try {
    await client.get(path, { project: false, object });
    return true;
  } catch (e) {
    if (isNotFound(e)) return false;
    throw e;
  }
}

/**
 * Refuses to take over a buckets address, state pool or bucket that exists on the host
 * but is not in the bootstrap's own state (`managed`, ids by resource type).
 */
export async function checkOwnership(
  remote: RemoteInfo,
  settings: BootstrapSettings,
  managed: Map<string, string[]>,
): Promise<OwnershipReport> {
  const { client } = remote;
  const ours = (type: string, id: string): boolean =>
    (managed.get(`incus:index:${type}`) ?? []).includes(id);
  const state = `the bootstrap state in ${settings.bootstrapStateDir}`;

  const current = remote.config["core.storage_buckets_address"] ?? "";
  let bucketsAddress: OwnershipReport["bucketsAddress"] = "unset";
  if (managed.has("incus:index:Server")) bucketsAddress = "ours";
  else if (current === settings.bucketsAddress) bucketsAddress = "same";
  else if (current !== "") {
    throw new Error(
      `core.storage_buckets_address on remote "${remote.remote}" is already "${current}", set outside this bootstrap; ` +
        `rerun with --buckets-address "${current}" to keep it. Nothing was changed.`,
    );
  }

  const poolPath = `/1.0/storage-pools/${encodeURIComponent(settings.statePool)}`;
  let pool: Ownership = "absent";
  if (await exists(client, poolPath, `storage pool "${settings.statePool}"`)) {
    if (!ours("StoragePool", settings.statePool)) {
      throw new Error(
        `storage pool "${settings.statePool}" already exists on remote "${remote.remote}" but is not in ${state}: ` +
          `it belongs to something else. Choose another pool with --pool NAME. Nothing was changed.`,
      );
    }
    pool = "ours";
  }

  let bucket: Ownership = "absent";
  const bucketPath = `${poolPath}/buckets/${encodeURIComponent(settings.bucket)}`;
  if (
    pool === "ours" &&
    (await exists(client, bucketPath, `storage bucket "${settings.bucket}"`))
  ) {
    if (!ours("StorageBucket", `${settings.statePool}/${settings.bucket}`)) {
      throw new Error(
        `storage bucket "${settings.bucket}" already exists in pool "${settings.statePool}" on remote "${remote.remote}" but is not in ${state}: ` +
          `it belongs to something else. Choose another bucket with --bucket NAME. Nothing was changed.`,
      );
    }
    bucket = "ours";
  }
  return { bucketsAddress, pool, bucket };
}
