/**
 * The incus CLI's own configuration (`$INCUS_CONF` or `~/.config/incus`), read so that
 * `incus remote add` is all a user ever configures: remotes, the default remote, the
 * client certificate and the pinned server certificates under `servercerts/`.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";

export const DEFAULT_SOCKET = "/var/lib/incus/unix.socket";

export interface RemoteConfig {
  addr: string;
  /** incus (default), simplestreams or oci. */
  protocol: string;
  authType?: string;
  public: boolean;
  /** Project the CLI uses by default for this remote. */
  project?: string;
}

export interface CliConfig {
  /** Configuration directory (holds config.yml, client.crt/key, servercerts/). */
  dir: string;
  defaultRemote: string;
  remotes: Record<string, RemoteConfig>;
}

/** What the CLI knows without a config file (its built-in `local` and `images`). */
const BUILTIN_REMOTES: Record<string, RemoteConfig> = {
  local: { addr: "unix://", protocol: "incus", public: false },
  images: { addr: "https://images.linuxcontainers.org", protocol: "simplestreams", public: true },
};

export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.INCUS_CONF) return env.INCUS_CONF;
  const home = env.HOME || os.homedir();
  return path.join(home, ".config", "incus");
}

function asString(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}

/** Parses config.yml text (exported for tests). Unknown keys are ignored, as the CLI does. */
export function parseCliConfig(text: string, dir: string): CliConfig {
  const doc: unknown = text.trim() === "" ? {} : parseYaml(text);
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
    throw new Error(`${path.join(dir, "config.yml")}: expected a YAML mapping at the top level`);
  }
  const root = doc as Record<string, unknown>;
  const remotes: Record<string, RemoteConfig> = { ...BUILTIN_REMOTES };
  const raw = root.remotes;
  if (raw !== undefined && raw !== null) {
    if (typeof raw !== "object" || Array.isArray(raw)) {
      throw new Error(`${path.join(dir, "config.yml")}: "remotes" must be a mapping`);
    }
    for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
      const r = (value ?? {}) as Record<string, unknown>;
      const addr = asString(r.addr);
      if (!addr) {
        throw new Error(`${path.join(dir, "config.yml")}: remote "${name}" has no addr`);
      }
      remotes[name] = {
        addr,
        protocol: asString(r.protocol) ?? "incus",
        authType: asString(r.auth_type),
        public: r.public === true,
        project: asString(r.project),
      };
    }
  }
  return {
    dir,
    defaultRemote: asString(root["default-remote"]) ?? "local",
    remotes,
  };
}

export function loadCliConfig(env: NodeJS.ProcessEnv = process.env): CliConfig {
  const dir = configDir(env);
  const file = path.join(dir, "config.yml");
  let text = "";
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    // No config file is the normal state of a machine that only talks to its local daemon.
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
  return parseCliConfig(text, dir);
}

export type Endpoint =
  | { kind: "unix"; remote: string; socketPath: string; project?: string }
  | {
      kind: "https";
      remote: string;
      url: URL;
      project?: string;
      clientCert: string;
      clientKey: string;
      /** PEM of the pinned server certificate (servercerts/<remote>.crt), if any. */
      serverCert?: string;
      acceptRemoteCertificate: boolean;
    };

export interface SelectOptions {
  /** Provider config `remote`. */
  remote?: string;
  acceptRemoteCertificate?: boolean;
  env?: NodeJS.ProcessEnv;
}

/** Which remote is meant: provider config, else $INCUS_REMOTE, else the config's default. */
export function selectRemoteName(cfg: CliConfig, requested?: string, env = process.env): string {
  return requested || env.INCUS_REMOTE || cfg.defaultRemote || "local";
}

function readIfExists(file: string): string | undefined {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
}

/** Resolves the remote to a concrete endpoint, loading certificates for HTTPS remotes. */
export function resolveEndpoint(cfg: CliConfig, opts: SelectOptions = {}): Endpoint {
  const env = opts.env ?? process.env;
  const name = selectRemoteName(cfg, opts.remote, env);
  const remote = cfg.remotes[name];
  if (!remote) {
    const known = Object.keys(cfg.remotes).sort().join(", ");
    throw new Error(
      `Incus remote "${name}" is not in ${path.join(cfg.dir, "config.yml")} (known remotes: ${known}); add it with \`incus remote add ${name} <address>\``,
    );
  }
  if (remote.addr.startsWith("unix:")) {
    const explicit = remote.addr.replace(/^unix:(\/\/)?/, "");
    return {
      kind: "unix",
      remote: name,
      socketPath: explicit || env.INCUS_SOCKET || DEFAULT_SOCKET,
      project: remote.project,
    };
  }
  if (remote.protocol !== "incus") {
    throw new Error(
      `Incus remote "${name}" is an image server (protocol ${remote.protocol}); the provider needs an Incus daemon remote (protocol incus)`,
    );
  }
  const url = new URL(remote.addr);
  if (url.protocol !== "https:") {
    throw new Error(`Incus remote "${name}": address ${remote.addr} must be https:// or unix://`);
  }
  const clientCert = readIfExists(path.join(cfg.dir, "client.crt"));
  const clientKey = readIfExists(path.join(cfg.dir, "client.key"));
  if (!clientCert || !clientKey) {
    throw new Error(
      `Incus remote "${name}": no client certificate in ${cfg.dir} (client.crt and client.key); run \`incus remote add ${name} ${remote.addr}\` once to create and trust one`,
    );
  }
  const serverCert = readIfExists(path.join(cfg.dir, "servercerts", `${name}.crt`));
  const accept = opts.acceptRemoteCertificate === true;
  if (!serverCert && !accept) {
    throw new Error(
      `Incus remote "${name}": no pinned server certificate ${path.join(cfg.dir, "servercerts", `${name}.crt`)}; run \`incus remote add\` to pin it, or set the provider's acceptRemoteCertificate=true`,
    );
  }
  return {
    kind: "https",
    remote: name,
    url,
    project: remote.project,
    clientCert,
    clientKey,
    serverCert,
    acceptRemoteCertificate: accept,
  };
}
