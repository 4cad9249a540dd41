/**
 * Shapes shared by several Incus resources, mirroring the Terraform Incus provider's
 * nested blocks (camelCased) so a published provider could replace this SDK by an
 * import change.
 */

/** An Incus device (`devices.<name>` in the REST API): its type and its properties. */
export interface Device {
  name: string;
  /** Incus device type: disk, nic, proxy, unix-char, ... */
  type: string;
  properties: Record<string, string>;
}

/** A file pushed into an instance after creation. */
export interface InstanceFile {
  /** Absolute path inside the instance. */
  targetPath: string;
  /** File content (mutually exclusive with sourcePath). The outputs record contentSha256 instead. */
  content?: string;
  /** Output only: the SHA-256 (hex) of content, which state records in its place. */
  contentSha256?: string;
  /** Path of a local file to upload (mutually exclusive with content). */
  sourcePath?: string;
  /** Octal mode string, e.g. "0644" (default "0644"). */
  mode?: string;
  uid?: number;
  gid?: number;
  /** Create missing parent directories (default true). */
  createDirectories?: boolean;
}

/** When an instance command runs (see InstanceExec.trigger). */
export type InstanceExecTrigger = "once" | "on_change" | "on_start";

/**
 * A command run inside the instance through the Incus exec API, waited for until it exits.
 * Its output is never stored; on failure its last lines are part of the error (secret
 * values masked).
 */
export interface InstanceExec {
  /** Unique among the instance's execs; names the command in messages and in state. */
  name: string;
  /** The argv, run as is: no shell is implied (use `["sh", "-c", "..."]` for one). */
  command: string[];
  /** Environment variables for the command (Incus adds PATH, HOME, LANG when not set). */
  environment?: Record<string, string>;
  /** User id the command runs as (default 0, root). */
  uid?: number;
  /** Group id the command runs as (default 0). */
  gid?: number;
  /** Working directory, an absolute path inside the instance (default the user's home). */
  cwd?: string;
  /**
   * `once`: after the instance is created and started, and once when it first appears in an
   * update (a changed command counts as new); `on_change`: during an update, after changed
   * `files` or `config` were applied, only when they changed (a failure there restores the
   * previous files and config); `on_start`: after every start the provider performs.
   */
  trigger: InstanceExecTrigger;
  /** Whether a non-zero exit or a timeout fails the update (default true); else a warning. */
  failOnError?: boolean;
  /** Seconds the command may run before it is killed and reported (default 120, 1-3600). */
  timeoutSeconds?: number;
}

/** A backend of an OVN network load balancer. */
export interface NetworkLbBackend {
  name: string;
  description?: string;
  targetAddress: string;
  /** Target port(s), e.g. "1883" or "80,443"; defaults to the listen port. */
  targetPort?: string;
}

/** A listening port of an OVN network load balancer. */
export interface NetworkLbPort {
  description?: string;
  /** tcp or udp (default tcp). */
  protocol?: string;
  /** Listen port(s), e.g. "1883" or "53". */
  listenPort: string;
  /** Names of the backends that serve this port. */
  targetBackend: string[];
}

/** A network ACL rule. */
export interface NetworkAclRule {
  /** allow, allow-stateless, drop or reject. */
  action: string;
  /** enabled, disabled or logged. */
  state: string;
  description?: string;
  source?: string;
  destination?: string;
  /** icmp4, icmp6, tcp or udp. */
  protocol?: string;
  sourcePort?: string;
  destinationPort?: string;
  icmpType?: string;
  icmpCode?: string;
}
