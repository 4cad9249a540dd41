/**
 * The S3 backend settings of a stack, written by the bootstrap and read by everything that
 * talks to the stack's state. Settings (endpoint, bucket, region) go to
 * `<configDir>/<stack>.backend.json`; credentials to `<configDir>/<stack>.env` (0600), a
 * shell-sourceable file: `set -a; . ~/.config/atlas/<stack>.env; set +a`. Both live
 * outside the repository.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { StateBackendOutputs } from "./program";
import type { BootstrapSettings } from "./settings";
import { assertOutsideRepo, ensurePassphraseFile, writePrivateFile } from "../shared/secretFiles";

export interface BackendSettings {
  stack: string;
  /** `s3://<bucket>?endpoint=…&s3ForcePathStyle=true&region=…` for `pulumi login`. */
  backendUrl: string;
  endpoint: string;
  bucket: string;
  region: string;
  /** PEM of the Incus server certificate the S3 listener presents (AWS_CA_BUNDLE). */
  caFile?: string;
}

export interface BackendFiles {
  settingsFile: string;
  envFile: string;
  caFile: string;
  passphraseFile: string;
}

export function backendFiles(
  settings: Pick<BootstrapSettings, "configDir" | "stack">,
): BackendFiles {
  const base = path.join(settings.configDir, settings.stack);
  return {
    settingsFile: `${base}.backend.json`,
    envFile: `${base}.env`,
    caFile: `${base}.ca.crt`,
    passphraseFile: `${base}.passphrase`,
  };
}

const wildcardHosts = new Set(["", "0.0.0.0", "::", "[::]"]);

/**
 * The S3 endpoint (`scheme://host:port`) from the bucket URL Incus reports. Incus builds
 * that URL from `core.storage_buckets_address`, which usually binds every address (`:8555`);
 * then the host the remote is reached at is used instead.
 */
export function s3Endpoint(s3Url: string, remoteHost: string): string {
  const url = new URL(s3Url);
  const host = wildcardHosts.has(url.hostname) ? remoteHost : url.hostname;
  const hostPart = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  return `${url.protocol}//${hostPart}${url.port ? `:${url.port}` : ""}`;
}

export function backendUrl(bucket: string, endpoint: string, region: string): string {
  return `s3://${bucket}?endpoint=${endpoint}&s3ForcePathStyle=true&region=${region}`;
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Serialises KEY=value lines a POSIX shell can source. */
export function formatEnvFile(vars: Record<string, string>, header: string): string {
  const lines = Object.entries(vars).map(([k, v]) => `${k}=${shellQuote(v)}`);
  return `# ${header}\n${lines.join("\n")}\n`;
}

/** Reads a file written by formatEnvFile. */
export function parseEnvFile(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
    if (!m) continue;
    const raw = m[2];
    vars[m[1]] = raw.startsWith("'") ? raw.slice(1, -1).replace(/'\\''/g, "'") : raw;
  }
  return vars;
}

export interface WriteBackendResult {
  files: BackendFiles;
  backend: BackendSettings;
  /** Whether any file was created or changed. */
  changed: boolean;
}

/**
 * Writes the settings, CA certificate and credentials of the stack's backend. The main
 * stack's passphrase (for its secrets) is generated once and kept beside them.
 */
export function writeBackendSettings(
  settings: BootstrapSettings,
  outputs: StateBackendOutputs,
  remoteHost: string,
  serverCertificate?: string,
): WriteBackendResult {
  const files = backendFiles(settings);
  const endpoint = s3Endpoint(outputs.s3Url, remoteHost);
  const useCa = serverCertificate !== undefined && endpoint.startsWith("https:");
  const backend: BackendSettings = {
    stack: settings.stack,
    backendUrl: backendUrl(outputs.bucket, endpoint, settings.region),
    endpoint,
    bucket: outputs.bucket,
    region: settings.region,
    ...(useCa ? { caFile: files.caFile } : {}),
  };
  let changed = false;
  assertOutsideRepo(settings.configDir, settings.repoRoot);
  fs.mkdirSync(settings.configDir, { recursive: true, mode: 0o700 });
  if (useCa)
    changed = writePrivateFile(files.caFile, serverCertificate, settings.repoRoot) || changed;
  const passphraseExisted = fs.existsSync(files.passphraseFile);
  ensurePassphraseFile(files.passphraseFile, settings.repoRoot);
  changed = changed || !passphraseExisted;
  changed =
    writePrivateFile(
      files.settingsFile,
      `${JSON.stringify(backend, null, 2)}\n`,
      settings.repoRoot,
    ) || changed;
  const env: Record<string, string> = {
    PULUMI_BACKEND_URL: backend.backendUrl,
    AWS_ACCESS_KEY_ID: outputs.accessKey,
    AWS_SECRET_ACCESS_KEY: outputs.secretKey,
    AWS_REGION: settings.region,
    PULUMI_CONFIG_PASSPHRASE_FILE: files.passphraseFile,
    ...(useCa ? { AWS_CA_BUNDLE: files.caFile } : {}),
  };
  changed =
    writePrivateFile(
      files.envFile,
      formatEnvFile(
        env,
        `Atlas stack ${settings.stack}: Pulumi S3 backend credentials (written by npm run bootstrap)`,
      ),
      settings.repoRoot,
    ) || changed;
  return { files, backend, changed };
}

/** The environment a Pulumi command needs to use the stack's backend. */
export function readBackendEnv(
  settings: Pick<BootstrapSettings, "configDir" | "stack">,
): Record<string, string> {
  const { envFile } = backendFiles(settings);
  if (!fs.existsSync(envFile)) {
    throw new Error(
      `no backend settings for stack ${settings.stack} (${envFile}): run \`npm run bootstrap -- --stack ${settings.stack}\``,
    );
  }
  return parseEnvFile(fs.readFileSync(envFile, "utf8"));
}
